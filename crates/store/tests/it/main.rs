//! Integration tests of linkpool-store: every test body runs on SQLite and on PostgreSQL.

#[macro_use]
mod common;

mod agreements;
mod cascade;
mod concurrency;
mod connect;
mod jobs;
mod log_poller;
mod reruns;
mod retention;
mod runs;
mod task_runs;
mod txs;
