//! The agreement service end to end: a node with an `agreement` job bids on an SLA, finalizes
//! it, is selected with three other oracles, answers a request by commit and reveal from a real
//! HTTP data source, and is paid; a node stopped between its commitment and "committed" reveals
//! after a restart with the salt it persisted; the bidding policy keeps the node out of SLAs
//! beyond its limits; once a session's deadline has passed without an answer the node settles it
//! itself, and once the SLA's service period is over it closes the SLA (settling first the
//! session it missed) and gets its penalty back; a run interrupted by a stop of the node is run
//! again after the restart.

use std::time::Duration;

use alloy::{
    primitives::{Address, B256, I256, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use linkpool_agreements::{
    commitment::{commitment, random_salt},
    BidState, SessionStatus, SlaStatus,
};
use linkpool_bindings::agreements::OrderMatching;
use serde_json::Value;

use crate::common::{eventually, Net, ANSWER, LINK, POOL_STAKE};

fn answer(v: i64) -> I256 {
    I256::try_from(v).unwrap()
}

/// The node's job: penalties up to 10 LINK, one SLA at a time.
fn policy() -> String {
    format!("maxPenaltyJuels = \"{}\"\nminPaymentJuels = \"{}\"\njobTypes = [\"eth-usd\"]", 10 * LINK, LINK / 10)
}

/// Proposes an SLA for the node's job, lets the node and the three other oracles bid, moves past
/// the bidding window and waits for the node to finalize it. The SLA id.
async fn active_sla(net: &Net, job_id: B256) -> U256 {
    let (sla, _) = net.propose(&net.terms(job_id, 10 * LINK)).await;
    eventually("the node's bid", || async { net.bidders(sla).await.contains(&net.node).then_some(()) }).await;
    for o in &net.others {
        net.om(*o).bid(sla).await.expect("bid");
    }
    net.advance(61).await;
    eventually("the node to finalize the SLA", || async {
        (SlaStatus::of(net.om(net.purchaser).sla(sla).await.unwrap().status) == SlaStatus::Active).then_some(())
    })
    .await;
    sla
}

/// Who sent the transaction that emitted the SLA's `SlaFinalized` (or `SlaFailed`).
/// An agreement job with the default policy, and an SLA the node won (its store says `selected`).
async fn selected_sla(net: &Net) -> (i64, U256) {
    let (job, job_id) = net.create_job(&net.job_toml(&policy())).await;
    let sla = active_sla(net, job_id).await;
    eventually("the obligation to be selected", || async {
        (net.agreements().await["slas"][0]["state"] == "selected").then_some(())
    })
    .await;
    (job, sla)
}

async fn finalizer(net: &Net, sla: U256) -> Address {
    let filter = Filter::new()
        .address(net.c.order_matching)
        .event_signature(vec![OrderMatching::SlaFinalized::SIGNATURE_HASH, OrderMatching::SlaFailed::SIGNATURE_HASH])
        .topic1(sla)
        .from_block(0);
    let logs = net.p.get_logs(&filter).await.expect("logs");
    assert_eq!(logs.len(), 1, "finalized once");
    let tx = net.p.get_transaction_by_hash(logs[0].transaction_hash.unwrap()).await.unwrap().unwrap();
    tx.inner.signer()
}

/// The senders of the transactions that emitted `event` with `topic1` (an SLA or session id).
async fn senders(net: &Net, event: B256, topic1: U256) -> Vec<Address> {
    let filter = Filter::new().address(net.c.order_matching).event_signature(event).topic1(topic1).from_block(0);
    let mut out = Vec::new();
    for log in net.p.get_logs(&filter).await.expect("logs") {
        let tx = net.p.get_transaction_by_hash(log.transaction_hash.unwrap()).await.unwrap().unwrap();
        out.push(tx.inner.signer());
    }
    out
}

/// The state of each oracle's bid on `sla`.
async fn bid_states(net: &Net, sla: U256) -> Vec<(Address, BidState)> {
    let bids = net.om(net.purchaser).bids(sla).await.expect("bids");
    bids.into_iter().map(|b| (b.oracle, BidState::of(b.state))).collect()
}

fn bid_state(states: &[(Address, BidState)], oracle: Address) -> BidState {
    states.iter().find(|(o, _)| *o == oracle).map_or(BidState::None, |(_, s)| *s)
}

/// Waits for the node's commitment in `session` to be on chain.
async fn node_commitment(net: &Net, session: U256) -> B256 {
    eventually("the node's commitment", || async {
        let e = net.om(net.purchaser).entry(session, net.node).await.expect("entry");
        (e.commitment != B256::ZERO).then_some(e.commitment)
    })
    .await
}

/// Another oracle commits `value`; its salt.
async fn commit(net: &Net, oracle: Address, session: U256, value: i64) -> B256 {
    let salt = random_salt();
    net.om(oracle).commit(session, commitment(answer(value), salt, oracle)).await.expect("commit");
    salt
}

fn find_session(data: &Value, session: U256) -> Option<&Value> {
    data["sessions"].as_array().unwrap().iter().find(|s| s["sessionId"] == session.to_string())
}

fn session_row(data: &Value, session: U256) -> &Value {
    find_session(data, session).unwrap_or_else(|| panic!("no session {session} in {data}"))
}

/// The state of the node's row of `session`, once it has one.
async fn session_state(net: &Net, session: U256) -> Option<String> {
    find_session(&net.agreements().await, session).map(|s| s["state"].as_str().unwrap().to_owned())
}

async fn wait_settled(net: &Net, session: U256) {
    eventually("the session to settle", || async {
        let s = net.om(net.purchaser).session(session).await.unwrap();
        (SessionStatus::of(s.status) == SessionStatus::Settled).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_node_bids_finalizes_commits_reveals_and_is_paid() {
    let net = Net::start().await;
    let (job, job_id) = net.create_job(&net.job_toml(&policy())).await;
    let sla = active_sla(&net, job_id).await;
    assert_eq!(finalizer(&net, sla).await, net.node, "the node sent finalize");
    let view = net.om(net.purchaser).sla(sla).await.unwrap();
    assert!(view.selected.contains(&net.node), "n = 4 bids for n = 4 oracles: all selected");

    // Selected: 10 LINK locked.
    let data = eventually("the obligation to be selected", || async {
        let d = net.agreements().await;
        (d["slas"][0]["state"] == "selected").then_some(d)
    })
    .await;
    assert_eq!(data["oracle"], net.node.to_string());
    assert_eq!(data["penaltiesAtRiskJuels"], (10 * LINK).to_string());
    assert_eq!(data["slas"][0]["slaId"], sla.to_string());
    assert_eq!(data["slas"][0]["jobId"], job);
    assert_eq!(data["slas"][0]["slaStatus"], "active");
    assert_eq!(data["slas"][0]["penaltyJuels"], (10 * LINK).to_string());

    let paid_before = net.balance(net.node).await;
    let session = net.request(sla).await;
    let node_commitment = node_commitment(&net, session).await;
    // The node committed on its own; two more commitments make the quorum of 3: one oracle agrees
    // with the data source, the other deviates, so the majority (2 equal answers) needs the node's.
    let (a, b) = (net.others[0], net.others[1]);
    let salt_a = commit(&net, a, session, ANSWER).await;
    let salt_b = commit(&net, b, session, ANSWER - 1).await;
    assert_eq!(SessionStatus::of(net.om(a).session(session).await.unwrap().status), SessionStatus::Revealing);
    // The third other oracle is too late: commitments are closed.
    let late = net.om(net.others[2]).commit(session, B256::repeat_byte(9)).await.unwrap_err();
    assert!(late.to_string().contains("CommitPhaseClosed"), "{late}");
    net.om(a).reveal(session, answer(ANSWER), salt_a).await.expect("reveal a");
    net.om(b).reveal(session, answer(ANSWER - 1), salt_b).await.expect("reveal b");

    // The node reveals by itself; its answer completes the majority and the consumer gets it.
    wait_settled(&net, session).await;
    let entry = net.om(net.purchaser).entry(session, net.node).await.unwrap();
    assert!(entry.revealed && !entry.mismatched);
    assert_eq!(entry.answer, answer(ANSWER));
    assert_eq!(entry.commitment, node_commitment);
    assert!(net.consumer().answered(session).call().await.unwrap());
    assert_eq!(net.consumer().answers(session).call().await.unwrap(), answer(ANSWER));
    assert_eq!(net.balance(net.node).await, paid_before + U256::from(LINK / 10), "paid 0.1 LINK");
    assert_eq!(net.source.hits(), 1, "one request, one observation");

    // The API shows the settled session and the run that computed the answer.
    let data = eventually("the session to be settled in the store", || async {
        let d = net.agreements().await;
        (session_row(&d, session)["state"] == "settled").then_some(d)
    })
    .await;
    let row = session_row(&data, session);
    assert_eq!(row["answer"], ANSWER.to_string());
    assert_eq!(row["finalAnswer"], ANSWER.to_string());
    assert_eq!(row["paidJuels"], (LINK / 10).to_string());
    assert!(row["committedAt"].is_i64() && row["revealedAt"].is_i64() && row["settledAt"].is_i64(), "{row}");
    let runs = net.get(&format!("/v2/runs?jobId={job}")).await;
    let runs = runs["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["status"], "completed");
    assert_eq!(runs[0]["id"], row["runId"]);
    assert_eq!(runs[0]["inputs"]["sessionId"], session.to_string());
    assert_eq!(runs[0]["inputs"]["queryParams"], r#"{"fsym": "ETH"}"#);
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_restarted_node_reveals_with_its_persisted_salt() {
    let mut net = Net::start().await;
    let (_, sla) = selected_sla(&net).await;
    let paid_before = net.balance(net.node).await;
    let session = net.request(sla).await;

    // The node's commitment is mined; it stops before anyone else commits.
    let on_chain = node_commitment(&net, session).await;
    net.stop_node().await;
    assert_eq!(
        SessionStatus::of(net.om(net.purchaser).session(session).await.unwrap().status),
        SessionStatus::Committing
    );

    // What the node persisted is exactly what it committed.
    let db = linkpool_store::Store::connect(&net.config.database_url()).await.expect("the node's store");
    let row = db.session(&net.c.order_matching.to_string(), &session.to_string(), &net.node.to_string()).await;
    let row = row.unwrap().expect("session row");
    db.close().await;
    let salt: B256 = row.salt.as_deref().expect("salt persisted").parse().unwrap();
    let stored_answer: I256 = row.answer.as_deref().expect("answer persisted").parse().unwrap();
    assert_eq!(stored_answer, answer(ANSWER));
    assert_eq!(commitment(stored_answer, salt, net.node), on_chain, "the persisted salt is the committed one");

    // The others commit while the node is down: the session is "committed".
    let (a, b) = (net.others[0], net.others[1]);
    let salt_a = commit(&net, a, session, ANSWER).await;
    let salt_b = commit(&net, b, session, ANSWER).await;
    assert_eq!(SessionStatus::of(net.om(a).session(session).await.unwrap().status), SessionStatus::Revealing);
    assert!(!net.om(a).entry(session, net.node).await.unwrap().revealed);

    // Restarted on the same data dir, the node reveals from its store.
    net.start_node().await;
    let entry = eventually("the restarted node's reveal", || async {
        let e = net.om(net.purchaser).entry(session, net.node).await.unwrap();
        e.revealed.then_some(e)
    })
    .await;
    assert!(!entry.mismatched, "revealed with the persisted salt");
    assert_eq!(entry.answer, answer(ANSWER));
    net.om(a).reveal(session, answer(ANSWER), salt_a).await.expect("reveal a");
    net.om(b).reveal(session, answer(ANSWER), salt_b).await.expect("reveal b");
    wait_settled(&net, session).await;
    assert_eq!(net.consumer().answers(session).call().await.unwrap(), answer(ANSWER));
    assert_eq!(net.balance(net.node).await, paid_before + U256::from(LINK / 10), "paid 0.1 LINK");
    assert_eq!(net.source.hits(), 1, "the restart did not observe again");
    let data = eventually("the session to be settled in the store", || async {
        let d = net.agreements().await;
        (session_row(&d, session)["state"] == "settled").then_some(d)
    })
    .await;
    assert_eq!(session_row(&data, session)["paidJuels"], (LINK / 10).to_string());
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_policy_refuses_penalties_above_the_maximum_and_the_budget() {
    let net = Net::start().await;
    // Job A: at most 5 LINK per SLA and 5 LINK at risk in all. Job B: 10 LINK, its own budget.
    let (_, job_a) = net.create_job(&net.job_toml(&format!("maxPenaltyJuels = \"{}\"", 5 * LINK))).await;
    let (_, job_b) = net.create_job(&net.job_toml(&format!("maxPenaltyJuels = \"{}\"", 10 * LINK))).await;

    let (too_costly, _) = net.propose(&net.terms(job_a, 10 * LINK)).await;
    let (fits, _) = net.propose(&net.terms(job_a, 5 * LINK)).await;
    // The node handles SLAs in chain order: once it bid on the second, it has passed on the first.
    eventually("the node's bid on the SLA within its limits", || async {
        net.bidders(fits).await.contains(&net.node).then_some(())
    })
    .await;
    assert_eq!(net.bidders(too_costly).await, Vec::<Address>::new(), "no bid above maxPenaltyJuels");

    // 5 LINK of job A are at risk now: another 5 LINK SLA of job A is over its budget; an SLA
    // for a job the node does not have is none of its business; job B's budget is its own.
    let (over_budget, _) = net.propose(&net.terms(job_a, 5 * LINK)).await;
    let (other_job, _) = net.propose(&net.terms(B256::repeat_byte(7), LINK)).await;
    let (job_b_sla, _) = net.propose(&net.terms(job_b, 10 * LINK)).await;
    eventually("the node's bid for job B", || async { net.bidders(job_b_sla).await.contains(&net.node).then_some(()) })
        .await;
    assert_eq!(net.bidders(over_budget).await, Vec::<Address>::new(), "no bid over penaltyBudgetJuels");
    assert_eq!(net.bidders(other_job).await, Vec::<Address>::new(), "no bid for another job");

    let data = eventually("both bids to be recorded", || async {
        let d = net.agreements().await;
        let slas = d["slas"].as_array().unwrap();
        (slas.len() == 2 && slas.iter().all(|o| o["state"] == "bid")).then_some(d)
    })
    .await;
    let ids: Vec<&Value> = data["slas"].as_array().unwrap().iter().map(|o| &o["slaId"]).collect();
    assert_eq!(ids, [&Value::from(fits.to_string()), &Value::from(job_b_sla.to_string())]);
    assert_eq!(data["penaltiesAtRiskJuels"], (15 * LINK).to_string());
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_pool_node_bids_with_pooled_stake_and_gets_it_back_when_the_sla_fails() {
    let net = Net::start_with(true).await;
    let (_, job_id) = net.create_job(&net.job_toml(&format!("{}\nbidFromPool = true", policy()))).await;
    let (at_risk, stake, storage) = net.pool_node().await;
    assert_eq!((at_risk, stake), (U256::ZERO, U256::from(POOL_STAKE)));
    let own_link = net.balance(net.node).await;

    let (sla, _) = net.propose(&net.terms(job_id, 10 * LINK)).await;
    eventually("the node's pool-backed bid", || async { net.bidders(sla).await.contains(&net.node).then_some(()) })
        .await;
    let bid = net.om(net.purchaser).bids(sla).await.unwrap().into_iter().find(|b| b.oracle == net.node).unwrap();
    assert!(bid.poolBacked, "the penalty came from the pool");
    assert_eq!(net.pool_node().await.0, U256::from(10 * LINK), "the pool holds 10 LINK of its stake at risk");
    assert_eq!(net.balance(storage).await, U256::from(POOL_STAKE - 10 * LINK));
    assert_eq!(net.balance(net.node).await, own_link, "the node's own LINK is untouched");
    let data = eventually("the bid to be recorded", || async {
        let d = net.agreements().await;
        (d["slas"][0]["state"] == "bid").then_some(d)
    })
    .await;
    assert_eq!(data["slas"][0]["poolBacked"], true);
    assert_eq!(data["penaltiesAtRiskJuels"], (10 * LINK).to_string());

    // Nobody else bids: once the window has passed the node finalizes, the SLA fails and the
    // deposit goes back to the node's pool storage.
    net.advance(61).await;
    eventually("the node to finalize the SLA", || async {
        (SlaStatus::of(net.om(net.purchaser).sla(sla).await.unwrap().status) == SlaStatus::Failed).then_some(())
    })
    .await;
    assert_eq!(finalizer(&net, sla).await, net.node);
    let (at_risk, stake, _) = net.pool_node().await;
    assert_eq!((at_risk, stake), (U256::ZERO, U256::from(POOL_STAKE)));
    assert_eq!(net.balance(storage).await, U256::from(POOL_STAKE));
    let data = eventually("the failed SLA to be recorded", || async {
        let d = net.agreements().await;
        (d["slas"][0]["state"] == "sla_failed").then_some(d)
    })
    .await;
    assert_eq!(data["slas"][0]["slaStatus"], "failed");
    assert_eq!(data["penaltiesAtRiskJuels"], "0");
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_node_settles_a_session_that_found_no_answer_after_its_deadline() {
    let net = Net::start().await;
    let (_, sla) = selected_sla(&net).await;
    let session = net.request(sla).await;
    node_commitment(&net, session).await;
    // Two more commitments make the session "committed"; those two oracles never reveal.
    let (a, b, c) = (net.others[0], net.others[1], net.others[2]);
    commit(&net, a, session, ANSWER).await;
    commit(&net, b, session, ANSWER).await;
    eventually("the node's reveal", || async {
        net.om(net.purchaser).entry(session, net.node).await.unwrap().revealed.then_some(())
    })
    .await;
    // One answer is no majority (f + 1 = 2): the session waits for its deadline.
    let view = net.om(net.purchaser).session(session).await.unwrap();
    assert_eq!(SessionStatus::of(view.status), SessionStatus::Revealing);
    assert!(!view.answered);
    let escrow = view.escrow;
    let purchaser_before = net.balance(net.purchaser).await;
    let node_before = net.balance(net.node).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        SessionStatus::of(net.om(net.purchaser).session(session).await.unwrap().status),
        SessionStatus::Revealing,
        "nothing settles before the deadline"
    );

    // The response window is 600 s; the node settles once the chain's clock is past it.
    net.advance(601).await;
    wait_settled(&net, session).await;
    assert_eq!(senders(&net, OrderMatching::SessionSettled::SIGNATURE_HASH, session).await, [net.node]);
    let view = net.om(net.purchaser).session(session).await.unwrap();
    assert!(!view.answered);
    assert!(!net.consumer().answered(session).call().await.unwrap());
    // The two that committed and did not reveal forfeit; the node (revealed, no answer) is
    // unpaid and keeps its penalty; the one that did not commit missed once (maxMisses 3).
    let bids = bid_states(&net, sla).await;
    assert_eq!(bid_state(&bids, a), BidState::Forfeited);
    assert_eq!(bid_state(&bids, b), BidState::Forfeited);
    assert_eq!(bid_state(&bids, net.node), BidState::Selected);
    assert_eq!(bid_state(&bids, c), BidState::Selected);
    assert_eq!(net.balance(net.node).await, node_before, "no payment without an answer");
    assert_eq!(
        net.balance(net.purchaser).await,
        purchaser_before + escrow + U256::from(2 * 10 * LINK),
        "the escrow is refunded and the two forfeited penalties go to the purchaser"
    );

    let data = eventually("the session to be settled in the store", || async {
        let d = net.agreements().await;
        (session_row(&d, session)["state"] == "settled").then_some(d)
    })
    .await;
    let row = session_row(&data, session);
    assert!(row["revealedAt"].is_i64() && row["settledAt"].is_i64(), "{row}");
    assert!(row["finalAnswer"].is_null() && row["paidJuels"].is_null(), "{row}");
    assert_eq!(data["slas"][0]["state"], "selected", "the penalty stays locked until the SLA closes");
    assert_eq!(data["penaltiesAtRiskJuels"], (10 * LINK).to_string());
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_settle_false_leaves_settlement_and_close_to_others() {
    let net = Net::start().await;
    let (_, job_id) = net.create_job(&net.job_toml(&format!("{}\nsettle = false", policy()))).await;
    let sla = active_sla(&net, job_id).await;
    eventually("the obligation to be selected", || async {
        (net.agreements().await["slas"][0]["state"] == "selected").then_some(())
    })
    .await;
    let session = net.request(sla).await;
    node_commitment(&net, session).await;
    let (a, b) = (net.others[0], net.others[1]);
    commit(&net, a, session, ANSWER).await;
    commit(&net, b, session, ANSWER).await;
    eventually("the node's reveal", || async {
        net.om(net.purchaser).entry(session, net.node).await.unwrap().revealed.then_some(())
    })
    .await;

    // Past the session's deadline and serviceEnds, with blocks coming: the node sends nothing.
    net.advance(3_700).await;
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        net.advance(1).await;
    }
    let status = SessionStatus::of(net.om(net.purchaser).session(session).await.unwrap().status);
    assert_eq!(status, SessionStatus::Revealing, "the node did not settle");
    assert_eq!(SlaStatus::of(net.om(net.purchaser).sla(sla).await.unwrap().status), SlaStatus::Active);

    // Someone else settles and closes: the node's store follows the events.
    net.om(net.purchaser).settle(session).await.expect("settle");
    net.om(net.purchaser).close(sla).await.expect("close");
    let data = eventually("the settled session and released penalty in the store", || async {
        let d = net.agreements().await;
        (session_row(&d, session)["state"] == "settled" && d["slas"][0]["state"] == "released").then_some(d)
    })
    .await;
    assert_eq!(data["slas"][0]["slaStatus"], "closed");
    assert_eq!(data["penaltiesAtRiskJuels"], "0");
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_node_closes_the_sla_after_its_service_period_and_gets_its_penalty_back() {
    let net = Net::start().await;
    let (_, sla) = selected_sla(&net).await;

    // A session the node misses: its data source is slow, and the three others commit first.
    // Two reveal the same answer (the majority); the third never reveals, so the session stays
    // open until its deadline and keeps the SLA from closing.
    net.source.set_delay(Duration::from_secs(3));
    let session = net.request(sla).await;
    let (a, b, c) = (net.others[0], net.others[1], net.others[2]);
    let salt_a = commit(&net, a, session, ANSWER).await;
    let salt_b = commit(&net, b, session, ANSWER).await;
    commit(&net, c, session, ANSWER).await;
    net.om(a).reveal(session, answer(ANSWER), salt_a).await.expect("reveal a");
    net.om(b).reveal(session, answer(ANSWER), salt_b).await.expect("reveal b");
    let view = net.om(net.purchaser).session(session).await.unwrap();
    assert!(view.answered);
    assert_eq!(SessionStatus::of(view.status), SessionStatus::Revealing);
    eventually("the node to record the missed session", || async {
        (session_state(&net, session).await.as_deref() == Some("missed")).then_some(())
    })
    .await;
    net.source.set_delay(Duration::ZERO);
    assert_eq!(net.om(net.purchaser).entry(session, net.node).await.unwrap().commitment, B256::ZERO);
    let before = net.balance(net.node).await;

    // Past serviceEnds (an hour after the bidding window) and the session's deadline: the node
    // settles the session, then closes the SLA.
    net.advance(3_700).await;
    eventually("the node to close the SLA", || async {
        (SlaStatus::of(net.om(net.purchaser).sla(sla).await.unwrap().status) == SlaStatus::Closed).then_some(())
    })
    .await;
    assert_eq!(senders(&net, OrderMatching::SessionSettled::SIGNATURE_HASH, session).await, [net.node]);
    assert_eq!(senders(&net, OrderMatching::SlaClosed::SIGNATURE_HASH, sla).await, [net.node]);
    assert_eq!(net.balance(net.node).await, before + U256::from(10 * LINK), "the penalty came back");
    let bids = bid_states(&net, sla).await;
    assert_eq!(bid_state(&bids, net.node), BidState::Released, "one miss is within maxMisses");
    assert_eq!(bid_state(&bids, a), BidState::Released);
    assert_eq!(bid_state(&bids, b), BidState::Released);
    assert_eq!(bid_state(&bids, c), BidState::Forfeited, "committed and did not reveal");

    let data = eventually("the released penalty in the store", || async {
        let d = net.agreements().await;
        (d["slas"][0]["state"] == "released").then_some(d)
    })
    .await;
    assert_eq!(data["slas"][0]["slaStatus"], "closed");
    assert_eq!(data["penaltiesAtRiskJuels"], "0");
    let row = session_row(&data, session);
    assert_eq!(row["state"], "missed");
    assert!(row["settledAt"].is_i64(), "{row}");
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_run_interrupted_by_a_stop_is_run_again_after_the_restart() {
    let mut net = Net::start().await;
    let (job, sla) = selected_sla(&net).await;

    // The node stops while its pipeline waits for the data source.
    net.source.set_delay(Duration::from_secs(60));
    let session = net.request(sla).await;
    eventually("the node's observation", || async { (net.source.hits() == 1).then_some(()) }).await;
    net.stop_node().await;
    net.source.set_delay(Duration::ZERO);
    assert_eq!(net.om(net.purchaser).entry(session, net.node).await.unwrap().commitment, B256::ZERO);

    // Restarted, it observes again and answers.
    net.start_node().await;
    node_commitment(&net, session).await;
    assert_eq!(net.source.hits(), 2, "observed again after the restart");
    let (a, b) = (net.others[0], net.others[1]);
    let salt_a = commit(&net, a, session, ANSWER).await;
    let salt_b = commit(&net, b, session, ANSWER).await;
    net.om(a).reveal(session, answer(ANSWER), salt_a).await.expect("reveal a");
    net.om(b).reveal(session, answer(ANSWER), salt_b).await.expect("reveal b");
    wait_settled(&net, session).await;
    let entry = net.om(net.purchaser).entry(session, net.node).await.unwrap();
    assert!(entry.revealed && !entry.mismatched);
    assert_eq!(entry.answer, answer(ANSWER));

    // The session's run is the one that completed: a stop leaves an interrupted run `running`
    // and the executor resumes it at the next start (no second run).
    let data = eventually("the session to be settled in the store", || async {
        let d = net.agreements().await;
        (session_row(&d, session)["state"] == "settled").then_some(d)
    })
    .await;
    let row = session_row(&data, session);
    let runs = net.get(&format!("/v2/runs?jobId={job}")).await;
    let runs = runs["runs"].as_array().unwrap();
    let done: Vec<&Value> = runs.iter().filter(|r| r["status"] == "completed").collect();
    assert_eq!(done.len(), 1, "{runs:?}");
    assert_eq!(done[0]["id"], row["runId"]);
    assert_eq!(runs.len(), 1, "the interrupted run resumed, not rerun: {runs:?}");
    net.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_node_back_after_the_commit_phase_does_not_observe() {
    let mut net = Net::start().await;
    let (_, sla) = selected_sla(&net).await;

    // The node is down when the request opens, and the three others make it "committed".
    net.stop_node().await;
    let session = net.request(sla).await;
    for o in net.others.clone() {
        commit(&net, o, session, ANSWER).await;
    }
    assert_eq!(
        SessionStatus::of(net.om(net.purchaser).session(session).await.unwrap().status),
        SessionStatus::Revealing
    );

    // Back up, it learns of the request from the backfilled logs, sees the commit phase is over
    // and records the miss without calling its data source.
    net.start_node().await;
    let data = eventually("the session to be marked missed", || async {
        let d = net.agreements().await;
        find_session(&d, session).filter(|r| r["state"] == "missed").cloned()
    })
    .await;
    assert!(data["error"].as_str().unwrap_or_default().contains("before the node observed"), "{data}");
    assert_eq!(net.source.hits(), 0, "no data-source call for an answer that cannot be committed");
    assert_eq!(net.om(net.purchaser).entry(session, net.node).await.unwrap().commitment, B256::ZERO);
    net.shutdown().await;
}
