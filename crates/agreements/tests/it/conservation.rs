//! Property test (issue 6 acceptance): LINK conservation across `OrderMatching`'s escrow and
//! penalties over random sequences of proposals, bids (some wrongly sized), finalizations,
//! requests, commits, reveals (some mismatching), settlements, clock moves and closes, on anvil.
//!
//! After every step:
//! - the LINK of all accounts and `OrderMatching` together never changes;
//! - `OrderMatching` holds exactly the penalties of pending and selected bids plus the escrow of
//!   open sessions (read back from its views).
//!
//! At the end every session is settled and every SLA closed, and then:
//! - `OrderMatching` holds nothing;
//! - each oracle has its starting LINK, minus its forfeited penalties, plus its `OraclePaid`
//!   payments; the purchaser has its starting LINK minus its escrows plus refunds and forfeits
//!   (from the events), so no juel went anywhere the events do not say.
//!
//! `LINKPOOL_AGREEMENT_CASES` (default 6) sequences of `LINKPOOL_AGREEMENT_STEPS` (default 80).

use std::collections::{BTreeMap, HashMap};

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use linkpool_agreements::{BidState, SessionStatus, SlaStatus};
use linkpool_bindings::agreements::OrderMatching;
use proptest::{prelude::*, test_runner::TestRunner};

use crate::common::{Answer, Net, LINK};

const ORACLES: usize = 6;

#[derive(Debug, Clone)]
enum Op {
    Propose {
        n: u8,
        max_misses: u8,
    },
    Bid {
        oracle: usize,
        sla: usize,
        wrong_amount: bool,
    },
    /// Every oracle but `skip` (if below `ORACLES`) bids on a bidding SLA.
    BidAll {
        sla: usize,
        skip: usize,
    },
    Finalize {
        sla: usize,
    },
    Request {
        sla: usize,
    },
    Commit {
        oracle: usize,
        session: usize,
        answer: i64,
    },
    Reveal {
        oracle: usize,
        session: usize,
        mismatch: bool,
    },
    Settle {
        session: usize,
    },
    Advance {
        seconds: u64,
    },
    Close {
        sla: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let o = 0..ORACLES;
    let pick = 0usize..8;
    prop_oneof![
        1 => (4u8..=6, 0u8..2).prop_map(|(n, max_misses)| Op::Propose { n, max_misses }),
        6 => (o.clone(), pick.clone(), prop::bool::weighted(0.1))
            .prop_map(|(oracle, sla, wrong_amount)| Op::Bid { oracle, sla, wrong_amount }),
        4 => (pick.clone(), 0..ORACLES + 3).prop_map(|(sla, skip)| Op::BidAll { sla, skip }),
        2 => pick.clone().prop_map(|sla| Op::Finalize { sla }),
        3 => pick.clone().prop_map(|sla| Op::Request { sla }),
        8 => (o.clone(), pick.clone(), 0i64..3).prop_map(|(oracle, session, answer)| Op::Commit { oracle, session, answer }),
        8 => (o, pick.clone(), prop::bool::weighted(0.1))
            .prop_map(|(oracle, session, mismatch)| Op::Reveal { oracle, session, mismatch }),
        1 => pick.clone().prop_map(|session| Op::Settle { session }),
        3 => prop_oneof![4 => 0u64..90, 1 => 90u64..400].prop_map(|seconds| Op::Advance { seconds }),
        1 => pick.prop_map(|sla| Op::Close { sla }),
    ]
}

fn env_or(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn link_is_conserved_across_escrow_and_penalties() {
    let steps = env_or("LINKPOOL_AGREEMENT_STEPS", 80) as usize;
    let config = ProptestConfig {
        cases: env_or("LINKPOOL_AGREEMENT_CASES", 6),
        max_shrink_iters: 20,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let result =
        runner.run(&prop::collection::vec(op(), steps), |ops| rt.block_on(run(ops)).map_err(TestCaseError::fail));
    if let Err(e) = result {
        panic!("{e}");
    }
}

async fn run(ops: Vec<Op>) -> Result<(), String> {
    let net = Net::new(ORACLES).await;
    let accounts: Vec<Address> = [net.purchaser].into_iter().chain(net.oracles.iter().copied()).collect();
    let start: HashMap<Address, U256> = {
        let mut m = HashMap::new();
        for a in &accounts {
            m.insert(*a, net.balance(*a).await);
        }
        m
    };
    let total = start.values().fold(U256::ZERO, |a, b| a + *b);
    let mut slas: Vec<U256> = Vec::new();
    let mut sessions: Vec<U256> = Vec::new();
    let mut answers: HashMap<(U256, Address), Answer> = HashMap::new();
    let mut done: BTreeMap<&'static str, u32> = BTreeMap::new();
    // Prelude: two active SLAs (n = 4 and 5, one oracle left out of the second), so the random
    // steps have sessions to work on from the start.
    for (n, max_misses) in [(4u8, 0u8), (5, 1)] {
        step(&net, &Op::Propose { n, max_misses }, &mut slas, &mut sessions, &mut answers).await;
        let sla = slas.len() - 1;
        step(&net, &Op::BidAll { sla, skip: ORACLES - 1 }, &mut slas, &mut sessions, &mut answers).await;
    }
    net.advance(61).await;
    for sla in 0..2 {
        step(&net, &Op::Finalize { sla }, &mut slas, &mut sessions, &mut answers).await;
    }

    for op in ops {
        let ok = step(&net, &op, &mut slas, &mut sessions, &mut answers).await;
        if ok {
            *done.entry(name(&op)).or_default() += 1;
        }
        check_holdings(&net, &accounts, total, &slas, &sessions).await?;
    }

    // Wind down: every session settled, every SLA closed (failing ones have nothing left).
    net.advance(10_000).await;
    for s in &sessions {
        let _ = net.om(net.admin).settle(*s).await;
    }
    for id in &slas {
        let v = net.om(net.admin).sla(*id).await.map_err(|e| e.to_string())?;
        if SlaStatus::of(v.status) == SlaStatus::Bidding {
            net.om(net.admin).finalize(*id).await.map_err(|e| e.to_string())?;
        }
        let v = net.om(net.admin).sla(*id).await.map_err(|e| e.to_string())?;
        if SlaStatus::of(v.status) == SlaStatus::Active {
            net.om(net.admin).close(*id).await.map_err(|e| e.to_string())?;
        }
    }
    check_holdings(&net, &accounts, total, &slas, &sessions).await?;
    let held = net.balance(net.c.order_matching).await;
    if held != U256::ZERO {
        return Err(format!("OrderMatching still holds {held} juels after everything settled and closed"));
    }
    check_against_events(&net, &start).await?;
    eprintln!("conservation case: {done:?}");
    Ok(())
}

fn name(op: &Op) -> &'static str {
    match op {
        Op::Propose { .. } => "propose",
        Op::Bid { .. } => "bid",
        Op::BidAll { .. } => "bid-all",
        Op::Finalize { .. } => "finalize",
        Op::Request { .. } => "request",
        Op::Commit { .. } => "commit",
        Op::Reveal { .. } => "reveal",
        Op::Settle { .. } => "settle",
        Op::Advance { .. } => "advance",
        Op::Close { .. } => "close",
    }
}

/// Runs one step; refusals are part of the game (they must move nothing). Returns whether it went through.
async fn step(
    net: &Net,
    op: &Op,
    slas: &mut Vec<U256>,
    sessions: &mut Vec<U256>,
    answers: &mut HashMap<(U256, Address), Answer>,
) -> bool {
    let pick = |v: &Vec<U256>, i: usize| if v.is_empty() { None } else { Some(v[i % v.len()]) };
    match op.clone() {
        Op::Propose { n, max_misses } => {
            let mut t = net.terms(n);
            t.max_misses = max_misses;
            t.bidding_window = 60;
            t.service_period = 1_200;
            t.response_window = 300;
            let id = net.propose(&t).await;
            slas.push(id);
            true
        }
        Op::Bid { oracle, sla, wrong_amount } => {
            let Some(id) = pick(&with_status(net, slas, SlaStatus::Bidding).await, sla) else { return false };
            let o = net.oracles[oracle];
            if wrong_amount {
                net.om(o).bid_amount(id, o, U256::from(LINK)).await.is_ok()
            } else {
                net.om(o).bid(id).await.is_ok()
            }
        }
        Op::BidAll { sla, skip } => {
            let Some(id) = pick(&with_status(net, slas, SlaStatus::Bidding).await, sla) else { return false };
            let mut any = false;
            for (i, o) in net.oracles.iter().enumerate() {
                if i != skip {
                    any |= net.om(*o).bid(id).await.is_ok();
                }
            }
            any
        }
        Op::Finalize { sla } => {
            let Some(id) = pick(&with_status(net, slas, SlaStatus::Bidding).await, sla) else { return false };
            net.om(net.admin).finalize(id).await.is_ok()
        }
        Op::Request { sla } => {
            let Some(id) = pick(&with_status(net, slas, SlaStatus::Active).await, sla) else { return false };
            match net.om(net.purchaser).request(id, net.consumer, crate::common::fulfill_selector()).await {
                Ok((s, _)) => {
                    sessions.push(s);
                    true
                }
                Err(_) => false,
            }
        }
        Op::Commit { oracle, session, answer } => {
            let Some(s) = pick(&open(net, sessions).await, session) else { return false };
            let o = net.oracles[oracle];
            let a = Answer::new(answer);
            let ok = a.commit(net, o, s).await.is_ok();
            if ok {
                answers.insert((s, o), a);
            }
            ok
        }
        Op::Reveal { oracle, session, mismatch } => {
            // A committed oracle of an open session, if any.
            let open = open(net, sessions).await;
            let mut committed: Vec<(U256, Address)> =
                answers.keys().filter(|(s, _)| open.contains(s)).copied().collect();
            committed.sort();
            if committed.is_empty() {
                return false;
            }
            let (s, o) = committed[(session * ORACLES + oracle) % committed.len()];
            let Some(mut a) = answers.get(&(s, o)).copied() else { return false };
            if mismatch {
                a.value += alloy::primitives::I256::ONE;
            }
            a.reveal(net, o, s).await.is_ok()
        }
        Op::Settle { session } => {
            let Some(s) = pick(sessions, session) else { return false };
            net.om(net.admin).settle(s).await.is_ok()
        }
        Op::Advance { seconds } => {
            net.advance(seconds).await;
            true
        }
        Op::Close { sla } => {
            let Some(id) = pick(slas, sla) else { return false };
            net.om(net.admin).close(id).await.is_ok()
        }
    }
}

async fn with_status(net: &Net, slas: &[U256], status: SlaStatus) -> Vec<U256> {
    let mut out = Vec::new();
    for id in slas {
        if SlaStatus::of(net.om(net.admin).sla(*id).await.expect("sla").status) == status {
            out.push(*id);
        }
    }
    out
}

async fn open(net: &Net, sessions: &[U256]) -> Vec<U256> {
    let mut out = Vec::new();
    for s in sessions {
        if SessionStatus::of(net.om(net.admin).session(*s).await.expect("session").status) != SessionStatus::Settled {
            out.push(*s);
        }
    }
    out
}

async fn check_holdings(
    net: &Net,
    accounts: &[Address],
    total: U256,
    slas: &[U256],
    sessions: &[U256],
) -> Result<(), String> {
    let held = net.balance(net.c.order_matching).await;
    let mut sum = held;
    for a in accounts {
        sum += net.balance(*a).await;
    }
    if sum != total {
        return Err(format!("LINK not conserved: {sum} != {total}"));
    }
    let mut expected = U256::ZERO;
    for id in slas {
        let v = net.om(net.admin).sla(*id).await.map_err(|e| e.to_string())?;
        for b in net.om(net.admin).bids(*id).await.map_err(|e| e.to_string())? {
            if matches!(BidState::of(b.state), BidState::Pending | BidState::Selected) {
                expected += U256::from(v.terms.penalty);
            }
        }
    }
    for s in sessions {
        let x = net.om(net.admin).session(*s).await.map_err(|e| e.to_string())?;
        if SessionStatus::of(x.status) != SessionStatus::Settled {
            expected += x.escrow;
        } else if x.escrow != U256::ZERO {
            return Err(format!("settled session {s} still has escrow {}", x.escrow));
        }
    }
    if held != expected {
        return Err(format!("OrderMatching holds {held}, its books say {expected}"));
    }
    Ok(())
}

/// Every balance change is explained by the events.
async fn check_against_events(net: &Net, start: &HashMap<Address, U256>) -> Result<(), String> {
    let logs =
        net.p.get_logs(&Filter::new().address(net.c.order_matching).from_block(0)).await.map_err(|e| e.to_string())?;
    let mut expected: HashMap<Address, U256> = start.clone();
    let mut spent_penalty: HashMap<Address, U256> = HashMap::new();
    for log in &logs {
        let t0 = log.topics().first().copied().unwrap_or_default();
        if t0 == OrderMatching::OraclePaid::SIGNATURE_HASH {
            let e = OrderMatching::OraclePaid::decode_log(&log.inner).map_err(|e| e.to_string())?;
            *expected.get_mut(&e.oracle).ok_or("unknown payee")? += e.amount;
        } else if t0 == OrderMatching::PenaltyForfeited::SIGNATURE_HASH {
            let e = OrderMatching::PenaltyForfeited::decode_log(&log.inner).map_err(|e| e.to_string())?;
            *spent_penalty.entry(e.oracle).or_default() += e.amount;
            *expected.get_mut(&e.beneficiary).ok_or("unknown beneficiary")? += e.amount;
        } else if t0 == OrderMatching::RequestOpened::SIGNATURE_HASH {
            let e = OrderMatching::RequestOpened::decode_log(&log.inner).map_err(|e| e.to_string())?;
            *expected.get_mut(&e.requester).ok_or("unknown requester")? -= e.escrow;
        } else if t0 == OrderMatching::SessionSettled::SIGNATURE_HASH {
            let e = OrderMatching::SessionSettled::decode_log(&log.inner).map_err(|e| e.to_string())?;
            // Refunds go to the requester: the purchaser here.
            *expected.get_mut(&net.purchaser).ok_or("purchaser")? += e.refunded;
        }
    }
    for (oracle, lost) in spent_penalty {
        *expected.get_mut(&oracle).ok_or("unknown oracle")? -= lost;
    }
    for (a, want) in expected {
        let have = net.balance(a).await;
        if have != want {
            return Err(format!("{a} has {have} juels, the events say {want}"));
        }
    }
    Ok(())
}
