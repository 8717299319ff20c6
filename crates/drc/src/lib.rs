//! DRCoordinator tooling: the pricing model, the JSON spec files, and a management client.
//!
//! `DRCoordinator` (`contracts/src/coordinator`, interface `IDRCoordinator`) sells direct
//! requests pay-as-you-go: a consumer escrows the MAX payment (its whole callback gas limit at
//! the current gas and LINK prices, plus the operator's fee), and the fulfilment charges the SPOT
//! payment (the gas really used) and refunds the rest. The node operator owns one coordinator
//! per network and registers jobs on it as specs. This crate is everything off-chain around it
//! except the node's fulfilment path:
//!
//! - [`pricing`]: an independent integer implementation of the contract's formulas: the LINK
//!   price from one LINK/TKN feed or from LINK/USD and TKN/USD, MAX and SPOT payments with FLAT or
//!   PERMYRIAD fees, the Operator escrow, and the constants. `linkpool drc calc` prints it; the
//!   contract-parity property test holds the contract to it, juel for juel.
//! - [`specs`]: the original tools' JSON spec files (arrays of `{description, configuration,
//!   consumers}`), validated with errors that name the file, the entry and the field; spec keys
//!   (`keccak256(abi.encodePacked(operator, specId))`); and [`specs::SpecDiff`], the
//!   create/update/delete/unchanged plan between a directory of files and the chain.
//! - [`client`]: [`client::Coordinator`], reads and owner transactions over the
//!   `IDRCoordinator` ABI (config, specs, balances, subscriptions, prices, batched spec sync,
//!   pause, ownership, withdrawal), and [`client::connect`] for a signing provider.
//!
//! The `linkpool drc …` commands are thin layers over these. Nothing here spawns a task; the
//! only side effects are RPC calls made by [`client`].

pub mod client;
mod error;
pub mod pricing;
pub mod specs;

pub use error::{Error, Result};

/// Serde helper: integers as decimal strings (JSON numbers lose precision beyond 2^53).
pub(crate) mod dec {
    /// Serializes any integer as its decimal string.
    pub(crate) fn serialize<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}
