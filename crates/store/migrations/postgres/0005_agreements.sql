-- Decentralized oracle network (PostgreSQL): the node's obligations under OrderMatching SLAs and its
-- commit/reveal sessions. Amounts are decimal TEXT (juels, exact), ids of SLAs and sessions are
-- decimal TEXT (uint256), addresses and hashes lowercase 0x hex.

-- One row per SLA the node bid on (or decided to bid on).
CREATE TABLE agreement_obligations (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_matching  TEXT    NOT NULL,
    sla_id          TEXT    NOT NULL,
    -- the bidding account (the node's key)
    oracle          TEXT    NOT NULL,
    -- the agreement job; NULL once the job is purged (the obligation stays on record)
    job_id          BIGINT  REFERENCES jobs (id) ON DELETE SET NULL,
    -- bidding | bid | bid_failed | selected | not_selected | sla_failed | forfeited | released
    state           TEXT    NOT NULL,
    -- the SLA's own status as last seen: bidding | active | failed | closed
    sla_status      TEXT    NOT NULL,
    -- true: the penalty came from the node's LinkPool stake
    pool_backed     BOOLEAN NOT NULL,
    penalty         TEXT    NOT NULL,
    payment         TEXT    NOT NULL,
    job_type        TEXT    NOT NULL,
    -- the SLA's query parameters (0x hex of the bytes), handed to every run
    query_params    TEXT    NOT NULL,
    -- unix seconds (chain time)
    bidding_ends    BIGINT  NOT NULL,
    service_ends    BIGINT  NOT NULL,
    error           TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (order_matching, sla_id, oracle)
);

CREATE INDEX agreement_obligations_state ON agreement_obligations (oracle, state);
-- serves the jobs -> obligations ON DELETE SET NULL action
CREATE INDEX agreement_obligations_job_id ON agreement_obligations (job_id);

-- One row per request session of a selected SLA. The answer and salt are written before the
-- commitment is sent: a restarted node reveals from here.
CREATE TABLE agreement_sessions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_matching  TEXT    NOT NULL,
    session_id      TEXT    NOT NULL,
    sla_id          TEXT    NOT NULL,
    oracle          TEXT    NOT NULL,
    job_id          BIGINT  REFERENCES jobs (id) ON DELETE SET NULL,
    run_id          BIGINT  REFERENCES runs (id) ON DELETE SET NULL,
    -- observing | answered | committed | revealed | settled | missed | failed
    state           TEXT    NOT NULL,
    -- int256 as signed decimal TEXT
    answer          TEXT,
    salt            TEXT,
    -- unix seconds (chain time)
    deadline        BIGINT  NOT NULL,
    -- the session's final answer, once delivered
    final_answer    TEXT,
    -- juels paid to the oracle at settlement
    paid            TEXT,
    error           TEXT,
    created_at      BIGINT  NOT NULL,
    answered_at     BIGINT,
    committed_at    BIGINT,
    revealed_at     BIGINT,
    settled_at      BIGINT,
    UNIQUE (order_matching, session_id, oracle)
);

CREATE INDEX agreement_sessions_state ON agreement_sessions (oracle, state);
CREATE INDEX agreement_sessions_job_id ON agreement_sessions (job_id);
CREATE INDEX agreement_sessions_run_id ON agreement_sessions (run_id);
