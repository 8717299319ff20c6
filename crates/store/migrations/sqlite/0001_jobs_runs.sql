-- Jobs, pipeline runs and task runs (SQLite).
-- ids are AUTOINCREMENT so they never get reused: run ids are keyset-pagination cursors.

CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    external_job_id TEXT    NOT NULL,
    name            TEXT,
    job_type        TEXT    NOT NULL,
    spec_toml       TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    -- set by delete_job: the job and its runs are hidden at once, then purged in small batches
    deleted_at      INTEGER
);

-- a deleted job's external id can be reused right away
CREATE UNIQUE INDEX jobs_external_job_id ON jobs (external_job_id) WHERE deleted_at IS NULL;

CREATE TABLE runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id          INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    idempotency_key TEXT    NOT NULL UNIQUE,
    status          TEXT    NOT NULL,
    inputs          TEXT    NOT NULL,
    outputs         TEXT,
    error           TEXT,
    request_id      TEXT,
    ready_at_block  INTEGER,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
);

-- keyset pagination per job (and per job + status); also serves the jobs -> runs cascade
CREATE INDEX runs_job_id_id ON runs (job_id, id DESC);
CREATE INDEX runs_job_id_status_id ON runs (job_id, status, id DESC);
-- listing / resuming by status across jobs
CREATE INDEX runs_status_id ON runs (status, id DESC);
-- runs_ready_at: PendingConfirmations runs whose confirmation block is reached
CREATE INDEX runs_status_ready_at_block ON runs (status, ready_at_block);
-- CancelOracleRequest handling
CREATE INDEX runs_request_id ON runs (request_id) WHERE request_id IS NOT NULL;

CREATE TABLE task_runs (
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    task_id     TEXT    NOT NULL,
    task_type   TEXT    NOT NULL,
    task_index  INTEGER NOT NULL,
    output      TEXT,
    error       TEXT,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (run_id, task_id)
);
