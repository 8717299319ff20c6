//! Agreement obligations and sessions: idempotent inserts, conditional state changes, the answer
//! and salt written once, settlement, and what survives a job purge.

use crate::common::{job, run};
use linkpool_store::{
    testing::TestDb, Error, NewObligation, NewSession, ObligationState as O, SessionState as S, SlaPhase, Store,
};

both_backends!(
    obligations_are_idempotent_and_move_only_forward,
    sessions_keep_their_first_answer_and_salt,
    settlement_and_payment,
    unsettled_sessions_of_one_sla_oldest_first,
    records_outlive_their_job_and_run,
    bad_values_are_refused,
);

const OM: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const ORACLE: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const OTHER: &str = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const OM2: &str = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const TEN_LINK: &str = "10000000000000000000";
const SALT: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";

fn obligation(job_id: Option<i64>, sla: &str, oracle: &str) -> NewObligation {
    NewObligation {
        order_matching: OM.to_owned(),
        sla_id: sla.to_owned(),
        oracle: oracle.to_owned(),
        job_id,
        state: O::Bidding,
        pool_backed: false,
        penalty: TEN_LINK.to_owned(),
        payment: "100000000000000000".to_owned(),
        job_type: format!("0x{}", "ab".repeat(32)),
        query_params: "0x7b7d".to_owned(),
        bidding_ends: 1_700_000_060,
        service_ends: 1_700_003_660,
        error: None,
    }
}

fn session(job_id: Option<i64>, sid: &str, oracle: &str) -> NewSession {
    NewSession {
        order_matching: OM.to_owned(),
        session_id: sid.to_owned(),
        sla_id: "1".to_owned(),
        oracle: oracle.to_owned(),
        job_id,
        deadline: 1_700_000_400,
    }
}

async fn states(store: &Store, oracle: &str) -> Vec<(String, O)> {
    store.obligations(oracle, &[]).await.unwrap().into_iter().map(|o| (o.sla_id, o.state)).collect()
}

async fn obligations_are_idempotent_and_move_only_forward(db: &TestDb) {
    let j = job(db, "agreement").await;
    let first = db.insert_obligation(&obligation(Some(j.id), "1", ORACLE)).await.unwrap();
    assert!(first.is_new());
    let o = first.get();
    // Addresses are normalized; amounts and times round-trip exactly.
    assert_eq!(o.order_matching, OM.to_lowercase());
    assert_eq!(o.oracle, ORACLE.to_lowercase());
    assert_eq!((o.penalty.as_str(), o.bidding_ends, o.service_ends), (TEN_LINK, 1_700_000_060, 1_700_003_660));
    assert_eq!((o.state, o.sla_status, o.pool_backed), (O::Bidding, SlaPhase::Bidding, false));

    // The same key again (checksummed or not) is the same row, unchanged.
    let mut again = obligation(None, "1", &ORACLE.to_lowercase());
    again.penalty = "1".into();
    let second = db.insert_obligation(&again).await.unwrap();
    assert!(!second.is_new());
    assert_eq!(second.get(), o);
    // Another oracle, another SLA: other rows.
    db.insert_obligation(&obligation(Some(j.id), "1", OTHER)).await.unwrap();
    let mut pooled = obligation(Some(j.id), "2", ORACLE);
    pooled.pool_backed = true;
    assert!(db.insert_obligation(&pooled).await.unwrap().get().pool_backed);
    assert_eq!(states(db, ORACLE).await, vec![("1".into(), O::Bidding), ("2".into(), O::Bidding)]);

    // Conditional transitions: bidding → bid → selected, never back.
    assert!(db.transition_obligation(OM, "1", ORACLE, &[O::Bidding], O::Bid, None).await.unwrap());
    assert!(!db.transition_obligation(OM, "1", ORACLE, &[O::Bidding], O::BidFailed, Some("late")).await.unwrap());
    assert!(db.transition_obligation(OM, "1", ORACLE, &[O::Bidding, O::Bid], O::Selected, None).await.unwrap());
    assert!(db.transition_obligation(OM, "2", ORACLE, &[O::Bidding], O::BidFailed, Some("refused")).await.unwrap());
    let o2 = db.obligation(OM, "2", ORACLE).await.unwrap().unwrap();
    assert_eq!((o2.state, o2.error.as_deref()), (O::BidFailed, Some("refused")));
    assert!(db.transition_obligation(OM, "7", ORACLE, &[], O::Released, None).await.is_ok_and(|moved| !moved));

    // At-risk filtering and the SLA's status on every row of it.
    let at_risk = db.obligations(ORACLE, O::AT_RISK).await.unwrap();
    assert_eq!(at_risk.iter().map(|o| o.sla_id.as_str()).collect::<Vec<_>>(), ["1"]);
    assert_eq!(db.set_sla_phase(OM, "1", SlaPhase::Active).await.unwrap(), 2);
    assert_eq!(db.obligation(OM, "1", OTHER).await.unwrap().unwrap().sla_status, SlaPhase::Active);
    assert_eq!(db.obligation(OM, "2", ORACLE).await.unwrap().unwrap().sla_status, SlaPhase::Bidding);
}

async fn sessions_keep_their_first_answer_and_salt(db: &TestDb) {
    let j = job(db, "agreement").await;
    let s = db.insert_session(&session(Some(j.id), "3", ORACLE)).await.unwrap();
    assert!(s.is_new());
    assert_eq!((s.get().state, s.get().answer.as_deref(), s.get().deadline), (S::Observing, None, 1_700_000_400));
    assert!(!db.insert_session(&session(Some(j.id), "3", ORACLE)).await.unwrap().is_new());

    let r = run(db, j.id, "agreement-run").await;
    db.set_session_run(OM, "3", ORACLE, r.id).await.unwrap();
    let answered = db.record_session_answer(OM, "3", ORACLE, "-302145", SALT).await.unwrap();
    assert_eq!(
        (answered.state, answered.answer.as_deref(), answered.salt.as_deref()),
        (S::Answered, Some("-302145"), Some(SALT))
    );
    assert_eq!(answered.run_id, Some(r.id));
    assert!(answered.answered_at.is_some());
    // A second answer (a re-run after a crash, say) never replaces the first, nor its salt.
    let other_salt = format!("0x{}", "22".repeat(32));
    let kept = db.record_session_answer(OM, "3", ORACLE, "1", &other_salt).await.unwrap();
    assert_eq!((kept.answer.as_deref(), kept.salt.as_deref()), (Some("-302145"), Some(SALT)));

    assert!(db.transition_session(OM, "3", ORACLE, &[S::Answered], S::Committed, None).await.unwrap());
    assert!(!db.transition_session(OM, "3", ORACLE, &[S::Answered], S::Missed, None).await.unwrap());
    let c = db.session(OM, "3", ORACLE).await.unwrap().unwrap();
    assert_eq!(c.state, S::Committed);
    assert!(c.committed_at.is_some() && c.revealed_at.is_none());
    db.mark_session_revealed(OM, "3", ORACLE).await.unwrap();
    let rv = db.session(OM, "3", ORACLE).await.unwrap().unwrap();
    assert_eq!(rv.state, S::Revealed);
    assert!(rv.revealed_at.is_some());

    // Open sessions: only those with work left.
    db.insert_session(&session(Some(j.id), "4", ORACLE)).await.unwrap();
    let open = db.sessions(ORACLE, S::OPEN, 100).await.unwrap();
    assert_eq!(open.iter().map(|s| s.session_id.as_str()).collect::<Vec<_>>(), ["4"]);
    let all = db.sessions(ORACLE, &[], 100).await.unwrap();
    assert_eq!(all.iter().map(|s| s.session_id.as_str()).collect::<Vec<_>>(), ["4", "3"], "newest first");
    assert_eq!(db.sessions(ORACLE, &[], 1).await.unwrap().len(), 1);
}

async fn settlement_and_payment(db: &TestDb) {
    for (sid, oracle) in [("5", ORACLE), ("5", OTHER), ("6", ORACLE)] {
        db.insert_session(&session(None, sid, oracle)).await.unwrap();
    }
    db.record_session_answer(OM, "5", ORACLE, "42", SALT).await.unwrap();
    db.transition_session(OM, "5", ORACLE, &[S::Answered], S::Committed, None).await.unwrap();
    db.mark_session_revealed(OM, "5", ORACLE).await.unwrap();
    // The other oracle never got further than observing.
    assert_eq!(db.set_session_final_answer(OM, "5", "42").await.unwrap(), 2);
    assert_eq!(db.settle_session(OM, "5").await.unwrap(), 2);
    assert!(db.set_session_paid(OM, "5", ORACLE, "100000000000000000").await.unwrap());
    let mine = db.session(OM, "5", ORACLE).await.unwrap().unwrap();
    assert_eq!(
        (mine.state, mine.final_answer.as_deref(), mine.paid.as_deref()),
        (S::Settled, Some("42"), Some("100000000000000000"))
    );
    assert!(mine.settled_at.is_some());
    let theirs = db.session(OM, "5", OTHER).await.unwrap().unwrap();
    assert_eq!(theirs.state, S::Missed);
    assert!(theirs.error.unwrap().contains("before the node committed"));
    // Settling again changes nothing that matters; another session is untouched.
    db.settle_session(OM, "5").await.unwrap();
    assert_eq!(db.session(OM, "5", ORACLE).await.unwrap().unwrap().settled_at, mine.settled_at);
    assert_eq!(db.session(OM, "6", ORACLE).await.unwrap().unwrap().state, S::Observing);
}

/// `(session id, state)` of `unsettled_sessions(om, sla, oracle)`, checking that every row is of
/// that key and that the rows come in insertion (id) order.
async fn unsettled(store: &Store, om: &str, sla: &str, oracle: &str) -> Vec<(String, S)> {
    let rows = store.unsettled_sessions(om, sla, oracle).await.unwrap();
    for r in &rows {
        assert_eq!(
            (r.order_matching.as_str(), r.sla_id.as_str(), r.oracle.as_str()),
            (om.to_lowercase().as_str(), sla, oracle.to_lowercase().as_str()),
            "session {} is not of the requested key",
            r.session_id
        );
        assert!(r.settled_at.is_none(), "session {} has settled", r.session_id);
    }
    assert!(rows.windows(2).all(|w| w[0].id < w[1].id), "not oldest first: {rows:?}");
    rows.into_iter().map(|r| (r.session_id, r.state)).collect()
}

async fn unsettled_sessions_of_one_sla_oldest_first(db: &TestDb) {
    let new = |om: &str, sla: &str, sid: &str, oracle: &str| NewSession {
        order_matching: om.to_owned(),
        sla_id: sla.to_owned(),
        ..session(None, sid, oracle)
    };
    // Insertion order differs from both numeric and text order of the session ids, and the
    // rows of the SLA under test are interleaved with rows of other keys.
    for (om, sla, sid, oracle) in [
        (OM, "1", "30", ORACLE),
        (OM, "2", "31", ORACLE), // another SLA
        (OM, "1", "4", ORACLE),
        (OM2, "1", "30", ORACLE), // same SLA and session ids on another OrderMatching
        (OM, "1", "30", OTHER),   // another oracle in the same session
        (OM, "1", "100", ORACLE),
        (OM, "1", "5", ORACLE),
        (OM, "1", "6", ORACLE),
        (OM2, "2", "40", ORACLE),
        (OM, "1", "7", ORACLE),
        (OM, "1", "8", ORACLE),
        (OM, "1", "9", ORACLE),
    ] {
        assert!(db.insert_session(&new(om, sla, sid, oracle)).await.unwrap().is_new());
    }
    // "30" committed, "4" answered, "100" left observing.
    for sid in ["30", "4", "5", "9"] {
        db.record_session_answer(OM, sid, ORACLE, "42", SALT).await.unwrap();
    }
    for sid in ["30", "5", "9"] {
        assert!(db.transition_session(OM, sid, ORACLE, &[S::Answered], S::Committed, None).await.unwrap());
    }
    // "5" revealed, then settled on chain: gone.
    db.mark_session_revealed(OM, "5", ORACLE).await.unwrap();
    assert_eq!(db.settle_session(OM, "5").await.unwrap(), 1);
    // "6" failed and "8" missed by the node's own account: no settlement yet, so still listed.
    assert!(db.transition_session(OM, "6", ORACLE, &[S::Observing], S::Failed, Some("boom")).await.unwrap());
    assert!(db.transition_session(OM, "8", ORACLE, &[S::Observing], S::Missed, None).await.unwrap());
    // "7" settled before the node committed (missed, with `settled_at`): gone.
    assert_eq!(db.settle_session(OM, "7").await.unwrap(), 1);
    assert_eq!(db.session(OM, "7", ORACLE).await.unwrap().unwrap().state, S::Missed);
    // "9" moved to settled directly: `settled_at` is stamped, so gone too.
    assert!(db.transition_session(OM, "9", ORACLE, &[S::Committed], S::Settled, None).await.unwrap());

    let expected: Vec<(String, S)> =
        [("30", S::Committed), ("4", S::Answered), ("100", S::Observing), ("6", S::Failed), ("8", S::Missed)]
            .map(|(sid, st)| (sid.to_owned(), st))
            .to_vec();
    assert_eq!(unsettled(db, OM, "1", ORACLE).await, expected);
    // Checksummed or lowercase addresses are the same key.
    assert_eq!(unsettled(db, &OM.to_lowercase(), "1", &ORACLE.to_lowercase()).await, expected);
    // The other keys see only their own rows.
    assert_eq!(unsettled(db, OM, "2", ORACLE).await, vec![("31".to_owned(), S::Observing)]);
    assert_eq!(unsettled(db, OM, "1", OTHER).await, vec![("30".to_owned(), S::Observing)]);
    assert_eq!(unsettled(db, OM2, "1", ORACLE).await, vec![("30".to_owned(), S::Observing)]);
    assert_eq!(unsettled(db, OM2, "2", ORACLE).await, vec![("40".to_owned(), S::Observing)]);
    assert_eq!(unsettled(db, OM, "3", ORACLE).await, vec![]);
    assert_eq!(unsettled(db, OM2, "1", OTHER).await, vec![]);

    // Settling session 30 on the second contract leaves the first contract's session 30 alone.
    assert_eq!(db.settle_session(OM2, "30").await.unwrap(), 1);
    assert_eq!(unsettled(db, OM2, "1", ORACLE).await, vec![]);
    assert_eq!(unsettled(db, OM, "1", ORACLE).await, expected);
    // Settling it on the first contract settles both oracles' rows.
    assert_eq!(db.settle_session(OM, "30").await.unwrap(), 2);
    assert_eq!(unsettled(db, OM, "1", ORACLE).await, expected[1..].to_vec());
    assert_eq!(unsettled(db, OM, "1", OTHER).await, vec![]);

    for (om, sla, oracle) in [("0x12", "1", ORACLE), (OM, "-1", ORACLE), (OM, "1.0", ORACLE), (OM, "1", "nope")] {
        assert!(
            matches!(db.unsettled_sessions(om, sla, oracle).await, Err(Error::Invalid { .. })),
            "{om} {sla} {oracle}"
        );
    }
}

async fn records_outlive_their_job_and_run(db: &TestDb) {
    let j = job(db, "agreement").await;
    db.insert_obligation(&obligation(Some(j.id), "1", ORACLE)).await.unwrap();
    db.insert_session(&session(Some(j.id), "1", ORACLE)).await.unwrap();
    let r = run(db, j.id, "agreement-run").await;
    db.set_session_run(OM, "1", ORACLE, r.id).await.unwrap();
    db.record_session_answer(OM, "1", ORACLE, "7", SALT).await.unwrap();
    db.delete_job(j.id).await.unwrap();
    db.purge_deleted_jobs().await.unwrap();
    // Money and salts stay on record when the job goes.
    let o = db.obligation(OM, "1", ORACLE).await.unwrap().unwrap();
    assert_eq!((o.job_id, o.penalty.as_str()), (None, TEN_LINK));
    let s = db.session(OM, "1", ORACLE).await.unwrap().unwrap();
    assert_eq!((s.job_id, s.run_id, s.salt.as_deref()), (None, None, Some(SALT)));
}

async fn bad_values_are_refused(db: &TestDb) {
    let mut o = obligation(None, "1", ORACLE);
    o.penalty = "1.5".into();
    assert!(matches!(db.insert_obligation(&o).await, Err(Error::Invalid { .. })));
    assert!(matches!(db.insert_obligation(&obligation(None, "-1", ORACLE)).await, Err(Error::Invalid { .. })));
    assert!(matches!(db.insert_obligation(&obligation(None, "1", "0x12")).await, Err(Error::Invalid { .. })));
    let mut o = obligation(None, "1", ORACLE);
    o.query_params = "{}".into();
    assert!(matches!(db.insert_obligation(&o).await, Err(Error::Invalid { .. })));
    db.insert_session(&session(None, "1", ORACLE)).await.unwrap();
    assert!(matches!(db.record_session_answer(OM, "1", ORACLE, "1e3", SALT).await, Err(Error::Invalid { .. })));
    assert!(matches!(db.record_session_answer(OM, "1", ORACLE, "3", "0x11").await, Err(Error::Invalid { .. })));
    assert!(matches!(db.record_session_answer(OM, "9", ORACLE, "3", SALT).await, Err(Error::NotFound { .. })));
    assert!(matches!(db.sessions(ORACLE, &[], 0).await, Err(Error::Invalid { .. })));
}
