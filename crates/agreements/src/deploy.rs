//! Deploys the network's contracts: `Reputation` (owned by the deployer), `OrderMatching`
//! (registered with it as an aggregating contract) and the four standard aggregators.

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, U256},
    providers::DynProvider,
    rpc::types::TransactionRequest,
};
use linkpool_bindings::{
    aggregation::{MedianAggregator, ModeAggregator, TrimmedMeanAggregator, WeightedMeanAggregator},
    agreements::{OrderMatching, Reputation},
    stack,
};
use serde::Serialize;

use crate::{Error, Result};

/// Tolerance of the numeric aggregators: an answer within 1 % of the final one is accepted.
pub const DEFAULT_TOLERANCE_BPS: u64 = 100;

/// The deployed addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgreementContracts {
    /// The LINK token.
    pub link: Address,
    /// `OrderMatching`.
    pub order_matching: Address,
    /// `Reputation`.
    pub reputation: Address,
    /// `ModeAggregator` (majority: f + 1 equal answers).
    pub mode: Address,
    /// `MedianAggregator`.
    pub median: Address,
    /// `TrimmedMeanAggregator`.
    pub trimmed_mean: Address,
    /// `WeightedMeanAggregator`, weighted by reputation (accepted answers).
    pub weighted_mean: Address,
    /// The LinkPool registry whose nodes may bid from their stake (zero for none).
    pub pool_registry: Address,
}

/// Deploys everything from `deployer` (the provider's wallet must sign for it), which owns
/// `Reputation`. `pool_registry` is a LinkPool `PoolStorage` whose nodes may bid with pooled stake
/// (the pool's admin must also whitelist `OrderMatching`).
pub async fn deploy(
    p: &DynProvider,
    link: Address,
    deployer: Address,
    pool_registry: Option<Address>,
) -> Result<AgreementContracts> {
    let pool_registry = pool_registry.unwrap_or_default();
    let reputation =
        created(p, "Reputation", Reputation::deploy_builder(p.clone(), deployer).into_transaction_request(), deployer)
            .await?;
    let order_matching = created(
        p,
        "OrderMatching",
        OrderMatching::deploy_builder(p.clone(), link, pool_registry).into_transaction_request(),
        deployer,
    )
    .await?;
    let register = Reputation::new(reputation, p.clone())
        .registerAggregatingContract(order_matching)
        .into_transaction_request()
        .with_from(deployer);
    stack::send(p, register)
        .await
        .map_err(|e| Error::Call { call: "registerAggregatingContract".into(), source: Box::new(e) })?;
    let tol = U256::from(DEFAULT_TOLERANCE_BPS);
    let mode =
        created(p, "ModeAggregator", ModeAggregator::deploy_builder(p.clone()).into_transaction_request(), deployer)
            .await?;
    let median = created(
        p,
        "MedianAggregator",
        MedianAggregator::deploy_builder(p.clone(), tol).into_transaction_request(),
        deployer,
    )
    .await?;
    let trimmed_mean = created(
        p,
        "TrimmedMeanAggregator",
        TrimmedMeanAggregator::deploy_builder(p.clone(), tol).into_transaction_request(),
        deployer,
    )
    .await?;
    let weighted_mean = created(
        p,
        "WeightedMeanAggregator",
        WeightedMeanAggregator::deploy_builder(p.clone(), reputation, tol).into_transaction_request(),
        deployer,
    )
    .await?;
    Ok(AgreementContracts {
        link,
        order_matching,
        reputation,
        mode,
        median,
        trimmed_mean,
        weighted_mean,
        pool_registry,
    })
}

async fn created(p: &DynProvider, what: &'static str, tx: TransactionRequest, from: Address) -> Result<Address> {
    let receipt = stack::send(p, tx.with_from(from))
        .await
        .map_err(|e| Error::Call { call: format!("deploy {what}"), source: Box::new(e) })?;
    receipt.contract_address.ok_or(Error::NoContractAddress { what })
}
