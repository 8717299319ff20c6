//! Integration tests of `linkpool-pool`.

mod common;
mod custody;
mod distribution;
mod economics;
mod staking;
