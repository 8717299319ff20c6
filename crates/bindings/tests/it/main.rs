//! Contract tests against a real anvil, through the typed bindings.
//!
//! Tests of the Chainlink reference peer (`compat`, `escrow`, `gas`) build `contracts/reference-out/` on
//! first use (`npm ci` + `node scripts/build-reference.mjs`; needs Node.js and network access to
//! the npm registry the first time).

mod admin;
mod cbor;
mod client;
mod common;
mod compat;
mod drc;
mod drc_admin;
mod drc_common;
mod drc_consumer;
mod drc_gas;
mod drc_invariant;
mod drc_price;
mod escrow;
mod gas;
mod operator;
mod pool_owners;
