use crate::common::{job, run};
use linkpool_store::{testing::TestDb, Error, TaskRunRecord};
use serde_json::json;

both_backends!(
    upsert_inserts_then_updates,
    task_runs_are_ordered_and_scoped,
    task_run_for_missing_run_is_not_found,
    batch_upsert_is_all_or_nothing
);

fn task(run_id: i64, task_id: &str, index: i64) -> TaskRunRecord {
    TaskRunRecord {
        run_id,
        task_id: task_id.to_owned(),
        task_type: "http".to_owned(),
        index,
        output: None,
        error: None,
        started_at: 1_700_000_000_000 + index,
        finished_at: None,
    }
}

async fn upsert_inserts_then_updates(db: &TestDb) {
    let j = job(db, "j").await;
    let r = run(db, j.id, "r").await;
    let started = task(r.id, "fetch", 1);
    db.upsert_task_run(&started).await.unwrap();
    assert_eq!(db.task_runs(r.id).await.unwrap(), vec![started.clone()]);

    let finished = TaskRunRecord {
        output: Some(json!({"USD": "3012.55", "raw": [1, 2]})),
        finished_at: Some(started.started_at + 250),
        ..started.clone()
    };
    db.upsert_task_run(&finished).await.unwrap();
    assert_eq!(db.task_runs(r.id).await.unwrap(), vec![finished.clone()]);

    let failed = TaskRunRecord {
        task_type: "bridge".to_owned(),
        index: 7,
        output: None,
        error: Some("timeout".to_owned()),
        ..finished
    };
    db.upsert_task_run(&failed).await.unwrap();
    assert_eq!(db.task_runs(r.id).await.unwrap(), vec![failed]);
}

async fn task_runs_are_ordered_and_scoped(db: &TestDb) {
    let j = job(db, "j").await;
    let r = run(db, j.id, "r").await;
    let other = run(db, j.id, "other").await;
    for (id, index) in [("encode", 3), ("parse", 2), ("decode", 0), ("b_fetch", 1), ("a_fetch", 1)] {
        db.upsert_task_run(&task(r.id, id, index)).await.unwrap();
    }
    db.upsert_task_run(&task(other.id, "decode", 0)).await.unwrap();
    let order: Vec<String> = db.task_runs(r.id).await.unwrap().into_iter().map(|t| t.task_id).collect();
    assert_eq!(order, ["decode", "a_fetch", "b_fetch", "parse", "encode"]);
    assert_eq!(db.task_runs(other.id).await.unwrap().len(), 1);
    assert!(db.task_runs(other.id + 100).await.unwrap().is_empty());
}

async fn task_run_for_missing_run_is_not_found(db: &TestDb) {
    let err = db.upsert_task_run(&task(4242, "x", 0)).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

async fn batch_upsert_is_all_or_nothing(db: &TestDb) {
    let j = job(db, "j").await;
    let r = run(db, j.id, "r").await;
    let batch = vec![task(r.id, "decode", 0), task(r.id, "fetch", 1), task(r.id, "parse", 2)];
    db.upsert_task_runs(&batch).await.unwrap();
    assert_eq!(db.task_runs(r.id).await.unwrap(), batch);

    // Updates in a batch overwrite; a batch with a bad row writes nothing.
    let updated = TaskRunRecord { output: Some(json!(42)), finished_at: Some(9), ..batch[2].clone() };
    let bad = task(r.id + 1_000, "ghost", 3);
    assert!(db.upsert_task_runs(&[updated.clone(), bad]).await.is_err());
    assert_eq!(db.task_runs(r.id).await.unwrap(), batch, "nothing of a failed batch is written");
    db.upsert_task_runs(std::slice::from_ref(&updated)).await.unwrap();
    assert_eq!(db.task_runs(r.id).await.unwrap()[2], updated);
    db.upsert_task_runs(&[]).await.unwrap();
}
