//! The decentralized oracle network's on-chain half, from Rust (ChainLink whitepaper §2.1 oracle
//! selection → data reporting → result aggregation, §4.2 Algorithm 1, §5.1–5.2).
//!
//! - [`deploy`]: `Reputation`, `OrderMatching` (registered with it) and the standard aggregators
//!   (mode, median, trimmed mean, mean weighted by reputation).
//! - [`client`]: [`Agreements`], a typed client of one `OrderMatching`: propose SLAs, bid (with
//!   LINK or from a LinkPool node's stake), finalize, request, commit, reveal, settle, close, and
//!   read SLAs, bids, sessions and reputation. Reverts become [`Error::Revert`] with the decoded
//!   custom error and what it means.
//! - [`commitment`]: the commitment `keccak256(abi.encode(answer, salt, oracle))` and fresh salts.
//! - [`terms`]: [`SlaTerms`](terms::SlaTermsBuilder) with sensible defaults.
//!
//! The contracts are `contracts/src/agreements` and `contracts/src/aggregation`; their docs
//! (`IOrderMatching`) give the full rules. No task is spawned here; the node's service that bids,
//! commits and reveals lives in `linkpool-node`.

pub mod client;
pub mod commitment;
pub mod deploy;
mod error;
pub mod states;
pub mod terms;

pub use client::Agreements;
pub use error::{Error, Result};
pub use linkpool_bindings::agreements::order_matching::IOrderMatching::{
    BidView, EntryView, Requirements, SessionView, SlaTerms, SlaView,
};
pub use linkpool_bindings::agreements::reputation::IReputation::{Report, Stats};
pub use states::{BidState, Outcome, SessionStatus, SlaStatus};
