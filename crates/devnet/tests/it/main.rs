//! End-to-end tests: a real anvil, our contracts (and Chainlink's from npm),
//! a real node and real HTTP data sources.

mod bad_input;
mod compat;
mod harness;
mod scenarios;
