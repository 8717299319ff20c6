use crate::common::{count, job, run};
use linkpool_store::{testing::TestDb, Backend, DbPool, NewTx, RunFilter, TaskRunRecord};
use std::time::{Duration, Instant};

both_backends!(delete_job_cascades_to_runs_and_task_runs, delete_job_with_100k_runs_is_fast);

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
    assert_eq!(db.get_run(gone_run.id).await.unwrap(), None);
    assert!(db.task_runs(gone_run.id).await.unwrap().is_empty());
    assert_eq!(db.get_run(keep_run.id).await.unwrap(), Some(keep_run.clone()));
    assert_eq!(db.task_runs(keep_run.id).await.unwrap().len(), 1);
    // what went on-chain stays on record, detached from the deleted run
    let tx = db.get_tx(tx.id).await.unwrap().unwrap();
    assert_eq!(tx.run_id, None);
    assert_eq!(count(db, "SELECT COUNT(*) FROM task_runs").await, 1);
}

const BULK_RUNS: i64 = 100_000;

async fn delete_job_with_100k_runs_is_fast(db: &TestDb) {
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
    println!(
        "{:?}: inserted {BULK_RUNS} runs + {BULK_RUNS} task runs in {inserted_in:?}; delete_job took {deleted_in:?}",
        db.backend()
    );
    eprintln!("{:?}: delete_job of {BULK_RUNS} runs took {deleted_in:?}", db.backend());

    assert_eq!(count(db, "SELECT COUNT(*) FROM runs").await, 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM task_runs").await, 0);
    assert_eq!(db.get_run(survivor.id).await.unwrap(), Some(survivor));
    let limit = match db.backend() {
        Backend::Sqlite => Duration::from_secs(1),
        // PostgreSQL shares a server with other tests; the point is "indexed", not a benchmark.
        Backend::Postgres => Duration::from_secs(5),
    };
    assert!(deleted_in < limit, "delete_job of {BULK_RUNS} runs took {deleted_in:?} (limit {limit:?})");
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
