//! The DRCoordinator scenario (issue 4): pay-as-you-go direct requests on the devnet.
//!
//! [`DrcSetup::deploy`] adds to a running devnet a settable LINK/ETH feed, a `DRCoordinator`
//! owned by the deployer, the node's job "Get > Uint256 via DRCoordinator"
//! (fixtures/drc-get-uint256.toml) registered on it as a spec with a FLAT fee, and the example
//! consumer `DRCConsumerPrice`. [`DrcSetup::request`] funds nothing; the scenario funds a
//! per-consumer balance (20-byte `transferAndCall`) and a subscription (`abi.encode(subId)`),
//! then sends one request billed to each, with a chosen callback gas limit. The node fulfils
//! them through Operator → coordinator → consumer.
//!
//! Each outcome is checked against the payment formulas, computed independently with
//! `linkpool_drc::pricing` from the request transaction's gas price and the feed's answer:
//! MAX = gas cost of `callbackGasLimit + FULFILL_GAS_OVERHEAD` + fee; the payer is debited MAX,
//! the Operator gets the spec's payment, the fulfilment charges SPOT − payment and refunds
//! MAX − SPOT; the fee is FLAT, so SPOT − fee is the gas part, which must come from less gas than
//! the request paid for.

use std::time::{Duration, Instant};

use alloy::{
    primitives::{Address, Bytes, B256, I256, U256},
    providers::Provider,
    rpc::types::{Filter, TransactionReceipt},
    sol_types::{SolEvent, SolValue},
};
use linkpool_bindings::{DRCConsumerPrice, DRCoordinator, IDRCoordinator, LinkToken, SettableAggregator};
use linkpool_drc::pricing::{fee_amount, gas_cost, FeeType};

use crate::{
    jobs::{self, CreatedJob},
    Devnet, DevnetError, Result,
};

/// LINK/ETH answer of the devnet feed: 0.005 ETH per LINK (18 decimals).
pub const LINK_ETH_ANSWER: u128 = 5_000_000_000_000_000;
/// The spec's Operator payment: 0.001 LINK.
pub const SPEC_PAYMENT: u128 = 1_000_000_000_000_000;
/// The spec's FLAT fee: 0.01 LINK.
pub const SPEC_FEE: u128 = 10_000_000_000_000_000;
/// The spec's largest callback gas limit.
pub const SPEC_GAS_LIMIT: u32 = 1_000_000;
/// LINK put in the consumer's balance and in the subscription: 10 LINK each.
pub const FUNDING: u128 = 10_000_000_000_000_000_000;

/// The DRCoordinator contracts and job added to a devnet.
#[derive(Debug, Clone)]
pub struct DrcSetup {
    /// The coordinator.
    pub coordinator: Address,
    /// The settable LINK/ETH feed.
    pub feed: Address,
    /// The example consumer.
    pub consumer: Address,
    /// The node's job.
    pub job: CreatedJob,
    /// `keccak256(abi.encodePacked(operator, specId))`.
    pub spec_key: B256,
    /// The subscription the consumer may bill.
    pub sub_id: u64,
}

/// What one request cost and how it was settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrcOutcome {
    /// `balance` or `subscription`.
    pub billing: &'static str,
    /// The request id.
    pub request_id: B256,
    /// The value stored by the consumer.
    pub answer: U256,
    /// The value it had to be.
    pub expected: U256,
    /// The callback gas limit asked for.
    pub callback_gas_limit: u32,
    /// MAX: what the payer was debited at request time (juels).
    pub max_payment: U256,
    /// MAX computed independently from the request's gas price and the feed.
    pub expected_max_payment: U256,
    /// The Operator payment (juels).
    pub payment: U256,
    /// SPOT: payment + what the fulfilment charged (juels).
    pub spot_payment: U256,
    /// The operator's fee inside SPOT (juels).
    pub fee: U256,
    /// What went back to the payer (juels).
    pub refund: U256,
    /// Gas of the request transaction.
    pub request_gas: u64,
    /// Gas of the node's fulfilment transaction.
    pub fulfill_gas: u64,
    /// Whether every check held.
    pub ok: bool,
    /// What failed, if anything.
    pub problems: Vec<String>,
}

fn contract_err(what: &'static str) -> impl Fn(alloy::contract::Error) -> DevnetError {
    move |e| DevnetError::Contract { what: what.into(), message: e.to_string() }
}

fn rpc_err<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> DevnetError {
    move |e| DevnetError::Contract { what: what.into(), message: e.to_string() }
}

async fn mined(
    devnet: &Devnet,
    call: alloy::rpc::types::TransactionRequest,
    what: &'static str,
) -> Result<TransactionReceipt> {
    let receipt = linkpool_bindings::stack::send(&devnet.provider, call).await.map_err(DevnetError::contract(what))?;
    if !receipt.status() {
        return Err(DevnetError::Contract { what: what.into(), message: "reverted".into() });
    }
    Ok(receipt)
}

impl DrcSetup {
    /// Deploys the feed, the coordinator and the consumer, creates the node's job, registers the
    /// spec, and funds a balance and a subscription for the consumer.
    pub async fn deploy(devnet: &Devnet) -> Result<Self> {
        let p = &devnet.provider;
        let owner = devnet.anvil.addresses()[0];
        let feed = *SettableAggregator::deploy(
            p.clone(),
            18,
            "LINK / ETH".into(),
            I256::try_from(LINK_ETH_ANSWER).expect("fits"),
        )
        .await
        .map_err(contract_err("deploying the LINK/ETH feed"))?
        .address();
        let coordinator = *DRCoordinator::deploy(p.clone(), devnet.contracts.link, owner)
            .await
            .map_err(contract_err("deploying DRCoordinator"))?
            .address();
        let drc = IDRCoordinator::new(coordinator, p.clone());
        let config = IDRCoordinator::Config {
            fallbackWeiPerUnitLink: U256::from(LINK_ETH_ANSWER),
            stalenessSeconds: 86_400,
            sequencerGracePeriodSeconds: 0,
            linkTknFeed: feed,
            linkUsdFeed: Address::ZERO,
            tknUsdFeed: Address::ZERO,
            sequencerUptimeFeed: Address::ZERO,
        };
        mined(devnet, drc.setConfig(config).into_transaction_request(), "setConfig").await?;

        let spec_toml = jobs::fill(jobs::DRC_GET_UINT256, devnet.contracts.operator)
            .replace(jobs::COORDINATOR_PLACEHOLDER, &coordinator.to_string());
        let job = devnet.api().create_job(&spec_toml).await?;
        let spec_key = alloy::primitives::keccak256((devnet.contracts.operator, job.spec_id).abi_encode_packed());
        let spec = IDRCoordinator::Spec {
            specId: job.spec_id,
            operator: devnet.contracts.operator,
            payment: alloy::primitives::Uint::from(SPEC_PAYMENT),
            paymentType: 0,
            fee: alloy::primitives::Uint::from(SPEC_FEE),
            feeType: FeeType::Flat as u8,
            gasLimit: SPEC_GAS_LIMIT,
        };
        mined(devnet, drc.setSpecs(vec![spec_key], vec![spec]).into_transaction_request(), "setSpecs").await?;

        let consumer = *DRCConsumerPrice::deploy(p.clone(), devnet.contracts.link, coordinator)
            .await
            .map_err(contract_err("deploying DRCConsumerPrice"))?
            .address();
        let link = LinkToken::new(devnet.contracts.link, p.clone());
        // A per-consumer balance: 20 bytes of data name the consumer.
        let fund = link.transferAndCall(coordinator, U256::from(FUNDING), Bytes::from(consumer.to_vec()));
        mined(devnet, fund.into_transaction_request(), "funding the consumer's balance").await?;
        // A subscription the consumer may bill, funded with abi.encode(subId).
        let created = mined(devnet, drc.createSubscription().into_transaction_request(), "createSubscription").await?;
        let sub_id = created
            .inner
            .logs()
            .iter()
            .find_map(|l| IDRCoordinator::SubscriptionCreated::decode_log_data(l.data()).ok())
            .map(|e| e.subId)
            .ok_or_else(|| DevnetError::Contract { what: "createSubscription".into(), message: "no event".into() })?;
        mined(devnet, drc.addConsumer(sub_id, consumer).into_transaction_request(), "addConsumer").await?;
        let fund = link.transferAndCall(coordinator, U256::from(FUNDING), Bytes::from(U256::from(sub_id).abi_encode()));
        mined(devnet, fund.into_transaction_request(), "funding the subscription").await?;
        Ok(Self { coordinator, feed, consumer, job, spec_key, sub_id })
    }

    /// Sends one request billed to the balance (`sub_id` 0) or the subscription, waits for the
    /// node's fulfilment and checks the settlement.
    pub async fn request(&self, devnet: &Devnet, sub_id: u64, callback_gas_limit: u32) -> Result<DrcOutcome> {
        let p = &devnet.provider;
        let consumer = DRCConsumerPrice::new(self.consumer, p.clone());
        let url = format!("{}/data/price?fsym=ETH&tsyms=USD", devnet.source.url());
        let times: u64 = 100;
        let call = consumer.requestPrice(
            devnet.contracts.operator,
            self.job.spec_id,
            url,
            "USD".into(),
            I256::try_from(times).expect("fits"),
            callback_gas_limit,
            0,
            sub_id,
            alloy::primitives::Uint::ZERO,
        );
        // Priced like a wallet prices it: the chain's suggested tip, the same one the node's
        // fulfilment pays. MAX is priced at this gas price; a request sent far below what the
        // fulfilment will pay gets a SPOT above MAX (then charged from the payer's funds).
        let tip = p.get_max_priority_fee_per_gas().await.map_err(rpc_err("eth_maxPriorityFeePerGas"))?;
        let base_fee = p
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .map_err(rpc_err("eth_getBlockByNumber"))?
            .and_then(|b| b.header.base_fee_per_gas)
            .unwrap_or_default();
        let tx = call
            .into_transaction_request()
            .max_priority_fee_per_gas(tip)
            .max_fee_per_gas(2 * u128::from(base_fee) + tip);
        let receipt = mined(devnet, tx, "requestPrice").await?;
        let sent = receipt
            .inner
            .logs()
            .iter()
            .filter(|l| l.address() == self.coordinator)
            .find_map(|l| IDRCoordinator::RequestSent::decode_log_data(l.data()).ok())
            .ok_or_else(|| DevnetError::Contract { what: "requestPrice".into(), message: "no RequestSent".into() })?;
        let request_id = sent.requestId;
        let max_payment = U256::from(sent.maxPayment);

        let (fulfilled, fulfill_gas, fulfill_gas_price) = self.wait_fulfilled(devnet, request_id).await?;
        let answer = consumer.price().call().await.map_err(contract_err("price"))?;

        // Independent MAX: the coordinator prices `callbackGasLimit + FULFILL_GAS_OVERHEAD` gas at
        // the request's gas price.
        let overhead = DRCoordinator::new(self.coordinator, p.clone())
            .FULFILL_GAS_OVERHEAD()
            .call()
            .await
            .map_err(contract_err("FULFILL_GAS_OVERHEAD"))?;
        let gas_price = U256::from(receipt.effective_gas_price);
        let wei_per_unit_link = U256::from(LINK_ETH_ANSWER);
        let max_gas = u64::from(callback_gas_limit) + overhead.to::<u64>();
        let gas_part = gas_cost(gas_price, max_gas, wei_per_unit_link).map_err(|e| pricing(e.to_string()))?;
        let fee = fee_amount(gas_part, U256::from(SPEC_FEE), FeeType::Flat).map_err(|e| pricing(e.to_string()))?;
        let expected_max_payment = (gas_part + fee).max(U256::from(SPEC_PAYMENT));
        let payment = U256::from(SPEC_PAYMENT);
        let charged = U256::from(fulfilled.charged);
        let refund = U256::from(fulfilled.refund);
        let spot_payment = payment + charged;
        let expected = crate::scenario::scaled(crate::datasource::price("ETH", "USD").expect("quote"), times);

        let mut problems = Vec::new();
        if answer != expected {
            problems.push(format!("answer {answer} != {expected}"));
        }
        if max_payment != expected_max_payment {
            problems.push(format!("MAX {max_payment} != formula {expected_max_payment}"));
        }
        // The escrow (MAX − payment) pays the charge first; what it cannot pay came from the
        // payer's funds, what is left went back.
        if refund != (max_payment - payment).saturating_sub(charged) {
            problems.push(format!("refund {refund} != MAX {max_payment} - payment {payment} - charged {charged}"));
        }
        if !fulfilled.callbackSucceeded {
            problems.push("the callback failed".into());
        }
        // SPOT − fee must be the gas cost of some whole amount of gas at the fulfilment's gas
        // price, and no more gas than MAX reserved.
        let spot_gas = match spot_payment.checked_sub(fee) {
            Some(gas_part) => implied_gas(gas_part, U256::from(fulfill_gas_price), wei_per_unit_link),
            None => None,
        };
        match spot_gas {
            Some(g) if g > 0 && g <= max_gas => {}
            other => problems.push(format!(
                "SPOT {spot_payment} is not fee {fee} + the cost of at most {max_gas} gas at {fulfill_gas_price} wei ({other:?})"
            )),
        }
        Ok(DrcOutcome {
            billing: if sub_id == 0 { "balance" } else { "subscription" },
            request_id,
            answer,
            expected,
            callback_gas_limit,
            max_payment,
            expected_max_payment,
            payment,
            spot_payment,
            fee,
            refund,
            request_gas: receipt.gas_used,
            fulfill_gas,
            ok: problems.is_empty(),
            problems,
        })
    }

    async fn wait_fulfilled(
        &self,
        devnet: &Devnet,
        request_id: B256,
    ) -> Result<(IDRCoordinator::RequestFulfilled, u64, u128)> {
        let filter = Filter::new()
            .address(self.coordinator)
            .event_signature(IDRCoordinator::RequestFulfilled::SIGNATURE_HASH)
            .topic1(request_id)
            .from_block(0);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let logs = devnet
                .provider
                .get_logs(&filter)
                .await
                .map_err(|e| DevnetError::Contract { what: "eth_getLogs".into(), message: e.to_string() })?;
            if let Some(log) = logs.into_iter().next() {
                let event = IDRCoordinator::RequestFulfilled::decode_log_data(&log.inner.data)
                    .map_err(|e| DevnetError::Contract { what: "RequestFulfilled".into(), message: e.to_string() })?;
                let receipt = match log.transaction_hash {
                    Some(h) => devnet.provider.get_transaction_receipt(h).await.ok().flatten(),
                    None => None,
                };
                let (gas, price) = receipt.map_or((0, 0), |r| (r.gas_used, r.effective_gas_price));
                return Ok((event, gas, price));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(DevnetError::Scenario {
            name: "drc".into(),
            message: format!("request {request_id} not fulfilled in 60 s"),
        })
    }
}

fn pricing(message: String) -> DevnetError {
    DevnetError::Scenario { name: "drc pricing".into(), message }
}

/// The whole gas amount `g` with `gas_cost(price, g) == cost`, if there is one.
fn implied_gas(cost: U256, price: U256, wei_per_unit_link: U256) -> Option<u64> {
    if price.is_zero() {
        return None;
    }
    let per_gas = U256::from(10u64).pow(U256::from(18u64)) * price;
    let estimate: u64 = (cost * wei_per_unit_link / per_gas).try_into().ok()?;
    (estimate.saturating_sub(1)..=estimate + 1)
        .find(|g| gas_cost(price, *g, wei_per_unit_link).is_ok_and(|c| c == cost))
}

/// Renders outcomes as a table: MAX, SPOT, fee, refund and gas per request.
pub fn table(outcomes: &[DrcOutcome]) -> String {
    let link = |v: U256| {
        let s = format!("{v:0>19}");
        let (int, frac) = s.split_at(s.len() - 18);
        format!("{int}.{frac}")
    };
    let mut out = format!(
        "{:<12} {:>10} {:>22} {:>22} {:>22} {:>22} {:>9} {:>9}  result\n",
        "billing", "cb gas", "MAX (LINK)", "SPOT (LINK)", "fee (LINK)", "refund (LINK)", "req gas", "ful gas"
    );
    for o in outcomes {
        out.push_str(&format!(
            "{:<12} {:>10} {:>22} {:>22} {:>22} {:>22} {:>9} {:>9}  {}\n",
            o.billing,
            o.callback_gas_limit,
            link(o.max_payment),
            link(o.spot_payment),
            link(o.fee),
            link(o.refund),
            o.request_gas,
            o.fulfill_gas,
            if o.ok { "ok".to_owned() } else { o.problems.join("; ") }
        ));
    }
    out
}
