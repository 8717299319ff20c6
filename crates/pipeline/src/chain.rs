//! The seam between the read-only chain tasks (`ethcall`, `estimategaslimit`) and the node's RPC
//! client. Like [`crate::EthTxSender`], the pipeline never talks to a chain itself.

use alloy::primitives::{Address, Bytes, U256};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// A read-only call or a gas estimate the pipeline wants made.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EthCallRequest {
    /// The contract called.
    pub to: Address,
    /// The calldata, selector included.
    pub data: Bytes,
    /// The `from` of the call (`None`: the node's sending address or zero).
    pub from: Option<Address>,
    /// Gas limit of the call.
    pub gas: Option<u64>,
    /// `gasPrice` of the call, in wei.
    pub gas_price: Option<u128>,
    /// `gasTipCap` (max priority fee per gas), in wei.
    pub gas_tip_cap: Option<u128>,
    /// `gasFeeCap` (max fee per gas), in wei.
    pub gas_fee_cap: Option<u128>,
    /// Value sent with the call, in wei.
    pub value: Option<U256>,
    /// `block`: `latest` (default), `pending` or a block number.
    pub block: Option<String>,
    /// The task's `evmChainID`, if set; the reader refuses another chain.
    pub evm_chain_id: Option<u64>,
}

/// Error of a [`ChainReader`]: a revert, a transport failure or a refused chain id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ChainReadError {
    /// What went wrong, as the RPC node said it.
    pub message: String,
    /// True when the call reverted (as opposed to a transport failure, which may be retried).
    pub reverted: bool,
}

/// Read-only chain access for tasks. Injected through [`crate::Deps`].
#[async_trait]
pub trait ChainReader: Send + Sync {
    /// `eth_call`: the returned bytes.
    async fn call(&self, request: EthCallRequest) -> Result<Bytes, ChainReadError>;
    /// `eth_estimateGas`: the gas the call would use.
    async fn estimate_gas(&self, request: EthCallRequest) -> Result<u64, ChainReadError>;
}
