//! End-to-end tests: a real anvil, our contracts (and Chainlink's from npm),
//! a real node and real HTTP data sources.

mod bad_input;
mod bridges;
mod chain_tasks;
mod compat;
mod cron;
mod direct_request;
mod drc;
mod harness;
mod network_scenario;
mod pool;
mod postgres;
mod runs_api;
mod scenarios;
mod staking_bench;
mod staking_scenario;
mod webhook;
