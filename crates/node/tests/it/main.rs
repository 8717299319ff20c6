//! End-to-end tests of the node on a real anvil: the agreement service.

mod agreement;
mod common;
