//! The seam between the `ethtx` task and whatever sends transactions (the node's transaction
//! manager). The pipeline never signs or sends anything itself.

use alloy::primitives::{Address, Bytes, B256};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A transaction the pipeline wants sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EthTxRequest {
    /// `run:<run_id>:task:<task_id>`: the same key must never produce two transactions, so a
    /// resumed run that re-executes `ethtx` gets the original transaction back.
    pub idempotency_key: String,
    /// The recipient (e.g. the operator contract).
    pub to: Address,
    /// The calldata, selector included.
    pub data: Bytes,
    /// The task's `gasLimit`, if set (else the sender chooses, e.g. the job's `gasLimit`).
    pub gas_limit: Option<u64>,
    /// Confirmations to wait for before the task completes.
    pub min_confirmations: u64,
    /// Whether a revert fails the task.
    pub fail_on_revert: bool,
    /// The task's `evmChainID`, if set.
    pub evm_chain_id: Option<u64>,
}

/// What the sender reports back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EthTxOutcome {
    /// Hash of the transaction attempt that was (or will be) mined.
    pub tx_hash: B256,
    /// The block it was mined in, if known.
    pub block_number: Option<u64>,
    /// Gas used, if known.
    pub gas_used: Option<u64>,
    /// Whether the receipt says it reverted.
    pub reverted: bool,
}

/// Error of an [`EthTxSender`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EthTxError(pub String);

/// Sends (or enqueues) transactions for `ethtx` tasks. Injected through [`crate::Deps`].
#[async_trait]
pub trait EthTxSender: Send + Sync {
    /// Sends `request` idempotently and returns once it has `min_confirmations`.
    async fn send(&self, request: EthTxRequest) -> Result<EthTxOutcome, EthTxError>;
}
