//! Tests of the `linkpool` binary as a separate process.

mod agreements;
mod bench_scale;
mod bridges;
mod commands;
mod common;
mod crash;
mod drc;
mod obligations;
mod pool;
mod pool_economics;
mod runs;
