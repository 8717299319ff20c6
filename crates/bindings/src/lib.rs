//! Typed Rust bindings for linkpool's Solidity contracts, and the Chainlink reference peer.
//!
//! This crate is the only place that reads contract artifacts.
//!
//! - **Our contracts** ([`LinkToken`], [`Operator`], [`ConsumerUint256`], [`ConsumerMultiWord`],
//!   [`RequestEncoder`], [`DRCoordinator`] (in [`coordinator`], with the struct types its ABI
//!   names), [`SettableAggregator`], [`DRCTestConsumer`], [`TestFeedProxy`], and the interfaces
//!   [`IOperator`], [`ILinkToken`], [`IERC677Receiver`])
//!   are generated at compile time by alloy's `sol!` from the committed JSON artifacts in
//!   `contracts/out/` (built by `contracts/scripts/build.mjs`; `cargo build` needs no Node.js).
//!   Each is a module with the calls, events and custom errors, an `…Instance` for RPC
//!   (`Operator::new(address, provider)`), and for deployable contracts `BYTECODE`,
//!   `DEPLOYED_BYTECODE`, `deploy` and `deploy_builder`. Custom errors decode with e.g.
//!   `err.as_decoded_interface_error::<Operator::OperatorErrors>()`.
//! - **The reference peer** ([`reference`](mod@reference)): Chainlink's real `Operator`, `LinkToken` and
//!   `ChainlinkClient`-based twins of our consumers, compiled from npm `@chainlink/contracts` by
//!   `contracts/scripts/build-reference.mjs` into the gitignored `contracts/reference-out/`. They
//!   are loaded at run time (a typed [`Error::ReferenceMissing`] says how to build them, and
//!   [`reference::ensure_built`] builds them). Their ABIs match ours, so after deploying reference
//!   bytecode, callers talk to it through our bindings.
//! - **Stacks and gas** ([`stack`]): deploy LINK + Operator + consumers in any mix of flavours,
//!   answer requests as a node would, and measure the request/fulfil gas of the docs' "Get >
//!   Uint256" scenario; `linkpool bench` and the compatibility tests build on it.
//!
//! No task is spawned; the only side effects are RPC calls and, in [`reference::build`], running
//! `npm`/`node`.

pub mod aggregation;
pub mod agreements;
mod contracts;
mod error;
pub mod reference;
pub mod stack;

pub use contracts::*;
pub use error::{custom_error_text, Error, Result};
