//! Thin typed helpers over raw JSON-RPC calls, so hot paths can batch several calls into one
//! HTTP request and decode only the fields they need.

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256, U256, U64},
    rpc::client::Waiter,
};
use serde::Deserialize;

use crate::{Error, Result};

/// The header fields the poller and the txm use (`eth_getBlockByNumber(n, false)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HeaderRef {
    pub(crate) number: U64,
    pub(crate) hash: B256,
    #[serde(default)]
    pub(crate) base_fee_per_gas: Option<U256>,
    pub(crate) gas_limit: U64,
}

impl HeaderRef {
    pub(crate) fn number(&self) -> u64 {
        self.number.to()
    }

    /// Base fee, saturated to u128 (pre-London chains report none: 0).
    pub(crate) fn base_fee(&self) -> u128 {
        self.base_fee_per_gas.map(|f| f.saturating_to()).unwrap_or(0)
    }
}

/// The receipt fields the txm needs; logs and blooms are skipped while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReceiptRef {
    pub(crate) transaction_hash: B256,
    pub(crate) block_hash: B256,
    pub(crate) block_number: U64,
    pub(crate) gas_used: U64,
    pub(crate) from: Address,
    /// `0x1` success, `0x0` reverted (absent before Byzantium: treated as success).
    #[serde(default)]
    pub(crate) status: Option<U64>,
}

impl ReceiptRef {
    pub(crate) fn block_number(&self) -> u64 {
        self.block_number.to()
    }

    pub(crate) fn reverted(&self) -> bool {
        self.status.is_some_and(|s| s.is_zero())
    }
}

/// Adds `eth_getBlockByNumber(block, false)` to a batch.
pub(crate) fn add_header(
    batch: &mut alloy::rpc::client::BatchRequest<'_>,
    block: BlockNumberOrTag,
) -> Result<Waiter<Option<HeaderRef>>> {
    Ok(batch.add_call("eth_getBlockByNumber", &(block, false))?)
}

/// Whether a JSON-RPC error means "this method does not exist here".
pub(crate) fn is_method_not_found(err: &alloy::transports::TransportError) -> bool {
    match err.as_error_resp() {
        Some(resp) => {
            resp.code == -32601 || {
                let m = resp.message.to_lowercase();
                m.contains("method not found")
                    || m.contains("not supported")
                    || m.contains("does not exist")
                    || m.contains("not available")
            }
        }
        None => false,
    }
}

/// A missing header where the protocol guarantees one.
pub(crate) fn missing(what: impl Into<String>) -> Error {
    Error::BadResponse(what.into())
}
