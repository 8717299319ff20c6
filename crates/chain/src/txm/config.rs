//! Transaction manager configuration.

use std::time::Duration;

use crate::{Error, Result};

/// One gwei in wei.
pub const GWEI: u128 = 1_000_000_000;

/// How EIP-1559 fees are chosen and capped. All values in wei.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeConfig {
    /// Fixed priority fee (tip). `None`: ask the node (`eth_maxPriorityFeePerGas`) each block.
    pub priority_fee: Option<u128>,
    /// Lower bound of the tip.
    pub min_priority_fee: u128,
    /// `maxFeePerGas = base_fee * base_fee_percent / 100 + tip` (200: survives ~6 full blocks
    /// of base fee growth).
    pub base_fee_percent: u128,
    /// Hard cap of `maxFeePerGas`: no attempt, initial or bumped, goes above it.
    pub max_fee_per_gas: u128,
}

impl Default for FeeConfig {
    fn default() -> Self {
        Self { priority_fee: None, min_priority_fee: 1, base_fee_percent: 200, max_fee_per_gas: 500 * GWEI }
    }
}

/// Configuration of a [`TxManager`](super::TxManager).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxmConfig {
    /// A tx is final once its block has this many confirmations (the block itself counts
    /// as one; at least 1).
    pub confirmations: u64,
    /// How often the head is polled for new blocks (receipts are fetched per new block).
    pub poll_interval: Duration,
    /// Bump the fees of a tx still unmined this many blocks after its last broadcast.
    pub bump_after_blocks: Option<u64>,
    /// ... or this long after its last broadcast (whichever comes first).
    pub bump_after: Option<Duration>,
    /// At most this many txs (the lowest nonces) are bumped or rebroadcast per block.
    pub max_bumps_per_block: usize,
    /// Fee policy.
    pub fees: FeeConfig,
    /// Gas limit = `eth_estimateGas` × this / 100 when the caller gives none.
    pub gas_estimate_percent: u64,
    /// Txs signed and broadcast per batch request.
    pub max_batch: usize,
    /// "nonce too low" answers tolerated, with none of the tx's attempts mined, before the
    /// tx is marked fatal (its nonce was used by a transaction this node did not send).
    pub nonce_too_low_limit: u32,
}

impl Default for TxmConfig {
    fn default() -> Self {
        Self {
            confirmations: 1,
            poll_interval: Duration::from_secs(1),
            bump_after_blocks: Some(3),
            bump_after: None,
            max_bumps_per_block: 50,
            fees: FeeConfig::default(),
            gas_estimate_percent: 120,
            max_batch: 500,
            nonce_too_low_limit: 5,
        }
    }
}

impl TxmConfig {
    pub(crate) fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::Config(format!("transaction manager: {what}")));
        if self.confirmations == 0 {
            return bad("confirmations must be at least 1");
        }
        if self.poll_interval.is_zero() {
            return bad("poll_interval must be positive");
        }
        if self.bump_after_blocks == Some(0) || self.bump_after.is_some_and(|d| d.is_zero()) {
            return bad("bump thresholds must be positive");
        }
        if self.max_batch == 0 || self.max_bumps_per_block == 0 {
            return bad("max_batch and max_bumps_per_block must be at least 1");
        }
        if self.gas_estimate_percent < 100 {
            return bad("gas_estimate_percent below 100 would under-fund estimated txs");
        }
        if self.fees.max_fee_per_gas == 0 || self.fees.base_fee_percent < 100 {
            return bad("max_fee_per_gas must be positive and base_fee_percent at least 100");
        }
        if self.fees.min_priority_fee > self.fees.max_fee_per_gas {
            return bad("min_priority_fee is above max_fee_per_gas");
        }
        Ok(())
    }
}
