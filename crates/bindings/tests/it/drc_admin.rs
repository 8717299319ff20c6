//! DRCoordinator's privileged functions: what the owner can do, what nobody else can, what even
//! the owner cannot (consumer and subscription funds, escrow), two-step ownership, spec
//! management and its range checks, and the extension's delegatecall-only guard.

use alloy::{
    network::TransactionBuilder,
    primitives::{aliases::U96, Address, B256, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use linkpool_bindings::{
    coordinator::IDRCoordinator as T, DRCoordinator, DRCoordinator::DRCoordinatorErrors as E, Error,
};

use crate::{
    common::{chain, revert, Chain},
    drc_common::*,
    operator::events,
};

/// Every owner-only call, from `from`.
fn owner_calls(c: &Chain, d: &Drc, from: Address) -> Vec<(&'static str, TransactionRequest)> {
    let drc = d.drc(c);
    let spec = Terms::FLAT.spec(d.operator, SPEC_ID);
    let tx = |call: TransactionRequest| call.from(from);
    vec![
        ("setSpecs", tx(drc.setSpecs(vec![d.key], vec![spec]).into_transaction_request())),
        ("removeSpecs", tx(drc.removeSpecs(vec![d.key]).into_transaction_request())),
        ("setConfig", tx(drc.setConfig(config(d.feed, 1)).into_transaction_request())),
        ("pause", tx(drc.pause().into_transaction_request())),
        ("unpause", tx(drc.unpause().into_transaction_request())),
        ("withdraw", tx(drc.withdraw(from, U96::from(1)).into_transaction_request())),
        ("transferOwnership", tx(drc.transferOwnership(from).into_transaction_request())),
    ]
}

#[tokio::test]
async fn only_the_owner_manages_and_nobody_else_can() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    for who in [c.stranger, c.node, d.consumer] {
        for (name, tx) in owner_calls(&c, &d, who) {
            let result = c.provider.call(tx).await.map_err(Error::from);
            assert_eq!(
                revert::<E, _>(result),
                E::OnlyOwner(DRCoordinator::OnlyOwner { caller: who }),
                "{name} by a non-owner"
            );
        }
    }
    // Nothing changed.
    let drc = d.drc(&c);
    assert_eq!(drc.owner().call().await.unwrap(), c.owner);
    assert!(!drc.paused().call().await.unwrap());
    assert_eq!(drc.getSpecKeys().call().await.unwrap(), vec![d.key]);
    assert_eq!(drc.getConfig().call().await.unwrap().fallbackWeiPerUnitLink, U256::ZERO);
}

#[tokio::test]
async fn ownership_moves_in_two_steps() {
    let c = chain();
    let d = deploy(&c, Terms::FLAT).await;
    let drc = d.drc(&c);
    let r = c.send(drc.transferOwnership(c.stranger).from(c.owner).into_transaction_request()).await.unwrap();
    let requested = events::<DRCoordinator::OwnershipTransferRequested>(&r, d.coordinator).pop().unwrap();
    assert_eq!((requested.from, requested.to), (c.owner, c.stranger));
    assert_eq!(drc.pendingOwner().call().await.unwrap(), c.stranger);
    assert_eq!(drc.owner().call().await.unwrap(), c.owner, "not yet");
    let err = c.send(drc.acceptOwnership().from(c.requester).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(err), E::OnlyPendingOwner(DRCoordinator::OnlyPendingOwner { caller: c.requester }));
    let r = c.send(drc.acceptOwnership().from(c.stranger).into_transaction_request()).await.unwrap();
    let moved = events::<DRCoordinator::OwnershipTransferred>(&r, d.coordinator).pop().unwrap();
    assert_eq!((moved.from, moved.to), (c.owner, c.stranger));
    assert_eq!(drc.owner().call().await.unwrap(), c.stranger);
    assert_eq!(drc.pendingOwner().call().await.unwrap(), Address::ZERO);
    // The old owner lost its powers; the new one has them.
    let err = c.send(drc.pause().from(c.owner).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(err), E::OnlyOwner(DRCoordinator::OnlyOwner { caller: c.owner }));
    c.send(drc.pause().from(c.stranger).into_transaction_request()).await.unwrap();
    // Proposing zero cancels a proposal.
    c.send(drc.transferOwnership(c.requester).from(c.stranger).into_transaction_request()).await.unwrap();
    c.send(drc.transferOwnership(Address::ZERO).from(c.stranger).into_transaction_request()).await.unwrap();
    let err = c.send(drc.acceptOwnership().from(c.requester).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(err), E::OnlyPendingOwner(DRCoordinator::OnlyPendingOwner { caller: c.requester }));
}

#[tokio::test]
async fn withdraw_is_bounded_by_earnings_never_by_what_the_coordinator_holds() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let drc = d.drc(&c);
    // Earn something.
    let s = d.request(&c, d.consumer, 200_000, 0).await;
    let _pending = d.request(&c, d.consumer, 200_000, 0).await;
    d.fulfil(&c, &s.request, 1).await;
    let earned = d.earnings(&c).await;
    assert!(earned > 0);
    let held = c.link_balance(d.link, d.coordinator).await.to::<u128>();
    assert!(held > 10 * earned, "the coordinator holds consumer funds and escrow too");
    let withdraw = |amount: u128| drc.withdraw(c.stranger, U96::from(amount)).from(c.owner).into_transaction_request();
    let err = c.send(withdraw(earned + 1)).await;
    assert_eq!(
        revert::<E, _>(err),
        E::InsufficientEarnings(DRCoordinator::InsufficientEarnings {
            available: U256::from(earned),
            requested: U256::from(earned + 1)
        })
    );
    let err = c.send(drc.withdraw(Address::ZERO, U96::from(1)).from(c.owner).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(err), E::ZeroAddress(DRCoordinator::ZeroAddress {}));
    let err = c.send(withdraw(0)).await;
    assert_eq!(revert::<E, _>(err), E::ZeroAmount(DRCoordinator::ZeroAmount {}));
    let r = c.send(withdraw(earned)).await.unwrap();
    let withdrawn = events::<DRCoordinator::EarningsWithdrawn>(&r, d.coordinator).pop().unwrap();
    assert_eq!((withdrawn.to, withdrawn.amount.to::<u128>()), (c.stranger, earned));
    assert_eq!(c.link_balance(d.link, c.stranger).await, U256::from(earned));
    assert_eq!(d.earnings(&c).await, 0);
    assert!(c.send(withdraw(1)).await.is_err());
    d.assert_solvent(&c, &[d.consumer], &[], &[_pending.id()]).await;
}

#[tokio::test]
async fn specs_are_validated_enumerated_updated_and_removed() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let drc = d.drc(&c);
    let set = |keys: Vec<B256>, specs: Vec<T::Spec>| drc.setSpecs(keys, specs).from(c.owner).into_transaction_request();
    let spec = |terms: Terms| terms.spec(d.operator, SPEC_ID);
    let check = |terms: Terms, expected: E| {
        let c = &c;
        let tx = set(vec![d.key], vec![spec(terms)]);
        async move { assert_eq!(revert::<E, _>(c.send(tx).await), expected, "{terms:?}") }
    };
    let flat = Terms::FLAT;
    check(
        Terms { payment: 0, ..flat },
        E::SpecPaymentOutOfRange(DRCoordinator::SpecPaymentOutOfRange { payment: U96::ZERO }),
    )
    .await;
    let too_much = 10u128.pow(27) + 1;
    check(
        Terms { payment: too_much, ..flat },
        E::SpecPaymentOutOfRange(DRCoordinator::SpecPaymentOutOfRange { payment: U96::from(too_much) }),
    )
    .await;
    check(
        Terms { payment: 10_001, payment_type: PERMYRIAD_TYPE, ..flat },
        E::SpecPaymentOutOfRange(DRCoordinator::SpecPaymentOutOfRange { payment: U96::from(10_001) }),
    )
    .await;
    check(Terms { fee: 0, ..flat }, E::SpecFeeOutOfRange(DRCoordinator::SpecFeeOutOfRange { fee: U96::ZERO })).await;
    check(
        Terms { fee: too_much, fee_type: PERMYRIAD_TYPE, ..flat },
        E::SpecFeeOutOfRange(DRCoordinator::SpecFeeOutOfRange { fee: U96::from(too_much) }),
    )
    .await;
    check(
        Terms { gas_limit: 399_999, ..flat },
        E::SpecGasLimitTooLow(DRCoordinator::SpecGasLimitTooLow { gasLimit: 399_999, minimum: 400_000 }),
    )
    .await;
    // The bounds are accepted.
    for terms in [
        Terms { payment: 10u128.pow(27), fee: 10u128.pow(27), gas_limit: 400_000, ..flat },
        Terms { payment: 10_000, payment_type: PERMYRIAD_TYPE, fee: 1, fee_type: PERMYRIAD_TYPE, gas_limit: 400_000 },
    ] {
        c.send(set(vec![d.key], vec![spec(terms)])).await.unwrap();
        let got = drc.getSpec(d.key).call().await.unwrap();
        assert_eq!(got.payment, U96::from(terms.payment));
        assert_eq!((got.fee, got.feeType, got.paymentType), (U96::from(terms.fee), terms.fee_type, terms.payment_type));
    }
    let err = c.send(set(vec![B256::ZERO], vec![spec(flat)])).await;
    assert_eq!(
        revert::<E, _>(err),
        E::SpecKeyMismatch(DRCoordinator::SpecKeyMismatch { key: B256::ZERO, expected: d.key })
    );
    let err = c.send(set(vec![d.key, d.key], vec![spec(flat)])).await;
    assert_eq!(
        revert::<E, _>(err),
        E::SpecArraysMismatch(DRCoordinator::SpecArraysMismatch { keys: U256::from(2), specs: U256::from(1) })
    );
    let err = c.send(set(vec![], vec![])).await;
    assert_eq!(
        revert::<E, _>(err),
        E::SpecArraysMismatch(DRCoordinator::SpecArraysMismatch { keys: U256::ZERO, specs: U256::ZERO })
    );
    let eoa_spec = flat.spec(c.stranger, SPEC_ID);
    let err = c.send(set(vec![spec_key(c.stranger, SPEC_ID)], vec![eoa_spec])).await;
    assert_eq!(
        revert::<E, _>(err),
        E::SpecOperatorNotContract(DRCoordinator::SpecOperatorNotContract { operator: c.stranger })
    );

    // Several specs: same job id on another Operator is another key.
    let operator2 = linkpool_bindings::stack::deploy_operator(
        &c.provider,
        c.owner,
        d.link,
        linkpool_bindings::stack::Flavor::Linkpool,
    )
    .await
    .unwrap();
    let ids: Vec<B256> = (1u8..=4).map(B256::repeat_byte).collect();
    let mut keys: Vec<B256> = ids.iter().map(|id| spec_key(operator2, *id)).collect();
    let specs: Vec<T::Spec> = ids.iter().map(|id| flat.spec(operator2, *id)).collect();
    let r = c.send(set(keys.clone(), specs)).await.unwrap();
    assert_eq!(events::<DRCoordinator::SpecSet>(&r, d.coordinator).len(), 4);
    keys.push(d.key);
    let mut listed = drc.getSpecKeys().call().await.unwrap();
    listed.sort();
    keys.sort();
    assert_eq!(listed, keys);
    // Remove from the middle and the end; enumeration stays exact.
    let gone = vec![spec_key(operator2, ids[1]), d.key];
    let r = c.send(drc.removeSpecs(gone.clone()).from(c.owner).into_transaction_request()).await.unwrap();
    assert_eq!(events::<DRCoordinator::SpecRemoved>(&r, d.coordinator).len(), 2);
    let mut listed = drc.getSpecKeys().call().await.unwrap();
    listed.sort();
    let mut expected: Vec<B256> = keys.iter().filter(|k| !gone.contains(k)).copied().collect();
    expected.sort();
    assert_eq!(listed, expected);
    let err = c.send(drc.removeSpecs(vec![d.key]).from(c.owner).into_transaction_request()).await;
    assert_eq!(revert::<E, _>(err), E::SpecNotFound(DRCoordinator::SpecNotFound { key: d.key }));
    // Re-creating a removed spec works.
    c.send(set(vec![d.key], vec![spec(flat)])).await.unwrap();
    assert_eq!(drc.getSpec(d.key).call().await.unwrap().specId, SPEC_ID);
    assert_eq!(drc.specKey(d.operator, SPEC_ID).call().await.unwrap(), d.key);
}

#[tokio::test]
async fn the_extension_only_runs_through_the_coordinator() {
    let c = chain();
    let d = deploy(&c, Terms::FLAT).await;
    let extension = d.drc(&c).extension().call().await.unwrap();
    assert_ne!(extension, Address::ZERO);
    let call = DRCoordinator::createSubscriptionCall {};
    let tx = TransactionRequest::default().from(c.stranger).to(extension).with_input(call.abi_encode());
    let err = c.provider.call(tx).await.map_err(Error::from).unwrap_err();
    // OnlyDelegateCall() is the extension's own error.
    let selector = alloy::primitives::keccak256("OnlyDelegateCall()");
    assert_eq!(err.revert_data().unwrap().as_ref(), &selector[..4]);
}
