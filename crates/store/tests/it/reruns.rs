use crate::common::{exec, job, new_run, run};
use linkpool_store::{testing::TestDb, Error, NewRun, RunStatus};
use serde_json::json;

both_backends!(
    rerun_creates_one_new_run_linked_to_the_original,
    rerun_refuses_runs_that_did_not_fail,
    rerun_refuses_duplicates_unless_forced,
    concurrent_reruns_create_exactly_one_run,
    deleting_the_original_detaches_its_reruns,
);

async fn failed_run(db: &TestDb, job_id: i64, key: &str, status: RunStatus) -> linkpool_store::RunRecord {
    let r = db
        .insert_run(&NewRun {
            inputs: json!({ "logData": "0x01", "blockNumber": 7 }),
            request_id: Some("0xreq".to_owned()),
            ready_at_block: Some(9),
            ..new_run(job_id, key)
        })
        .await
        .unwrap()
        .into_inner();
    db.finish_run(r.id, status, None, Some("fetch: http status 500".to_owned())).await.unwrap();
    db.get_run(r.id).await.unwrap().unwrap()
}

async fn rerun_creates_one_new_run_linked_to_the_original(db: &TestDb) {
    let j = job(db, "j").await;
    let original = failed_run(db, j.id, "log:1", RunStatus::Errored).await;
    assert_eq!(original.rerun_of, None);

    let rerun = db.insert_rerun(original.id, false).await.unwrap();
    assert_ne!(rerun.id, original.id);
    assert_eq!(rerun.rerun_of, Some(original.id));
    assert_eq!(rerun.job_id, j.id);
    assert_eq!(rerun.status, RunStatus::Running);
    assert_eq!(rerun.inputs, original.inputs);
    assert_eq!(rerun.request_id, original.request_id);
    assert_eq!(rerun.idempotency_key, format!("rerun:{}:1", original.id));
    assert_eq!((rerun.outputs.as_ref(), rerun.error.as_deref(), rerun.finished_at), (None, None, None));
    assert_eq!(db.get_run(rerun.id).await.unwrap(), Some(rerun.clone()));
    // the original is untouched
    assert_eq!(db.get_run(original.id).await.unwrap(), Some(original.clone()));
    assert_eq!(db.reruns_of(original.id).await.unwrap(), vec![rerun.clone()]);
    assert!(db.reruns_of(rerun.id).await.unwrap().is_empty());

    // the rerun failed too: a second rerun is allowed and takes the next key
    db.finish_run(rerun.id, RunStatus::Errored, None, Some("again".to_owned())).await.unwrap();
    let second = db.insert_rerun(original.id, false).await.unwrap();
    assert_eq!(second.idempotency_key, format!("rerun:{}:2", original.id));
    assert_eq!(
        db.reruns_of(original.id).await.unwrap().iter().map(|r| r.id).collect::<Vec<_>>(),
        [rerun.id, second.id]
    );
    // a failed rerun can itself be rerun
    let of_rerun = db.insert_rerun(rerun.id, false).await.unwrap();
    assert_eq!(
        (of_rerun.rerun_of, of_rerun.idempotency_key.clone()),
        (Some(rerun.id), format!("rerun:{}:1", rerun.id))
    );

    // cancelled runs can be rerun as well
    let cancelled = failed_run(db, j.id, "log:2", RunStatus::Cancelled).await;
    assert_eq!(db.insert_rerun(cancelled.id, false).await.unwrap().rerun_of, Some(cancelled.id));
}

async fn rerun_refuses_runs_that_did_not_fail(db: &TestDb) {
    let j = job(db, "j").await;
    let running = run(db, j.id, "running").await;
    let completed = run(db, j.id, "completed").await;
    db.finish_run(completed.id, RunStatus::Completed, Some(json!([1])), None).await.unwrap();
    for (r, status) in [(&running, "running"), (&completed, "completed")] {
        let err = db.insert_rerun(r.id, true).await.unwrap_err();
        assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
        assert!(err.to_string().contains(&format!("run {} is {status}", r.id)), "{err}");
        assert!(err.to_string().contains("only errored or cancelled runs"), "{err}");
    }
    let err = db.insert_rerun(completed.id + 1_000, false).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    // a deleted job's runs are gone for reruns too
    let gone = job(db, "gone").await;
    let failed = failed_run(db, gone.id, "log:gone", RunStatus::Errored).await;
    db.delete_job(gone.id).await.unwrap();
    let err = db.insert_rerun(failed.id, true).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(db.list_runs(&Default::default()).await.unwrap().len(), 2, "nothing was inserted");
}

async fn rerun_refuses_duplicates_unless_forced(db: &TestDb) {
    let j = job(db, "j").await;
    let original = failed_run(db, j.id, "log:1", RunStatus::Errored).await;
    let first = db.insert_rerun(original.id, false).await.unwrap();
    // still running: a second call (a double click) does not start another
    let err = db.insert_rerun(original.id, false).await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    assert!(err.to_string().contains(&format!("already rerun as run {} (running)", first.id)), "{err}");
    // completed: still refused, a second fulfilment would be a duplicate
    db.finish_run(first.id, RunStatus::Completed, None, None).await.unwrap();
    let err = db.insert_rerun(original.id, false).await.unwrap_err();
    assert!(err.to_string().contains("(completed)"), "{err}");
    assert_eq!(db.reruns_of(original.id).await.unwrap().len(), 1);
    // asked for explicitly: one more
    let forced = db.insert_rerun(original.id, true).await.unwrap();
    assert_eq!(forced.idempotency_key, format!("rerun:{}:2", original.id));
    assert_eq!(db.reruns_of(original.id).await.unwrap().len(), 2);
}

async fn concurrent_reruns_create_exactly_one_run(db: &TestDb) {
    let j = job(db, "j").await;
    let original = failed_run(db, j.id, "log:1", RunStatus::Errored).await;
    let calls = (0..8).map(|_| {
        let store = db.store().clone();
        tokio::spawn(async move { store.insert_rerun(original.id, false).await })
    });
    let results: Vec<_> = futures::future::join_all(calls).await.into_iter().map(Result::unwrap).collect();
    let created: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(created.len(), 1, "{results:?}");
    for r in &results {
        if let Err(e) = r {
            assert!(matches!(e, Error::Conflict { .. }), "{e:?}");
        }
    }
    assert_eq!(db.reruns_of(original.id).await.unwrap(), vec![created[0].clone()]);
}

async fn deleting_the_original_detaches_its_reruns(db: &TestDb) {
    let j = job(db, "j").await;
    let original = failed_run(db, j.id, "log:1", RunStatus::Errored).await;
    let rerun = db.insert_rerun(original.id, false).await.unwrap();
    assert_eq!(exec(db, &format!("DELETE FROM runs WHERE id = {}", original.id)).await, 1);
    assert_eq!(db.get_run(rerun.id).await.unwrap().unwrap().rerun_of, None);
}
