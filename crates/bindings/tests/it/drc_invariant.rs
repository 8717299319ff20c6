//! DRCoordinator solvency over random operation sequences (proptest): after every operation,
//! whether it succeeded or reverted, `LINK.balanceOf(coordinator) == Σ consumer balances +
//! Σ subscription balances + owner earnings + Σ escrow of pending requests`, and every
//! settlement moves exactly what its event says. Each case runs on a fresh anvil.

use alloy::{
    network::TransactionBuilder,
    primitives::{aliases::U96, Address, Bytes, B256, U256},
    providers::Provider,
    sol_types::SolCall,
};
use linkpool_bindings::{DRCTestConsumer, LinkToken};
use proptest::{prelude::*, test_runner::TestCaseError};

use crate::{
    common::{chain, Chain},
    drc_common::*,
};

/// How many operations a case runs, and how many cases.
const MAX_OPS: usize = 20;
const CASES: u32 = 48;

#[derive(Clone, Debug)]
enum Op {
    /// Credit consumer `to` (index) with `milli` thousandths of a LINK, by transferAndCall or by
    /// approve + addFunds.
    Fund { to: usize, milli: u64, approve: bool },
    /// Fund the subscription.
    FundSub { milli: u64 },
    /// Consumer `from` requests, billed to its balance or the subscription, answered in itself or
    /// in the other consumer, by a well-behaved, reverting or gas-burning callback.
    Request { from: usize, sub: bool, split: bool, callback: u8, gas: u32 },
    /// The node answers pending request `pick` (modulo the number pending).
    Fulfil { pick: usize },
    /// The requester of pending request `pick` cancels it after its expiry.
    Cancel { pick: usize },
    /// Consumer `from` withdraws `permille` of its balance.
    Withdraw { from: usize, permille: u16 },
    /// The owner withdraws `permille` of its earnings.
    OwnerWithdraw { permille: u16 },
    /// The LINK price moves to `percent` % of the initial one (SPOT may exceed the escrow).
    Price { percent: u16 },
    /// The owner removes the spec, or sets it again with a new fee (a new version).
    Spec { remove: bool, fee: u16 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..2usize, 1..3_000u64, any::<bool>()).prop_map(|(to, milli, approve)| Op::Fund { to, milli, approve }),
        1 => (1..3_000u64).prop_map(|milli| Op::FundSub { milli }),
        5 => (0..2usize, any::<bool>(), any::<bool>(), 0..3u8, 20_000..400_000u32)
            .prop_map(|(from, sub, split, callback, gas)| Op::Request { from, sub, split, callback, gas }),
        4 => any::<usize>().prop_map(|pick| Op::Fulfil { pick }),
        2 => any::<usize>().prop_map(|pick| Op::Cancel { pick }),
        1 => (0..2usize, 0..=1_000u16).prop_map(|(from, permille)| Op::Withdraw { from, permille }),
        1 => (0..=1_000u16).prop_map(|permille| Op::OwnerWithdraw { permille }),
        1 => (20..400u16).prop_map(|percent| Op::Price { percent }),
        1 => (any::<bool>(), 1..5_000u16).prop_map(|(remove, fee)| Op::Spec { remove, fee }),
    ]
}

struct World {
    c: Chain,
    d: Drc,
    consumers: [Address; 2],
    sub: u64,
}

/// What the cases did, to check the generator reaches every path.
#[derive(Default, Debug)]
struct Stats {
    requests: u32,
    refused_requests: u32,
    settled: u32,
    swallowed: u32,
    cancelled: u32,
}

impl Stats {
    fn add(&mut self, case: &Stats) {
        self.requests += case.requests;
        self.refused_requests += case.refused_requests;
        self.settled += case.settled;
        self.swallowed += case.swallowed;
        self.cancelled += case.cancelled;
    }
}

async fn run_case(w: &World, ops: &[Op], stats: &mut Stats) -> Result<(), TestCaseError> {
    let (c, d) = (&w.c, &w.d);
    let mut pending: Vec<B256> = Vec::new();
    let mut spec_live = true;
    for op in ops {
        match op {
            Op::Fund { to, milli, approve } => {
                let amount = u128::from(*milli) * JUELS_PER_LINK / 1_000;
                let token = LinkToken::new(d.link, c.provider.clone());
                if *approve {
                    let tx = token.approve(d.coordinator, U256::from(amount)).from(c.owner);
                    c.send(tx.into_transaction_request()).await.unwrap();
                    let drc = d.drc(c);
                    let tx = drc.addFunds(w.consumers[*to], U96::from(amount)).from(c.owner);
                    c.send(tx.into_transaction_request()).await.unwrap();
                } else {
                    d.fund(c, w.consumers[*to], amount).await;
                }
            }
            Op::FundSub { milli } => {
                d.fund_sub(c, w.sub, u128::from(*milli) * JUELS_PER_LINK / 1_000).await;
            }
            Op::Request { from, sub, split, callback, gas } => {
                let requester = w.consumers[*from];
                let target = if *split { w.consumers[1 - *from] } else { requester };
                let selector = match callback {
                    0 => DRCTestConsumer::fulfillUintCall::SELECTOR,
                    1 => DRCTestConsumer::fulfillRevertCall::SELECTOR,
                    _ => DRCTestConsumer::fulfillBurnCall::SELECTOR,
                };
                let sub_id = if *sub { w.sub } else { 0 };
                let tx = d
                    .consumer_at(c, requester)
                    .requestRaw(d.operator, SPEC_ID, target, selector.into(), *gas, 1, sub_id, U96::ZERO, Bytes::new())
                    .from(c.requester)
                    .into_transaction_request()
                    .with_max_fee_per_gas(MAX_FEE_PER_GAS)
                    .with_max_priority_fee_per_gas(PRIORITY_FEE_PER_GAS);
                // May fail: no funds, spec removed, bad price. Nothing may move then.
                match c.send(tx).await {
                    Ok(receipt) => {
                        pending.push(d.sent(receipt).id());
                        stats.requests += 1;
                    }
                    Err(_) => stats.refused_requests += 1,
                }
            }
            Op::Fulfil { pick } => {
                if pending.is_empty() {
                    continue;
                }
                let id = pending[pick % pending.len()];
                let request = request_event(c, d, id).await;
                let info = d.drc(c).getRequest(id).call().await.unwrap();
                let (funds_before, earned_before) =
                    (payer_funds(d, c, info.requester, info.subId).await, d.earnings(c).await);
                let receipt = c.send(d.fulfil_tx(c, &request, U256::from(7))).await;
                // The Operator swallows a reverting fulfillData (spec removed, excess the payer
                // cannot cover): then the request stays pending here.
                if let Ok(receipt) = receipt {
                    if let Some(event) = d.fulfilled(&receipt) {
                        prop_assert_eq!(event.requestId, id);
                        // The payer gets the escrow back minus what was charged (or pays the excess).
                        let (charged, escrow) = (event.charged.to::<u128>(), info.escrow.to::<u128>());
                        prop_assert_eq!(d.earnings(c).await, earned_before + charged);
                        prop_assert_eq!(
                            payer_funds(d, c, info.requester, info.subId).await + charged,
                            funds_before + escrow
                        );
                        prop_assert_eq!(event.refund.to::<u128>(), escrow.saturating_sub(charged));
                        pending.retain(|p| *p != id);
                        stats.settled += 1;
                    } else {
                        stats.swallowed += 1;
                    }
                }
            }
            Op::Cancel { pick } => {
                if pending.is_empty() {
                    continue;
                }
                let id = pending[pick % pending.len()];
                let requester = d.drc(c).getRequest(id).call().await.unwrap().requester;
                c.increase_time(301).await;
                let consumer = d.consumer_at(c, requester);
                c.send(consumer.cancel(id).from(c.stranger).into_transaction_request()).await.unwrap();
                pending.retain(|p| *p != id);
                stats.cancelled += 1;
            }
            Op::Withdraw { from, permille } => {
                let consumer = w.consumers[*from];
                let amount = d.balance(c, consumer).await * u128::from(*permille) / 1_000;
                if amount > 0 {
                    let consumer = d.consumer_at(c, consumer);
                    let tx = consumer.withdraw(c.stranger, U96::from(amount)).from(c.stranger);
                    c.send(tx.into_transaction_request()).await.unwrap();
                }
            }
            Op::OwnerWithdraw { permille } => {
                let amount = d.earnings(c).await * u128::from(*permille) / 1_000;
                if amount > 0 {
                    let drc = d.drc(c);
                    let tx = drc.withdraw(c.stranger, U96::from(amount)).from(c.owner);
                    c.send(tx.into_transaction_request()).await.unwrap();
                }
            }
            Op::Price { percent } => {
                d.set_answer(c, d.feed, (LINK_ETH * u128::from(*percent) / 100) as i128).await;
            }
            Op::Spec { remove, fee } => {
                if *remove && spec_live {
                    let drc = d.drc(c);
                    c.send(drc.removeSpecs(vec![d.key]).from(c.owner).into_transaction_request()).await.unwrap();
                    spec_live = false;
                } else if !*remove {
                    d.set_spec(c, Terms { fee: u128::from(*fee), ..Terms::REFERENCE }).await;
                    spec_live = true;
                }
            }
        }
        d.assert_solvent(c, &w.consumers, &[w.sub], &pending).await;
    }
    // Everything still pending can be cancelled, and then only balances and earnings remain.
    c.increase_time(301).await;
    for id in pending.clone() {
        let requester = d.drc(c).getRequest(id).call().await.unwrap().requester;
        let consumer = d.consumer_at(c, requester);
        c.send(consumer.cancel(id).from(c.stranger).into_transaction_request()).await.unwrap();
    }
    d.assert_solvent(c, &w.consumers, &[w.sub], &[]).await;
    Ok(())
}

/// What a request's payer has: the requester's balance or the subscription's.
async fn payer_funds(d: &Drc, c: &Chain, requester: Address, sub_id: u64) -> u128 {
    if sub_id == 0 {
        d.balance(c, requester).await
    } else {
        d.sub_balance(c, sub_id).await.0
    }
}

/// The `OracleRequest` of a pending request, from the logs of the block it was sent in.
async fn request_event(c: &Chain, d: &Drc, id: B256) -> linkpool_bindings::IOperator::OracleRequest {
    let filter = alloy::rpc::types::Filter::new().address(d.operator).from_block(0);
    let logs = c.provider.get_logs(&filter).await.unwrap();
    logs.iter()
        .filter_map(|l| l.log_decode::<linkpool_bindings::IOperator::OracleRequest>().ok())
        .map(|l| l.inner.data)
        .find(|r| r.requestId == id)
        .expect("OracleRequest of a pending request")
}

/// A fresh anvil with the stack, a subscription billing both test consumers, funded.
async fn world() -> World {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let drc = d.drc(&c);
    c.send(drc.createSubscription().from(c.stranger).into_transaction_request()).await.unwrap();
    for consumer in [d.consumer, d.other] {
        c.send(drc.addConsumer(1, consumer).from(c.stranger).into_transaction_request()).await.unwrap();
    }
    d.fund_sub(&c, 1, JUELS_PER_LINK).await;
    World { consumers: [d.consumer, d.other], sub: 1, c, d }
}

#[test]
fn coordinator_link_always_equals_what_it_owes() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: CASES,
        max_shrink_iters: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = proptest::collection::vec(op(), 1..=MAX_OPS);
    let stats = std::sync::Mutex::new(Stats::default());
    // A fresh chain per case (snapshots would replay identical transactions, whose hashes the
    // provider's receipt watcher has already seen).
    runner
        .run(&strategy, |ops| {
            runtime.block_on(async {
                let world = world().await;
                let mut case = Stats::default();
                let result = run_case(&world, &ops, &mut case).await;
                stats.lock().unwrap().add(&case);
                result
            })
        })
        .unwrap();
    let stats = stats.into_inner().unwrap();
    println!("{CASES} cases: {stats:?}");
    assert!(stats.settled > 0 && stats.cancelled > 0 && stats.refused_requests > 0, "{stats:?}");
}
