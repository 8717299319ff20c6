//! Operator administration: cancellation, withdrawals, authorized senders, ownership.

use alloy::primitives::{Address, U256};
use linkpool_bindings::{
    stack::{self, sample, StackConfig},
    ConsumerUint256, IOperator, Operator,
    Operator::OperatorErrors as E,
};

use crate::{
    common::{chain, revert},
    operator::{answer2, events, request_v2, simulate_fulfil},
};

#[tokio::test]
async fn cancel_only_after_expiration_refunds_requester() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let (_, req) = request_v2(&c, &s).await;
    let consumer = ConsumerUint256::new(s.consumer, c.provider.clone());
    let op = Operator::new(s.operator, c.provider.clone());
    let before = c.link_balance(s.link, s.consumer).await;

    let early = c
        .send(
            consumer
                .cancelRequest(req.requestId, req.payment, req.cancelExpiration)
                .from(c.owner)
                .into_transaction_request(),
        )
        .await;
    assert_eq!(
        revert::<E, _>(early),
        E::RequestNotExpired(Operator::RequestNotExpired {
            requestId: req.requestId,
            expiration: req.cancelExpiration
        })
    );

    c.increase_time(301).await;
    // Only the requester matches the commitment.
    let foreign = c
        .send(
            op.cancelOracleRequest(req.requestId, req.payment, req.callbackFunctionId, req.cancelExpiration)
                .from(c.stranger)
                .into_transaction_request(),
        )
        .await;
    assert_eq!(revert::<E, _>(foreign), E::ParamsMismatch(Operator::ParamsMismatch { requestId: req.requestId }));

    let receipt = c
        .send(
            consumer
                .cancelRequest(req.requestId, req.payment, req.cancelExpiration)
                .from(c.owner)
                .into_transaction_request(),
        )
        .await
        .expect("cancel");
    assert_eq!(events::<IOperator::CancelOracleRequest>(&receipt, s.operator)[0].requestId, req.requestId);
    assert_eq!(events::<ConsumerUint256::ChainlinkCancelled>(&receipt, s.consumer)[0].id, req.requestId);
    assert_eq!(c.link_balance(s.link, s.consumer).await, before + req.payment);
    assert_eq!(c.link_balance(s.link, s.operator).await, U256::ZERO);

    let late = simulate_fulfil(&c, s.operator, s.node, &req, answer2(&req, 1)).await;
    assert_eq!(revert::<E, _>(late), E::UnknownRequest(Operator::UnknownRequest { requestId: req.requestId }));
}

#[tokio::test]
async fn withdraw_is_limited_to_link_not_in_escrow() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let op = Operator::new(s.operator, c.provider.clone());
    let (_, answered) = request_v2(&c, &s).await;
    let (_, _pending) = request_v2(&c, &s).await;
    stack::fulfil(&c.provider, s.operator, s.node, &answered, answer2(&answered, 1)).await.unwrap();
    // LINK sent outside a request is withdrawable too, as in Chainlink's Operator.
    let stray = U256::from(5);
    c.fund(s.link, s.operator, stray).await;
    let payment = sample::PAYMENT;
    let available = payment + stray;
    assert_eq!(op.withdrawable().call().await.unwrap(), available);

    let too_much =
        c.send(op.withdraw(c.stranger, available + U256::from(1)).from(c.owner).into_transaction_request()).await;
    assert_eq!(
        revert::<E, _>(too_much),
        E::InsufficientWithdrawable(Operator::InsufficientWithdrawable {
            requested: available + U256::from(1),
            available
        })
    );
    let not_owner = c.send(op.withdraw(c.stranger, U256::from(1)).from(c.stranger).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(not_owner), E::NotOwner(Operator::NotOwner { caller: c.stranger }));

    let half = payment / U256::from(2);
    c.send(op.withdraw(c.stranger, half).from(c.owner).into_transaction_request()).await.unwrap();
    assert_eq!(c.link_balance(s.link, c.stranger).await, half);
    assert_eq!(op.withdrawable().call().await.unwrap(), available - half);

    // Earnings survive a change of node accounts.
    c.send(op.setAuthorizedSenders(vec![c.stranger]).from(c.owner).into_transaction_request()).await.unwrap();
    assert_eq!(op.withdrawable().call().await.unwrap(), available - half);
    c.send(op.withdraw(c.owner, available - half).from(c.owner).into_transaction_request()).await.unwrap();
    assert_eq!(op.withdrawable().call().await.unwrap(), U256::ZERO);
    // What is left is exactly the pending escrow.
    assert_eq!(c.link_balance(s.link, s.operator).await, payment);
}

#[tokio::test]
async fn authorized_senders_are_managed_by_the_owner() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let op = Operator::new(s.operator, c.provider.clone());
    assert_eq!(op.getAuthorizedSenders().call().await.unwrap(), vec![s.node]);
    assert!(op.isAuthorizedSender(s.node).call().await.unwrap());

    let r = c.send(op.setAuthorizedSenders(vec![c.stranger]).from(s.node).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(r), E::NotOwner(Operator::NotOwner { caller: s.node }));
    let r =
        c.send(op.setAuthorizedSenders(vec![c.stranger, c.stranger]).from(c.owner).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(r), E::DuplicateSender(Operator::DuplicateSender { sender: c.stranger }));
    let r = c.send(op.setAuthorizedSenders(vec![Address::ZERO]).from(c.owner).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(r), E::ZeroAddress(Operator::ZeroAddress {}));

    let receipt = c
        .send(op.setAuthorizedSenders(vec![c.stranger, s.node]).from(c.owner).into_transaction_request())
        .await
        .unwrap();
    let changed = &events::<Operator::AuthorizedSendersChanged>(&receipt, s.operator)[0];
    assert_eq!((changed.senders.clone(), changed.changedBy), (vec![c.stranger, s.node], c.owner));

    // An empty set revokes everyone.
    c.send(op.setAuthorizedSenders(vec![]).from(c.owner).into_transaction_request()).await.unwrap();
    assert!(!op.isAuthorizedSender(s.node).call().await.unwrap());
    assert!(!op.isAuthorizedSender(c.stranger).call().await.unwrap());
    let (_, req) = request_v2(&c, &s).await;
    let r = simulate_fulfil(&c, s.operator, s.node, &req, answer2(&req, 1)).await;
    assert_eq!(revert::<E, _>(r), E::UnauthorizedSender(Operator::UnauthorizedSender { caller: s.node }));
}

#[tokio::test]
async fn ownership_transfer_is_two_step() {
    let c = chain();
    let s = c.stack(StackConfig::LINKPOOL).await;
    let op = Operator::new(s.operator, c.provider.clone());
    let new_owner = c.stranger;

    let r = c.send(op.transferOwnership(new_owner).from(new_owner).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(r), E::NotOwner(Operator::NotOwner { caller: new_owner }));
    let r = c.send(op.transferOwnership(c.owner).from(c.owner).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(r), E::TransferToSelf(Operator::TransferToSelf {}));

    let receipt = c.send(op.transferOwnership(new_owner).from(c.owner).into_transaction_request()).await.unwrap();
    let requested = &events::<Operator::OwnershipTransferRequested>(&receipt, s.operator)[0];
    assert_eq!((requested.from, requested.to), (c.owner, new_owner));
    assert_eq!(op.owner().call().await.unwrap(), c.owner, "nothing changes until accepted");
    assert_eq!(op.pendingOwner().call().await.unwrap(), new_owner);

    let r = c.send(op.acceptOwnership().from(s.node).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(r), E::NotPendingOwner(Operator::NotPendingOwner { caller: s.node }));
    let receipt = c.send(op.acceptOwnership().from(new_owner).into_transaction_request()).await.unwrap();
    let transferred = &events::<Operator::OwnershipTransferred>(&receipt, s.operator)[0];
    assert_eq!((transferred.from, transferred.to), (c.owner, new_owner));
    assert_eq!(op.owner().call().await.unwrap(), new_owner);
    assert_eq!(op.pendingOwner().call().await.unwrap(), Address::ZERO);

    let r = c.send(op.setAuthorizedSenders(vec![c.owner]).from(c.owner).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(r), E::NotOwner(Operator::NotOwner { caller: c.owner }));
    c.send(op.setAuthorizedSenders(vec![c.owner]).from(new_owner).into_transaction_request()).await.unwrap();
}
