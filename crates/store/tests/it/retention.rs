use std::{
    cell::Cell,
    collections::{BTreeSet, HashMap},
};

use crate::common::{count, job, new_run};
use linkpool_store::{
    testing::TestDb, NewRun, NewTx, RetentionPolicy, RunFilter, RunRecord, RunStatus, Store, TaskRunRecord,
};
use serde_json::json;

both_backends!(
    retention_keeps_newest_completed_and_every_failed_run,
    retention_deletes_in_batches_and_stops_between_them,
    retention_zero_keeps_everything,
    retention_skips_deleted_jobs_which_hide_their_runs_at_once,
);

/// Inserts runs of `job_id` with the given final statuses, in order (so ids increase), each with
/// one task run. Returns them by status.
async fn runs_with(store: &Store, job_id: i64, statuses: &[RunStatus]) -> HashMap<RunStatus, Vec<RunRecord>> {
    let mut by_status: HashMap<RunStatus, Vec<RunRecord>> = HashMap::new();
    for (i, status) in statuses.iter().enumerate() {
        let r = store
            .insert_run(&new_run(job_id, &format!("{job_id}/{i}/{}", uuid::Uuid::new_v4())))
            .await
            .unwrap()
            .into_inner();
        store
            .upsert_task_run(&TaskRunRecord {
                run_id: r.id,
                task_id: "fetch".to_owned(),
                task_type: "http".to_owned(),
                index: 0,
                output: Some(json!(i)),
                error: None,
                started_at: 1,
                finished_at: Some(2),
            })
            .await
            .unwrap();
        if status.is_terminal() {
            store.finish_run(r.id, *status, None, None).await.unwrap();
        } else {
            store.set_run_status(r.id, *status).await.unwrap();
        }
        by_status.entry(*status).or_default().push(store.get_run(r.id).await.unwrap().unwrap());
    }
    by_status
}

async fn ids_of(store: &Store, job_id: i64) -> BTreeSet<i64> {
    let runs = store.list_runs(&RunFilter { job_id: Some(job_id), limit: 10_000, ..Default::default() }).await.unwrap();
    runs.into_iter().map(|r| r.id).collect()
}

fn ids(runs: &[RunRecord]) -> BTreeSet<i64> {
    runs.iter().map(|r| r.id).collect()
}

async fn retention_keeps_newest_completed_and_every_failed_run(db: &TestDb) {
    use RunStatus::*;
    let a = job(db, "a").await;
    let b = job(db, "b").await;
    // 12 completed runs interleaved with failures and live runs
    let pattern = [
        Completed,
        Errored,
        Completed,
        Cancelled,
        Completed,
        Completed,
        Running,
        Completed,
        Errored,
        Completed,
        Completed,
        Suspended,
        Completed,
        Completed,
        Completed,
        Completed,
        PendingConfirmations,
        Completed,
    ];
    let runs_a = runs_with(db, a.id, &pattern).await;
    let runs_b = runs_with(db, b.id, &[Completed, Completed, Errored]).await;
    assert_eq!(runs_a[&Completed].len(), 12);
    // a transaction of a run that retention deletes stays on record, detached
    let oldest = &runs_a[&Completed][0];
    let tx = db
        .insert_tx(&NewTx {
            idempotency_key: "tx-of-oldest".to_owned(),
            chain_id: 1,
            from: format!("0x{}", "11".repeat(20)),
            to: format!("0x{}", "22".repeat(20)),
            data: vec![1],
            value: "0".to_owned(),
            gas_limit: 21_000,
            run_id: Some(oldest.id),
        })
        .await
        .unwrap()
        .into_inner();

    let policy = RetentionPolicy { keep_completed_per_job: 5, batch_size: 500 };
    let report = db.prune_runs(&policy, || false).await.unwrap();
    assert_eq!((report.runs_deleted, report.jobs_pruned, report.stopped), (7, 1, false), "{report:?}");

    let completed = &runs_a[&Completed];
    let mut expected: BTreeSet<i64> = ids(&completed[completed.len() - 5..]);
    for status in [Errored, Cancelled, Running, Suspended, PendingConfirmations] {
        expected.extend(ids(&runs_a[&status]));
    }
    assert_eq!(ids_of(db, a.id).await, expected, "the 5 newest completed runs and every other run stay");
    // job b has fewer completed runs than the limit: untouched
    let all_b: Vec<RunRecord> = runs_b.values().flatten().cloned().collect();
    assert_eq!(ids_of(db, b.id).await, ids(&all_b));
    // the deleted runs' task runs went with them; the kept runs keep theirs
    assert_eq!(count(db, "SELECT COUNT(*) FROM task_runs").await, (pattern.len() - 7 + 3) as i64);
    assert!(db.task_runs(oldest.id).await.unwrap().is_empty());
    assert_eq!(db.task_runs(completed[11].id).await.unwrap().len(), 1);
    assert_eq!(db.get_tx(tx.id).await.unwrap().unwrap().run_id, None);

    // a second pass finds nothing to do; new completions are trimmed by the next pass
    assert_eq!(db.prune_runs(&policy, || false).await.unwrap().runs_deleted, 0);
    let newer = runs_with(db, a.id, &[Completed, Completed]).await;
    assert_eq!(db.prune_runs(&policy, || false).await.unwrap().runs_deleted, 2);
    let kept = db
        .list_runs(&RunFilter { job_id: Some(a.id), status: Some(Completed), limit: 100, before_id: None })
        .await
        .unwrap();
    let mut newest: Vec<i64> = newer[&Completed].iter().map(|r| r.id).rev().collect();
    newest.extend(completed[completed.len() - 3..].iter().map(|r| r.id).rev());
    assert_eq!(kept.iter().map(|r| r.id).collect::<Vec<_>>(), newest, "newest first, 5 of them");
}

async fn retention_deletes_in_batches_and_stops_between_them(db: &TestDb) {
    let j = job(db, "j").await;
    let statuses = vec![RunStatus::Completed; 23];
    let runs = runs_with(db, j.id, &statuses).await;
    let policy = RetentionPolicy { keep_completed_per_job: 3, batch_size: 4 };

    // stop after two batches: 8 runs deleted, the rest waits for the next pass
    let batches = Cell::new(0);
    let report = db
        .prune_runs(&policy, || {
            batches.set(batches.get() + 1);
            batches.get() > 2
        })
        .await
        .unwrap();
    assert!(report.stopped, "{report:?}");
    assert_eq!((report.runs_deleted, report.batches), (8, 2), "{report:?}");
    let completed = &runs[&RunStatus::Completed];
    assert_eq!(ids_of(db, j.id).await, ids(&completed[8..]), "the oldest go first");

    let report = db.prune_runs(&policy, || false).await.unwrap();
    assert_eq!((report.runs_deleted, report.batches, report.stopped), (12, 3, false), "{report:?}");
    assert_eq!(ids_of(db, j.id).await, ids(&completed[20..]));

    // one batch at a time
    let more = runs_with(db, j.id, &[RunStatus::Completed; 2]).await;
    assert_eq!(db.prune_job_runs_batch(j.id, &policy).await.unwrap(), 2);
    assert_eq!(db.prune_job_runs_batch(j.id, &policy).await.unwrap(), 0);
    let mut expected = ids(&completed[22..]);
    expected.extend(ids(&more[&RunStatus::Completed]));
    assert_eq!(ids_of(db, j.id).await, expected);
}

async fn retention_zero_keeps_everything(db: &TestDb) {
    let j = job(db, "j").await;
    runs_with(db, j.id, &[RunStatus::Completed; 4]).await;
    let policy = RetentionPolicy { keep_completed_per_job: 0, batch_size: 1 };
    let report = db.prune_runs(&policy, || false).await.unwrap();
    assert_eq!(report.runs_deleted, 0);
    assert_eq!(db.prune_job_runs_batch(j.id, &policy).await.unwrap(), 0);
    assert_eq!(count(db, "SELECT COUNT(*) FROM runs").await, 4);
}

async fn retention_skips_deleted_jobs_which_hide_their_runs_at_once(db: &TestDb) {
    let gone = job(db, "gone").await;
    let keep = job(db, "keep").await;
    runs_with(db, gone.id, &[RunStatus::Completed; 4]).await;
    let kept = runs_with(db, keep.id, &[RunStatus::Completed, RunStatus::Errored]).await;
    let pending = db
        .insert_run(&NewRun {
            status: RunStatus::PendingConfirmations,
            ready_at_block: Some(1),
            ..new_run(gone.id, "pending")
        })
        .await
        .unwrap()
        .into_inner();
    assert!(db.delete_job(gone.id).await.unwrap());
    // hidden from every read at once, before any purge
    assert!(ids_of(db, gone.id).await.is_empty());
    assert_eq!(db.get_run(pending.id).await.unwrap(), None);
    let listed = db.list_runs(&RunFilter::default()).await.unwrap();
    assert_eq!(ids(&listed), ids(&kept.values().flatten().cloned().collect::<Vec<_>>()));
    assert!(db.runs_ready_at(i64::MAX).await.unwrap().is_empty());

    let policy = RetentionPolicy { keep_completed_per_job: 1, batch_size: 10 };
    let report = db.prune_runs(&policy, || false).await.unwrap();
    assert_eq!(report.runs_deleted, 0, "a deleted job's runs are the purge's business: {report:?}");
    db.purge_deleted_jobs().await.unwrap();
    assert_eq!(count(db, "SELECT COUNT(*) FROM runs").await, 2);
}
