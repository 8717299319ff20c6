-- External adapters (bridges) and the last good answer of each bridge task (SQLite).

CREATE TABLE bridges (
    -- lower case; tasks name bridges case-insensitively
    name                TEXT    PRIMARY KEY,
    url                 TEXT    NOT NULL,
    -- sent to the adapter as a bearer token; the adapter needs it in clear
    outgoing_token      TEXT    NOT NULL,
    -- keccak256 of the token the adapter presents on PATCH /v2/resume; the token itself is never stored
    incoming_token_hash TEXT    NOT NULL,
    -- JSON Schemas of the request and response bodies, NULL when none
    input_schema        TEXT,
    output_schema       TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);

-- cacheTTL: the last successful answer of each bridge task, a stand-in when the adapter fails
CREATE TABLE bridge_answers (
    job_id      INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    task_id     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, task_id)
);
