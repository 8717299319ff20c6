//! End-to-end tests: a real anvil, our contracts (and Chainlink's from npm),
//! a real node and real HTTP data sources.

mod bad_input;
mod compat;
mod direct_request;
mod harness;
mod postgres;
mod scenarios;
