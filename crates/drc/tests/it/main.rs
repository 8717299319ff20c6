//! Integration tests of linkpool-drc: the pricing model, the spec files, and (against anvil) the
//! client and the contract-parity property test.

mod contract_parity;
mod pricing;
mod specs;
