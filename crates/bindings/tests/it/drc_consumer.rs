//! DRCoordinator consumers: `DRCConsumerPrice` (answered in itself) and the split pair
//! `DRCSplitRequester` + `DRCSplitFulfiller`.
//!
//! The fulfiller's access control is tested with an EOA standing in for the coordinator (the
//! interface only asks for `setExternalPendingRequest` calls). Everything else runs end to end on
//! anvil: our LinkToken, Operator and DRCoordinator, answered through
//! `Operator.fulfillOracleRequest2` from the authorized node account, as the node does.

use alloy::{
    network::TransactionBuilder,
    primitives::{aliases::U96, b256, Address, Bytes, B256, U256},
    providers::DynProvider,
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol_types::SolValue,
};
use linkpool_bindings::{
    stack::{self, sample, StackConfig},
    DRCConsumerPrice,
    DRCConsumerPrice::DRCConsumerPriceErrors as PriceE,
    DRCSplitFulfiller,
    DRCSplitFulfiller::DRCSplitFulfillerErrors as FulfillerE,
    DRCSplitRequester, DRCoordinator, Error, IDRCoordinator,
    IDRCoordinator::IDRCoordinatorErrors as DrcE,
    IOperator, Operator,
};

use crate::{
    cbor::{decode_diet, get, text},
    common::{call_revert, chain, request_id, revert, Chain},
    operator::events,
};

const REQUEST_A: B256 = b256!("00000000000000000000000000000000000000000000000000000000000000a1");
const REQUEST_B: B256 = b256!("00000000000000000000000000000000000000000000000000000000000000b2");

async fn deploy_fulfiller(c: &Chain, owner: Address) -> Address {
    DRCSplitFulfiller::deploy_builder(c.provider.clone(), owner)
        .from(c.owner)
        .deploy()
        .await
        .expect("deploy DRCSplitFulfiller")
}

#[tokio::test]
async fn fulfiller_accepts_only_authorised_coordinators_and_requesters() {
    let c = chain();
    let (owner, coordinator, requester) = (c.owner, c.node, c.requester);
    let f = DRCSplitFulfiller::new(deploy_fulfiller(&c, owner).await, c.provider.clone());

    // Nobody is authorised at deployment.
    let r = f.setExternalPendingRequest(requester, REQUEST_A).from(coordinator).call().await;
    assert_eq!(
        call_revert::<FulfillerE, _>(r),
        FulfillerE::CoordinatorNotAuthorized(DRCSplitFulfiller::CoordinatorNotAuthorized { caller: coordinator })
    );
    let tx = f.setCoordinatorAuthorization(coordinator, true).from(owner).into_transaction_request();
    let receipt = c.send(tx).await.unwrap();
    let set = events::<DRCSplitFulfiller::CoordinatorAuthorizationSet>(&receipt, *f.address());
    assert_eq!((set[0].coordinator, set[0].authorized), (coordinator, true));
    let r = f.setExternalPendingRequest(requester, REQUEST_A).from(coordinator).call().await;
    assert_eq!(
        call_revert::<FulfillerE, _>(r),
        FulfillerE::RequesterNotAuthorized(DRCSplitFulfiller::RequesterNotAuthorized { requester })
    );
    c.send(f.setRequesterAuthorization(requester, true).from(owner).into_transaction_request()).await.unwrap();

    // Only the owner manages the sets.
    let r = f.setCoordinatorAuthorization(c.stranger, true).from(c.stranger).call().await;
    assert!(matches!(call_revert::<FulfillerE, _>(r), FulfillerE::NotFulfillmentOwner(_)));
    let r = f.setRequesterAuthorization(c.stranger, true).from(c.stranger).call().await;
    assert!(matches!(call_revert::<FulfillerE, _>(r), FulfillerE::NotFulfillmentOwner(_)));
    let r = f.setCoordinatorAuthorization(Address::ZERO, true).from(owner).call().await;
    assert!(matches!(call_revert::<FulfillerE, _>(r), FulfillerE::FulfillmentZeroAddress(_)));

    // Registered once; the same id cannot be registered again (by any coordinator).
    c.send(f.setExternalPendingRequest(requester, REQUEST_A).from(coordinator).into_transaction_request())
        .await
        .unwrap();
    assert_eq!(f.externalPendingRequest(REQUEST_A).call().await.unwrap(), coordinator);
    let r = f.setExternalPendingRequest(requester, REQUEST_A).from(coordinator).call().await;
    assert_eq!(
        call_revert::<FulfillerE, _>(r),
        FulfillerE::ExternalRequestAlreadyPending(DRCSplitFulfiller::ExternalRequestAlreadyPending {
            requestId: REQUEST_A
        })
    );

    // Fulfilled only by the coordinator that registered it, once; unknown ids are refused.
    let not_allowed = |id, caller| {
        FulfillerE::ExternalFulfillmentNotAllowed(DRCSplitFulfiller::ExternalFulfillmentNotAllowed {
            requestId: id,
            caller,
        })
    };
    let r = f.fulfillPrice(REQUEST_A, U256::from(7)).from(c.stranger).call().await;
    assert_eq!(call_revert::<FulfillerE, _>(r), not_allowed(REQUEST_A, c.stranger));
    let r = f.fulfillPrice(REQUEST_B, U256::from(7)).from(coordinator).call().await;
    assert_eq!(call_revert::<FulfillerE, _>(r), not_allowed(REQUEST_B, coordinator));
    let receipt =
        c.send(f.fulfillPrice(REQUEST_A, U256::from(7)).from(coordinator).into_transaction_request()).await.unwrap();
    let fulfilled = events::<DRCSplitFulfiller::PriceFulfilled>(&receipt, *f.address());
    assert_eq!((fulfilled[0].requestId, fulfilled[0].value), (REQUEST_A, U256::from(7)));
    assert_eq!(f.price().call().await.unwrap(), U256::from(7));
    assert_eq!(f.externalPendingRequest(REQUEST_A).call().await.unwrap(), Address::ZERO);
    let r = f.fulfillPrice(REQUEST_A, U256::from(8)).from(coordinator).call().await;
    assert_eq!(call_revert::<FulfillerE, _>(r), not_allowed(REQUEST_A, coordinator));

    // Revoking a coordinator refuses the fulfilment of a request it registered before.
    c.send(f.setExternalPendingRequest(requester, REQUEST_B).from(coordinator).into_transaction_request())
        .await
        .unwrap();
    c.send(f.setCoordinatorAuthorization(coordinator, false).from(owner).into_transaction_request()).await.unwrap();
    assert!(!f.isAuthorizedCoordinator(coordinator).call().await.unwrap());
    let r = f.fulfillPrice(REQUEST_B, U256::from(9)).from(coordinator).call().await;
    assert_eq!(call_revert::<FulfillerE, _>(r), not_allowed(REQUEST_B, coordinator));
    // Revoking a requester stops its new requests.
    c.send(f.setCoordinatorAuthorization(coordinator, true).from(owner).into_transaction_request()).await.unwrap();
    c.send(f.setRequesterAuthorization(requester, false).from(owner).into_transaction_request()).await.unwrap();
    let r = f.setExternalPendingRequest(requester, REQUEST_A).from(coordinator).call().await;
    assert!(matches!(call_revert::<FulfillerE, _>(r), FulfillerE::RequesterNotAuthorized(_)));
}

#[tokio::test]
async fn fulfiller_ownership_moves_in_two_steps() {
    let c = chain();
    let f = DRCSplitFulfiller::new(deploy_fulfiller(&c, c.owner).await, c.provider.clone());
    assert_eq!(f.owner().call().await.unwrap(), c.owner);

    let r = c.send(f.transferOwnership(c.stranger).from(c.stranger).into_transaction_request()).await;
    assert!(matches!(revert::<FulfillerE, _>(r), FulfillerE::NotFulfillmentOwner(_)));
    c.send(f.transferOwnership(c.requester).from(c.owner).into_transaction_request()).await.unwrap();
    assert_eq!(f.owner().call().await.unwrap(), c.owner, "not transferred before acceptance");
    let r = f.acceptOwnership().from(c.stranger).call().await;
    assert_eq!(
        call_revert::<FulfillerE, _>(r),
        FulfillerE::NotPendingFulfillmentOwner(DRCSplitFulfiller::NotPendingFulfillmentOwner { caller: c.stranger })
    );
    let receipt = c.send(f.acceptOwnership().from(c.requester).into_transaction_request()).await.unwrap();
    let moved = events::<DRCSplitFulfiller::OwnershipTransferred>(&receipt, *f.address());
    assert_eq!((moved[0].from, moved[0].to), (c.owner, c.requester));
    assert_eq!(f.owner().call().await.unwrap(), c.requester);
    // The old owner lost its rights; the new one has them.
    let r = f.setCoordinatorAuthorization(c.node, true).from(c.owner).call().await;
    assert!(matches!(call_revert::<FulfillerE, _>(r), FulfillerE::NotFulfillmentOwner(_)));
    c.send(f.setCoordinatorAuthorization(c.node, true).from(c.requester).into_transaction_request()).await.unwrap();

    let r = stack::deploy_code(
        &c.provider,
        c.owner,
        [DRCSplitFulfiller::BYTECODE.as_ref(), &Address::ZERO.abi_encode()].concat().into(),
    )
    .await;
    assert!(r.is_err(), "a zero owner is refused");
}

// ------------------------------------------------------------------ end to end through DRCoordinator

/// 0.004 ETH per LINK: the coordinator's only price source here (no feeds configured).
const WEI_PER_UNIT_LINK: u64 = 4_000_000_000_000_000;
/// The Operator escrow of the spec: 0.01 LINK.
const SPEC_PAYMENT: u64 = 10_000_000_000_000_000;
/// The operator's fee: 10 %.
const SPEC_FEE_PERMYRIAD: u64 = 1_000;
/// The callback gas every request here asks for (the gas scenario).
const CALLBACK_GAS: u32 = 500_000;
/// LINK each consumer starts with in its coordinator balance: 10 LINK.
const FUNDING: u64 = 10_000_000_000_000_000_000;
/// The original DRCoordinator's published gas (`shared/REFERENCE.md` §5).
const ORIGINAL_REQUEST_GAS: u64 = 264_169;
const ORIGINAL_FULFIL_GAS: u64 = 112_748;

/// LINK, Operator (node authorized), a configured DRCoordinator with one spec, and a funded
/// `DRCConsumerPrice`.
struct Drc {
    link: Address,
    operator: Address,
    coordinator: Address,
    consumer: Address,
    node: Address,
}

async fn drc(c: &Chain) -> Drc {
    let s = c.stack(StackConfig::LINKPOOL).await;
    let code = [DRCoordinator::BYTECODE.as_ref(), &(s.link, c.owner).abi_encode_params()].concat();
    let coordinator = stack::deploy_code(&c.provider, c.owner, code.into()).await.expect("deploy DRCoordinator");
    let drc = IDRCoordinator::new(coordinator, c.provider.clone());
    let config = IDRCoordinator::Config {
        fallbackWeiPerUnitLink: U256::from(WEI_PER_UNIT_LINK),
        stalenessSeconds: 3_600,
        sequencerGracePeriodSeconds: 0,
        linkTknFeed: Address::ZERO,
        linkUsdFeed: Address::ZERO,
        tknUsdFeed: Address::ZERO,
        sequencerUptimeFeed: Address::ZERO,
    };
    c.send(drc.setConfig(config).from(c.owner).into_transaction_request()).await.expect("setConfig");
    let key = drc.specKey(s.operator, sample::SPEC_ID).call().await.unwrap();
    let spec = IDRCoordinator::Spec {
        specId: sample::SPEC_ID,
        operator: s.operator,
        payment: U96::from(SPEC_PAYMENT),
        paymentType: 0, // FLAT
        fee: U96::from(SPEC_FEE_PERMYRIAD),
        feeType: 1, // PERMYRIAD
        gasLimit: 1_000_000,
    };
    c.send(drc.setSpecs(vec![key], vec![spec]).from(c.owner).into_transaction_request()).await.expect("setSpecs");

    let consumer = DRCConsumerPrice::deploy_builder(c.provider.clone(), s.link, coordinator)
        .from(c.owner)
        .deploy()
        .await
        .expect("deploy DRCConsumerPrice");
    fund_balance(c, s.link, consumer, |amount| {
        DRCConsumerPrice::new(consumer, c.provider.clone())
            .fundBalance(amount)
            .from(c.stranger)
            .into_transaction_request()
    })
    .await;
    Drc { link: s.link, operator: s.operator, coordinator, consumer, node: s.node }
}

/// Gives `consumer` FUNDING LINK and has it move that into its coordinator balance with `fund_tx`
/// (a `fundBalance(amount)` call: `transferAndCall` with empty data).
async fn fund_balance(c: &Chain, link: Address, consumer: Address, fund_tx: impl FnOnce(U256) -> TransactionRequest) {
    c.fund(link, consumer, U256::from(FUNDING)).await;
    c.send(fund_tx(U256::from(FUNDING))).await.expect("fund the coordinator balance");
    assert_eq!(c.link_balance(link, consumer).await, U256::ZERO, "all of the consumer's LINK moved");
}

impl Drc {
    fn coordinator(&self, c: &Chain) -> IDRCoordinator::IDRCoordinatorInstance<DynProvider> {
        IDRCoordinator::new(self.coordinator, c.provider.clone())
    }

    fn consumer(&self, c: &Chain) -> DRCConsumerPrice::DRCConsumerPriceInstance<DynProvider> {
        DRCConsumerPrice::new(self.consumer, c.provider.clone())
    }

    async fn funds(&self, c: &Chain, consumer: Address) -> U256 {
        U256::from(self.coordinator(c).availableFunds(consumer).call().await.unwrap())
    }

    /// The Operator request and the coordinator's `RequestSent` of a request receipt.
    fn sent(&self, receipt: &TransactionReceipt) -> (IOperator::OracleRequest, IDRCoordinator::RequestSent) {
        let request = stack::oracle_request(receipt, self.operator).expect("OracleRequest");
        let sent = events::<IDRCoordinator::RequestSent>(receipt, self.coordinator);
        assert_eq!(sent.len(), 1);
        (request, sent[0].clone())
    }

    /// Answers `request` with `value` as the node does: `fulfillOracleRequest2` from the node
    /// account, with the gas limit the coordinator appended to the request's CBOR (`gasLimit`).
    async fn answer(
        &self,
        c: &Chain,
        request: &IOperator::OracleRequest,
        value: U256,
    ) -> Result<TransactionReceipt, Error> {
        c.send(self.answer_tx(c, request, value)).await
    }

    fn answer_tx(&self, c: &Chain, request: &IOperator::OracleRequest, value: U256) -> TransactionRequest {
        assert_eq!(request.callbackAddr, self.coordinator, "the Operator calls the coordinator back");
        let callback_args: Bytes = (request.requestId, value).abi_encode_params().into();
        let data: Bytes = (request.requestId, callback_args).abi_encode_params().into();
        let params = decode_diet(&request.data);
        let gas = get(&params, "gasLimit").and_then(|v| v.as_integer()).expect("gasLimit in the request");
        let gas = u64::try_from(gas).expect("gasLimit fits u64");
        assert!(gas > u64::from(CALLBACK_GAS), "room for the callback's gas");
        Operator::new(self.operator, c.provider.clone())
            .fulfillOracleRequest2(
                request.requestId,
                request.payment,
                request.callbackAddr,
                request.callbackFunctionId,
                request.cancelExpiration,
                data,
            )
            .from(self.node)
            .gas(gas)
            .into_transaction_request()
    }

    fn request_price_tx(&self, c: &Chain, sub_id: u64, max_payment: u64) -> TransactionRequest {
        self.consumer(c)
            .requestPrice(
                self.operator,
                sample::SPEC_ID,
                sample::URL.into(),
                sample::PATH.into(),
                sample::TIMES,
                CALLBACK_GAS,
                3,
                sub_id,
                U96::from(max_payment),
            )
            .from(c.requester)
            .into_transaction_request()
    }
}

#[tokio::test]
async fn price_request_is_fulfilled_in_the_consumer() {
    let c = chain();
    let d = drc(&c).await;
    let consumer = d.consumer(&c);
    assert_eq!(d.funds(&c, d.consumer).await, U256::from(FUNDING), "fundBalance credited the consumer itself");

    // The coordinator's errors reach the caller unchanged.
    let r = c.send(d.request_price_tx(&c, 0, 1)).await;
    assert!(matches!(revert::<DrcE, _>(r), DrcE::MaxPaymentExceeded(e) if e.consumerMaxPayment == U256::from(1)));

    let mut gas = Vec::new();
    for value in [U256::from(3_000_000_000_000_000_000_000_u128), U256::from(42)] {
        let before = d.funds(&c, d.consumer).await;
        let receipt = c.send(d.request_price_tx(&c, 0, 0)).await.expect("request");
        let (request, sent) = d.sent(&receipt);
        assert_eq!((sent.requestId, sent.requester), (request.requestId, d.consumer));
        assert!(consumer.isPending(request.requestId).call().await.unwrap());
        // The consumer's parameters, then the coordinator's on-demand ones, in the request's CBOR.
        let params = decode_diet(&request.data);
        assert_eq!(text(&params, "get"), Some(sample::URL));
        assert_eq!(text(&params, "path"), Some(sample::PATH));
        let confirmations = get(&params, "minConfirmations").and_then(|v| v.as_integer());
        assert_eq!(confirmations, Some(3.into()));
        let after_request = d.funds(&c, d.consumer).await;
        assert_eq!(after_request, before - U256::from(sent.maxPayment));

        let fulfilment = d.answer(&c, &request, value).await.expect("fulfil");
        let fulfilled = events::<DRCConsumerPrice::PriceFulfilled>(&fulfilment, d.consumer);
        assert_eq!(fulfilled.len(), 1, "the callback ran");
        assert_eq!((fulfilled[0].requestId, fulfilled[0].value), (request.requestId, value));
        let settled = events::<IDRCoordinator::RequestFulfilled>(&fulfilment, d.coordinator);
        assert!(settled[0].callbackSucceeded);
        assert_eq!(consumer.price().call().await.unwrap(), value);
        assert!(!consumer.isPending(request.requestId).call().await.unwrap());
        assert_eq!(d.funds(&c, d.consumer).await, after_request + U256::from(settled[0].refund));
        gas.push((receipt.gas_used, fulfilment.gas_used));
    }
    // Whole-transaction gas with a 500k callback gas limit, the scenario; the steady state
    // (second round: the price slot is already non-zero) must beat the original.
    eprintln!("DRCConsumerPrice gas (request, fulfil) per round: {gas:?}");
    let (request_gas, fulfil_gas) = gas[1];
    assert!(request_gas < ORIGINAL_REQUEST_GAS, "request used {request_gas}");
    assert!(fulfil_gas < ORIGINAL_FULFIL_GAS, "fulfil used {fulfil_gas}");
}

#[tokio::test]
async fn consumer_accepts_each_pending_request_once_and_only_from_the_coordinator() {
    let c = chain();
    let d = drc(&c).await;
    let consumer = d.consumer(&c);
    let receipt = c.send(d.request_price_tx(&c, 0, 0)).await.expect("request");
    let (request, _) = d.sent(&receipt);
    let id = request.requestId;

    // Only the coordinator: not a stranger, not the node account, not the Operator.
    for caller in [c.stranger, d.node, d.operator] {
        let r = consumer.fulfillPrice(id, U256::from(1)).from(caller).call().await;
        assert_eq!(
            call_revert::<PriceE, _>(r),
            PriceE::FulfillmentNotFromDRCoordinator(DRCConsumerPrice::FulfillmentNotFromDRCoordinator {
                requestId: id,
                caller
            })
        );
    }
    // The coordinator itself (simulated with eth_call from its address): the pending id passes,
    // an unknown id does not.
    consumer.fulfillPrice(id, U256::from(1)).from(d.coordinator).call().await.expect("pending id accepted");
    let unknown = request_id(d.coordinator, 12_345);
    let r = consumer.fulfillPrice(unknown, U256::from(1)).from(d.coordinator).call().await;
    assert_eq!(
        call_revert::<PriceE, _>(r),
        PriceE::DRCoordinatorRequestNotPending(DRCConsumerPrice::DRCoordinatorRequestNotPending { requestId: unknown })
    );

    d.answer(&c, &request, U256::from(5)).await.expect("fulfil");
    assert_eq!(consumer.price().call().await.unwrap(), U256::from(5));
    // A second fulfilment of the same id is refused by the consumer (and by the Operator).
    let r = consumer.fulfillPrice(id, U256::from(6)).from(d.coordinator).call().await;
    assert_eq!(
        call_revert::<PriceE, _>(r),
        PriceE::DRCoordinatorRequestNotPending(DRCConsumerPrice::DRCoordinatorRequestNotPending { requestId: id })
    );
    assert!(d.answer(&c, &request, U256::from(6)).await.is_err(), "the Operator no longer holds the request");
    assert_eq!(consumer.price().call().await.unwrap(), U256::from(5));
}

#[tokio::test]
async fn split_request_is_fulfilled_in_the_fulfiller() {
    let c = chain();
    let d = drc(&c).await;
    let f = DRCSplitFulfiller::new(deploy_fulfiller(&c, c.owner).await, c.provider.clone());
    let requester = DRCSplitRequester::deploy_builder(c.provider.clone(), d.link, d.coordinator, *f.address())
        .from(c.owner)
        .deploy()
        .await
        .expect("deploy DRCSplitRequester");
    let r = DRCSplitRequester::new(requester, c.provider.clone());
    assert_eq!(r.FULFILLER().call().await.unwrap(), *f.address());
    fund_balance(&c, d.link, requester, |amount| r.fundBalance(amount).from(c.stranger).into_transaction_request())
        .await;
    let request_tx = || {
        r.requestPrice(
            d.operator,
            sample::SPEC_ID,
            sample::URL.into(),
            sample::PATH.into(),
            sample::TIMES,
            CALLBACK_GAS,
            0,
            0,
            U96::ZERO,
        )
        .from(c.requester)
        .into_transaction_request()
    };

    // The fulfiller refuses to register requests until its owner authorises both sides, and the
    // coordinator's request reverts with the fulfiller's error.
    let e = revert::<FulfillerE, _>(c.send(request_tx()).await);
    assert_eq!(
        e,
        FulfillerE::CoordinatorNotAuthorized(DRCSplitFulfiller::CoordinatorNotAuthorized { caller: d.coordinator })
    );
    c.send(f.setCoordinatorAuthorization(d.coordinator, true).from(c.owner).into_transaction_request()).await.unwrap();
    let e = revert::<FulfillerE, _>(c.send(request_tx()).await);
    assert_eq!(e, FulfillerE::RequesterNotAuthorized(DRCSplitFulfiller::RequesterNotAuthorized { requester }));
    c.send(f.setRequesterAuthorization(requester, true).from(c.owner).into_transaction_request()).await.unwrap();

    let before = d.funds(&c, requester).await;
    let receipt = c.send(request_tx()).await.expect("split request");
    let (request, sent) = d.sent(&receipt);
    assert_eq!(sent.requester, requester, "the requester pays and may cancel");
    assert_eq!(f.externalPendingRequest(request.requestId).call().await.unwrap(), d.coordinator);
    assert_eq!(d.funds(&c, requester).await, before - U256::from(sent.maxPayment));

    let fulfilment = d.answer(&c, &request, U256::from(77)).await.expect("fulfil");
    let fulfilled = events::<DRCSplitFulfiller::PriceFulfilled>(&fulfilment, *f.address());
    assert_eq!((fulfilled[0].requestId, fulfilled[0].value), (request.requestId, U256::from(77)));
    assert!(events::<IDRCoordinator::RequestFulfilled>(&fulfilment, d.coordinator)[0].callbackSucceeded);
    assert_eq!(f.price().call().await.unwrap(), U256::from(77));
    assert_eq!(f.externalPendingRequest(request.requestId).call().await.unwrap(), Address::ZERO);
    let after_first = d.funds(&c, requester).await;
    assert!(after_first < before, "the requester's balance paid for it");
    let again = f.fulfillPrice(request.requestId, U256::from(78)).from(d.coordinator).call().await;
    assert!(matches!(call_revert::<FulfillerE, _>(again), FulfillerE::ExternalFulfillmentNotAllowed(_)));

    // A split request is cancelled by its requester after expiry, refunded to the requester.
    let receipt = c.send(request_tx()).await.expect("second split request");
    let (request, _) = d.sent(&receipt);
    let pending_funds = d.funds(&c, requester).await;
    c.increase_time(300).await;
    let receipt = c.send(r.cancelRequest(request.requestId).from(c.stranger).into_transaction_request()).await.unwrap();
    let cancelled = events::<IDRCoordinator::RequestCancelled>(&receipt, d.coordinator);
    assert_eq!(d.funds(&c, requester).await, pending_funds + U256::from(cancelled[0].refund));
    assert_eq!(d.funds(&c, requester).await, after_first, "the whole debit came back");
}

#[tokio::test]
async fn expired_request_is_cancelled_and_refunded() {
    let c = chain();
    let d = drc(&c).await;
    let consumer = d.consumer(&c);
    let before = d.funds(&c, d.consumer).await;
    let receipt = c.send(d.request_price_tx(&c, 0, 0)).await.expect("request");
    let (request, sent) = d.sent(&receipt);
    let id = request.requestId;

    // Not before the expiry (the coordinator's error reaches the caller).
    let r = c.send(consumer.cancelRequest(id).from(c.stranger).into_transaction_request()).await;
    assert!(matches!(revert::<DrcE, _>(r), DrcE::RequestNotExpired(_)));
    // Only the requester may cancel through the coordinator.
    let r = d.coordinator(&c).cancelRequest(id).from(c.stranger).call().await;
    assert!(matches!(call_revert::<DrcE, _>(r), DrcE::NotRequester(e) if e.requester == d.consumer));
    assert!(consumer.isPending(id).call().await.unwrap());

    c.increase_time(300).await;
    let receipt = c.send(consumer.cancelRequest(id).from(c.stranger).into_transaction_request()).await.unwrap();
    let cancelled = events::<IDRCoordinator::RequestCancelled>(&receipt, d.coordinator);
    assert_eq!((cancelled[0].requestId, cancelled[0].refund), (id, sent.maxPayment), "escrow and payment refunded");
    assert_eq!(d.funds(&c, d.consumer).await, before, "nothing lost");
    assert!(!consumer.isPending(id).call().await.unwrap());

    // Nothing is left to fulfil or to cancel.
    let r = consumer.fulfillPrice(id, U256::from(1)).from(d.coordinator).call().await;
    assert!(matches!(call_revert::<PriceE, _>(r), PriceE::DRCoordinatorRequestNotPending(_)));
    assert!(d.answer(&c, &request, U256::from(1)).await.is_err(), "the Operator refunded the request");
    let r = c.send(consumer.cancelRequest(id).from(c.stranger).into_transaction_request()).await;
    assert!(matches!(revert::<DrcE, _>(r), DrcE::RequestNotFound(_)));
}

#[tokio::test]
async fn consumer_bills_a_subscription_and_only_its_deployer_moves_funds() {
    let c = chain();
    let d = drc(&c).await;
    let consumer = d.consumer(&c);
    let drc = d.coordinator(&c);
    assert_eq!(consumer.OWNER().call().await.unwrap(), c.owner);

    // A subscription owned by an EOA, with the consumer allowed to bill it, funded by the consumer.
    let receipt = c.send(drc.createSubscription().from(c.owner).into_transaction_request()).await.unwrap();
    let sub_id = events::<IDRCoordinator::SubscriptionCreated>(&receipt, d.coordinator)[0].subId;
    c.send(drc.addConsumer(sub_id, d.consumer).from(c.owner).into_transaction_request()).await.unwrap();
    let amount = U256::from(FUNDING / 2);
    c.fund(d.link, d.consumer, amount).await;
    let r = consumer.fundSubscription(sub_id, amount).from(c.stranger).call().await;
    assert_eq!(
        call_revert::<PriceE, _>(r),
        PriceE::NotConsumerOwner(DRCConsumerPrice::NotConsumerOwner { caller: c.stranger })
    );
    c.send(consumer.fundSubscription(sub_id, amount).from(c.owner).into_transaction_request()).await.unwrap();
    let sub_balance = |c: &Chain| {
        let drc = d.coordinator(c);
        async move { U256::from(drc.getSubscription(sub_id).call().await.unwrap().balance) }
    };
    assert_eq!(sub_balance(&c).await, amount);

    let balance = d.funds(&c, d.consumer).await;
    let receipt = c.send(d.request_price_tx(&c, sub_id, 0)).await.expect("subscription request");
    let (request, sent) = d.sent(&receipt);
    assert_eq!(sub_balance(&c).await, amount - U256::from(sent.maxPayment), "the subscription paid");
    d.answer(&c, &request, U256::from(11)).await.expect("fulfil");
    assert_eq!(consumer.price().call().await.unwrap(), U256::from(11));
    assert!(sub_balance(&c).await < amount);
    assert_eq!(d.funds(&c, d.consumer).await, balance, "the consumer's own balance was not touched");

    // Only the deployer withdraws the consumer's coordinator balance.
    let one_link = U96::from(1_000_000_000_000_000_000_u64);
    let r = consumer.withdrawFunds(c.stranger, one_link).from(c.stranger).call().await;
    assert!(matches!(call_revert::<PriceE, _>(r), PriceE::NotConsumerOwner(_)));
    let held = c.link_balance(d.link, c.stranger).await;
    c.send(consumer.withdrawFunds(c.stranger, one_link).from(c.owner).into_transaction_request()).await.unwrap();
    assert_eq!(c.link_balance(d.link, c.stranger).await, held + U256::from(one_link));
    assert_eq!(d.funds(&c, d.consumer).await, balance - U256::from(one_link));
}

#[tokio::test]
async fn consumer_refuses_zero_addresses() {
    let c = chain();
    let link = stack::deploy_link(&c.provider, c.owner, stack::Flavor::Linkpool).await.unwrap();
    for (l, coordinator) in [(Address::ZERO, link), (link, Address::ZERO)] {
        let code = [DRCConsumerPrice::BYTECODE.as_ref(), &(l, coordinator).abi_encode_params()].concat();
        let r = c.send(TransactionRequest::default().from(c.owner).with_deploy_code(code)).await;
        assert_eq!(
            revert::<PriceE, _>(r),
            PriceE::ConsumerZeroAddress(DRCConsumerPrice::ConsumerZeroAddress { link: l, drCoordinator: coordinator })
        );
    }
}
