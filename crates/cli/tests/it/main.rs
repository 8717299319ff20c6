//! Tests of the `linkpool` binary as a separate process.

mod commands;
mod crash;
