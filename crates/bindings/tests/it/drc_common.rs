//! DRCoordinator fixtures: a deployed stack (our LINK and Operator, a settable LINK/ETH feed, the
//! coordinator and test consumers), requests answered exactly as the node answers them, an
//! independent Rust model of the payment formulas, and the solvency invariant.

use alloy::{
    network::TransactionBuilder,
    primitives::{aliases::U96, Address, Bytes, B256, I256, U256},
    providers::Provider,
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol_types::{SolCall, SolValue},
};
use ciborium::Value;
use linkpool_bindings::{
    coordinator::IDRCoordinator as T,
    stack::{self, sample, Flavor},
    DRCTestConsumer, DRCoordinator, Error, IOperator, LinkToken, Operator, SettableAggregator,
};

use crate::{
    cbor::{decode_diet, get},
    common::{chain_with, Chain},
    operator::events,
};

/// The job id of the default spec (the REFERENCE §9 sample's).
pub(crate) const SPEC_ID: B256 = sample::SPEC_ID;
/// 1e18.
pub(crate) const JUELS_PER_LINK: u128 = 1_000_000_000_000_000_000;
/// The LINK/ETH feed's initial answer: 1 LINK = 0.005 ETH (18 decimals).
pub(crate) const LINK_ETH: u128 = 5_000_000_000_000_000;
/// Staleness configured by [`deploy`]: one hour.
pub(crate) const STALENESS: u32 = 3_600;
/// LINK each consumer balance gets from [`deploy`]: 100 LINK.
pub(crate) const CONSUMER_FUNDS: u128 = 100 * JUELS_PER_LINK;

// Mirrors of the contract's constants, stated here independently.
pub(crate) const FULFILL_GAS_OVERHEAD: u64 = 100_000;
pub(crate) const GAS_AFTER_PAYMENT_CALCULATION: u64 = 10_000;
pub(crate) const FULFILL_TX_GAS_OVERHEAD: u64 = 150_000;
pub(crate) const MIN_FULFILL_TX_GAS: u64 = 500_000;
pub(crate) const PERMYRIAD: u64 = 10_000;

/// Fees of request transactions, set explicitly so that gas estimation prices them too.
pub(crate) const MAX_FEE_PER_GAS: u128 = 10_000_000_000;
pub(crate) const PRIORITY_FEE_PER_GAS: u128 = 1_000_000_000;

/// FLAT or PERMYRIAD (the Solidity enums' values).
pub(crate) const FLAT: u8 = 0;
pub(crate) const PERMYRIAD_TYPE: u8 = 1;

/// A spec's money fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Terms {
    pub(crate) payment: u128,
    pub(crate) payment_type: u8,
    pub(crate) fee: u128,
    pub(crate) fee_type: u8,
    pub(crate) gas_limit: u32,
}

impl Terms {
    /// REFERENCE §9's scenario: PERMYRIAD payment of 1 %, PERMYRIAD fee of 10 %, 1M gas.
    pub(crate) const REFERENCE: Self =
        Self { payment: 100, payment_type: PERMYRIAD_TYPE, fee: 1_000, fee_type: PERMYRIAD_TYPE, gas_limit: 1_000_000 };
    /// FLAT payment of 0.01 LINK and FLAT fee of 0.001 LINK.
    pub(crate) const FLAT: Self = Self {
        payment: JUELS_PER_LINK / 100,
        payment_type: FLAT,
        fee: JUELS_PER_LINK / 1_000,
        fee_type: FLAT,
        gas_limit: 1_000_000,
    };

    pub(crate) fn spec(&self, operator: Address, spec_id: B256) -> T::Spec {
        T::Spec {
            specId: spec_id,
            operator,
            payment: U96::from(self.payment),
            paymentType: self.payment_type,
            fee: U96::from(self.fee),
            feeType: self.fee_type,
            gasLimit: self.gas_limit,
        }
    }
}

/// A deployed DRCoordinator stack.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Drc {
    pub(crate) link: Address,
    pub(crate) operator: Address,
    pub(crate) coordinator: Address,
    /// LINK/ETH, 18 decimals, answer [`LINK_ETH`].
    pub(crate) feed: Address,
    /// A `DRCTestConsumer` with [`CONSUMER_FUNDS`] in its balance.
    pub(crate) consumer: Address,
    /// A second `DRCTestConsumer` (split-consumer fulfiller), unfunded.
    pub(crate) other: Address,
    /// The default spec's key.
    pub(crate) key: B256,
    pub(crate) terms: Terms,
}

/// `keccak256(abi.encodePacked(operator, specId))`.
pub(crate) fn spec_key(operator: Address, spec_id: B256) -> B256 {
    alloy::primitives::keccak256([operator.as_slice(), spec_id.as_slice()].concat())
}

/// A chain whose anvil records opcode traces (for [`traced_spot_gas`]).
pub(crate) fn traced_chain() -> Chain {
    chain_with(&["--steps-tracing"])
}

/// Deploys LINK + Operator (node authorized) + feed + coordinator (single-feed config, no
/// fallback) + one spec + two test consumers, the first funded with [`CONSUMER_FUNDS`].
pub(crate) async fn deploy(c: &Chain, terms: Terms) -> Drc {
    let p = &c.provider;
    let link = stack::deploy_link(p, c.owner, Flavor::Linkpool).await.expect("link");
    let operator = stack::deploy_operator(p, c.owner, link, Flavor::Linkpool).await.expect("operator");
    let op = Operator::new(operator, p.clone());
    c.send(op.setAuthorizedSenders(vec![c.node]).from(c.owner).into_transaction_request()).await.expect("senders");
    let feed = deploy_feed(c, 18, "LINK / ETH", LINK_ETH as i128).await;
    let coordinator = *DRCoordinator::deploy(p.clone(), link, c.owner).await.expect("coordinator").address();
    let d = Drc {
        link,
        operator,
        coordinator,
        feed,
        consumer: deploy_consumer(c, coordinator).await,
        other: deploy_consumer(c, coordinator).await,
        key: spec_key(operator, SPEC_ID),
        terms,
    };
    d.set_config(c, config(feed, 0)).await.expect("setConfig");
    d.set_spec(c, terms).await;
    d.fund(c, d.consumer, CONSUMER_FUNDS).await;
    d
}

pub(crate) async fn deploy_consumer(c: &Chain, coordinator: Address) -> Address {
    *DRCTestConsumer::deploy(c.provider.clone(), coordinator).await.expect("consumer").address()
}

pub(crate) async fn deploy_feed(c: &Chain, decimals: u8, description: &str, answer: i128) -> Address {
    *SettableAggregator::deploy(c.provider.clone(), decimals, description.to_string(), I256::try_from(answer).unwrap())
        .await
        .expect("feed")
        .address()
}

/// A single-feed config with `fallback` and [`STALENESS`].
pub(crate) fn config(feed: Address, fallback: u128) -> T::Config {
    T::Config {
        fallbackWeiPerUnitLink: U256::from(fallback),
        stalenessSeconds: STALENESS,
        sequencerGracePeriodSeconds: 0,
        linkTknFeed: feed,
        linkUsdFeed: Address::ZERO,
        tknUsdFeed: Address::ZERO,
        sequencerUptimeFeed: Address::ZERO,
    }
}

/// The outcome of a request.
pub(crate) struct Sent {
    pub(crate) receipt: TransactionReceipt,
    pub(crate) request: IOperator::OracleRequest,
    pub(crate) sent: DRCoordinator::RequestSent,
}

impl Sent {
    pub(crate) fn id(&self) -> B256 {
        self.request.requestId
    }
}

impl Drc {
    pub(crate) fn drc(&self, c: &Chain) -> DRCoordinator::DRCoordinatorInstance<alloy::providers::DynProvider> {
        DRCoordinator::new(self.coordinator, c.provider.clone())
    }

    pub(crate) fn consumer_at(
        &self,
        c: &Chain,
        consumer: Address,
    ) -> DRCTestConsumer::DRCTestConsumerInstance<alloy::providers::DynProvider> {
        DRCTestConsumer::new(consumer, c.provider.clone())
    }

    pub(crate) async fn set_config(&self, c: &Chain, config: T::Config) -> Result<TransactionReceipt, Error> {
        c.send(self.drc(c).setConfig(config).from(c.owner).into_transaction_request()).await
    }

    pub(crate) async fn set_spec(&self, c: &Chain, terms: Terms) {
        let spec = terms.spec(self.operator, SPEC_ID);
        let drc = self.drc(c);
        let tx = drc.setSpecs(vec![spec_key(self.operator, SPEC_ID)], vec![spec]).from(c.owner);
        c.send(tx.into_transaction_request()).await.expect("setSpecs");
    }

    /// Credits `consumer`'s balance with `amount` from the owner through `transferAndCall`.
    pub(crate) async fn fund(&self, c: &Chain, consumer: Address, amount: u128) {
        let token = LinkToken::new(self.link, c.provider.clone());
        let tx = token.transferAndCall(self.coordinator, U256::from(amount), Bytes::from(consumer.to_vec()));
        c.send(tx.from(c.owner).into_transaction_request()).await.expect("fund");
    }

    /// Funds subscription `sub_id` with `amount` from the owner through `transferAndCall`.
    pub(crate) async fn fund_sub(&self, c: &Chain, sub_id: u64, amount: u128) -> TransactionReceipt {
        let token = LinkToken::new(self.link, c.provider.clone());
        let tx = token.transferAndCall(self.coordinator, U256::from(amount), U256::from(sub_id).abi_encode().into());
        c.send(tx.from(c.owner).into_transaction_request()).await.expect("fund sub")
    }

    /// The docs' uint256 request from `consumer` through `DRCTestConsumer.requestUint256`.
    pub(crate) fn request_tx(
        &self,
        c: &Chain,
        consumer: Address,
        gas_limit: u32,
        sub_id: u64,
        max_payment: u128,
    ) -> TransactionRequest {
        self.consumer_at(c, consumer)
            .requestUint256(
                self.operator,
                SPEC_ID,
                gas_limit,
                3,
                sub_id,
                U96::from(max_payment),
                sample::URL.into(),
                sample::PATH.into(),
                sample::TIMES,
            )
            .from(c.requester)
            .into_transaction_request()
            .with_max_fee_per_gas(MAX_FEE_PER_GAS)
            .with_max_priority_fee_per_gas(PRIORITY_FEE_PER_GAS)
    }

    pub(crate) async fn request(&self, c: &Chain, consumer: Address, gas_limit: u32, sub_id: u64) -> Sent {
        let receipt = c.send(self.request_tx(c, consumer, gas_limit, sub_id, 0)).await.expect("request");
        self.sent(receipt)
    }

    /// Any request through `DRCTestConsumer.requestRaw` (any callback and selector).
    pub(crate) async fn request_raw(
        &self,
        c: &Chain,
        consumer: Address,
        callback: Address,
        selector: [u8; 4],
        gas_limit: u32,
        sub_id: u64,
    ) -> Sent {
        let tx = self
            .consumer_at(c, consumer)
            .requestRaw(
                self.operator,
                SPEC_ID,
                callback,
                selector.into(),
                gas_limit,
                0,
                sub_id,
                U96::ZERO,
                Bytes::new(),
            )
            .from(c.requester)
            .into_transaction_request()
            .with_max_fee_per_gas(MAX_FEE_PER_GAS)
            .with_max_priority_fee_per_gas(PRIORITY_FEE_PER_GAS);
        self.sent(c.send(tx).await.expect("request"))
    }

    pub(crate) fn sent(&self, receipt: TransactionReceipt) -> Sent {
        let request = stack::oracle_request(&receipt, self.operator).expect("OracleRequest");
        let sent = events::<DRCoordinator::RequestSent>(&receipt, self.coordinator).pop().expect("RequestSent");
        Sent { receipt, request, sent }
    }

    /// The transaction the node sends to answer `request` with `value`: `fulfillOracleRequest2`
    /// with `abi.encode(requestId, abi.encode(requestId, value))` and the request's CBOR `gasLimit`.
    pub(crate) fn fulfil_tx(&self, c: &Chain, request: &IOperator::OracleRequest, value: U256) -> TransactionRequest {
        let gas = tx_gas_limit(request);
        let data = (request.requestId, Bytes::from((request.requestId, value).abi_encode_params())).abi_encode_params();
        Operator::new(self.operator, c.provider.clone())
            .fulfillOracleRequest2(
                request.requestId,
                request.payment,
                request.callbackAddr,
                request.callbackFunctionId,
                request.cancelExpiration,
                data.into(),
            )
            .from(c.node)
            .into_transaction_request()
            .with_gas_limit(gas)
            .with_max_fee_per_gas(MAX_FEE_PER_GAS)
            .with_max_priority_fee_per_gas(PRIORITY_FEE_PER_GAS)
    }

    pub(crate) async fn fulfil(&self, c: &Chain, request: &IOperator::OracleRequest, value: u64) -> TransactionReceipt {
        c.send(self.fulfil_tx(c, request, U256::from(value))).await.expect("fulfil")
    }

    /// Simulates `fulfillData` as the Operator would call it (eth_call from the Operator's
    /// address), to read the error that the Operator swallows in a real fulfilment.
    pub(crate) async fn simulate_fulfil_data(
        &self,
        c: &Chain,
        request_id: B256,
        value: U256,
        gas: Option<u64>,
    ) -> Result<Bytes, Error> {
        let call = DRCoordinator::fulfillDataCall {
            requestId: request_id,
            data: (request_id, value).abi_encode_params().into(),
        };
        // Priced like a real fulfilment: the Operator (a contract) needs ETH for eth_call to
        // accept a gas price.
        let _: serde_json::Value = c
            .provider
            .raw_request("anvil_setBalance".into(), (self.operator, U256::from(10u128.pow(20))))
            .await
            .expect("anvil_setBalance");
        let mut tx = TransactionRequest::default()
            .from(self.operator)
            .to(self.coordinator)
            .with_input(call.abi_encode())
            .with_max_fee_per_gas(MAX_FEE_PER_GAS)
            .with_max_priority_fee_per_gas(PRIORITY_FEE_PER_GAS);
        if let Some(gas) = gas {
            tx = tx.with_gas_limit(gas);
        }
        c.provider.call(tx).await.map_err(Error::from)
    }

    /// The `RequestFulfilled` event of a fulfilment, if the coordinator settled it.
    pub(crate) fn fulfilled(&self, receipt: &TransactionReceipt) -> Option<DRCoordinator::RequestFulfilled> {
        events::<DRCoordinator::RequestFulfilled>(receipt, self.coordinator).pop()
    }

    pub(crate) async fn balance(&self, c: &Chain, consumer: Address) -> u128 {
        self.drc(c).availableFunds(consumer).call().await.expect("availableFunds").to::<u128>()
    }

    pub(crate) async fn earnings(&self, c: &Chain) -> u128 {
        self.drc(c).ownerEarnings().call().await.expect("ownerEarnings").to::<u128>()
    }

    pub(crate) async fn sub_balance(&self, c: &Chain, sub_id: u64) -> (u128, u64) {
        let s = self.drc(c).getSubscription(sub_id).call().await.expect("getSubscription");
        (s.balance.to::<u128>(), s.pendingRequests)
    }

    pub(crate) async fn escrow(&self, c: &Chain, request_id: B256) -> u128 {
        self.drc(c).getRequest(request_id).call().await.expect("getRequest").escrow.to::<u128>()
    }

    pub(crate) async fn set_answer(&self, c: &Chain, feed: Address, answer: i128) {
        let f = SettableAggregator::new(feed, c.provider.clone());
        let tx = f.setAnswer(I256::try_from(answer).unwrap()).from(c.owner);
        c.send(tx.into_transaction_request()).await.expect("setAnswer");
    }

    pub(crate) async fn set_round(&self, c: &Chain, feed: Address, answer: i128, started_at: u64, updated_at: u64) {
        let f = SettableAggregator::new(feed, c.provider.clone());
        let tx = f.setRoundData(I256::try_from(answer).unwrap(), U256::from(started_at), U256::from(updated_at));
        c.send(tx.from(c.owner).into_transaction_request()).await.expect("setRoundData");
    }

    /// Checks `LINK.balanceOf(coordinator) == Σ balances + Σ subscription balances + earnings +
    /// Σ escrow` for the given accounts, subscriptions and pending requests (which must be all of
    /// them), and returns the balance.
    pub(crate) async fn assert_solvent(&self, c: &Chain, accounts: &[Address], subs: &[u64], pending: &[B256]) -> u128 {
        let held = c.link_balance(self.link, self.coordinator).await.to::<u128>();
        let mut owed = self.earnings(c).await;
        for a in accounts {
            owed += self.balance(c, *a).await;
        }
        for s in subs {
            owed += self.sub_balance(c, *s).await.0;
        }
        for r in pending {
            owed += self.escrow(c, *r).await;
        }
        assert_eq!(held, owed, "LINK held by the coordinator vs what it owes");
        held
    }
}

/// The transaction gas limit a request asks the node for (its CBOR `gasLimit`).
pub(crate) fn tx_gas_limit(request: &IOperator::OracleRequest) -> u64 {
    cbor_uint(&request.data, "gasLimit").expect("gasLimit in the request CBOR")
}

/// An unsigned integer parameter of a request's diet CBOR.
pub(crate) fn cbor_uint(data: &[u8], key: &str) -> Option<u64> {
    let params = decode_diet(data);
    match get(&params, key)? {
        Value::Integer(i) => u64::try_from(*i).ok(),
        _ => None,
    }
}

// ------------------------------------------------------------------ the independent model

/// `1e18 * gasPrice * gasUnits / weiPerUnitLink`, rounded down.
pub(crate) fn gas_cost(gas_price: u128, gas_units: u64, wei_per_unit_link: U256) -> U256 {
    U256::from(JUELS_PER_LINK) * U256::from(gas_price) * U256::from(gas_units) / wei_per_unit_link
}

/// The fee on `cost`.
pub(crate) fn fee_on(cost: U256, fee: u128, fee_type: u8) -> U256 {
    if fee_type == PERMYRIAD_TYPE {
        cost * U256::from(fee) / U256::from(PERMYRIAD)
    } else {
        U256::from(fee)
    }
}

/// What a request debits and what it pays the Operator, for a callback gas limit.
pub(crate) fn max_debit(terms: &Terms, gas_price: u128, callback_gas: u32, wpl: U256) -> (U256, U256) {
    let cost = gas_cost(gas_price, u64::from(callback_gas) + FULFILL_GAS_OVERHEAD, wpl);
    let max = cost + fee_on(cost, terms.fee, terms.fee_type);
    let payment = if terms.payment_type == FLAT {
        U256::from(terms.payment)
    } else {
        cost * U256::from(terms.payment) / U256::from(PERMYRIAD)
    };
    (max.max(payment), payment)
}

/// SPOT for `gas_units` (gas used + GAS_AFTER_PAYMENT_CALCULATION).
pub(crate) fn spot(terms: &Terms, gas_price: u128, gas_units: u64, wpl: U256) -> U256 {
    let cost = gas_cost(gas_price, gas_units, wpl);
    cost + fee_on(cost, terms.fee, terms.fee_type)
}

/// `weiPerUnitLink` of a single feed answer with `decimals`.
pub(crate) fn single_feed_price(answer: u128, decimals: u8) -> U256 {
    U256::from(answer) * U256::from(10).pow(U256::from(18 - decimals))
}

/// `weiPerUnitLink` from LINK/USD and TKN/USD.
pub(crate) fn two_feed_price(link_usd: u128, link_decimals: u8, tkn_usd: u128, tkn_decimals: u8) -> U256 {
    U256::from(link_usd) * U256::from(10).pow(U256::from(18 + u64::from(tkn_decimals)))
        / (U256::from(tkn_usd) * U256::from(10).pow(U256::from(link_decimals)))
}

/// The gas SPOT counted in a fulfilment, read from the transaction's opcode trace: in the
/// coordinator's frame (depth 2), the first `GAS` is `startGas` and the last is the one of the
/// SPOT computation (the settlement makes no calls), so the units are
/// `GAS_AFTER_PAYMENT_CALCULATION + first - last`. Also returns the gas the frame spent after that
/// last `GAS` (what `GAS_AFTER_PAYMENT_CALCULATION` stands for).
pub(crate) async fn traced_spot_gas(c: &Chain, tx: B256) -> (u64, u64) {
    let opts = serde_json::json!({ "disableStack": true, "disableStorage": true, "enableMemory": false });
    let trace: serde_json::Value =
        c.provider.raw_request("debug_traceTransaction".into(), (tx, opts)).await.expect("debug_traceTransaction");
    let logs = trace["structLogs"].as_array().expect("structLogs");
    if std::env::var_os("DRC_TRACE_DUMP").is_some() {
        std::fs::write("/tmp/drc/trace.json", serde_json::to_string(&trace).unwrap()).unwrap();
    }
    let frame: Vec<&serde_json::Value> = logs.iter().filter(|l| l["depth"].as_u64() == Some(2)).collect();
    let gas_ops: Vec<u64> =
        frame.iter().filter(|l| l["op"] == "GAS").map(|l| l["gas"].as_u64().expect("gas")).collect();
    let (first, last) = (gas_ops[0], *gas_ops.last().unwrap());
    let end = frame.last().map(|l| l["gas"].as_u64().unwrap() - l["gasCost"].as_u64().unwrap()).unwrap();
    (GAS_AFTER_PAYMENT_CALCULATION + first - last, last - end)
}
