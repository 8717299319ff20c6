//! End-to-end SLA life cycles on anvil: selection, Algorithm 1 sessions, penalties, refunds and
//! reputation, with every refusal the issue lists.

use alloy::primitives::{I256, U256};
use linkpool_agreements::{BidState, SessionStatus, SlaStatus};

use crate::common::{revert_name, Answer, Net, LINK, ORACLE_FUNDS};

fn juels(x: u128) -> U256 {
    U256::from(x)
}

/// The whitepaper's scenario with scripted oracles: 7 oracles (f = 2), one liar, one offline, one
/// freeloader that waits for reveals. The requester gets the honest answer; the liar and the
/// offline oracle forfeit; the freeloader cannot commit after "committed" and gets nothing.
#[tokio::test(flavor = "multi_thread")]
async fn seven_oracles_with_liar_offline_and_freeloader() {
    let net = Net::new(7).await;
    let t = net.terms(7);
    let sla = net.active_sla(&t).await;
    let o = net.oracles.clone();
    let (honest, liar, offline, freeloader) = (&o[..4], o[4], o[5], o[6]);
    let purchaser_before = net.balance(net.purchaser).await;

    let session = net.request(sla).await;
    let truth = Answer::new(42_000);
    let lie = Answer::new(41_000);
    let answers: Vec<Answer> =
        honest.iter().map(|_| Answer { salt: linkpool_agreements::commitment::random_salt(), ..truth }).collect();
    for (i, h) in honest[..3].iter().enumerate() {
        answers[i].commit(&net, *h, session).await.expect("honest commit");
    }
    lie.commit(&net, liar, session).await.expect("liar commit");
    assert_eq!(net.om(net.admin).session(session).await.unwrap().status, SessionStatus::Committing.value());
    answers[3].commit(&net, honest[3], session).await.expect("fifth commit");
    assert_eq!(
        net.om(net.admin).session(session).await.unwrap().status,
        SessionStatus::Revealing.value(),
        "committed after 2f+1"
    );

    // Reveals: the liar first, then the honest ones; the answer is final at f + 1 = 3 equal ones.
    lie.reveal(&net, liar, session).await.expect("liar reveal");
    answers[0].reveal(&net, honest[0], session).await.unwrap();
    // The freeloader has now seen two reveals and tries to commit a copy: refused.
    let copied = Answer::new(42_000);
    let err = copied.commit(&net, freeloader, session).await.expect_err("late commit");
    assert_eq!(revert_name(&err), "CommitPhaseClosed");
    answers[1].reveal(&net, honest[1], session).await.unwrap();
    assert!(!net.consumer().answered(session).call().await.unwrap(), "2 equal answers are not f + 1");
    answers[2].reveal(&net, honest[2], session).await.unwrap();
    assert!(net.consumer().answered(session).call().await.unwrap());
    assert_eq!(net.consumer().answers(session).call().await.unwrap(), I256::try_from(42_000).unwrap());
    // Nor can it reveal without a commitment.
    let err = copied.reveal(&net, freeloader, session).await.expect_err("reveal without commit");
    assert_eq!(revert_name(&err), "NotCommitted");
    // The last committed reveal settles the session.
    answers[3].reveal(&net, honest[3], session).await.unwrap();
    let s = net.om(net.admin).session(session).await.unwrap();
    assert_eq!(s.status, SessionStatus::Settled.value());
    assert_eq!(s.escrow, U256::ZERO);

    let payment = LINK / 10;
    let penalty = 10 * LINK;
    for h in honest {
        assert_eq!(net.balance(*h).await, juels(ORACLE_FUNDS - penalty + payment), "honest: paid, penalty locked");
    }
    for bad in [liar, offline, freeloader] {
        assert_eq!(net.balance(bad).await, juels(ORACLE_FUNDS - penalty), "{bad}: unpaid, penalty gone");
        assert_eq!(
            net.om(net.admin).bids(sla).await.unwrap().iter().find(|b| b.oracle == bad).unwrap().state,
            BidState::Forfeited.value()
        );
    }
    // Purchaser: paid 5 * 0.1 escrow, 0.1 back (4 accepted), 3 penalties in.
    assert_eq!(net.balance(net.purchaser).await, purchaser_before - juels(4 * payment) + juels(3 * penalty));
    // LINK held = the 4 honest penalties still locked.
    assert_eq!(net.balance(net.c.order_matching).await, juels(4 * penalty));

    for h in honest {
        let r = net.report(*h).await;
        assert_eq!((r.overall.assigned, r.overall.completed, r.overall.accepted), (1, 1, 1));
        assert_eq!(r.penalties.locked, 10 * LINK);
    }
    let r = net.report(liar).await;
    assert_eq!((r.overall.assigned, r.overall.completed, r.overall.accepted), (1, 1, 0), "a deviation");
    assert_eq!((r.penalties.locked, r.penalties.forfeited, r.forfeits), (0, 10 * LINK, 1));
    for absent in [offline, freeloader] {
        let r = net.report(absent).await;
        assert_eq!((r.overall.assigned, r.overall.completed, r.overall.missed), (1, 0, 1));
        assert_eq!(r.penalties.forfeited, 10 * LINK);
    }
    // Per job type too.
    let per_type = net.om(net.admin).stats_for(net.c.reputation, liar, t.job_id).await.unwrap();
    assert_eq!((per_type.assigned, per_type.accepted), (1, 0));

    // Three forfeits leave 4 active oracles, below the quorum of 5: no new request.
    let err = net.om(net.purchaser).request(sla, net.consumer, crate::common::fulfill_selector()).await.unwrap_err();
    assert_eq!(revert_name(&err), "TooFewActiveOracles");

    println!("{:<44} {:>9} {:>10} {:>9} {:>9} {:>9}", "oracle", "role", "outcome", "paid", "forfeit", "accepted");
    for (a, role) in o.iter().zip(["honest", "honest", "honest", "honest", "liar", "offline", "freeloader"]) {
        let r = net.report(*a).await;
        let outcome = if r.overall.accepted == 1 {
            "accepted"
        } else if r.overall.completed == 1 {
            "rejected"
        } else {
            "missed"
        };
        let paid = if r.overall.accepted == 1 { "0.1" } else { "0" };
        println!(
            "{a:<44} {role:>9} {outcome:>10} {paid:>9} {:>9} {:>9}",
            r.penalties.forfeited / LINK,
            r.overall.accepted
        );
    }
}

/// Bids are refused below the reputation requirements, with the wrong amount, for another
/// account, twice, and after the window; finalizing early is refused.
#[tokio::test(flavor = "multi_thread")]
async fn refused_bids() {
    let net = Net::new(6).await;
    // History: oracles 0..4 answer one request of a first SLA (all accepted).
    let mut t = net.terms(4);
    let first = net.active_sla(&t).await;
    let session = net.request(first).await;
    let answers: Vec<Answer> = (0..4).map(|_| Answer::new(7)).collect();
    for (i, a) in answers.iter().enumerate().take(3) {
        a.commit(&net, net.oracles[i], session).await.unwrap();
    }
    for (i, a) in answers.iter().enumerate().take(3) {
        a.reveal(&net, net.oracles[i], session).await.unwrap();
    }
    assert_eq!(net.om(net.admin).session(session).await.unwrap().status, SessionStatus::Settled.value());

    t.requirements.minAccepted = 1;
    t.requirements.minAcceptanceBps = 6_000;
    let sla = net.propose(&t).await;
    let om = |i: usize| net.om(net.oracles[i]);
    // Oracle 3 missed the first session (assigned 1, accepted 0): below 6000 bps and 1 accepted.
    let err = om(3).bid(sla).await.unwrap_err();
    assert_eq!(revert_name(&err), "BidBelowRequirements");
    assert!(err.to_string().contains("below the SLA's minimum reputation"), "{err}");
    // A fresh oracle has no accepted answer.
    assert_eq!(revert_name(&om(4).bid(sla).await.unwrap_err()), "BidBelowRequirements");
    // Wrong deposit.
    let err = om(0).bid_amount(sla, net.oracles[0], U256::from(LINK)).await.unwrap_err();
    assert_eq!(revert_name(&err), "WrongPenaltyAmount");
    // Someone else's name, without being its pool storage.
    let err = om(5).bid_amount(sla, net.oracles[0], U256::from(10 * LINK)).await.unwrap_err();
    assert_eq!(revert_name(&err), "BidderNotOracle");
    om(0).bid(sla).await.expect("qualifying bid");
    assert_eq!(revert_name(&om(0).bid(sla).await.unwrap_err()), "AlreadyBid");
    assert_eq!(revert_name(&net.om(net.admin).finalize(sla).await.unwrap_err()), "BiddingOpen");
    // After the window.
    net.advance(t.bidding_window + 1).await;
    let err = om(1).bid(sla).await.unwrap_err();
    assert_eq!(revert_name(&err), "BiddingClosed");
    // Refused bids moved no LINK: only oracle 0's penalty (plus the 3 locked of the first SLA) is held.
    assert_eq!(net.balance(net.c.order_matching).await, U256::from(5 * 10 * LINK) - U256::from(10 * LINK));
}

/// Fewer qualifying bids than n: the SLA fails and every bidder is refunded.
#[tokio::test(flavor = "multi_thread")]
async fn too_few_bids_fail_and_refund() {
    let net = Net::new(4).await;
    let t = net.terms(4);
    let sla = net.propose(&t).await;
    for o in &net.oracles[..3] {
        net.om(*o).bid(sla).await.unwrap();
    }
    assert_eq!(net.balance(net.c.order_matching).await, U256::from(30 * LINK));
    net.advance(t.bidding_window + 1).await;
    net.om(net.admin).finalize(sla).await.unwrap();
    let v = net.om(net.admin).sla(sla).await.unwrap();
    assert_eq!(v.status, SlaStatus::Failed.value());
    assert!(v.selected.is_empty());
    for o in &net.oracles[..3] {
        assert_eq!(net.balance(*o).await, U256::from(ORACLE_FUNDS));
    }
    assert_eq!(net.balance(net.c.order_matching).await, U256::ZERO);
    assert!(net.om(net.admin).bids(sla).await.unwrap().iter().all(|b| b.state == BidState::Refunded.value()));
    let err = net.om(net.purchaser).request(sla, net.consumer, crate::common::fulfill_selector()).await.unwrap_err();
    assert_eq!(revert_name(&err), "WrongSlaStatus");
}

/// Selection by reputation (Rule S): with more bids than n, the oracles with the best acceptance
/// rate win, ties to the earlier bid; the others get their penalty back at once.
#[tokio::test(flavor = "multi_thread")]
async fn selection_prefers_reputation_then_bid_order() {
    let net = Net::new(6).await;
    // Oracle 3 misses a session of a first SLA: acceptance 0 bps, below "no history" (5000).
    let t = net.terms(4);
    let first = net.active_sla(&t).await;
    let s = net.request(first).await;
    let answers: Vec<Answer> = (0..3).map(|_| Answer::new(1)).collect();
    for (i, a) in answers.iter().enumerate() {
        a.commit(&net, net.oracles[i], s).await.unwrap();
    }
    for (i, a) in answers.iter().enumerate() {
        a.reveal(&net, net.oracles[i], s).await.unwrap();
    }
    // Bids in order 3, 4, 5, 0, 1: 0 and 1 have 10000 bps, 4 and 5 have 5000, 3 has 0.
    let sla = net.propose(&t).await;
    for i in [3usize, 4, 5, 0, 1] {
        net.om(net.oracles[i]).bid(sla).await.unwrap();
    }
    net.advance(t.bidding_window + 1).await;
    net.om(net.admin).finalize(sla).await.unwrap();
    let selected = net.om(net.admin).sla(sla).await.unwrap().selected;
    let o = &net.oracles;
    assert_eq!(selected, vec![o[0], o[1], o[4], o[5]]);
    let bid3 = net.om(net.admin).bids(sla).await.unwrap().into_iter().find(|b| b.oracle == o[3]).unwrap();
    assert_eq!(bid3.state, BidState::Refunded.value());
}

/// Commit/reveal refusals: a double commit, a reveal before "committed", a settle before the
/// deadline; a mismatching reveal forfeits the penalty at once.
#[tokio::test(flavor = "multi_thread")]
async fn commit_reveal_refusals_and_mismatch() {
    let net = Net::new(4).await;
    let t = net.terms(4);
    let sla = net.active_sla(&t).await;
    let s = net.request(sla).await;
    let o = net.oracles.clone();
    let a: Vec<Answer> = (0..4).map(|_| Answer::new(-5)).collect();
    a[0].commit(&net, o[0], s).await.unwrap();
    assert_eq!(revert_name(&a[0].commit(&net, o[0], s).await.unwrap_err()), "AlreadyCommitted");
    let err = a[0].reveal(&net, o[0], s).await.unwrap_err();
    assert_eq!(revert_name(&err), "CommitPhaseOpen");
    assert!(err.to_string().contains("reveals open once 3 oracles committed (1 so far)"), "{err}");
    a[1].commit(&net, o[1], s).await.unwrap();
    a[2].commit(&net, o[2], s).await.unwrap();
    assert_eq!(revert_name(&net.om(net.admin).settle(s).await.unwrap_err()), "SessionPending");
    // Oracle 2 reveals something else than it committed.
    let before = net.balance(net.purchaser).await;
    Answer { value: I256::try_from(-6).unwrap(), salt: a[2].salt }
        .reveal(&net, o[2], s)
        .await
        .expect("recorded, not reverted");
    assert_eq!(net.balance(net.purchaser).await, before + U256::from(10 * LINK), "forfeited at once");
    let e = net.om(net.admin).entry(s, o[2]).await.unwrap();
    assert!(e.mismatched && !e.revealed);
    assert_eq!(revert_name(&a[2].reveal(&net, o[2], s).await.unwrap_err()), "AlreadyRevealed");
    // The two others agree (f + 1 = 2) and settle it; -5 is delivered.
    a[0].reveal(&net, o[0], s).await.unwrap();
    a[1].reveal(&net, o[1], s).await.unwrap();
    assert_eq!(net.consumer().answers(s).call().await.unwrap(), I256::try_from(-5).unwrap());
    let session = net.om(net.admin).session(s).await.unwrap();
    assert_eq!(session.status, SessionStatus::Settled.value());
    let r = net.om(net.admin).report(net.c.reputation, o[2]).await.unwrap();
    assert_eq!((r.overall.assigned, r.overall.mismatched, r.forfeits), (1, 1, 1));
    assert_eq!(revert_name(&a[3].commit(&net, o[3], s).await.unwrap_err()), "SessionAlreadySettled");
}

/// A request that finds no answer in time is refunded in full; oracles that committed and could
/// not reveal are not penalized, one that did not reveal after "committed" is.
#[tokio::test(flavor = "multi_thread")]
async fn timeouts_refund_the_request() {
    let net = Net::new(4).await;
    let mut t = net.terms(4);
    t.max_misses = 3;
    let sla = net.active_sla(&t).await;
    let o = net.oracles.clone();
    let escrow = U256::from(3 * LINK / 10);

    // 1. Only 2 of the quorum of 3 commit: never "committed".
    let before = net.balance(net.purchaser).await;
    let s1 = net.request(sla).await;
    assert_eq!(net.balance(net.purchaser).await, before - escrow);
    let a: Vec<Answer> = (0..4).map(|_| Answer::new(9)).collect();
    a[0].commit(&net, o[0], s1).await.unwrap();
    a[1].commit(&net, o[1], s1).await.unwrap();
    net.advance(u64::from(t.response_window) + 1).await;
    assert_eq!(revert_name(&a[2].commit(&net, o[2], s1).await.unwrap_err()), "SessionExpired");
    net.om(net.admin).settle(s1).await.unwrap();
    assert_eq!(net.balance(net.purchaser).await, before, "refunded in full");
    for x in &o {
        assert_eq!(net.balance(*x).await, U256::from(ORACLE_FUNDS - 10 * LINK), "nobody paid or penalized");
    }
    assert_eq!(revert_name(&net.om(net.admin).settle(s1).await.unwrap_err()), "SessionAlreadySettled");

    // 2. "Committed", then only one reveal (f + 1 = 2 needed): refunded; the two silent
    //    committers forfeit, the revealer keeps its penalty unpaid.
    let s2 = net.request(sla).await;
    for i in 0..3 {
        a[i].commit(&net, o[i], s2).await.unwrap();
    }
    a[0].reveal(&net, o[0], s2).await.unwrap();
    net.advance(u64::from(t.response_window) + 1).await;
    net.om(net.admin).settle(s2).await.unwrap();
    assert_eq!(net.balance(net.purchaser).await, before + U256::from(20 * LINK), "escrow back + 2 penalties");
    assert_eq!(net.balance(o[0]).await, U256::from(ORACLE_FUNDS - 10 * LINK));
    for x in [o[1], o[2]] {
        let r = net.om(net.admin).report(net.c.reputation, x).await.unwrap();
        assert_eq!((r.overall.unrevealed, r.forfeits), (1, 1));
    }
    let r0 = net.om(net.admin).report(net.c.reputation, o[0]).await.unwrap();
    assert_eq!((r0.overall.assigned, r0.overall.completed, r0.forfeits), (2, 0, 0), "undecided twice");
}

/// After the service period, `close` returns every penalty not forfeited; purchasers rate their
/// oracles once; only registered aggregating contracts write reputation.
#[tokio::test(flavor = "multi_thread")]
async fn close_ratings_and_reputation_writers() {
    let net = Net::new(4).await;
    let mut t = net.terms(4);
    t.max_misses = 1;
    let sla = net.active_sla(&t).await;
    let o = net.oracles.clone();
    assert_eq!(revert_name(&net.om(net.admin).close(sla).await.unwrap_err()), "ServiceNotEnded");
    let s = net.request(sla).await;
    net.advance(t.service_period).await;
    assert_eq!(revert_name(&net.om(net.admin).close(sla).await.unwrap_err()), "SessionsOpen");
    net.om(net.admin).settle(s).await.unwrap();
    net.om(net.admin).close(sla).await.unwrap();
    for x in &o {
        assert_eq!(net.balance(*x).await, U256::from(ORACLE_FUNDS), "penalty back ({x})");
        let r = net.om(net.admin).report(net.c.reputation, *x).await.unwrap();
        assert_eq!(r.penalties.locked, 0);
    }
    assert_eq!(net.balance(net.c.order_matching).await, U256::ZERO);

    // Ratings.
    net.om(net.purchaser).rate(sla, o[0], 5).await.unwrap();
    net.om(net.purchaser).rate(sla, o[1], 2).await.unwrap();
    let err = net.om(net.purchaser).rate(sla, o[0], 4).await.unwrap_err();
    assert!(err.to_string().contains("AlreadyRated"), "{err}");
    let err = net.om(o[3]).rate(sla, o[0], 4).await.unwrap_err();
    assert!(err.to_string().contains("NotPurchaser"), "{err}");
    let err = net.om(net.purchaser).rate(sla, net.admin, 4).await.unwrap_err();
    assert!(err.to_string().contains("NotSelected"), "{err}");
    let err = net.om(net.purchaser).rate(sla, o[2], 6).await.unwrap_err();
    assert!(err.to_string().contains("InvalidScore"), "{err}");
    let r = net.om(net.admin).report(net.c.reputation, o[0]).await.unwrap();
    assert_eq!((r.ratings.count, r.ratings.total), (1, 5));

    // Nobody but a registered aggregating contract writes.
    use alloy::network::TransactionBuilder;
    use linkpool_bindings::agreements::Reputation;
    let rep = Reputation::new(net.c.reputation, net.p.clone());
    let tx = rep.recordPenalty(o[0], t.job_id, 0u8, U256::from(1)).into_transaction_request().with_from(net.admin);
    let err = linkpool_bindings::stack::send(&net.p, tx).await.unwrap_err();
    let decoded = err.decode_revert::<Reputation::ReputationErrors>();
    assert!(matches!(decoded, Some(Reputation::ReputationErrors::NotAggregatingContract(_))), "{err}");
}

/// The aggregator is chosen by address in the SLA: with the median rule (2f + 1 reveals, 1 %
/// tolerance) an outlier is rejected and forfeits, the close answers are accepted and paid.
#[tokio::test(flavor = "multi_thread")]
async fn median_sla_rejects_the_outlier() {
    let net = Net::new(4).await;
    let mut t = net.terms(4);
    t.aggregator = net.c.median;
    t.max_misses = 1;
    let sla = net.active_sla(&t).await;
    let o = net.oracles.clone();
    let s = net.request(sla).await;
    let a = [Answer::new(10_000), Answer::new(10_100), Answer::new(15_000)];
    for (i, x) in a.iter().enumerate() {
        x.commit(&net, o[i], s).await.unwrap();
    }
    a[0].reveal(&net, o[0], s).await.unwrap();
    a[2].reveal(&net, o[2], s).await.unwrap();
    assert!(!net.consumer().answered(s).call().await.unwrap(), "the median needs 2f + 1 = 3 reveals");
    a[1].reveal(&net, o[1], s).await.unwrap();
    assert_eq!(net.consumer().answers(s).call().await.unwrap(), I256::try_from(10_100).unwrap());
    let payment = LINK / 10;
    assert_eq!(net.balance(o[0]).await, U256::from(ORACLE_FUNDS - 10 * LINK + payment), "within 1 %: paid");
    assert_eq!(net.balance(o[1]).await, U256::from(ORACLE_FUNDS - 10 * LINK + payment));
    assert_eq!(net.balance(o[2]).await, U256::from(ORACLE_FUNDS - 10 * LINK), "outlier: forfeited, unpaid");
    let r = net.report(o[2]).await;
    assert_eq!((r.overall.completed, r.overall.accepted, r.forfeits), (1, 0, 1));
}

/// A custom aggregator only has to implement `IAggregator`: a naive "first answer" rule works as
/// is. One that reverts or burns all its gas cannot block reveals, settlement or the return of
/// penalties: the request finds no answer, is refunded, and nobody is penalized for it.
#[tokio::test(flavor = "multi_thread")]
async fn custom_and_hostile_aggregators() {
    use linkpool_bindings::agreements::HostileAggregator;
    let net = Net::new(4).await;
    let o = net.oracles.clone();
    let deploy = |behaviour: u8| {
        let p = net.p.clone();
        async move { *HostileAggregator::deploy(p, behaviour).await.expect("deploy").address() }
    };

    // A working custom rule.
    let mut t = net.terms(4);
    t.max_misses = 1;
    t.aggregator = deploy(0).await;
    let sla = net.active_sla(&t).await;
    let s = net.request(sla).await;
    let a: Vec<Answer> = (0..3).map(|_| Answer::new(77)).collect();
    for (i, x) in a.iter().enumerate() {
        x.commit(&net, o[i], s).await.unwrap();
    }
    a[1].reveal(&net, o[1], s).await.unwrap();
    assert_eq!(net.consumer().answers(s).call().await.unwrap(), I256::try_from(77).unwrap(), "first answer is final");
    a[0].reveal(&net, o[0], s).await.unwrap();
    a[2].reveal(&net, o[2], s).await.unwrap();
    assert_eq!(SessionStatus::of(net.om(net.admin).session(s).await.unwrap().status), SessionStatus::Settled);

    // Hostile ones.
    for behaviour in [1u8, 2] {
        let purchaser_before = net.balance(net.purchaser).await;
        let mut t = net.terms(4);
        t.aggregator = deploy(behaviour).await;
        t.max_misses = 1;
        let sla = net.active_sla(&t).await;
        let s = net.request(sla).await;
        let a: Vec<Answer> = (0..3).map(|_| Answer::new(5)).collect();
        for (i, x) in a.iter().enumerate() {
            x.commit(&net, o[i], s).await.unwrap();
        }
        for (i, x) in a.iter().enumerate() {
            x.reveal(&net, o[i], s).await.expect("reveals go through a hostile aggregator");
        }
        assert!(!net.consumer().answered(s).call().await.unwrap());
        net.advance(u64::from(t.response_window) + 1).await;
        net.om(net.admin).settle(s).await.expect("settles");
        net.advance(t.service_period).await;
        net.om(net.admin).close(sla).await.expect("closes");
        assert_eq!(net.balance(net.purchaser).await, purchaser_before, "behaviour {behaviour}: refunded in full");
        let held = net.balance(net.c.order_matching).await;
        assert_eq!(held, U256::from(4 * 10 * LINK), "behaviour {behaviour}: only the first SLA's penalties are held");
    }
}
