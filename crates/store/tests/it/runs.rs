use crate::common::{exec, job, new_run, now_millis, run};
use linkpool_store::{testing::TestDb, Error, Inserted, NewRun, RunFilter, RunStatus};
use serde_json::json;

both_backends!(
    insert_run_round_trips_fields,
    insert_run_is_idempotent,
    insert_run_for_missing_job_is_not_found,
    set_status_and_finish,
    list_runs_keyset_pagination,
    list_runs_filters,
    runs_with_status_for_resume,
    runs_by_request_id_finds_all,
    runs_ready_at_confirmation_block,
    corrupt_status_is_typed_error,
    insert_runs_batches_new_and_existing,
);

async fn insert_run_round_trips_fields(db: &TestDb) {
    let j = job(db, "j").await;
    // arbitrary-precision numbers, nesting, unicode: JSON stored as text must come back identical
    let inputs = json!({
        "amount": "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        "big": serde_json::from_str::<serde_json::Value>("123456789012345678901234567890.000000000000000001").unwrap(),
        "nested": { "list": [1, "two", null, true], "ü": "ñ" }
    });
    let new = NewRun {
        job_id: j.id,
        idempotency_key: "k1".to_owned(),
        inputs: inputs.clone(),
        request_id: Some("0xabc".to_owned()),
        ready_at_block: Some(42),
        status: RunStatus::PendingConfirmations,
    };
    let before = now_millis();
    let Inserted::New(r) = db.insert_run(&new).await.unwrap() else { panic!("expected New") };
    assert_eq!(r.job_id, j.id);
    assert_eq!(r.idempotency_key, "k1");
    assert_eq!(r.status, RunStatus::PendingConfirmations);
    assert_eq!(r.inputs, inputs);
    assert_eq!(r.inputs.to_string(), inputs.to_string());
    assert_eq!(r.outputs, None);
    assert_eq!(r.error, None);
    assert_eq!(r.request_id.as_deref(), Some("0xabc"));
    assert_eq!(r.ready_at_block, Some(42));
    assert!(r.created_at >= before);
    assert_eq!(r.finished_at, None);
    assert_eq!(db.get_run(r.id).await.unwrap(), Some(r.clone()));
    assert_eq!(db.get_run(r.id + 1).await.unwrap(), None);
}

async fn insert_run_is_idempotent(db: &TestDb) {
    let j = job(db, "j").await;
    let first = db.insert_run(&new_run(j.id, "same")).await.unwrap();
    assert!(first.is_new());
    let mut again = new_run(j.id, "same");
    again.inputs = json!({"different": true});
    again.status = RunStatus::Suspended;
    let second = db.insert_run(&again).await.unwrap();
    let Inserted::Existing(existing) = second else { panic!("expected Existing, got {second:?}") };
    // the stored row wins; the second call's fields are ignored
    assert_eq!(&existing, first.get());
    assert_eq!(existing.status, RunStatus::Running);
    let other = db.insert_run(&new_run(j.id, "other")).await.unwrap();
    assert!(other.is_new());
    assert_ne!(other.get().id, existing.id);
}

async fn insert_run_for_missing_job_is_not_found(db: &TestDb) {
    let err = db.insert_run(&new_run(9999, "orphan")).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

async fn set_status_and_finish(db: &TestDb) {
    let j = job(db, "j").await;
    let r = run(db, j.id, "r").await;
    db.set_run_status(r.id, RunStatus::Suspended).await.unwrap();
    assert_eq!(db.get_run(r.id).await.unwrap().unwrap().status, RunStatus::Suspended);
    let err = db.set_run_status(r.id + 100, RunStatus::Running).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    let err = db.finish_run(r.id, RunStatus::Running, None, None).await.unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_eq!(db.get_run(r.id).await.unwrap().unwrap().status, RunStatus::Suspended);

    let before = now_millis();
    db.finish_run(r.id, RunStatus::Completed, Some(json!(["0x01", 2])), None).await.unwrap();
    let done = db.get_run(r.id).await.unwrap().unwrap();
    assert_eq!(done.status, RunStatus::Completed);
    assert_eq!(done.outputs, Some(json!(["0x01", 2])));
    assert_eq!(done.error, None);
    assert!(done.finished_at.unwrap() >= before);
    assert_eq!(done.inputs, r.inputs);

    let r2 = run(db, j.id, "r2").await;
    db.finish_run(r2.id, RunStatus::Errored, None, Some("http: 503".to_owned())).await.unwrap();
    let errored = db.get_run(r2.id).await.unwrap().unwrap();
    assert_eq!(
        (errored.status, errored.error.as_deref(), errored.outputs),
        (RunStatus::Errored, Some("http: 503"), None)
    );

    let err = db.finish_run(r.id + 100, RunStatus::Cancelled, None, None).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

async fn list_runs_keyset_pagination(db: &TestDb) {
    let j = job(db, "j").await;
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(run(db, j.id, &format!("r{i}")).await.id);
    }
    ids.reverse(); // newest first
    let mut seen = Vec::new();
    let mut before_id = None;
    loop {
        let page = db.list_runs(&RunFilter { job_id: Some(j.id), status: None, limit: 10, before_id }).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 10);
        before_id = Some(page.last().unwrap().id);
        seen.extend(page.iter().map(|r| r.id));
    }
    assert_eq!(seen, ids);
    let all = db.list_runs(&RunFilter { limit: 1000, ..Default::default() }).await.unwrap();
    assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), ids);

    for limit in [0, -1] {
        let err = db.list_runs(&RunFilter { limit, ..Default::default() }).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    }
}

async fn list_runs_filters(db: &TestDb) {
    let a = job(db, "a").await;
    let b = job(db, "b").await;
    let a1 = run(db, a.id, "a1").await;
    let b1 = run(db, b.id, "b1").await;
    let a2 = run(db, a.id, "a2").await;
    let a3 = run(db, a.id, "a3").await;
    db.finish_run(a2.id, RunStatus::Completed, None, None).await.unwrap();
    db.finish_run(b1.id, RunStatus::Completed, None, None).await.unwrap();

    let ids = |runs: Vec<linkpool_store::RunRecord>| runs.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let f = |job_id, status, before_id| RunFilter { job_id, status, limit: 100, before_id };
    assert_eq!(ids(db.list_runs(&f(Some(a.id), None, None)).await.unwrap()), vec![a3.id, a2.id, a1.id]);
    assert_eq!(ids(db.list_runs(&f(Some(b.id), None, None)).await.unwrap()), vec![b1.id]);
    assert_eq!(ids(db.list_runs(&f(None, Some(RunStatus::Completed), None)).await.unwrap()), vec![a2.id, b1.id]);
    assert_eq!(ids(db.list_runs(&f(Some(a.id), Some(RunStatus::Running), None)).await.unwrap()), vec![a3.id, a1.id]);
    assert_eq!(ids(db.list_runs(&f(Some(a.id), Some(RunStatus::Running), Some(a3.id))).await.unwrap()), vec![a1.id]);
    assert_eq!(ids(db.list_runs(&f(None, None, Some(a2.id))).await.unwrap()), vec![b1.id, a1.id]);
    assert!(db.list_runs(&f(Some(b.id + 10), None, None)).await.unwrap().is_empty());
    let one = db.list_runs(&RunFilter { limit: 1, ..Default::default() }).await.unwrap();
    assert_eq!(ids(one), vec![a3.id]);
}

async fn runs_with_status_for_resume(db: &TestDb) {
    let j = job(db, "j").await;
    let running = run(db, j.id, "running").await;
    let suspended = run(db, j.id, "suspended").await;
    db.set_run_status(suspended.id, RunStatus::Suspended).await.unwrap();
    let done = run(db, j.id, "done").await;
    db.finish_run(done.id, RunStatus::Completed, None, None).await.unwrap();
    let pending = db
        .insert_run(&NewRun { status: RunStatus::PendingConfirmations, ..new_run(j.id, "pending") })
        .await
        .unwrap()
        .into_inner();

    let resume = db.runs_with_status(&[RunStatus::Running, RunStatus::Suspended]).await.unwrap();
    assert_eq!(resume.iter().map(|r| r.id).collect::<Vec<_>>(), vec![running.id, suspended.id]);
    let one = db.runs_with_status(&[RunStatus::PendingConfirmations]).await.unwrap();
    assert_eq!(one.iter().map(|r| r.id).collect::<Vec<_>>(), vec![pending.id]);
    assert!(db.runs_with_status(&[]).await.unwrap().is_empty());
    assert!(db.runs_with_status(&[RunStatus::Cancelled]).await.unwrap().is_empty());
}

async fn runs_by_request_id_finds_all(db: &TestDb) {
    let a = job(db, "a").await;
    let b = job(db, "b").await;
    let with =
        |job_id, key: &str, req: Option<&str>| NewRun { request_id: req.map(str::to_owned), ..new_run(job_id, key) };
    let r1 = db.insert_run(&with(a.id, "1", Some("0xreq1"))).await.unwrap().into_inner();
    let _r2 = db.insert_run(&with(a.id, "2", Some("0xreq2"))).await.unwrap();
    let r3 = db.insert_run(&with(b.id, "3", Some("0xreq1"))).await.unwrap().into_inner();
    let _r4 = db.insert_run(&with(b.id, "4", None)).await.unwrap();
    let found = db.runs_by_request_id("0xreq1").await.unwrap();
    assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![r1.id, r3.id]);
    assert!(db.runs_by_request_id("0xnone").await.unwrap().is_empty());
}

async fn runs_ready_at_confirmation_block(db: &TestDb) {
    let j = job(db, "j").await;
    let pending = |key: &str, block: Option<i64>| NewRun {
        status: RunStatus::PendingConfirmations,
        ready_at_block: block,
        ..new_run(j.id, key)
    };
    let at20 = db.insert_run(&pending("at20", Some(20))).await.unwrap().into_inner();
    let at10 = db.insert_run(&pending("at10", Some(10))).await.unwrap().into_inner();
    let _never = db.insert_run(&pending("none", None)).await.unwrap();
    let running = db.insert_run(&NewRun { ready_at_block: Some(5), ..new_run(j.id, "running") }).await.unwrap();
    assert_eq!(running.get().status, RunStatus::Running);

    assert!(db.runs_ready_at(9).await.unwrap().is_empty());
    let ids = |v: Vec<linkpool_store::RunRecord>| v.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(db.runs_ready_at(10).await.unwrap()), vec![at10.id]);
    assert_eq!(ids(db.runs_ready_at(19).await.unwrap()), vec![at10.id]);
    assert_eq!(ids(db.runs_ready_at(1_000).await.unwrap()), vec![at10.id, at20.id]);
    db.set_run_status(at10.id, RunStatus::Running).await.unwrap();
    assert_eq!(ids(db.runs_ready_at(1_000).await.unwrap()), vec![at20.id]);
}

async fn corrupt_status_is_typed_error(db: &TestDb) {
    let j = job(db, "j").await;
    let r = run(db, j.id, "r").await;
    assert_eq!(exec(db, &format!("UPDATE runs SET status = 'exploded' WHERE id = {}", r.id)).await, 1);
    let err = db.get_run(r.id).await.unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("exploded"), "{err}");
    exec(db, &format!("UPDATE runs SET status = 'running', inputs = '{{not json' WHERE id = {}", r.id)).await;
    let err = db.list_runs(&RunFilter::default()).await.unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
}

async fn insert_runs_batches_new_and_existing(db: &TestDb) {
    let j = job(db, "j").await;
    let before = run(db, j.id, "b").await;
    let batch = vec![new_run(j.id, "a"), new_run(j.id, "b"), new_run(j.id, "c")];
    let out = db.insert_runs(&batch).await.unwrap();
    assert_eq!(out.len(), 3);
    assert!(out[0].is_new() && out[2].is_new(), "{out:?}");
    assert!(!out[1].is_new(), "an existing key is reported as existing");
    assert_eq!(out[1].get().id, before.id);
    let keys: Vec<&str> = out.iter().map(|r| r.get().idempotency_key.as_str()).collect();
    assert_eq!(keys, ["a", "b", "c"], "results keep the input order");
    // Re-inserting the whole batch creates nothing.
    let again = db.insert_runs(&batch).await.unwrap();
    assert!(again.iter().all(|r| !r.is_new()));
    assert_eq!(db.insert_runs(&[]).await.unwrap().len(), 0);
    // A batch for a missing job fails.
    assert!(db.insert_runs(&[new_run(j.id + 99, "z")]).await.is_err());
}
