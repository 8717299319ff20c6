use crate::common::{job, now_millis, run};
use linkpool_store::{testing::TestDb, Error, Inserted, NewTx, TxAttempt, TxState};

both_backends!(
    insert_tx_round_trips_and_normalizes,
    insert_tx_is_idempotent,
    insert_tx_rejects_bad_input,
    assign_nonce_and_max_nonce,
    attempts_are_persisted_and_idempotent,
    confirm_revert_and_fatal,
    txs_in_state_ordered_by_nonce,
    start_txs_persists_a_batch,
    start_txs_rolls_back_the_whole_batch,
    mark_txs_confirmed_in_one_batch,
);

const FROM: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const FROM_LOWER: &str = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
const TO: &str = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
const MAX_U256: &str = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

fn new_tx(key: &str) -> NewTx {
    NewTx {
        idempotency_key: key.to_owned(),
        chain_id: 31337,
        from: FROM.to_owned(),
        to: TO.to_owned(),
        data: vec![0x4a, 0xb0, 0xd1, 0x90, 0x00, 0x00, 0xff],
        value: "0".to_owned(),
        gas_limit: 500_000,
        run_id: None,
    }
}

fn hash(n: u8) -> String {
    format!("0x{}", hex_byte(n).repeat(32))
}

fn hex_byte(n: u8) -> String {
    format!("{n:02x}")
}

async fn insert_tx_round_trips_and_normalizes(db: &TestDb) {
    let j = job(db, "j").await;
    let r = run(db, j.id, "r").await;
    let before = now_millis();
    let new =
        NewTx { value: MAX_U256.to_owned(), run_id: Some(r.id), data: vec![0, 0, 1, 0], ..new_tx("run:1/task:submit") };
    let Inserted::New(tx) = db.insert_tx(&new).await.unwrap() else { panic!("expected New") };
    assert_eq!(tx.idempotency_key, "run:1/task:submit");
    assert_eq!(tx.chain_id, 31337);
    assert_eq!(tx.from, FROM_LOWER);
    assert_eq!(tx.to, TO.to_lowercase());
    assert_eq!(tx.data, vec![0, 0, 1, 0]);
    assert_eq!(tx.value, MAX_U256);
    assert_eq!(tx.gas_limit, 500_000);
    assert_eq!(tx.run_id, Some(r.id));
    assert_eq!(tx.nonce, None);
    assert_eq!(tx.state, TxState::Unstarted);
    assert_eq!((tx.error.clone(), tx.confirmed_hash.clone(), tx.block_number, tx.gas_used), (None, None, None, None));
    assert!(tx.created_at >= before);
    assert_eq!(db.get_tx(tx.id).await.unwrap(), Some(tx.clone()));
    assert_eq!(db.get_tx_by_key("run:1/task:submit").await.unwrap(), Some(tx.clone()));
    assert_eq!(db.get_tx(tx.id + 1).await.unwrap(), None);
    assert_eq!(db.get_tx_by_key("nope").await.unwrap(), None);

    let empty = db.insert_tx(&NewTx { data: Vec::new(), chain_id: i64::MAX as u64, ..new_tx("empty") }).await.unwrap();
    assert_eq!(empty.get().data, Vec::<u8>::new());
    assert_eq!(empty.get().chain_id, i64::MAX as u64);
}

async fn insert_tx_is_idempotent(db: &TestDb) {
    let first = db.insert_tx(&new_tx("k")).await.unwrap();
    assert!(first.is_new());
    let again = db.insert_tx(&NewTx { gas_limit: 1, value: "7".to_owned(), ..new_tx("k") }).await.unwrap();
    assert_eq!(again, Inserted::Existing(first.get().clone()));
    assert!(db.insert_tx(&new_tx("k2")).await.unwrap().is_new());
}

async fn insert_tx_rejects_bad_input(db: &TestDb) {
    let cases = [
        NewTx { from: "0x1234".to_owned(), ..new_tx("a") },
        NewTx { to: TO.trim_start_matches("0x").to_owned(), ..new_tx("b") },
        NewTx { to: format!("0x{}", "g".repeat(40)), ..new_tx("c") },
        NewTx { value: "1.5".to_owned(), ..new_tx("d") },
        NewTx { value: "-1".to_owned(), ..new_tx("e") },
        NewTx { value: String::new(), ..new_tx("f") },
        NewTx { chain_id: u64::MAX, ..new_tx("g") },
        NewTx { gas_limit: u64::MAX, ..new_tx("h") },
    ];
    for bad in cases {
        let err = db.insert_tx(&bad).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{bad:?}: {err:?}");
        assert_eq!(db.get_tx_by_key(&bad.idempotency_key).await.unwrap(), None);
    }
    let err = db.insert_tx(&NewTx { run_id: Some(777), ..new_tx("orphan") }).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

async fn assign_nonce_and_max_nonce(db: &TestDb) {
    assert_eq!(db.max_nonce(31337, FROM).await.unwrap(), None);
    let a = db.insert_tx(&new_tx("a")).await.unwrap().into_inner();
    let b = db.insert_tx(&new_tx("b")).await.unwrap().into_inner();
    assert_eq!(db.max_nonce(31337, FROM).await.unwrap(), None, "unstarted txs hold no nonce");

    db.assign_nonce(a.id, 0).await.unwrap();
    let a = db.get_tx(a.id).await.unwrap().unwrap();
    assert_eq!((a.state, a.nonce), (TxState::Unconfirmed, Some(0)));
    assert_eq!(db.max_nonce(31337, FROM_LOWER).await.unwrap(), Some(0));

    // a nonce is assigned once
    let err = db.assign_nonce(a.id, 1).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    // the same nonce cannot go to a second tx of the sender
    let err = db.assign_nonce(b.id, 0).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    assert_eq!(db.get_tx(b.id).await.unwrap().unwrap().state, TxState::Unstarted);
    db.assign_nonce(b.id, 1).await.unwrap();
    assert_eq!(db.max_nonce(31337, FROM).await.unwrap(), Some(1));

    // another sender or another chain has its own nonce space
    let other_sender = db.insert_tx(&NewTx { from: TO.to_owned(), ..new_tx("c") }).await.unwrap().into_inner();
    db.assign_nonce(other_sender.id, 0).await.unwrap();
    let other_chain = db.insert_tx(&NewTx { chain_id: 1, ..new_tx("d") }).await.unwrap().into_inner();
    db.assign_nonce(other_chain.id, 0).await.unwrap();
    assert_eq!(db.max_nonce(31337, TO).await.unwrap(), Some(0));
    assert_eq!(db.max_nonce(1, FROM).await.unwrap(), Some(0));
    assert_eq!(db.max_nonce(31337, FROM).await.unwrap(), Some(1));

    // the max survives confirmation and fatal states
    db.mark_tx_fatal(b.id, "boom").await.unwrap();
    assert_eq!(db.max_nonce(31337, FROM).await.unwrap(), Some(1));

    let err = db.assign_nonce(9999, 5).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let e = db.insert_tx(&new_tx("e")).await.unwrap().into_inner();
    let err = db.assign_nonce(e.id, -1).await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    let err = db.max_nonce(31337, "not an address").await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
}

async fn attempts_are_persisted_and_idempotent(db: &TestDb) {
    let tx = db.insert_tx(&new_tx("t")).await.unwrap().into_inner();
    let other = db.insert_tx(&new_tx("other")).await.unwrap().into_inner();
    assert!(db.attempts(tx.id).await.unwrap().is_empty());
    let first = TxAttempt {
        tx_id: tx.id,
        hash: hash(0xAB).to_uppercase().replace("0X", "0x"),
        max_fee_per_gas: "30000000000".to_owned(),
        max_priority_fee_per_gas: "1000000000".to_owned(),
        raw: vec![0x02, 0xf8, 0x00, 0x01],
        broadcast_at: 1_700_000_000_000,
    };
    let bumped = TxAttempt {
        hash: hash(0x01),
        max_fee_per_gas: "36000000000".to_owned(),
        max_priority_fee_per_gas: MAX_U256.to_owned(),
        raw: vec![0x02, 0xf8, 0x00, 0x02],
        broadcast_at: 1_700_000_060_000,
        ..first.clone()
    };
    db.insert_attempt(&first).await.unwrap();
    db.insert_attempt(&bumped).await.unwrap();
    // persisting the same attempt twice (crash between persist and broadcast) is harmless
    db.insert_attempt(&first).await.unwrap();
    let stored = db.attempts(tx.id).await.unwrap();
    assert_eq!(stored, vec![TxAttempt { hash: hash(0xab), ..first.clone() }, bumped.clone()]);

    let err = db.insert_attempt(&TxAttempt { tx_id: other.id, ..bumped.clone() }).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    assert!(db.attempts(other.id).await.unwrap().is_empty());
    let err = db.insert_attempt(&TxAttempt { tx_id: 9999, hash: hash(0x02), ..first.clone() }).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    for bad in [
        TxAttempt { hash: "0x1234".to_owned(), ..first.clone() },
        TxAttempt { hash: hash(0x03), max_fee_per_gas: "1e9".to_owned(), ..first.clone() },
        TxAttempt { hash: hash(0x04), max_priority_fee_per_gas: "0x10".to_owned(), ..first.clone() },
    ] {
        let err = db.insert_attempt(&bad).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{bad:?}: {err:?}");
    }
    assert_eq!(db.attempts(tx.id).await.unwrap().len(), 2);
    // Batched read: the same attempts per tx, in order; txs without attempts are absent.
    let third = db.insert_tx(&new_tx("third")).await.unwrap().into_inner();
    let batch = db.attempts_of(&[tx.id, other.id, third.id, 424242]).await.unwrap();
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[&tx.id], db.attempts(tx.id).await.unwrap());
    assert!(db.attempts_of(&[]).await.unwrap().is_empty());
}

async fn confirm_revert_and_fatal(db: &TestDb) {
    let ok = db.insert_tx(&new_tx("ok")).await.unwrap().into_inner();
    db.assign_nonce(ok.id, 0).await.unwrap();
    db.mark_tx_confirmed(ok.id, &hash(0xCD), 120, 21_000, false).await.unwrap();
    let ok = db.get_tx(ok.id).await.unwrap().unwrap();
    assert_eq!(ok.state, TxState::Confirmed);
    assert_eq!(ok.confirmed_hash, Some(hash(0xcd)));
    assert_eq!((ok.block_number, ok.gas_used, ok.nonce), (Some(120), Some(21_000), Some(0)));

    // re-mined in another block after a reorg: the latest receipt wins
    db.mark_tx_confirmed(ok.id, &hash(0xce), 121, 21_001, false).await.unwrap();
    let ok = db.get_tx(ok.id).await.unwrap().unwrap();
    assert_eq!((ok.confirmed_hash, ok.block_number), (Some(hash(0xce)), Some(121)));

    let rev = db.insert_tx(&new_tx("rev")).await.unwrap().into_inner();
    db.assign_nonce(rev.id, 1).await.unwrap();
    db.mark_tx_confirmed(rev.id, &hash(0xee), 130, 50_000, true).await.unwrap();
    assert_eq!(db.get_tx(rev.id).await.unwrap().unwrap().state, TxState::Reverted);

    let fatal = db.insert_tx(&new_tx("fatal")).await.unwrap().into_inner();
    db.mark_tx_fatal(fatal.id, "insufficient funds for gas * price + value").await.unwrap();
    let fatal = db.get_tx(fatal.id).await.unwrap().unwrap();
    assert_eq!(fatal.state, TxState::Fatal);
    assert_eq!(fatal.error.as_deref(), Some("insufficient funds for gas * price + value"));

    let err = db.mark_tx_confirmed(9999, &hash(1), 1, 1, false).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = db.mark_tx_fatal(9999, "x").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = db.mark_tx_confirmed(ok.id, "0xshort", 1, 1, false).await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
}

async fn txs_in_state_ordered_by_nonce(db: &TestDb) {
    let mk = |key: &str| new_tx(key);
    let n2 = db.insert_tx(&mk("n2")).await.unwrap().into_inner();
    let unstarted1 = db.insert_tx(&mk("u1")).await.unwrap().into_inner();
    let n0 = db.insert_tx(&mk("n0")).await.unwrap().into_inner();
    let n1 = db.insert_tx(&mk("n1")).await.unwrap().into_inner();
    let unstarted2 = db.insert_tx(&mk("u2")).await.unwrap().into_inner();
    let other_sender = db.insert_tx(&NewTx { from: TO.to_owned(), ..mk("o") }).await.unwrap().into_inner();
    let other_chain = db.insert_tx(&NewTx { chain_id: 5, ..mk("c") }).await.unwrap().into_inner();
    db.assign_nonce(n2.id, 2).await.unwrap();
    db.assign_nonce(n0.id, 0).await.unwrap();
    db.assign_nonce(n1.id, 1).await.unwrap();
    db.assign_nonce(other_sender.id, 0).await.unwrap();
    db.mark_tx_confirmed(n0.id, &hash(9), 10, 21_000, false).await.unwrap();
    let _ = other_chain;

    let ids = |v: Vec<linkpool_store::TxRecord>| v.into_iter().map(|t| t.id).collect::<Vec<_>>();
    let pending = db.txs_in_state(31337, FROM, &[TxState::Unstarted, TxState::Unconfirmed]).await.unwrap();
    assert_eq!(ids(pending), vec![n1.id, n2.id, unstarted1.id, unstarted2.id]);
    let unconfirmed = db.txs_in_state(31337, FROM_LOWER, &[TxState::Unconfirmed]).await.unwrap();
    assert_eq!(ids(unconfirmed), vec![n1.id, n2.id]);
    let all = db
        .txs_in_state(
            31337,
            FROM,
            &[TxState::Unstarted, TxState::Unconfirmed, TxState::Confirmed, TxState::Reverted, TxState::Fatal],
        )
        .await
        .unwrap();
    assert_eq!(ids(all), vec![n0.id, n1.id, n2.id, unstarted1.id, unstarted2.id]);
    assert_eq!(ids(db.txs_in_state(31337, TO, &[TxState::Unconfirmed]).await.unwrap()), vec![other_sender.id]);
    assert_eq!(ids(db.txs_in_state(5, FROM, &[TxState::Unstarted]).await.unwrap()), vec![other_chain.id]);
    assert!(db.txs_in_state(31337, FROM, &[]).await.unwrap().is_empty());
    assert!(db.txs_in_state(31337, FROM, &[TxState::Fatal]).await.unwrap().is_empty());
}

fn first_attempt(tx_id: i64, n: u8) -> TxAttempt {
    TxAttempt {
        tx_id,
        hash: hash(n),
        max_fee_per_gas: "30000000000".to_owned(),
        max_priority_fee_per_gas: "1000000000".to_owned(),
        raw: vec![0x02, n],
        broadcast_at: 1_700_000_000_000 + i64::from(n),
    }
}

async fn start_txs_persists_a_batch(db: &TestDb) {
    db.start_txs(&[]).await.unwrap();
    let a = db.insert_tx(&new_tx("a")).await.unwrap().into_inner();
    let b = db.insert_tx(&new_tx("b")).await.unwrap().into_inner();
    let c = db.insert_tx(&new_tx("c")).await.unwrap().into_inner();
    let upper = TxAttempt { hash: hash(0xAB).to_uppercase().replace("0X", "0x"), ..first_attempt(b.id, 0xab) };
    db.start_txs(&[(a.id, 0, first_attempt(a.id, 1)), (b.id, 1, upper)]).await.unwrap();

    for (tx, nonce, attempt) in [(&a, 0, first_attempt(a.id, 1)), (&b, 1, first_attempt(b.id, 0xab))] {
        let stored = db.get_tx(tx.id).await.unwrap().unwrap();
        assert_eq!((stored.state, stored.nonce), (TxState::Unconfirmed, Some(nonce)));
        assert_eq!(db.attempts(tx.id).await.unwrap(), vec![attempt]);
    }
    assert_eq!(db.get_tx(c.id).await.unwrap().unwrap().state, TxState::Unstarted);
    assert_eq!(db.max_nonce(31337, FROM).await.unwrap(), Some(1));

    // a tx already started is refused, as `assign_nonce` refuses it
    let err = db.start_txs(&[(a.id, 5, first_attempt(a.id, 5))]).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    let err = db.start_txs(&[(9999, 7, first_attempt(9999, 7))]).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    for bad in [
        (c.id, -1, first_attempt(c.id, 8)),
        (c.id, 2, first_attempt(a.id, 8)),
        (c.id, 2, TxAttempt { hash: "0x12".to_owned(), ..first_attempt(c.id, 8) }),
        (c.id, 2, TxAttempt { max_fee_per_gas: "1.5".to_owned(), ..first_attempt(c.id, 8) }),
    ] {
        let err = db.start_txs(std::slice::from_ref(&bad)).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{bad:?}: {err:?}");
    }
    let c = db.get_tx(c.id).await.unwrap().unwrap();
    assert_eq!((c.state, c.nonce), (TxState::Unstarted, None));
    assert!(db.attempts(c.id).await.unwrap().is_empty());
}

async fn start_txs_rolls_back_the_whole_batch(db: &TestDb) {
    let held = db.insert_tx(&new_tx("held")).await.unwrap().into_inner();
    db.start_txs(&[(held.id, 3, first_attempt(held.id, 3))]).await.unwrap();
    let ids: Vec<i64> =
        [db.insert_tx(&new_tx("x")).await, db.insert_tx(&new_tx("y")).await, db.insert_tx(&new_tx("z")).await]
            .into_iter()
            .map(|r| r.unwrap().into_inner().id)
            .collect();
    // the last item's nonce clashes with `held`: the first two are rolled back too
    let clash = [
        (ids[0], 1, first_attempt(ids[0], 0x11)),
        (ids[1], 2, first_attempt(ids[1], 0x12)),
        (ids[2], 3, first_attempt(ids[2], 0x13)),
    ];
    let err = db.start_txs(&clash).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    assert_unstarted(db, &ids).await;

    // an attempt hash owned by another tx rolls back the batch as well
    let stolen = [(ids[0], 1, first_attempt(ids[0], 0x11)), (ids[1], 2, first_attempt(ids[1], 3))];
    let err = db.start_txs(&stolen).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    assert_unstarted(db, &ids).await;

    // so does a tx listed twice
    let twice = [(ids[0], 1, first_attempt(ids[0], 0x11)), (ids[0], 2, first_attempt(ids[0], 0x12))];
    let err = db.start_txs(&twice).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    assert_unstarted(db, &ids).await;
    assert_eq!(db.max_nonce(31337, FROM).await.unwrap(), Some(3));
    assert_eq!(db.attempts(held.id).await.unwrap(), vec![first_attempt(held.id, 3)]);

    // the store is usable afterwards and the same txs start with free nonces
    let ok: Vec<_> = ids.iter().zip([0, 1, 2]).map(|(&id, n)| (id, n, first_attempt(id, 0x20 + n as u8))).collect();
    db.start_txs(&ok).await.unwrap();
    for (id, nonce, attempt) in ok {
        assert_eq!(db.get_tx(id).await.unwrap().unwrap().nonce, Some(nonce));
        assert_eq!(db.attempts(id).await.unwrap(), vec![attempt]);
    }
}

async fn mark_txs_confirmed_in_one_batch(db: &TestDb) {
    db.mark_txs_confirmed(&[]).await.unwrap();
    let ok = db.insert_tx(&new_tx("ok")).await.unwrap().into_inner();
    let rev = db.insert_tx(&new_tx("rev")).await.unwrap().into_inner();
    let later = db.insert_tx(&new_tx("later")).await.unwrap().into_inner();
    db.start_txs(&[
        (ok.id, 0, first_attempt(ok.id, 1)),
        (rev.id, 1, first_attempt(rev.id, 2)),
        (later.id, 2, first_attempt(later.id, 3)),
    ])
    .await
    .unwrap();

    // one missing tx: nothing is marked
    let err =
        db.mark_txs_confirmed(&[(ok.id, hash(1), 10, 21_000, false), (9999, hash(9), 10, 1, false)]).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = db
        .mark_txs_confirmed(&[(ok.id, hash(1), 10, 21_000, false), (rev.id, "0x1".to_owned(), 10, 1, true)])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_eq!(db.get_tx(ok.id).await.unwrap().unwrap().state, TxState::Unconfirmed);

    db.mark_txs_confirmed(&[(ok.id, hash(0xCD), 10, 21_000, false), (rev.id, hash(2), 11, 50_000, true)])
        .await
        .unwrap();
    let ok_now = db.get_tx(ok.id).await.unwrap().unwrap();
    assert_eq!(ok_now.state, TxState::Confirmed);
    assert_eq!(
        (ok_now.confirmed_hash, ok_now.block_number, ok_now.gas_used),
        (Some(hash(0xcd)), Some(10), Some(21_000))
    );
    let rev_now = db.get_tx(rev.id).await.unwrap().unwrap();
    assert_eq!(rev_now.state, TxState::Reverted);
    assert_eq!(
        (rev_now.confirmed_hash, rev_now.block_number, rev_now.gas_used),
        (Some(hash(2)), Some(11), Some(50_000))
    );
    assert_eq!(db.get_tx(later.id).await.unwrap().unwrap().state, TxState::Unconfirmed);

    // re-mined after a reorg: the latest receipt wins, and a fatal error is cleared
    db.mark_tx_fatal(later.id, "gave up").await.unwrap();
    db.mark_txs_confirmed(&[(ok.id, hash(0xce), 12, 21_001, false), (later.id, hash(3), 12, 30_000, false)])
        .await
        .unwrap();
    let ok_now = db.get_tx(ok.id).await.unwrap().unwrap();
    assert_eq!((ok_now.confirmed_hash, ok_now.block_number), (Some(hash(0xce)), Some(12)));
    let later_now = db.get_tx(later.id).await.unwrap().unwrap();
    assert_eq!((later_now.state, later_now.error), (TxState::Confirmed, None));
}

async fn assert_unstarted(db: &TestDb, ids: &[i64]) {
    for &id in ids {
        let tx = db.get_tx(id).await.unwrap().unwrap();
        assert_eq!((tx.state, tx.nonce), (TxState::Unstarted, None), "tx {id}");
        assert!(db.attempts(id).await.unwrap().is_empty(), "tx {id}");
    }
}
