//! The node on PostgreSQL: the demo scenarios pass, the runs are in PostgreSQL,
//! and a restart on the same database serves on without redoing anything.

use std::time::{Duration, Instant};

use linkpool_store::{testing::TestDb, RunFilter, RunRecord, RunStatus};

use crate::harness::devnet_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_scenarios_pass_with_the_node_on_postgres() {
    let Some(db) = TestDb::postgres_or_skip().await.expect("PostgreSQL test server") else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut devnet = devnet_with(&dir, |c| c.database_url = Some(db.url().to_owned())).await;

    let report = devnet.run_scenarios().await.expect("scenarios run");
    print!("{}", report.table());
    assert!(report.all_ok(), "{}", report.table());

    // The node wrote to PostgreSQL (read back through a store of our own), not to a SQLite file.
    let jobs = db.list_jobs().await.unwrap();
    let mut ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
    ids.sort();
    assert_eq!(ids, vec![devnet.uint256_job.id, devnet.multiword_job.id]);
    // A run completes once its fulfilment is confirmed, a moment after the consumer saw it.
    let runs = completed_runs(&db, 2).await;
    let mut request_ids: Vec<String> = runs.iter().filter_map(|r| r.request_id.clone()).collect();
    let mut expected: Vec<String> = report.outcomes.iter().map(|o| o.request_id.to_string()).collect();
    request_ids.sort();
    expected.sort();
    assert_eq!(request_ids, expected);
    let sqlite_files: Vec<_> =
        walk(dir.path()).into_iter().filter(|p| p.to_string_lossy().contains("sqlite")).collect();
    assert!(sqlite_files.is_empty(), "the node created SQLite files: {sqlite_files:?}");

    // Restart on the same database: jobs are still there, old requests are not answered again,
    // new ones are.
    devnet.restart_node().await.expect("node restarts");
    let report = devnet.run_scenarios().await.expect("scenarios run after restart");
    assert!(report.all_ok(), "{}", report.table());
    assert_eq!(completed_runs(&db, 4).await.len(), 4);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = db.list_runs(&RunFilter { job_id: None, status: None, limit: 100, before_id: None }).await.unwrap();
    assert_eq!(all.len(), 4, "exactly one run per request: {all:?}");
    devnet.shutdown().await;
    db.cleanup().await;
}

/// Waits until PostgreSQL holds `n` completed runs; returns them.
async fn completed_runs(db: &TestDb, n: usize) -> Vec<RunRecord> {
    let filter = RunFilter { job_id: None, status: Some(RunStatus::Completed), limit: 100, before_id: None };
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let runs = db.list_runs(&filter).await.unwrap();
        if runs.len() >= n || Instant::now() > deadline {
            return runs;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
