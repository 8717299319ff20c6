//! Commitments of Algorithm 1: `keccak256(abi.encode(int256 answer, bytes32 salt, address oracle))`,
//! the value `OrderMatching.commit` takes and `reveal` checks. Binding the oracle's address means a
//! copied commitment cannot be revealed by anyone else.

use alloy::{
    primitives::{keccak256, Address, B256, I256},
    sol_types::SolValue,
};
use rand::RngCore;

/// The commitment of `answer` with `salt` by `oracle` (as `OrderMatching.commitmentOf`).
pub fn commitment(answer: I256, salt: B256, oracle: Address) -> B256 {
    keccak256((answer, salt, oracle).abi_encode())
}

/// A fresh 32-byte salt from the OS-seeded thread RNG: the answer must not be guessable from the
/// commitment before the reveal.
pub fn random_salt() -> B256 {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    B256::from(bytes)
}
