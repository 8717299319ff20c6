//! Tests of the `linkpool` binary as a separate process.

mod crash;
