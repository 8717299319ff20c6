//! Integration tests of linkpool-pipeline: parsing, every task, the runner and the Chainlink
//! documentation's direct-request pipelines against a real local HTTP server.

mod bridge;
mod common;
mod docs_examples;
mod fuzz;
mod net_guard;
mod parse;
mod props;
mod runner;
mod tasks;
mod tasks_more;
