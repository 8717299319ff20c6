//! The gas scenario of `shared/REFERENCE.md` §9.

use alloy::{primitives::U256, providers::DynProvider, sol_types::SolValue};

use super::{fulfil, oracle_request, send, Answer, DirectRequestStack};
use crate::{ConsumerUint256, Error, Result};

/// The benchmark request (Chainlink docs, "Get > Uint256").
pub mod sample {
    use alloy::primitives::{b256, B256, I256, U256};

    /// Job id: the ASCII encoding of externalJobID `A5AC14E8-7629-4726-B1F1-1AE053FC829E`.
    pub const SPEC_ID: B256 = b256!("6135616331346538373632393437323662316631316165303533666338323965");
    /// `get` parameter.
    pub const URL: &str = "https://min-api.cryptocompare.com/data/pricemultifull?fsyms=ETH&tsyms=USD";
    /// `path` parameter.
    pub const PATH: &str = "RAW,ETH,USD,VOLUME24HOUR";
    /// `times` parameter: 10^18.
    pub const TIMES: I256 = I256::from_raw(U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]));
    /// Payment: 0.1 LINK.
    pub const PAYMENT: U256 = U256::from_limbs([100_000_000_000_000_000, 0, 0, 0]);
}

/// Request format: v1 is `oracleRequest` + `fulfillOracleRequest`, v2 is `operatorRequest` +
/// `fulfillOracleRequest2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestVersion {
    /// Single word (`oracleRequest`).
    V1,
    /// Multi word (`operatorRequest`).
    V2,
}

/// Whole-transaction `gasUsed` of one request and its fulfilment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GasSample {
    /// The consumer's request transaction (LINK `transferAndCall` included).
    pub request: u64,
    /// The node's fulfilment transaction (consumer callback included).
    pub fulfil: u64,
}

/// Runs the sample request ([`sample`]) on `stack.consumer` `rounds` times, each answered with a
/// distinct value, and returns the gas of every round. Round 0 is the first request the operator
/// ever receives (cold balances); later rounds are the steady state.
///
/// # Errors
/// Any transaction failure, or a fulfilment whose callback did not store the answer (reported as
/// [`Error::Reverted`] of the fulfilment).
pub async fn measure_uint256(
    provider: &DynProvider,
    stack: &DirectRequestStack,
    version: RequestVersion,
    rounds: usize,
) -> Result<Vec<GasSample>> {
    let consumer = ConsumerUint256::new(stack.consumer, provider.clone());
    let mut samples = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (url, path) = (sample::URL.to_string(), sample::PATH.to_string());
        let tx = match version {
            RequestVersion::V1 => consumer
                .requestPriceV1(stack.operator, sample::SPEC_ID, url, path, sample::TIMES, sample::PAYMENT)
                .into_transaction_request(),
            RequestVersion::V2 => consumer
                .requestPrice(stack.operator, sample::SPEC_ID, url, path, sample::TIMES, sample::PAYMENT)
                .into_transaction_request(),
        };
        let request_receipt = send(provider, tx.from(stack.owner)).await?;
        let request = oracle_request(&request_receipt, stack.operator)?;
        let value = U256::from(1_000 + round as u64);
        let answer = match version {
            RequestVersion::V1 => Answer::Word(value.into()),
            RequestVersion::V2 => Answer::Bytes((request.requestId, value).abi_encode_params().into()),
        };
        let fulfil_receipt = fulfil(provider, stack.operator, stack.node, &request, answer).await?;
        if consumer.value().call().await? != value {
            return Err(Error::Reverted { tx: fulfil_receipt.transaction_hash });
        }
        samples.push(GasSample { request: request_receipt.gas_used, fulfil: fulfil_receipt.gas_used });
    }
    Ok(samples)
}
