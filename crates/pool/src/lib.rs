//! LinkPool staking (LinkPool whitepaper §4–6), off-chain half.
//!
//! - [`deploy`]: deploys a pool (its storage, the five logic contracts) and registers them.
//! - [`model`]: an exact-rational model of a node's stakes and earnings, to check the contracts.
//! - [`economics`]: the paper's oracle and pool economics (§4–5) in exact decimal arithmetic;
//!   `linkpool pool economics` prints it.
//!
//! The contracts live in `contracts/src/staking`; their bindings in `linkpool-bindings`.
//! No task is spawned.

pub mod client;
pub mod deploy;
pub mod economics;
mod error;
pub mod model;

pub use error::{Error, Result};
