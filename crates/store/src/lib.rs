//! linkpool-store: the node's persistence layer, over sqlx.
//!
//! # Bird's-eye view
//!
//! [`Store`] is a cheap-to-clone handle over a connection pool. It owns the schema (versioned
//! migrations, run by [`Store::connect`]) and exposes one async method per repository operation:
//!
//! - **jobs** ([`NewJob`], [`JobRecord`]): the job specs the node runs;
//! - **runs** ([`NewRun`], [`RunRecord`], [`RunStatus`], [`RunFilter`]): one per job execution,
//!   persisted *before* any side effect, idempotent on an idempotency key ([`Inserted`]);
//! - **task runs** ([`TaskRunRecord`]): each pipeline task's result within a run;
//! - **reruns** ([`Store::insert_rerun`]): a new run repeating an errored or cancelled one,
//!   linked by `rerun_of`;
//! - **retention** ([`RetentionPolicy`], [`Store::prune_runs`]): keeps the newest N completed
//!   runs per job and every errored or cancelled one, deleting in short batches;
//! - **transactions** ([`NewTx`], [`TxRecord`], [`TxState`], [`TxAttempt`]): the transaction
//!   manager's queue, idempotent on a key (never two txs per key), nonces unique per sender,
//!   every signed attempt persisted before it is broadcast;
//! - **log poller** ([`LogCursor`] and block hashes): how far each poller got, and the canonical
//!   block hashes it saw, for reorg detection;
//! - **agreements** ([`NewObligation`], [`ObligationRecord`], [`NewSession`], [`SessionRecord`]):
//!   the node's bids and selections under `OrderMatching` SLAs (penalties at risk) and its
//!   commit/reveal sessions, whose answer and salt are persisted before the commitment is sent.
//!
//! It is safe to call from many tasks at once. The only task it spawns is the purge after
//! [`Store::delete_job`]: deleting a job hides it and its runs at once (one row update), then a
//! background task deletes the rows in batches of 500 runs ([`Store::purge_deleted_jobs`];
//! call it at startup to finish a purge a restart interrupted). One cascading statement over
//! 100k runs would take seconds and, on SQLite, hold the write lock all that time.
//!
//! # Backends
//!
//! The URL picks the backend ([`Backend::from_url`]):
//!
//! | URL | backend |
//! |---|---|
//! | `sqlite://path/to/node.sqlite`, `sqlite:path` | SQLite file (created with its dir if missing) — the embedded default |
//! | `sqlite::memory:` | private in-memory SQLite (tests, throwaway) |
//! | `postgres://user@host:5432/db`, `postgresql://…` | PostgreSQL — production / high availability |
//!
//! SQLite runs in WAL mode with a 30 s busy timeout, `foreign_keys = ON`, `synchronous = NORMAL`
//! (durable across node crashes; add `?synchronous=full` to the URL to also survive power loss)
//! and a single-connection pool, so concurrent writers queue in sqlx (not in SQLite's sleeping busy handler) instead of failing
//! with "database is locked". Writes are single autocommit statements, so no transaction ever
//! has to upgrade a read lock to a write lock.
//!
//! Both backends use their native sqlx driver (no `Any`), behind [`DbPool`]. Queries are
//! runtime-checked (`sqlx::query`/`query_as`) and written once: the internal `with_pool!` macro
//! compiles the same SQL text and binds for each pool, and every statement uses `$N`
//! placeholders, which SQLite accepts too. Migrations live in `migrations/sqlite` and
//! `migrations/postgres` (same tables, same column names, integers are 64-bit on both) and are
//! embedded with `sqlx::migrate!`.
//!
//! # Schema
//!
//! ```text
//! jobs        id PK, external_job_id (UNIQUE among live jobs), name, job_type, spec_toml,
//!   │         created_at, deleted_at (tombstone until purged)
//!   └─ runs   id PK, job_id → jobs ON DELETE CASCADE, idempotency_key UNIQUE, status, inputs (JSON),
//!      │      outputs (JSON), error, request_id, ready_at_block, created_at, finished_at,
//!      │      rerun_of → runs ON DELETE SET NULL
//!      │      idx (job_id, id DESC), (job_id, status, id DESC), (status, id DESC),
//!      │          (status, ready_at_block), (request_id) partial, (rerun_of)
//!      └─ task_runs  PK (run_id → runs ON DELETE CASCADE, task_id), task_type, task_index,
//!                    output (JSON), error, started_at, finished_at
//! txs         id PK, idempotency_key UNIQUE, chain_id, from_address, to_address, data (bytes),
//!   │         value (decimal), gas_limit, run_id → runs ON DELETE SET NULL, nonce, state, error,
//!   │         confirmed_hash, block_number, gas_used, created_at
//!   │         UNIQUE (chain_id, from_address, nonce); idx (chain_id, from_address, state, nonce), (run_id)
//!   └─ tx_attempts  id PK, tx_id → txs ON DELETE CASCADE, hash UNIQUE, max_fee_per_gas,
//!                   max_priority_fee_per_gas (decimal), raw (bytes), broadcast_at
//! log_cursors name PK, block_number, block_hash, updated_at
//! blocks      PK (chain_id, number), hash
//! agreement_obligations  id PK, UNIQUE (order_matching, sla_id, oracle), job_id → jobs ON DELETE
//!             SET NULL, state, sla_status, pool_backed, penalty, payment (decimal), job_type,
//!             query_params, bidding_ends, service_ends, error, created_at, updated_at
//! agreement_sessions     id PK, UNIQUE (order_matching, session_id, oracle), sla_id, job_id → jobs
//!             and run_id → runs ON DELETE SET NULL, state, answer (signed decimal), salt, deadline,
//!             final_answer, paid (decimal), error, created_at, answered_at, committed_at,
//!             revealed_at, settled_at
//! ```
//!
//! Conventions: ids are `i64` (never reused); timestamps are `i64` unix millis; U256 amounts are
//! decimal TEXT; addresses and hashes are lowercase `0x` hex (inputs are validated and
//! lowercased, so checksummed addresses are accepted); JSON is TEXT; enums are snake_case TEXT.
//! The purge of a deleted job relies on `ON DELETE CASCADE` (runs → task runs, runs → txs
//! `SET NULL`) over indexed foreign keys.
//!
//! # Changes from `.notes/store-api.md`
//!
//! - Extra error variant [`Error::Invalid`] for refused input (bad address/hash, non-decimal
//!   amount, u64 above `i64::MAX`, `limit < 1`, non-terminal status in `finish_run`).
//! - `delete_job` is a tombstone + background purge (see above); extra
//!   [`Store::purge_deleted_jobs`]. Runs/task runs of a deleted job are invisible to every read
//!   at once; `insert_run` for a deleted job is [`Error::NotFound`]; a deleted job's external id
//!   and its runs' idempotency keys can be reused immediately.
//! - `mark_tx_fatal(tx_id, error: &str)`; `insert_attempt` is idempotent on the attempt hash.
//! - `set_run_status`, `finish_run`, `assign_nonce`, `mark_tx_*` return [`Error::NotFound`] for
//!   a missing row; `assign_nonce` returns [`Error::Conflict`] if the tx is not `Unstarted` or
//!   the nonce is taken.
//! - Extras: [`Store::pool`]/[`DbPool`], [`Store::from_pool`], [`Store::migrate`],
//!   [`Store::close`], [`Backend::from_url`], [`Inserted::get`]/[`Inserted::into_inner`]/[`Inserted::is_new`],
//!   `RunStatus`/`TxState` `as_str`/`FromStr`/`Display`/serde.
//! - `testing` feature: `testing::TestDb` gives other crates' tests a fresh SQLite or
//!   PostgreSQL store.

#[macro_use]
mod macros;

mod agreements;
mod bridges;
mod codec;
mod error;
mod inserted;
mod job_deletion;
mod jobs;
mod log_poller;
mod reruns;
mod retention;
mod runs;
mod store;
mod task_runs;
mod txs;

#[cfg(feature = "testing")]
pub mod testing;

pub use agreements::{
    NewObligation, NewSession, ObligationRecord, ObligationState, SessionRecord, SessionState, SlaPhase,
};
pub use bridges::{BridgeAnswer, BridgeRecord, NewBridge, Resumed, Suspension};
pub use error::{Error, Result};
pub use inserted::Inserted;
pub use jobs::{JobRecord, NewJob};
pub use log_poller::LogCursor;
pub use retention::{RetentionPolicy, RetentionReport};
pub use runs::{NewRun, RunFilter, RunRecord, RunStatus};
pub use store::{Backend, DbPool, Store};
pub use task_runs::TaskRunRecord;
pub use txs::{NewTx, TxAttempt, TxRecord, TxState};
