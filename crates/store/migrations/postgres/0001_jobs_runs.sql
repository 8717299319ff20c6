-- Jobs, pipeline runs and task runs (PostgreSQL).
-- Same shape as migrations/sqlite: every integer is BIGINT so both backends decode to i64.

CREATE TABLE jobs (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_job_id TEXT   NOT NULL,
    name            TEXT,
    job_type        TEXT   NOT NULL,
    spec_toml       TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    -- set by delete_job: the job and its runs are hidden at once, then purged in small batches
    deleted_at      BIGINT
);

-- a deleted job's external id can be reused right away
CREATE UNIQUE INDEX jobs_external_job_id ON jobs (external_job_id) WHERE deleted_at IS NULL;

CREATE TABLE runs (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id          BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    idempotency_key TEXT   NOT NULL UNIQUE,
    status          TEXT   NOT NULL,
    inputs          TEXT   NOT NULL,
    outputs         TEXT,
    error           TEXT,
    request_id      TEXT,
    ready_at_block  BIGINT,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
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
    run_id      BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    task_id     TEXT   NOT NULL,
    task_type   TEXT   NOT NULL,
    task_index  BIGINT NOT NULL,
    output      TEXT,
    error       TEXT,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (run_id, task_id)
);
