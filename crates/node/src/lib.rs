//! The linkpool oracle node: wiring, job-type services and the HTTP API.
//!
//! [`Node::start`] connects the [store](linkpool_store), the
//! [chain client](linkpool_chain), the keystore and then spawns:
//!
//! - the **transaction manager** (nonces, fees, bumping, receipts);
//! - one **service per job type**: the direct-request service
//!   ([`services::direct_request`]), which owns a log poller over the
//!   Operators of its jobs, persists a run for every matching request
//!   *before any side effect*, waits for its confirmations and executes it;
//!   the cron service ([`services::cron`]), one scheduler per `cron` job,
//!   which persists a run per fire time before executing it; `webhook` jobs
//!   are run by the API (`POST /v2/jobs/{id}/runs`); the agreement service
//!   ([`services::agreement`]), which bids on the `OrderMatching` SLAs of
//!   `agreement` jobs and answers their requests by commit and reveal, with
//!   the answer and salt persisted before the commitment is sent;
//! - the **run executor** ([`executor`]), which runs pipelines, persists every
//!   task result as it finishes, and resumes interrupted runs on start;
//! - the **HTTP API** ([`api`]), guarded by a bearer token;
//! - **run retention** ([`retention`]), which keeps the newest completed runs
//!   of each job (`[runs] keep_successful_per_job`) and every failed one.
//!
//! Everything a run does is keyed so that a crash at any point resumes without
//! losing or duplicating a request or a transaction: runs are unique per log
//! (block hash + log index), transactions per run and task.

pub mod api;
pub mod bridges;
mod chain_reader;
mod config;
mod error;
pub mod executor;
pub mod metrics;
mod node;
pub mod pool;
mod registry;
pub mod retention;
mod run_vars;
pub mod services;
mod state;

pub use chain_reader::NodeChainReader;
pub use config::{
    ApiConfig, ChainConfig, DatabaseConfig, KeysConfig, NodeConfig, PipelineConfig, PoolConfig, RunsConfig,
};
pub use error::{Error, Result};
pub use node::{Node, NodeHandle};
pub use registry::JobRegistry;
pub use state::NodeState;
