//! DRCoordinator end to end on anvil, with our LinkToken and Operator, answered through
//! `Operator.fulfillOracleRequest2` from the authorized node account exactly as the node does:
//! the happy path checked juel for juel against the Rust model (`drc_common`), funding, split
//! consumers, subscriptions, and every failure path of issue 4's acceptance list, each with its
//! own custom error and the solvency invariant checked afterwards.

use alloy::{
    network::TransactionBuilder,
    primitives::{aliases::U96, Address, Bytes, B256, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
    sol_types::{SolCall, SolError, SolValue},
};
use linkpool_bindings::{
    coordinator::IDRCoordinator as T, DRCTestConsumer, DRCoordinator, DRCoordinator::DRCoordinatorErrors as E,
    LinkToken,
};

use crate::{
    cbor::{decode_diet, text},
    common::{chain, revert, Chain},
    drc_common::*,
    operator::events,
};

/// The LINK/ETH price the default feed gives.
fn price() -> U256 {
    single_feed_price(LINK_ETH, 18)
}

async fn now(c: &Chain) -> u64 {
    let block = c.provider.get_block_number().await.expect("block number");
    c.timestamp(block).await
}

#[tokio::test]
async fn request_and_fulfilment_charge_max_spot_and_refund_exactly() {
    let c = traced_chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let before = d.balance(&c, d.consumer).await;
    let held_before = c.link_balance(d.link, d.coordinator).await;

    let s = d.request(&c, d.consumer, 500_000, 0).await;
    let gas_price = s.receipt.effective_gas_price;
    let (debit, payment) = max_debit(&d.terms, gas_price, 500_000, price());
    assert!(payment > U256::ZERO && debit > payment);
    assert_eq!(U256::from(s.sent.maxPayment), debit, "RequestSent.maxPayment is the debit");
    assert_eq!(s.sent.specKey, d.key);
    assert_eq!(s.sent.requester, d.consumer);
    assert_eq!(s.request.payment, payment, "the Operator gets the PERMYRIAD payment");
    assert_eq!(s.request.callbackAddr, d.coordinator);
    assert_eq!(s.request.callbackFunctionId.0, DRCoordinator::fulfillDataCall::SELECTOR);
    assert_eq!(s.request.dataVersion, U256::from(2));
    let debit = debit.to::<u128>();
    let payment = payment.to::<u128>();
    assert_eq!(d.balance(&c, d.consumer).await, before - debit);
    assert_eq!(d.escrow(&c, s.id()).await, debit - payment);
    assert_eq!(c.link_balance(d.link, d.coordinator).await, held_before - U256::from(payment));

    // The consumer's CBOR is forwarded untouched, with gasLimit and minConfirmations appended.
    let params = decode_diet(&s.request.data);
    assert_eq!(text(&params, "get"), Some(linkpool_bindings::stack::sample::URL));
    assert_eq!(text(&params, "path"), Some(linkpool_bindings::stack::sample::PATH));
    assert_eq!(cbor_uint(&s.request.data, "gasLimit"), Some(500_000 + 500_000 / 32 + FULFILL_TX_GAS_OVERHEAD));
    assert_eq!(cbor_uint(&s.request.data, "minConfirmations"), Some(3));

    let r = d.fulfil(&c, &s.request, 42).await;
    let event = d.fulfilled(&r).expect("RequestFulfilled");
    let (units, after_calculation) = traced_spot_gas(&c, r.transaction_hash).await;
    assert!(
        after_calculation <= GAS_AFTER_PAYMENT_CALCULATION,
        "settlement used {after_calculation} gas, more than GAS_AFTER_PAYMENT_CALCULATION"
    );
    let spot = spot(&d.terms, r.effective_gas_price, units, price()).to::<u128>();
    let charged = spot.saturating_sub(payment);
    let refund = debit - payment - charged;
    println!(
        "debit {debit} payment {payment} spot {spot} ({units} gas, {after_calculation} after the calculation) \
         charged {charged} refund {refund}"
    );
    assert!(event.callbackSucceeded);
    assert_eq!(event.requestId, s.id());
    assert_eq!(event.charged.to::<u128>(), charged);
    assert_eq!(event.refund.to::<u128>(), refund);
    assert_eq!(d.balance(&c, d.consumer).await, before - payment - charged, "the payer pays max(SPOT, payment)");
    assert_eq!(d.earnings(&c).await, charged);
    assert_eq!(d.consumer_at(&c, d.consumer).value().call().await.unwrap(), U256::from(42));
    d.assert_solvent(&c, &[d.consumer], &[], &[]).await;
    // The request is gone: a second answer cannot be replayed.
    let err = d.simulate_fulfil_data(&c, s.id(), U256::from(1), None).await;
    assert_eq!(revert::<E, _>(err), E::RequestNotFound(DRCoordinator::RequestNotFound { requestId: s.id() }));
}

#[tokio::test]
async fn flat_terms_and_a_payment_above_max() {
    let c = traced_chain();
    // A FLAT payment larger than MAX: the debit is the payment and nothing more is charged.
    let terms = Terms { payment: 10 * JUELS_PER_LINK, ..Terms::FLAT };
    let d = deploy(&c, terms).await;
    let s = d.request(&c, d.consumer, 100_000, 0).await;
    let (debit, payment) = max_debit(&terms, s.receipt.effective_gas_price, 100_000, price());
    assert_eq!(debit, payment);
    assert_eq!(U256::from(s.sent.maxPayment), U256::from(terms.payment));
    assert_eq!(d.escrow(&c, s.id()).await, 0);
    let r = d.fulfil(&c, &s.request, 7).await;
    let event = d.fulfilled(&r).expect("RequestFulfilled");
    assert_eq!((event.charged.to::<u128>(), event.refund.to::<u128>()), (0, 0));
    assert_eq!(d.balance(&c, d.consumer).await, CONSUMER_FUNDS - terms.payment);

    // FLAT fee, FLAT payment below MAX.
    d.set_spec(&c, Terms::FLAT).await;
    let s = d.request(&c, d.consumer, 300_000, 0).await;
    let (debit, payment) = max_debit(&Terms::FLAT, s.receipt.effective_gas_price, 300_000, price());
    assert_eq!(U256::from(s.sent.maxPayment), debit);
    assert_eq!(s.request.payment, payment);
    let r = d.fulfil(&c, &s.request, 8).await;
    let (units, _) = traced_spot_gas(&c, r.transaction_hash).await;
    let charged =
        spot(&Terms::FLAT, r.effective_gas_price, units, price()).to::<u128>().saturating_sub(payment.to::<u128>());
    assert_eq!(d.fulfilled(&r).unwrap().charged.to::<u128>(), charged);
    d.assert_solvent(&c, &[d.consumer], &[], &[]).await;
}

#[tokio::test]
async fn balances_are_funded_by_transfer_and_call_and_by_approve_and_add() {
    let c = chain();
    let d = deploy(&c, Terms::FLAT).await;
    let drc = d.drc(&c);
    let token = LinkToken::new(d.link, c.provider.clone());
    c.fund(d.link, c.stranger, U256::from(JUELS_PER_LINK)).await;

    // approve + addFunds credits any consumer; the payer is the caller.
    let tx = token.approve(d.coordinator, U256::from(300)).from(c.stranger);
    c.send(tx.into_transaction_request()).await.unwrap();
    let r = c.send(drc.addFunds(d.other, U96::from(300)).from(c.stranger).into_transaction_request()).await.unwrap();
    let added = events::<DRCoordinator::FundsAdded>(&r, d.coordinator).pop().unwrap();
    assert_eq!((added.consumer, added.payer, added.amount), (d.other, c.stranger, U96::from(300)));
    assert_eq!(d.balance(&c, d.other).await, 300);
    // Without allowance, nothing moves.
    let res = c.send(drc.addFunds(d.other, U96::from(1)).from(c.stranger).into_transaction_request()).await;
    assert!(res.is_err());
    assert_eq!(
        revert::<E, _>(c.send(drc.addFunds(d.other, U96::ZERO).from(c.stranger).into_transaction_request()).await),
        E::ZeroAmount(DRCoordinator::ZeroAmount {})
    );
    assert_eq!(
        revert::<E, _>(
            c.send(drc.addFunds(Address::ZERO, U96::from(1)).from(c.stranger).into_transaction_request()).await
        ),
        E::ZeroAddress(DRCoordinator::ZeroAddress {})
    );

    // transferAndCall: empty data credits the sender, 20 bytes credit that address.
    let tx = token.transferAndCall(d.coordinator, U256::from(11), Bytes::new()).from(c.stranger);
    c.send(tx.into_transaction_request()).await.unwrap();
    assert_eq!(d.balance(&c, c.stranger).await, 11);
    let tx = token.transferAndCall(d.coordinator, U256::from(5), Bytes::from(d.other.to_vec())).from(c.stranger);
    c.send(tx.into_transaction_request()).await.unwrap();
    assert_eq!(d.balance(&c, d.other).await, 305);
    // Any other length, a word above uint64 or an unknown subscription is refused (the transfer
    // reverts with it).
    for data in [vec![1u8; 7], vec![0u8; 33], U256::MAX.abi_encode()] {
        let len = U256::from(data.len());
        let tx = token.transferAndCall(d.coordinator, U256::from(1), data.into()).from(c.stranger);
        assert_eq!(
            revert::<E, _>(c.send(tx.into_transaction_request()).await),
            E::InvalidFundingData(DRCoordinator::InvalidFundingData { length: len })
        );
    }
    let tx = token.transferAndCall(d.coordinator, U256::from(1), U256::from(9).abi_encode().into()).from(c.stranger);
    assert_eq!(
        revert::<E, _>(c.send(tx.into_transaction_request()).await),
        E::SubscriptionNotFound(DRCoordinator::SubscriptionNotFound { subId: 9 })
    );
    // Only LINK may call onTokenTransfer.
    let tx = drc.onTokenTransfer(c.stranger, U256::from(1), Bytes::new()).from(c.stranger);
    assert_eq!(
        revert::<E, _>(c.send(tx.into_transaction_request()).await),
        E::OnlyLinkToken(DRCoordinator::OnlyLinkToken { caller: c.stranger })
    );

    // withdrawFunds: only from the caller's own balance.
    let tx = drc.withdrawFunds(c.requester, U96::from(12)).from(c.stranger);
    assert_eq!(
        revert::<E, _>(c.send(tx.into_transaction_request()).await),
        E::InsufficientFunds(DRCoordinator::InsufficientFunds { available: U256::from(11), required: U256::from(12) })
    );
    let before = c.link_balance(d.link, c.requester).await;
    let tx = drc.withdrawFunds(c.requester, U96::from(11)).from(c.stranger);
    c.send(tx.into_transaction_request()).await.unwrap();
    assert_eq!(c.link_balance(d.link, c.requester).await, before + U256::from(11));
    assert_eq!(d.balance(&c, c.stranger).await, 0);
    // A consumer contract withdraws its own balance.
    let consumer = d.consumer_at(&c, d.other);
    c.send(consumer.withdraw(c.requester, U96::from(305)).from(c.stranger).into_transaction_request()).await.unwrap();
    assert_eq!(d.balance(&c, d.other).await, 0);
    d.assert_solvent(&c, &[d.consumer, d.other, c.stranger], &[], &[]).await;
}

#[tokio::test]
async fn split_consumer_is_told_and_fulfilled_and_the_requester_pays() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let selector = DRCTestConsumer::fulfillUintCall::SELECTOR;
    let s = d.request_raw(&c, d.consumer, d.other, selector, 200_000, 0).await;
    assert!(d.consumer_at(&c, d.other).isPending(s.id()).call().await.unwrap(), "fulfiller told of the request");
    assert_eq!(d.drc(&c).getRequest(s.id()).call().await.unwrap().requester, d.consumer);
    let debit = s.sent.maxPayment.to::<u128>();
    assert_eq!(d.balance(&c, d.consumer).await, CONSUMER_FUNDS - debit);

    // Only the requester may cancel, not the fulfiller.
    c.increase_time(301).await;
    let err = c.send(d.consumer_at(&c, d.other).cancel(s.id()).from(c.stranger).into_transaction_request()).await;
    assert_eq!(
        revert::<E, _>(err),
        E::NotRequester(DRCoordinator::NotRequester { caller: d.other, requester: d.consumer })
    );

    let r = d.fulfil(&c, &s.request, 99).await;
    let event = d.fulfilled(&r).expect("RequestFulfilled");
    assert!(event.callbackSucceeded);
    assert_eq!(d.consumer_at(&c, d.other).value().call().await.unwrap(), U256::from(99));
    let payment = s.request.payment.to::<u128>();
    assert_eq!(
        d.balance(&c, d.consumer).await,
        CONSUMER_FUNDS - payment - event.charged.to::<u128>(),
        "the requester's balance pays"
    );
    assert_eq!(d.balance(&c, d.other).await, 0);
    d.assert_solvent(&c, &[d.consumer, d.other], &[], &[]).await;
}

#[tokio::test]
async fn subscriptions_bill_their_consumers_and_cannot_be_cancelled_with_pending_requests() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let drc = d.drc(&c);
    let r = c.send(drc.createSubscription().from(c.stranger).into_transaction_request()).await.unwrap();
    let created = events::<DRCoordinator::SubscriptionCreated>(&r, d.coordinator).pop().unwrap();
    assert_eq!((created.subId, created.owner), (1, c.stranger));
    let sub = created.subId;
    let r = d.fund_sub(&c, sub, 5 * JUELS_PER_LINK).await;
    let funded = events::<DRCoordinator::SubscriptionFunded>(&r, d.coordinator).pop().unwrap();
    assert_eq!(funded.newBalance.to::<u128>(), 5 * JUELS_PER_LINK);

    // Not a consumer yet.
    let err = c.send(d.request_tx(&c, d.other, 200_000, sub, 0)).await;
    assert_eq!(
        revert::<E, _>(err),
        E::ConsumerNotAllowed(DRCoordinator::ConsumerNotAllowed { subId: sub, consumer: d.other })
    );
    let err = c.send(d.request_tx(&c, d.other, 200_000, 7, 0)).await;
    assert_eq!(revert::<E, _>(err), E::SubscriptionNotFound(DRCoordinator::SubscriptionNotFound { subId: 7 }));
    // Only the subscription owner manages consumers.
    let err = c.send(drc.addConsumer(sub, d.other).from(c.requester).into_transaction_request()).await;
    assert_eq!(
        revert::<E, _>(err),
        E::NotSubscriptionOwner(DRCoordinator::NotSubscriptionOwner { subId: sub, caller: c.requester })
    );
    c.send(drc.addConsumer(sub, d.other).from(c.stranger).into_transaction_request()).await.unwrap();
    c.send(drc.addConsumer(sub, d.consumer).from(c.stranger).into_transaction_request()).await.unwrap();
    let info = drc.getSubscription(sub).call().await.unwrap();
    assert_eq!(info.consumers, vec![d.other, d.consumer]);
    assert_eq!(info.owner_, c.stranger);

    let s = d.request(&c, d.other, 200_000, sub).await;
    let debit = s.sent.maxPayment.to::<u128>();
    assert_eq!(d.sub_balance(&c, sub).await, (5 * JUELS_PER_LINK - debit, 1));
    assert_eq!(d.balance(&c, d.other).await, 0, "the consumer's own balance is untouched");
    // Request ids of the subscription and of the balance never collide (same consumer, nonce 0).
    let s2 = d.request(&c, d.consumer, 200_000, 0).await;
    let s3 = d.request(&c, d.consumer, 200_000, sub).await;
    assert_ne!(s2.id(), s3.id());
    d.assert_solvent(&c, &[d.consumer, d.other], &[sub], &[s.id(), s2.id(), s3.id()]).await;

    let err = c.send(drc.cancelSubscription(sub, c.stranger).from(c.stranger).into_transaction_request()).await;
    assert_eq!(
        revert::<E, _>(err),
        E::PendingRequestsExist(DRCoordinator::PendingRequestsExist { subId: sub, pending: 2 })
    );
    // Removing a consumer does not stop billing its pending requests.
    c.send(drc.removeConsumer(sub, d.other).from(c.stranger).into_transaction_request()).await.unwrap();
    assert_eq!(drc.getSubscription(sub).call().await.unwrap().consumers, vec![d.consumer]);
    let err = c.send(drc.removeConsumer(sub, d.other).from(c.stranger).into_transaction_request()).await;
    assert_eq!(
        revert::<E, _>(err),
        E::ConsumerNotAllowed(DRCoordinator::ConsumerNotAllowed { subId: sub, consumer: d.other })
    );
    let r = d.fulfil(&c, &s.request, 1).await;
    let event = d.fulfilled(&r).unwrap();
    assert_eq!(
        d.sub_balance(&c, sub).await.0,
        5 * JUELS_PER_LINK
            - s.request.payment.to::<u128>()
            - event.charged.to::<u128>()
            - s3.sent.maxPayment.to::<u128>()
    );
    d.fulfil(&c, &s3.request, 2).await;
    d.fulfil(&c, &s2.request, 3).await;
    assert_eq!(d.sub_balance(&c, sub).await.1, 0);
    let (balance, _) = d.sub_balance(&c, sub).await;
    d.assert_solvent(&c, &[d.consumer, d.other], &[sub], &[]).await;

    let before = c.link_balance(d.link, c.requester).await;
    let r = c.send(drc.cancelSubscription(sub, c.requester).from(c.stranger).into_transaction_request()).await.unwrap();
    let cancelled = events::<DRCoordinator::SubscriptionCancelled>(&r, d.coordinator).pop().unwrap();
    assert_eq!(cancelled.amount.to::<u128>(), balance);
    assert_eq!(c.link_balance(d.link, c.requester).await, before + U256::from(balance));
    let err = drc.getSubscription(sub).call().await;
    assert_eq!(
        revert::<E, _>(err.map_err(Into::into)),
        E::SubscriptionNotFound(DRCoordinator::SubscriptionNotFound { subId: sub })
    );
    // Its consumers can no longer bill it.
    let err = c.send(d.request_tx(&c, d.consumer, 200_000, sub, 0)).await;
    assert_eq!(revert::<E, _>(err), E::SubscriptionNotFound(DRCoordinator::SubscriptionNotFound { subId: sub }));
    d.assert_solvent(&c, &[d.consumer, d.other], &[], &[]).await;
}

// ------------------------------------------------------------------ failure paths (acceptance)

#[tokio::test]
async fn stale_feed_falls_back_or_reverts_with_feed_stale() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let t = now(&c).await;
    let updated = t - u64::from(STALENESS) - 1;
    d.set_round(&c, d.feed, LINK_ETH as i128, updated, updated).await;
    let err = c.send(d.request_tx(&c, d.consumer, 200_000, 0, 0)).await;
    assert_eq!(
        revert::<E, _>(err),
        E::FeedStale(DRCoordinator::FeedStale { feed: d.feed, updatedAt: U256::from(updated) })
    );
    // With a fallback price, the request is priced with it.
    let fallback = 4_000_000_000_000_000u128;
    d.set_config(&c, config(d.feed, fallback)).await.unwrap();
    assert_eq!(d.drc(&c).getWeiPerUnitLink().call().await.unwrap(), U256::from(fallback));
    let s = d.request(&c, d.consumer, 200_000, 0).await;
    let (debit, _) = max_debit(&d.terms, s.receipt.effective_gas_price, 200_000, U256::from(fallback));
    assert_eq!(U256::from(s.sent.maxPayment), debit);
    // Exactly at the staleness bound the answer is still fresh.
    let t = now(&c).await;
    d.set_round(&c, d.feed, LINK_ETH as i128, t, t + 1 - u64::from(STALENESS)).await;
    assert_eq!(d.drc(&c).getWeiPerUnitLink().call().await.unwrap(), price());
    d.assert_solvent(&c, &[d.consumer], &[], &[s.id()]).await;
}

#[tokio::test]
async fn sequencer_down_or_in_grace_period_falls_back_or_reverts() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let sequencer = deploy_feed(&c, 0, "L2 sequencer uptime", 0).await;
    let t = now(&c).await;
    d.set_round(&c, sequencer, 0, t - 7_200, t - 7_200).await;
    let with = |fallback: u128| T::Config {
        sequencerUptimeFeed: sequencer,
        sequencerGracePeriodSeconds: 3_600,
        ..config(d.feed, fallback)
    };
    d.set_config(&c, with(0)).await.unwrap();
    assert_eq!(d.drc(&c).getWeiPerUnitLink().call().await.unwrap(), price(), "up for two hours");

    d.set_round(&c, sequencer, 1, t, t).await;
    let err = c.send(d.request_tx(&c, d.consumer, 200_000, 0, 0)).await;
    assert_eq!(revert::<E, _>(err), E::SequencerDown(DRCoordinator::SequencerDown {}));

    let back = now(&c).await - 10;
    d.set_round(&c, sequencer, 0, back, back).await;
    let err = c.send(d.request_tx(&c, d.consumer, 200_000, 0, 0)).await;
    assert_eq!(
        revert::<E, _>(err),
        E::SequencerGracePeriod(DRCoordinator::SequencerGracePeriod { upSince: U256::from(back) })
    );

    let fallback = 6_000_000_000_000_000u128;
    d.set_config(&c, with(fallback)).await.unwrap();
    let s = d.request(&c, d.consumer, 200_000, 0).await;
    let (debit, _) = max_debit(&d.terms, s.receipt.effective_gas_price, 200_000, U256::from(fallback));
    assert_eq!(U256::from(s.sent.maxPayment), debit, "grace period: priced with the fallback");
    d.set_round(&c, sequencer, 1, back, back).await;
    assert_eq!(d.drc(&c).getWeiPerUnitLink().call().await.unwrap(), U256::from(fallback), "down: fallback");
    d.assert_solvent(&c, &[d.consumer], &[], &[s.id()]).await;
}

#[tokio::test]
async fn answer_of_zero_or_less_reverts_even_with_a_fallback() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    d.set_config(&c, config(d.feed, LINK_ETH)).await.unwrap();
    for answer in [0i128, -1, -(LINK_ETH as i128)] {
        d.set_answer(&c, d.feed, answer).await;
        let err = c.send(d.request_tx(&c, d.consumer, 200_000, 0, 0)).await;
        assert_eq!(
            revert::<E, _>(err),
            E::FeedAnswerNotPositive(DRCoordinator::FeedAnswerNotPositive {
                feed: d.feed,
                answer: alloy::primitives::I256::try_from(answer).unwrap()
            })
        );
    }
    assert_eq!(d.balance(&c, d.consumer).await, CONSUMER_FUNDS);
    d.assert_solvent(&c, &[d.consumer], &[], &[]).await;
}

#[tokio::test]
async fn insufficient_balance_reverts_at_request_and_at_fulfilment() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    // d.other has no funds at all.
    let err = c.send(d.request_tx(&c, d.other, 200_000, 0, 0)).await;
    let E::InsufficientFunds(e) = revert::<E, _>(err) else { panic!("not InsufficientFunds") };
    assert_eq!(e.available, U256::ZERO);
    assert!(e.required > U256::ZERO);
    d.fund(&c, d.other, 1).await;
    let err = c.send(d.request_tx(&c, d.other, 200_000, 0, 0)).await;
    let E::InsufficientFunds(e) = revert::<E, _>(err) else { panic!("not InsufficientFunds") };
    assert_eq!(e.available, U256::from(1));
    let probe = d.request(&c, d.consumer, 200_000, 0).await;
    let debit = probe.sent.maxPayment.to::<u128>();
    d.fund(&c, d.other, 10 * debit).await;

    // At fulfilment: the LINK price fell tenfold, SPOT exceeds the escrow, and the payer's
    // remaining funds cover the excess -> taken from the balance.
    let s = d.request(&c, d.other, 200_000, 0).await;
    d.set_answer(&c, d.feed, (LINK_ETH / 10) as i128).await;
    let left = d.balance(&c, d.other).await;
    let r = d.fulfil(&c, &s.request, 5).await;
    let event = d.fulfilled(&r).expect("settled");
    let escrow = s.sent.maxPayment.to::<u128>() - s.request.payment.to::<u128>();
    println!(
        "gas price request {} fulfil {}; escrow {escrow} charged {}",
        s.receipt.effective_gas_price, r.effective_gas_price, event.charged
    );
    assert!(event.charged.to::<u128>() > escrow);
    assert_eq!(event.refund, U96::ZERO);
    assert_eq!(d.balance(&c, d.other).await, left - (event.charged.to::<u128>() - escrow));

    // Now the payer cannot cover the excess: fulfillData reverts with InsufficientFunds (the
    // Operator swallows it: the request stays pending here, and its escrow can be cancelled back).
    d.set_answer(&c, d.feed, LINK_ETH as i128).await;
    let s = d.request(&c, d.other, 200_000, 0).await;
    let rest = d.balance(&c, d.other).await;
    let consumer = d.consumer_at(&c, d.other);
    c.send(consumer.withdraw(c.stranger, U96::from(rest)).from(c.stranger).into_transaction_request()).await.unwrap();
    d.set_answer(&c, d.feed, (LINK_ETH / 100) as i128).await;
    let err = d.simulate_fulfil_data(&c, s.id(), U256::from(5), None).await;
    let E::InsufficientFunds(e) = revert::<E, _>(err) else { panic!("not InsufficientFunds") };
    assert_eq!(e.available, U256::ZERO);
    let r = d.fulfil(&c, &s.request, 6).await;
    assert!(d.fulfilled(&r).is_none(), "not settled");
    assert_eq!(d.consumer_at(&c, d.other).value().call().await.unwrap(), U256::from(5), "first answer only");
    d.assert_solvent(&c, &[d.consumer, d.other], &[], &[probe.id(), s.id()]).await;
    // The Operator no longer holds it: cancelling refunds the escrow only (the payment went to
    // the node with the answer that could not be paid for).
    c.increase_time(301).await;
    let r = c.send(consumer.cancel(s.id()).from(c.stranger).into_transaction_request()).await.unwrap();
    let cancelled = events::<DRCoordinator::RequestCancelled>(&r, d.coordinator).pop().unwrap();
    assert_eq!(cancelled.refund.to::<u128>(), s.sent.maxPayment.to::<u128>() - s.request.payment.to::<u128>());
    d.assert_solvent(&c, &[d.consumer, d.other], &[], &[probe.id()]).await;
}

#[tokio::test]
async fn consumer_max_payment_bounds_the_debit() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let probe = d.request(&c, d.consumer, 200_000, 0).await;
    let debit = probe.sent.maxPayment;
    let err = c.send(d.request_tx(&c, d.consumer, 200_000, 0, 1)).await;
    let E::MaxPaymentExceeded(e) = revert::<E, _>(err) else { panic!("not MaxPaymentExceeded") };
    assert_eq!(e.consumerMaxPayment, U256::from(1));
    assert!(e.maxPayment > U256::from(1));
    let before = d.balance(&c, d.consumer).await;
    let big = d.request_tx(&c, d.consumer, 200_000, 0, 1_000 * debit.to::<u128>());
    let s = d.sent(c.send(big).await.unwrap());
    assert_eq!(d.balance(&c, d.consumer).await, before - s.sent.maxPayment.to::<u128>());
    d.assert_solvent(&c, &[d.consumer], &[], &[probe.id(), s.id()]).await;
}

#[tokio::test]
async fn reverting_and_gas_burning_callbacks_are_still_charged() {
    let c = traced_chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    for (selector, gas) in [
        (DRCTestConsumer::fulfillRevertCall::SELECTOR, 100_000u32),
        (DRCTestConsumer::fulfillBurnCall::SELECTOR, 300_000),
    ] {
        let before = d.balance(&c, d.consumer).await;
        let earned = d.earnings(&c).await;
        let s = d.request_raw(&c, d.consumer, d.consumer, selector, gas, 0).await;
        let r = d.fulfil(&c, &s.request, 1).await;
        let event = d.fulfilled(&r).expect("settled");
        assert!(!event.callbackSucceeded);
        let (units, _) = traced_spot_gas(&c, r.transaction_hash).await;
        let spot = spot(&d.terms, r.effective_gas_price, units, price()).to::<u128>();
        let charged = spot - s.request.payment.to::<u128>();
        assert_eq!(event.charged.to::<u128>(), charged);
        assert_eq!(d.balance(&c, d.consumer).await, before - spot);
        assert_eq!(d.earnings(&c).await, earned + charged);
        if selector == DRCTestConsumer::fulfillBurnCall::SELECTOR {
            // All of the callback gas was used, and MAX covered it.
            assert!(units > u64::from(gas), "{units}");
            assert!(event.refund > U96::ZERO, "MAX covers a callback that uses all its gas");
        }
    }
    d.assert_solvent(&c, &[d.consumer], &[], &[]).await;
}

#[tokio::test]
async fn callback_gets_exactly_its_gas_or_the_fulfilment_reverts() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let s = d.request_raw(&c, d.consumer, d.consumer, DRCTestConsumer::fulfillGasCall::SELECTOR, 123_456, 0).await;
    // Too little gas for the callback: the coordinator refuses (the node's tx limit is the CBOR's).
    let err = d.simulate_fulfil_data(&c, s.id(), U256::from(1), Some(110_000)).await;
    let E::InsufficientGasForCallback(e) = revert::<E, _>(err) else { panic!("not InsufficientGasForCallback") };
    assert_eq!(e.required, 123_456);
    let r = d.fulfil(&c, &s.request, 1).await;
    assert!(d.fulfilled(&r).unwrap().callbackSucceeded);
    let at_callback = d.consumer_at(&c, d.consumer).gasAtCallback().call().await.unwrap().to::<u64>();
    // gasleft() at the callback's first statement: the limit minus the call's own preamble.
    assert!((123_456 - 500..123_456).contains(&at_callback), "callback had {at_callback} gas");

    // A node that attaches too little gas: the Operator passes its 400k check, the coordinator
    // cannot give 900k to the callback, reverts, and the Operator swallows that.
    d.set_spec(&c, Terms { gas_limit: 2_000_000, ..Terms::REFERENCE }).await;
    let s = d.request_raw(&c, d.consumer, d.consumer, DRCTestConsumer::fulfillUintCall::SELECTOR, 900_000, 0).await;
    assert!(tx_gas_limit(&s.request) > 900_000 + 900_000 / 32);
    let tx = d.fulfil_tx(&c, &s.request, U256::from(9)).with_gas_limit(600_000);
    let r = c.send(tx).await.unwrap();
    assert!(d.fulfilled(&r).is_none());
    assert_eq!(d.consumer_at(&c, d.consumer).value().call().await.unwrap(), U256::ZERO);
    d.assert_solvent(&c, &[d.consumer], &[], &[s.id()]).await;
}

#[tokio::test]
async fn reentering_callback_gets_reentrant_call_everywhere_and_is_charged() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let s = d.request_raw(&c, d.consumer, d.consumer, DRCTestConsumer::fulfillReenterCall::SELECTOR, 400_000, 0).await;
    let before = d.balance(&c, d.consumer).await;
    let r = d.fulfil(&c, &s.request, 1).await;
    let event = d.fulfilled(&r).expect("settled");
    assert!(event.callbackSucceeded, "the callback itself caught the reverts");
    let errors = d.consumer_at(&c, d.consumer).reentryErrors().call().await.unwrap();
    assert_eq!(errors.len(), 7);
    let reentrant: Bytes = DRCoordinator::ReentrantCall {}.abi_encode().into();
    for (i, e) in errors.iter().enumerate() {
        assert_eq!(e, &reentrant, "call {i} was not refused with ReentrantCall");
    }
    assert_eq!(d.balance(&c, d.consumer).await, before + event.refund.to::<u128>());
    assert!(event.charged > U96::ZERO);
    d.assert_solvent(&c, &[d.consumer], &[], &[]).await;
}

#[tokio::test]
async fn paused_coordinator_refuses_requests_but_settles_pending_ones() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let drc = d.drc(&c);
    let pending = d.request(&c, d.consumer, 200_000, 0).await;
    let r = c.send(drc.pause().from(c.owner).into_transaction_request()).await.unwrap();
    assert_eq!(events::<DRCoordinator::Paused>(&r, d.coordinator).pop().unwrap().account, c.owner);
    assert!(drc.paused().call().await.unwrap());
    let err = c.send(d.request_tx(&c, d.consumer, 200_000, 0, 0)).await;
    assert_eq!(revert::<E, _>(err), E::CoordinatorPaused(DRCoordinator::CoordinatorPaused {}));
    let err = c.send(drc.pause().from(c.owner).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(err), E::CoordinatorPaused(DRCoordinator::CoordinatorPaused {}));
    // Fulfilments still settle.
    let r = d.fulfil(&c, &pending.request, 3).await;
    assert!(d.fulfilled(&r).is_some());
    c.send(drc.unpause().from(c.owner).into_transaction_request()).await.unwrap();
    let err = c.send(drc.unpause().from(c.owner).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(err), E::CoordinatorNotPaused(DRCoordinator::CoordinatorNotPaused {}));
    d.request(&c, d.consumer, 200_000, 0).await;
}

#[tokio::test]
async fn spec_removed_before_fulfilment_cannot_be_fulfilled_and_is_cancelled() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let drc = d.drc(&c);
    let s = d.request(&c, d.consumer, 200_000, 0).await;
    // A fee change creates a new version; removal kills every version.
    d.set_spec(&c, Terms { fee: 2_000, ..Terms::REFERENCE }).await;
    c.send(drc.removeSpecs(vec![d.key]).from(c.owner).into_transaction_request()).await.unwrap();
    let err = d.simulate_fulfil_data(&c, s.id(), U256::from(1), None).await;
    assert_eq!(revert::<E, _>(err), E::SpecNotFound(DRCoordinator::SpecNotFound { key: d.key }));
    // New requests cannot use it either.
    let err = c.send(d.request_tx(&c, d.consumer, 200_000, 0, 0)).await;
    assert_eq!(revert::<E, _>(err), E::SpecNotFound(DRCoordinator::SpecNotFound { key: d.key }));
    // The cancellation refunds everything: the Operator still holds the payment.
    let consumer = d.consumer_at(&c, d.consumer);
    let err = c.send(consumer.cancel(s.id()).from(c.stranger).into_transaction_request()).await;
    let expiration = s.request.cancelExpiration.to::<u32>();
    assert_eq!(
        revert::<E, _>(err),
        E::RequestNotExpired(DRCoordinator::RequestNotExpired { expiration: U256::from(expiration) })
    );
    c.increase_time(301).await;
    let r = c.send(consumer.cancel(s.id()).from(c.stranger).into_transaction_request()).await.unwrap();
    let cancelled = events::<DRCoordinator::RequestCancelled>(&r, d.coordinator).pop().unwrap();
    assert_eq!(cancelled.refund, s.sent.maxPayment);
    assert_eq!(d.balance(&c, d.consumer).await, CONSUMER_FUNDS);
    d.assert_solvent(&c, &[d.consumer], &[], &[]).await;
}

#[tokio::test]
async fn fee_is_frozen_per_request_when_the_spec_changes() {
    let c = traced_chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let s = d.request(&c, d.consumer, 200_000, 0).await;
    // The owner raises the fee to 100x; the pending request keeps 10 %.
    d.set_spec(&c, Terms { fee: 100_000, ..Terms::REFERENCE }).await;
    let r = d.fulfil(&c, &s.request, 1).await;
    let (units, _) = traced_spot_gas(&c, r.transaction_hash).await;
    let expected = spot(&Terms::REFERENCE, r.effective_gas_price, units, price()) - s.request.payment;
    assert_eq!(U256::from(d.fulfilled(&r).unwrap().charged), expected);
    d.assert_solvent(&c, &[d.consumer], &[], &[]).await;
}

#[tokio::test]
async fn cancellation_after_expiry_refunds_payment_and_escrow() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let sub = {
        let drc = d.drc(&c);
        c.send(drc.createSubscription().from(c.stranger).into_transaction_request()).await.unwrap();
        c.send(drc.addConsumer(1, d.consumer).from(c.stranger).into_transaction_request()).await.unwrap();
        d.fund_sub(&c, 1, 10 * JUELS_PER_LINK).await;
        1u64
    };
    let a = d.request(&c, d.consumer, 200_000, 0).await;
    let b = d.request(&c, d.consumer, 200_000, sub).await;
    let consumer = d.consumer_at(&c, d.consumer);
    let err = c.send(consumer.cancel(a.id()).from(c.stranger).into_transaction_request()).await;
    assert!(matches!(revert::<E, _>(err), E::RequestNotExpired(_)));
    // Someone else than the requester cannot cancel.
    c.increase_time(301).await;
    let err = c.send(d.drc(&c).cancelRequest(a.id()).from(c.stranger).into_transaction_request()).await;
    assert_eq!(
        revert::<E, _>(err),
        E::NotRequester(DRCoordinator::NotRequester { caller: c.stranger, requester: d.consumer })
    );
    let operator_before = c.link_balance(d.link, d.operator).await;
    for s in [&a, &b] {
        let r = c.send(consumer.cancel(s.id()).from(c.stranger).into_transaction_request()).await.unwrap();
        let cancelled = events::<DRCoordinator::RequestCancelled>(&r, d.coordinator).pop().unwrap();
        assert_eq!(cancelled.refund, s.sent.maxPayment, "payment + escrow");
    }
    assert_eq!(
        c.link_balance(d.link, d.operator).await,
        operator_before - a.request.payment - b.request.payment,
        "the Operator refunded both payments"
    );
    assert_eq!(d.balance(&c, d.consumer).await, CONSUMER_FUNDS);
    assert_eq!(d.sub_balance(&c, sub).await, (10 * JUELS_PER_LINK, 0));
    let err = c.send(consumer.cancel(a.id()).from(c.stranger).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(err), E::RequestNotFound(DRCoordinator::RequestNotFound { requestId: a.id() }));
    // The node cannot answer a cancelled request.
    assert!(c.send(d.fulfil_tx(&c, &a.request, U256::from(1))).await.is_err());
    d.assert_solvent(&c, &[d.consumer], &[sub], &[]).await;
}

#[tokio::test]
async fn request_arguments_are_validated() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let consumer = d.consumer_at(&c, d.consumer);
    let raw = |operator: Address, callback: Address, gas: u32, confirmations: u8| {
        consumer
            .requestRaw(
                operator,
                SPEC_ID,
                callback,
                [1, 2, 3, 4].into(),
                gas,
                confirmations,
                0,
                U96::ZERO,
                Bytes::new(),
            )
            .from(c.stranger)
            .into_transaction_request()
            .with_max_fee_per_gas(MAX_FEE_PER_GAS)
            .with_max_priority_fee_per_gas(PRIORITY_FEE_PER_GAS)
    };
    let err = c.send(raw(d.consumer, d.consumer, 200_000, 0)).await;
    assert_eq!(
        revert::<E, _>(err),
        E::SpecNotFound(DRCoordinator::SpecNotFound { key: spec_key(d.consumer, SPEC_ID) })
    );
    for gas in [9_999u32, 1_000_001] {
        let err = c.send(raw(d.operator, d.consumer, gas, 0)).await;
        assert_eq!(
            revert::<E, _>(err),
            E::CallbackGasLimitOutOfRange(DRCoordinator::CallbackGasLimitOutOfRange {
                callbackGasLimit: gas,
                minimum: 10_000,
                maximum: 1_000_000
            })
        );
    }
    let err = c.send(raw(d.operator, d.consumer, 200_000, 201)).await;
    assert_eq!(
        revert::<E, _>(err),
        E::MinConfirmationsOutOfRange(DRCoordinator::MinConfirmationsOutOfRange {
            minConfirmations: 201,
            maximum: 200
        })
    );
    let err = c.send(raw(d.operator, c.stranger, 200_000, 0)).await;
    assert_eq!(
        revert::<E, _>(err),
        E::CallbackNotContract(DRCoordinator::CallbackNotContract { callbackAddr: c.stranger })
    );
    for callback in [d.link, d.coordinator] {
        let err = c.send(raw(d.operator, callback, 200_000, 0)).await;
        assert_eq!(revert::<E, _>(err), E::InvalidCallback(DRCoordinator::InvalidCallback { callbackAddr: callback }));
    }
    // The bounds themselves are accepted.
    for (gas, confirmations) in [(10_000u32, 200u8), (1_000_000, 0)] {
        let r = c.send(raw(d.operator, d.consumer, gas, confirmations)).await.unwrap();
        let s = d.sent(r);
        assert_eq!(cbor_uint(&s.request.data, "minConfirmations"), Some(u64::from(confirmations)));
        let expected = (u64::from(gas) + u64::from(gas) / 32 + FULFILL_TX_GAS_OVERHEAD).max(MIN_FULFILL_TX_GAS);
        assert_eq!(tx_gas_limit(&s.request), expected);
    }
    // The node cannot route an answer to another request id.
    let s = d.request(&c, d.consumer, 200_000, 0).await;
    let call = DRCoordinator::fulfillDataCall {
        requestId: s.id(),
        data: (B256::repeat_byte(7), U256::from(1)).abi_encode_params().into(),
    };
    let tx = TransactionRequest::default().from(d.operator).to(d.coordinator).with_input(call.abi_encode());
    let err = c.provider.call(tx).await.map_err(linkpool_bindings::Error::from);
    assert_eq!(revert::<E, _>(err), E::CallbackDataMismatch(DRCoordinator::CallbackDataMismatch { requestId: s.id() }));
    // Only the spec's Operator may fulfil.
    let call =
        DRCoordinator::fulfillDataCall { requestId: s.id(), data: (s.id(), U256::from(1)).abi_encode_params().into() };
    let tx = TransactionRequest::default().from(c.node).to(d.coordinator).with_input(call.abi_encode());
    let err = c.provider.call(tx).await.map_err(linkpool_bindings::Error::from);
    assert_eq!(revert::<E, _>(err), E::CallerNotOperator(DRCoordinator::CallerNotOperator { caller: c.node }));
}

#[tokio::test]
async fn works_with_chainlinks_operator() {
    // The same flow with Chainlink's real Operator (from @chainlink/contracts) as the spec's
    // Operator: request, answer, and cancellation after expiry.
    crate::common::ensure_reference();
    let c = traced_chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let theirs = linkpool_bindings::stack::deploy_operator(
        &c.provider,
        c.owner,
        d.link,
        linkpool_bindings::stack::Flavor::Chainlink,
    )
    .await
    .expect("Chainlink Operator");
    let op = linkpool_bindings::Operator::new(theirs, c.provider.clone());
    c.send(op.setAuthorizedSenders(vec![c.node]).from(c.owner).into_transaction_request()).await.unwrap();
    let d = Drc { operator: theirs, key: spec_key(theirs, SPEC_ID), ..d };
    d.set_spec(&c, Terms::REFERENCE).await;

    let s = d.request(&c, d.consumer, 200_000, 0).await;
    let r = d.fulfil(&c, &s.request, 31).await;
    let event = d.fulfilled(&r).expect("settled");
    let (units, _) = traced_spot_gas(&c, r.transaction_hash).await;
    let expected = spot(&d.terms, r.effective_gas_price, units, price()) - s.request.payment;
    assert_eq!(U256::from(event.charged), expected);
    assert_eq!(d.consumer_at(&c, d.consumer).value().call().await.unwrap(), U256::from(31));

    let s = d.request(&c, d.consumer, 200_000, 0).await;
    c.increase_time(301).await;
    let consumer = d.consumer_at(&c, d.consumer);
    let r = c.send(consumer.cancel(s.id()).from(c.stranger).into_transaction_request()).await.unwrap();
    let cancelled = events::<DRCoordinator::RequestCancelled>(&r, d.coordinator).pop().unwrap();
    assert_eq!(cancelled.refund, s.sent.maxPayment, "Chainlink's Operator refunded the payment");
    d.assert_solvent(&c, &[d.consumer], &[], &[]).await;
}

#[tokio::test]
async fn cancellation_running_out_of_gas_in_the_operator_changes_nothing() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let s = d.request(&c, d.consumer, 200_000, 0).await;
    c.increase_time(301).await;
    let call = DRCoordinator::cancelRequestCall { requestId: s.id() };
    let at = |gas: u64| {
        TransactionRequest::default()
            .from(d.consumer)
            .to(d.coordinator)
            .with_input(call.abi_encode())
            .with_gas_limit(gas)
    };
    // Scan gas limits: too little gas for the Operator's refund must never look like "the Operator
    // no longer holds the request" (which would refund the escrow only and strand the payment).
    let mut saw_cancel_failed = None;
    for gas in (30_000..120_000u64).step_by(250) {
        match c.provider.call(at(gas)).await.map_err(linkpool_bindings::Error::from) {
            Ok(_) => break,
            Err(e) => match e.decode_revert::<E>() {
                Some(E::OperatorCancelFailed(f)) => {
                    assert_eq!(f.requestId, s.id());
                    saw_cancel_failed.get_or_insert(gas);
                }
                Some(other) => panic!("unexpected {other:?} at {gas} gas"),
                None => {} // out of gas before or after the Operator call
            },
        }
    }
    let gas = saw_cancel_failed.expect("some gas limit runs the Operator out of gas");
    // For real, sent by the consumer contract itself (impersonated): it fails and nothing moved.
    let held = c.link_balance(d.link, d.coordinator).await;
    let raw = |method: &'static str, params: serde_json::Value| {
        let c = &c;
        async move { c.provider.raw_request::<_, serde_json::Value>(method.into(), params).await.expect(method) }
    };
    raw("anvil_setBalance", serde_json::json!([d.consumer, "0x56bc75e2d63100000"])).await;
    raw("anvil_impersonateAccount", serde_json::json!([d.consumer])).await;
    let tx = serde_json::json!([{
        "from": d.consumer, "to": d.coordinator, "input": Bytes::from(call.abi_encode()), "gas": format!("{gas:#x}"),
    }]);
    let hash: B256 = serde_json::from_value(raw("eth_sendTransaction", tx).await).unwrap();
    let mut receipt = None;
    for _ in 0..500 {
        receipt = c.provider.get_transaction_receipt(hash).await.unwrap();
        if receipt.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let receipt = receipt.expect("mined");
    assert!(!receipt.status(), "the cancellation must fail at {gas} gas");
    assert_eq!(c.link_balance(d.link, d.coordinator).await, held);
    assert_eq!(d.escrow(&c, s.id()).await, s.sent.maxPayment.to::<u128>() - s.request.payment.to::<u128>());
    // With enough gas, the full refund.
    let consumer = d.consumer_at(&c, d.consumer);
    let r = c.send(consumer.cancel(s.id()).from(c.stranger).into_transaction_request()).await.unwrap();
    assert_eq!(events::<DRCoordinator::RequestCancelled>(&r, d.coordinator).pop().unwrap().refund, s.sent.maxPayment);
    d.assert_solvent(&c, &[d.consumer], &[], &[]).await;
}
