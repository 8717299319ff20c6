//! Integration tests of `linkpool-agreements`, each on its own anvil.

mod aggregators;
mod common;
mod conservation;
mod pool;
mod sla;
