//! Reading requests from receipts and answering them as a node would.

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, Bytes, B256},
    providers::DynProvider,
    rpc::types::{TransactionReceipt, TransactionRequest},
};

use super::send;
use crate::{Error, IOperator::OracleRequest, Operator, Result};

/// The `OracleRequest` events that `operator` emitted in `receipt`.
pub fn oracle_requests(receipt: &TransactionReceipt, operator: Address) -> Vec<OracleRequest> {
    receipt
        .inner
        .logs()
        .iter()
        .filter(|log| log.address() == operator)
        .filter_map(|log| log.log_decode::<OracleRequest>().ok())
        .map(|log| log.inner.data)
        .collect()
}

/// The single `OracleRequest` of `receipt`.
///
/// # Errors
/// [`Error::NoOracleRequest`] if there is none.
pub fn oracle_request(receipt: &TransactionReceipt, operator: Address) -> Result<OracleRequest> {
    oracle_requests(receipt, operator).into_iter().next().ok_or(Error::NoOracleRequest { tx: receipt.transaction_hash })
}

/// Gas limit attached to fulfilments: the Operator wants 400k left before the callback.
pub const FULFIL_GAS_LIMIT: u64 = 500_000;

/// An answer to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// `fulfillOracleRequest(…, bytes32 data)`.
    Word(B256),
    /// `fulfillOracleRequest2(…, bytes data)`; `data` must start with the request id.
    Bytes(Bytes),
}

/// The `fulfillOracleRequest(2)` transaction answering `request` from `node`.
pub fn fulfil_tx(
    provider: &DynProvider,
    operator: Address,
    node: Address,
    request: &OracleRequest,
    answer: Answer,
) -> TransactionRequest {
    let op = Operator::new(operator, provider.clone());
    let call = |tx: TransactionRequest| tx.from(node).with_gas_limit(FULFIL_GAS_LIMIT);
    match answer {
        Answer::Word(word) => call(
            op.fulfillOracleRequest(
                request.requestId,
                request.payment,
                request.callbackAddr,
                request.callbackFunctionId,
                request.cancelExpiration,
                word,
            )
            .into_transaction_request(),
        ),
        Answer::Bytes(data) => call(
            op.fulfillOracleRequest2(
                request.requestId,
                request.payment,
                request.callbackAddr,
                request.callbackFunctionId,
                request.cancelExpiration,
                data,
            )
            .into_transaction_request(),
        ),
    }
}

/// Sends [`fulfil_tx`] and waits for the receipt.
///
/// # Errors
/// As [`send`].
pub async fn fulfil(
    provider: &DynProvider,
    operator: Address,
    node: Address,
    request: &OracleRequest,
    answer: Answer,
) -> Result<TransactionReceipt> {
    send(provider, fulfil_tx(provider, operator, node, request, answer)).await
}
