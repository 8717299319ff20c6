//! Integration tests of linkpool-chain against real anvil instances and real stores.

mod client;
mod common;
mod poller;
mod txm;
