//! [`NodeChainReader`]: the pipeline's read-only chain access (`ethcall`, `estimategaslimit`)
//! over the node's [`ChainClient`].

use alloy::{
    eips::{BlockId, BlockNumberOrTag},
    network::TransactionBuilder,
    primitives::{Address, Bytes},
    providers::Provider,
    rpc::types::TransactionRequest,
    transports::{RpcError, TransportError},
};
use async_trait::async_trait;
use linkpool_chain::ChainClient;
use linkpool_pipeline::{ChainReadError, ChainReader, EthCallRequest};

/// What `ethcall` looks for between the RPC message and the revert data (see its docs).
const REVERT_DATA_MARKER: &str = "; revert data: ";

/// `eth_call` and `eth_estimateGas` against the chain the node serves.
///
/// - A request whose `evmChainID` is not the client's chain is refused (no RPC call is made).
/// - `block` is `latest` unless the task says otherwise (alloy's own default is `pending`;
///   Chainlink's is `latest`).
/// - Without `from`, the call is made from [`NodeChainReader::with_default_from`]'s address if
///   set, else from the zero address (the RPC node's default), as in Chainlink.
/// - A JSON-RPC error from execution (a revert, out of gas, an invalid opcode) is reported with
///   `reverted: true` and its revert data appended as `; revert data: 0x…`; anything else
///   (transport failures, rate limits) with `reverted: false`, so the task may be retried.
#[derive(Clone, Debug)]
pub struct NodeChainReader {
    client: ChainClient,
    default_from: Option<Address>,
}

impl NodeChainReader {
    /// A reader over `client`.
    pub fn new(client: ChainClient) -> Self {
        Self { client, default_from: None }
    }

    /// Calls without a `from` are made from `from`.
    pub fn with_default_from(mut self, from: Address) -> Self {
        self.default_from = Some(from);
        self
    }

    fn check_chain(&self, req: &EthCallRequest) -> Result<(), ChainReadError> {
        match req.evm_chain_id {
            Some(id) if id != self.client.chain_id() => Err(ChainReadError {
                message: format!("evmChainID {id} is not the chain this node reads ({})", self.client.chain_id()),
                // Not a revert, but retrying cannot help either; the message says what happened.
                reverted: false,
            }),
            _ => Ok(()),
        }
    }

    fn transaction(&self, req: &EthCallRequest) -> TransactionRequest {
        let mut tx = TransactionRequest::default().with_to(req.to).with_input(req.data.clone());
        if let Some(from) = req.from.or(self.default_from) {
            tx = tx.with_from(from);
        }
        if let Some(gas) = req.gas {
            tx = tx.with_gas_limit(gas);
        }
        if let Some(p) = req.gas_price {
            tx = tx.with_gas_price(p);
        }
        if let Some(p) = req.gas_tip_cap {
            tx = tx.with_max_priority_fee_per_gas(p);
        }
        if let Some(p) = req.gas_fee_cap {
            tx = tx.with_max_fee_per_gas(p);
        }
        if let Some(v) = req.value {
            tx = tx.with_value(v);
        }
        tx
    }
}

/// The task's canonical `block` (a tag or a decimal number) as a [`BlockId`]; `None` is latest.
fn block_id(block: Option<&str>) -> Result<BlockId, ChainReadError> {
    let tag = match block.map(str::trim) {
        None | Some("") | Some("latest") => BlockNumberOrTag::Latest,
        Some("pending") => BlockNumberOrTag::Pending,
        Some("earliest") => BlockNumberOrTag::Earliest,
        Some("safe") => BlockNumberOrTag::Safe,
        Some("finalized") => BlockNumberOrTag::Finalized,
        Some(n) => BlockNumberOrTag::Number(
            n.parse().map_err(|_| ChainReadError { message: format!("invalid block `{n}`"), reverted: false })?,
        ),
    };
    Ok(tag.into())
}

/// Execution failures are deterministic at a given block: retrying them is pointless.
fn is_execution_failure(code: i64, message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    code == 3 || ["revert", "out of gas", "invalid opcode"].iter().any(|s| m.contains(s))
}

fn read_error(e: TransportError) -> ChainReadError {
    match &e {
        RpcError::ErrorResp(payload) => {
            let mut message = payload.message.to_string();
            if let Some(data) = payload.as_revert_data().filter(|d| !d.is_empty()) {
                message.push_str(REVERT_DATA_MARKER);
                message.push_str(&data.to_string());
            }
            ChainReadError { message, reverted: is_execution_failure(payload.code, &payload.message) }
        }
        other => ChainReadError { message: other.to_string(), reverted: false },
    }
}

#[async_trait]
impl ChainReader for NodeChainReader {
    async fn call(&self, request: EthCallRequest) -> Result<Bytes, ChainReadError> {
        self.check_chain(&request)?;
        let block = block_id(request.block.as_deref())?;
        self.client.provider().call(self.transaction(&request)).block(block).await.map_err(read_error)
    }

    async fn estimate_gas(&self, request: EthCallRequest) -> Result<u64, ChainReadError> {
        self.check_chain(&request)?;
        let block = block_id(request.block.as_deref())?;
        self.client.provider().estimate_gas(self.transaction(&request)).block(block).await.map_err(read_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_error_classes() {
        assert_eq!(block_id(None).unwrap(), BlockId::latest());
        assert_eq!(block_id(Some("pending")).unwrap(), BlockId::pending());
        assert_eq!(block_id(Some("12")).unwrap(), BlockId::number(12));
        assert!(block_id(Some("soon")).is_err());
        assert!(is_execution_failure(3, "execution reverted"));
        assert!(is_execution_failure(-32000, "Out of gas: gas required exceeds allowance: 30000"));
        assert!(!is_execution_failure(-32005, "rate limit exceeded"));
    }
}
