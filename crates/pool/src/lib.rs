//! LinkPool staking (LinkPool whitepaper §4–6), off-chain half.
//!
//! - [`economics`]: the paper's oracle and pool economics (§4–5) in exact decimal arithmetic;
//!   `linkpool pool economics` prints it.
//!
//! The contracts live in `contracts/src/staking`; their bindings in `linkpool-bindings`.
//! No task is spawned.

pub mod economics;
mod error;

pub use error::{Error, Result};
