-- Transaction manager and log poller state (SQLite).

CREATE TABLE txs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT    NOT NULL UNIQUE,
    chain_id        INTEGER NOT NULL,
    from_address    TEXT    NOT NULL,
    to_address      TEXT    NOT NULL,
    data            BLOB    NOT NULL,
    value           TEXT    NOT NULL,
    gas_limit       INTEGER NOT NULL,
    -- a tx outlives its run: what went on-chain stays on record when a job is deleted
    run_id          INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    nonce           INTEGER,
    state           TEXT    NOT NULL,
    error           TEXT,
    confirmed_hash  TEXT,
    block_number    INTEGER,
    gas_used        INTEGER,
    created_at      INTEGER NOT NULL
);

-- one tx per (chain, sender, nonce); unstarted txs (NULL nonce) do not collide
CREATE UNIQUE INDEX txs_chain_from_nonce ON txs (chain_id, from_address, nonce);
CREATE INDEX txs_chain_from_state_nonce ON txs (chain_id, from_address, state, nonce);
-- serves the runs -> txs ON DELETE SET NULL action
CREATE INDEX txs_run_id ON txs (run_id);

CREATE TABLE tx_attempts (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    tx_id                    INTEGER NOT NULL REFERENCES txs (id) ON DELETE CASCADE,
    hash                     TEXT    NOT NULL UNIQUE,
    max_fee_per_gas          TEXT    NOT NULL,
    max_priority_fee_per_gas TEXT    NOT NULL,
    raw                      BLOB    NOT NULL,
    broadcast_at             INTEGER NOT NULL
);

CREATE INDEX tx_attempts_tx_id ON tx_attempts (tx_id, id);

CREATE TABLE log_cursors (
    name         TEXT    PRIMARY KEY,
    block_number INTEGER NOT NULL,
    block_hash   TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- canonical block hashes seen by the log poller, for reorg detection
CREATE TABLE blocks (
    chain_id INTEGER NOT NULL,
    number   INTEGER NOT NULL,
    hash     TEXT    NOT NULL,
    PRIMARY KEY (chain_id, number)
);
