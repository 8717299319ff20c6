//! The linkpool oracle node: wiring, job-type services and the HTTP API.
//!
//! [`Node::start`] connects the [store](linkpool_store), the
//! [chain client](linkpool_chain), the keystore and then spawns:
//!
//! - the **transaction manager** (nonces, fees, bumping, receipts);
//! - one **service per job type**: today the direct-request service
//!   ([`services::direct_request`]), which owns a log poller over the
//!   Operators of its jobs, persists a run for every matching request
//!   *before any side effect*, waits for its confirmations and executes it;
//! - the **run executor** ([`executor`]), which runs pipelines, persists every
//!   task result as it finishes, and resumes interrupted runs on start;
//! - the **HTTP API** ([`api`]), guarded by a bearer token.
//!
//! Everything a run does is keyed so that a crash at any point resumes without
//! losing or duplicating a request or a transaction: runs are unique per log
//! (block hash + log index), transactions per run and task.

pub mod api;
mod config;
mod error;
pub mod executor;
pub mod metrics;
mod node;
mod registry;
pub mod services;
mod state;

pub use config::{ApiConfig, ChainConfig, DatabaseConfig, KeysConfig, NodeConfig, PipelineConfig};
pub use error::{Error, Result};
pub use node::{Node, NodeHandle};
pub use registry::JobRegistry;
pub use state::NodeState;
