-- Re-running a failed run (SQLite): the new run points at the run it repeats.

-- NULL for ordinary runs. SET NULL: retention or a job purge may remove the original first.
ALTER TABLE runs ADD COLUMN rerun_of INTEGER REFERENCES runs (id) ON DELETE SET NULL;

-- finds a run's reruns, and serves the ON DELETE SET NULL check of every deleted run
-- (without it, deleting a run would scan the whole table)
CREATE INDEX runs_rerun_of ON runs (rerun_of);
