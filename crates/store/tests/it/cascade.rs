use crate::common::{count, job, new_run, run};
use linkpool_store::{testing::TestDb, DbPool, Error, NewJob, NewTx, RunFilter, RunStatus, TaskRunRecord};
use std::time::Instant;

both_backends!(
    delete_job_cascades_to_runs_and_task_runs,
    deleted_job_frees_its_external_id_and_run_keys,
    delete_job_with_100k_runs_hides_them_then_purges,
);

async fn delete_job_cascades_to_runs_and_task_runs(db: &TestDb) {
    let gone = job(db, "gone").await;
    let keep = job(db, "keep").await;
    let gone_run = run(db, gone.id, "g1").await;
    let keep_run = run(db, keep.id, "k1").await;
    for r in [&gone_run, &keep_run] {
        db.upsert_task_run(&TaskRunRecord {
            run_id: r.id,
            task_id: "fetch".to_owned(),
            task_type: "http".to_owned(),
            index: 0,
            output: None,
            error: None,
            started_at: 1,
            finished_at: None,
        })
        .await
        .unwrap();
    }
    let tx = db
        .insert_tx(&NewTx {
            idempotency_key: "tx-of-gone".to_owned(),
            chain_id: 1,
            from: format!("0x{}", "11".repeat(20)),
            to: format!("0x{}", "22".repeat(20)),
            data: vec![1],
            value: "0".to_owned(),
            gas_limit: 21_000,
            run_id: Some(gone_run.id),
        })
        .await
        .unwrap()
        .into_inner();

    assert!(db.delete_job(gone.id).await.unwrap());
    // invisible at once, whether or not the background purge ran yet
    assert_eq!(db.get_job(gone.id).await.unwrap(), None);
    assert_eq!(db.get_run(gone_run.id).await.unwrap(), None);
    assert!(db.task_runs(gone_run.id).await.unwrap().is_empty());
    let listed = db.list_runs(&RunFilter::default()).await.unwrap();
    assert_eq!(listed, vec![keep_run.clone()]);
    assert_eq!(db.runs_with_status(&[RunStatus::Running]).await.unwrap(), vec![keep_run.clone()]);
    assert!(db.list_runs(&RunFilter { job_id: Some(gone.id), ..Default::default() }).await.unwrap().is_empty());
    let err = db.insert_run(&new_run(gone.id, "late")).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    db.purge_deleted_jobs().await.unwrap();
    assert_eq!(count(db, "SELECT COUNT(*) FROM jobs").await, 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM runs").await, 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM task_runs").await, 1);
    assert_eq!(db.get_run(keep_run.id).await.unwrap(), Some(keep_run.clone()));
    assert_eq!(db.task_runs(keep_run.id).await.unwrap().len(), 1);
    // what went on-chain stays on record, detached from the deleted run
    let tx = db.get_tx(tx.id).await.unwrap().unwrap();
    assert_eq!(tx.run_id, None);
    assert!(!db.delete_job(gone.id).await.unwrap());
}

async fn deleted_job_frees_its_external_id_and_run_keys(db: &TestDb) {
    let old = job(db, "old").await;
    let old_run = run(db, old.id, "log:0xabc/3").await;
    assert!(db.delete_job(old.id).await.unwrap());
    // recreate the job under the same external id before the purge finished
    let new = db
        .insert_job(&NewJob {
            external_job_id: old.external_job_id,
            name: old.name.clone(),
            job_type: old.job_type.clone(),
            spec_toml: old.spec_toml.clone(),
        })
        .await
        .unwrap();
    assert_ne!(new.id, old.id);
    assert_eq!(db.get_job_by_external_id(old.external_job_id).await.unwrap(), Some(new.clone()));
    // a re-delivered log with the same key makes a fresh run for the new job
    let again = db.insert_run(&new_run(new.id, "log:0xabc/3")).await.unwrap();
    assert!(again.is_new(), "{again:?}");
    assert_eq!(again.get().job_id, new.id);
    assert_ne!(again.get().id, old_run.id);
    assert!(!db.insert_run(&new_run(new.id, "log:0xabc/3")).await.unwrap().is_new());
    db.purge_deleted_jobs().await.unwrap();
    assert_eq!(db.list_jobs().await.unwrap(), vec![new]);
    assert_eq!(db.get_run(again.get().id).await.unwrap().as_ref(), Some(again.get()));
}

const BULK_RUNS: i64 = 100_000;

async fn delete_job_with_100k_runs_hides_them_then_purges(db: &TestDb) {
    let big = job(db, "big").await;
    let small = job(db, "small").await;
    let survivor = run(db, small.id, "survivor").await;

    let started = Instant::now();
    bulk_insert(db, big.id).await;
    let inserted_in = started.elapsed();
    assert_eq!(count(db, &format!("SELECT COUNT(*) FROM runs WHERE job_id = {}", big.id)).await, BULK_RUNS);
    assert_eq!(count(db, "SELECT COUNT(*) FROM task_runs").await, BULK_RUNS);
    let newest = db.list_runs(&RunFilter { job_id: Some(big.id), limit: 1, ..Default::default() }).await.unwrap();
    assert_eq!(newest[0].idempotency_key, format!("bulk-{BULK_RUNS}"));

    let started = Instant::now();
    assert!(db.delete_job(big.id).await.unwrap());
    let deleted_in = started.elapsed();
    // the job and its runs are gone for every reader right away
    assert!(db.list_runs(&RunFilter { job_id: Some(big.id), ..Default::default() }).await.unwrap().is_empty());
    assert_eq!(db.list_runs(&RunFilter::default()).await.unwrap(), vec![survivor.clone()]);
    assert!(db.runs_by_request_id("0xreq").await.unwrap().is_empty());

    let started = Instant::now();
    db.purge_deleted_jobs().await.unwrap();
    let purged_in = started.elapsed();
    println!(
        "{:?}: inserted {BULK_RUNS} runs + {BULK_RUNS} task runs in {inserted_in:?}; \
         delete_job took {deleted_in:?}; purge finished {purged_in:?} later",
        db.backend()
    );

    assert_eq!(count(db, "SELECT COUNT(*) FROM runs").await, 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM task_runs").await, 0);
    assert_eq!(count(db, "SELECT COUNT(*) FROM jobs").await, 1);
    assert_eq!(db.get_run(survivor.id).await.unwrap(), Some(survivor));
    // How fast is measured by `linkpool bench runs` (BENCHMARKS.md), not asserted here.
}

/// Inserts BULK_RUNS runs with one task run each, in one transaction.
async fn bulk_insert(db: &TestDb, job_id: i64) {
    let runs = format!(
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {BULK_RUNS}) \
         INSERT INTO runs (job_id, idempotency_key, status, inputs, request_id, created_at, finished_at) \
         SELECT {job_id}, 'bulk-' || n, 'completed', '{{\"n\":1}}', '0xreq', 0, 1 FROM seq"
    );
    let task_runs = format!(
        "INSERT INTO task_runs (run_id, task_id, task_type, task_index, output, started_at, finished_at) \
         SELECT id, 'fetch', 'http', 0, '\"ok\"', 0, 1 FROM runs WHERE job_id = {job_id}"
    );
    macro_rules! in_tx {
        ($pool:expr) => {{
            let mut tx = $pool.begin().await.unwrap();
            sqlx::query(&runs).execute(&mut *tx).await.unwrap();
            sqlx::query(&task_runs).execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
        }};
    }
    match db.pool() {
        DbPool::Sqlite(p) => in_tx!(p),
        DbPool::Postgres(p) => in_tx!(p),
    }
}
