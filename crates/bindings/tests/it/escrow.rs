//! Escrow accounting: `withdrawable() == LINK.balanceOf(operator) - escrow` in every state, as in
//! Chainlink's Operator. Stray LINK (a plain `transfer`) is withdrawable, the payments of pending
//! requests never are, a fulfilment makes its payment withdrawable, a cancellation refunds it.
//! The same scenario runs on Chainlink's Operator and must give the same figures.

use alloy::primitives::{Address, U256};
use linkpool_bindings::{
    stack::{self, sample, Answer, DirectRequestStack, Flavor, StackConfig},
    ConsumerUint256, Operator,
    Operator::OperatorErrors as E,
};

use crate::{
    common::{chain, revert, Chain},
    operator::{answer2, request_v1, request_v2},
};

/// Reads `withdrawable()` and checks it is the operator's LINK balance minus `escrow` (the sum of
/// the payments of the requests the scenario left pending).
async fn withdrawable(c: &Chain, s: &DirectRequestStack, escrow: U256, state: &str) -> U256 {
    let op = Operator::new(s.operator, c.provider.clone());
    let balance = c.link_balance(s.link, s.operator).await;
    let available = op.withdrawable().call().await.expect("withdrawable");
    assert_eq!(available, balance - escrow, "{state} ({:?}): balance {balance}, escrow {escrow}", s.config.operator);
    available
}

/// Withdraws `amount` to `to` as the owner and checks that exactly `amount` moved.
async fn withdraw(c: &Chain, s: &DirectRequestStack, to: Address, amount: U256) {
    let op = Operator::new(s.operator, c.provider.clone());
    let before = c.link_balance(s.link, to).await;
    c.send(op.withdraw(to, amount).from(c.owner).into_transaction_request()).await.expect("withdraw");
    assert_eq!(c.link_balance(s.link, to).await, before + amount);
}

/// Checks that the owner cannot withdraw one juel more than `available`, and that nothing moved.
async fn refuses_more_than(c: &Chain, s: &DirectRequestStack, available: U256) {
    let op = Operator::new(s.operator, c.provider.clone());
    let balance = c.link_balance(s.link, s.operator).await;
    let requested = available + U256::from(1);
    let result = c.send(op.withdraw(c.stranger, requested).from(c.owner).into_transaction_request()).await;
    if s.config.operator == Flavor::Linkpool {
        assert_eq!(
            revert::<E, _>(result),
            E::InsufficientWithdrawable(Operator::InsufficientWithdrawable { requested, available })
        );
    } else {
        // Chainlink reverts with a string.
        assert!(result.is_err(), "chainlink withdrew escrowed LINK");
    }
    assert_eq!(c.link_balance(s.link, s.operator).await, balance);
}

/// Drives one operator through stray transfers, requests, fulfilments by an old and a new node
/// account, a cancellation and withdrawals. Returns `withdrawable()` after each step.
async fn scenario(c: &Chain, s: &DirectRequestStack) -> Vec<U256> {
    let p = sample::PAYMENT;
    let consumer = ConsumerUint256::new(s.consumer, c.provider.clone());
    let mut trace = Vec::new();

    assert_eq!(withdrawable(c, s, U256::ZERO, "fresh").await, U256::ZERO);
    trace.push(U256::ZERO);

    // Stray LINK is withdrawable as soon as it arrives.
    c.fund(s.link, s.operator, U256::from(5)).await;
    let w = withdrawable(c, s, U256::ZERO, "stray").await;
    assert_eq!(w, U256::from(5));
    trace.push(w);

    // Three pending requests: their payments are escrowed, the stray LINK is still withdrawable.
    let (_, a) = request_v2(c, s).await;
    let (_, b) = request_v2(c, s).await;
    let v1 = request_v1(c, s).await;
    let w = withdrawable(c, s, p * U256::from(3), "three pending").await;
    assert_eq!(w, U256::from(5));
    refuses_more_than(c, s, w).await;
    trace.push(w);

    // A fulfilment releases its payment.
    stack::fulfil(&c.provider, s.operator, s.node, &a, answer2(&a, 1)).await.expect("fulfil a");
    let w = withdrawable(c, s, p * U256::from(2), "a fulfilled").await;
    assert_eq!(w, U256::from(5) + p);
    trace.push(w);

    // Withdrawing everything available leaves exactly the escrow.
    withdraw(c, s, c.stranger, w).await;
    let w = withdrawable(c, s, p * U256::from(2), "all withdrawn").await;
    assert_eq!(w, U256::ZERO);
    assert_eq!(c.link_balance(s.link, s.operator).await, p * U256::from(2));
    refuses_more_than(c, s, w).await;
    trace.push(w);

    // A cancellation refunds the requester; nothing becomes withdrawable.
    c.increase_time(301).await;
    let before = c.link_balance(s.link, s.consumer).await;
    c.send(consumer.cancelRequest(b.requestId, b.payment, b.cancelExpiration).from(c.owner).into_transaction_request())
        .await
        .expect("cancel b");
    assert_eq!(c.link_balance(s.link, s.consumer).await, before + p);
    let w = withdrawable(c, s, p, "b cancelled").await;
    assert_eq!(w, U256::ZERO);
    refuses_more_than(c, s, w).await;
    trace.push(w);

    // More stray LINK, then the node account is replaced: what the old account released stays
    // out of the escrow, and the new account's fulfilment releases the last payment.
    c.fund(s.link, s.operator, U256::from(7)).await;
    let op = Operator::new(s.operator, c.provider.clone());
    c.send(op.setAuthorizedSenders(vec![c.stranger]).from(c.owner).into_transaction_request())
        .await
        .expect("replace senders");
    let w = withdrawable(c, s, p, "senders replaced").await;
    assert_eq!(w, U256::from(7));
    trace.push(w);
    stack::fulfil(&c.provider, s.operator, c.stranger, &v1, Answer::Word(U256::from(2).into()))
        .await
        .expect("fulfil v1 by the new sender");
    let w = withdrawable(c, s, U256::ZERO, "v1 fulfilled").await;
    assert_eq!(w, U256::from(7) + p);
    trace.push(w);

    // Partial withdrawal, then a new pending request: still only the non-escrowed part.
    withdraw(c, s, c.owner, U256::from(3)).await;
    let (_, d) = request_v2(c, s).await;
    let w = withdrawable(c, s, p, "d pending").await;
    assert_eq!(w, U256::from(4) + p);
    refuses_more_than(c, s, w).await;
    trace.push(w);
    withdraw(c, s, c.owner, w).await;
    assert_eq!(withdrawable(c, s, p, "drained").await, U256::ZERO);
    trace.push(U256::ZERO);

    // The escrow is intact: the last request can still be answered and paid.
    stack::fulfil(&c.provider, s.operator, c.stranger, &d, answer2(&d, 3)).await.expect("fulfil d");
    let w = withdrawable(c, s, U256::ZERO, "d fulfilled").await;
    assert_eq!(w, p);
    trace.push(w);
    trace
}

#[tokio::test]
async fn withdrawable_is_balance_minus_escrow() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    scenario(&c, &s).await;
}

#[tokio::test]
async fn withdrawable_matches_chainlink_operator_in_every_state() {
    let ours = {
        let c = chain();
        let s = c.stack(StackConfig::LINKPOOL).await;
        scenario(&c, &s).await
    };
    let theirs = {
        let c = chain();
        let s = c.stack(StackConfig { operator: Flavor::Chainlink, ..StackConfig::LINKPOOL }).await;
        scenario(&c, &s).await
    };
    assert_eq!(ours, theirs);
}
