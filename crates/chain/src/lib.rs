//! linkpool-chain: everything the node does with an EVM chain.
//!
//! # Bird's-eye view
//!
//! - [`ChainClient`] ([`client`]): an alloy HTTP provider for one JSON-RPC endpoint, with
//!   its chain id verified at connect time. Shared by every component of that chain.
//! - [`KeyStore`] ([`keystore`]): the node's sending keys in encrypted Web3 Secret Storage
//!   v3 files (scrypt); the [`Password`] comes from `--password-file` or
//!   `LINKPOOL_KEYSTORE_PASSWORD`. Keys never appear in `Debug` output or logs.
//! - [`LogPoller`] ([`poller`]): delivers contract logs matching a [`LogFilter`] as
//!   [`PollerEvent`]s, at least once, resuming from a cursor persisted in the store,
//!   detecting reorgs from recorded block hashes. **Spawns one task per poller.**
//! - [`TxManager`] ([`txm`]): idempotent, persisted-before-sent EIP-1559 transactions with
//!   nonce management, batched broadcast and receipt tracking, fee bumping and restart
//!   recovery. **Spawns one sender task per key and one head watcher task.**
//!
//! Persistence goes through [`linkpool_store::Store`] (SQLite or PostgreSQL). RPC use is kept
//! low on purpose (providers rate-limit): while nothing happens, a poller costs one
//! `eth_blockNumber` per poll and the txm one per `poll_interval`; new blocks cost one batch
//! request each.

pub mod client;
mod error;
pub mod keystore;
pub mod poller;
mod rpc;
pub mod txm;

pub use client::{ChainClient, ClientConfig};
pub use error::{Error, Result};
pub use keystore::{KeyStore, NodeKey, Password, PASSWORD_ENV_VAR};
pub use poller::{Checkpoint, LogFilter, LogPoller, LogPollerConfig, PollerEvent, PollerHandle};
pub use txm::{intrinsic_gas, FeeConfig, Fees, TxManager, TxOutcome, TxRequest, TxmConfig};

/// Re-exported so callers name the same alloy types as this crate.
pub use alloy;
