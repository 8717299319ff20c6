use crate::common::{job, new_run};
use futures::future::join_all;
use linkpool_store::{testing::TestDb, Error, NewTx, RunFilter, RunStatus, TaskRunRecord};
use serde_json::json;
use std::collections::HashSet;

both_backends!(
    fifty_concurrent_insert_runs,
    concurrent_insert_run_same_key_has_one_winner,
    concurrent_insert_tx_same_key_has_one_winner,
    concurrent_mixed_writers,
    concurrent_nonce_assignment_never_duplicates,
);

const N: usize = 50;

async fn fifty_concurrent_insert_runs(db: &TestDb) {
    let j = job(db, "j").await;
    let tasks = (0..N).map(|i| {
        let store = db.store().clone();
        tokio::spawn(async move { store.insert_run(&new_run(j.id, &format!("run-{i}"))).await })
    });
    let results: Vec<_> = join_all(tasks).await.into_iter().map(|r| r.unwrap().unwrap()).collect();
    assert!(results.iter().all(|r| r.is_new()));
    let ids: HashSet<i64> = results.iter().map(|r| r.get().id).collect();
    assert_eq!(ids.len(), N);
    let listed = db.list_runs(&RunFilter { job_id: Some(j.id), limit: 1000, ..Default::default() }).await.unwrap();
    assert_eq!(listed.len(), N);
}

async fn concurrent_insert_run_same_key_has_one_winner(db: &TestDb) {
    let j = job(db, "j").await;
    let tasks = (0..N).map(|i| {
        let store = db.store().clone();
        let mut run = new_run(j.id, "the-request");
        run.inputs = json!({ "attempt": i });
        tokio::spawn(async move { store.insert_run(&run).await })
    });
    let results: Vec<_> = join_all(tasks).await.into_iter().map(|r| r.unwrap().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_new()).count(), 1);
    let winner = results.iter().find(|r| r.is_new()).unwrap().get().clone();
    assert!(results.iter().all(|r| r.get() == &winner));
    assert_eq!(db.list_runs(&RunFilter::default()).await.unwrap(), vec![winner]);
}

async fn concurrent_insert_tx_same_key_has_one_winner(db: &TestDb) {
    let tasks = (0..N).map(|i| {
        let store = db.store().clone();
        let tx = NewTx {
            idempotency_key: "run:1/task:submit".to_owned(),
            chain_id: 31337,
            from: format!("0x{}", "ab".repeat(20)),
            to: format!("0x{}", "cd".repeat(20)),
            data: vec![i as u8],
            value: i.to_string(),
            gas_limit: 100_000,
            run_id: None,
        };
        tokio::spawn(async move { store.insert_tx(&tx).await })
    });
    let results: Vec<_> = join_all(tasks).await.into_iter().map(|r| r.unwrap().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_new()).count(), 1);
    let id = results[0].get().id;
    assert!(results.iter().all(|r| r.get().id == id));
    let all =
        db.txs_in_state(31337, &format!("0x{}", "ab".repeat(20)), &[linkpool_store::TxState::Unstarted]).await.unwrap();
    assert_eq!(all.len(), 1);
}

/// Many tasks each doing the whole run lifecycle at once: no "database is locked".
async fn concurrent_mixed_writers(db: &TestDb) {
    let j = job(db, "j").await;
    let tasks = (0..N).map(|i| {
        let store = db.store().clone();
        tokio::spawn(async move {
            let run = store.insert_run(&new_run(j.id, &format!("mixed-{i}"))).await?.into_inner();
            for (index, task_id) in ["decode", "fetch", "encode"].into_iter().enumerate() {
                let task = TaskRunRecord {
                    run_id: run.id,
                    task_id: task_id.to_owned(),
                    task_type: task_id.to_owned(),
                    index: index as i64,
                    output: Some(json!(i)),
                    error: None,
                    started_at: 1,
                    finished_at: Some(2),
                };
                store.upsert_task_run(&task).await?;
                let _ = store.list_runs(&RunFilter { job_id: Some(j.id), limit: 5, ..Default::default() }).await?;
            }
            store.finish_run(run.id, RunStatus::Completed, Some(json!(i)), None).await?;
            Ok::<_, Error>(run.id)
        })
    });
    let ids: Vec<i64> = join_all(tasks).await.into_iter().map(|r| r.unwrap().unwrap()).collect();
    for id in ids {
        assert_eq!(db.get_run(id).await.unwrap().unwrap().status, RunStatus::Completed);
        assert_eq!(db.task_runs(id).await.unwrap().len(), 3);
    }
}

/// Racing "next nonce = max + 1" assignments: the UNIQUE (chain, from, nonce) makes losers retry.
async fn concurrent_nonce_assignment_never_duplicates(db: &TestDb) {
    const TXS: i64 = 20;
    let from = format!("0x{}", "ef".repeat(20));
    let mut ids = Vec::new();
    for i in 0..TXS {
        let tx = NewTx {
            idempotency_key: format!("nonce-{i}"),
            chain_id: 1,
            from: from.clone(),
            to: from.clone(),
            data: Vec::new(),
            value: "0".to_owned(),
            gas_limit: 21_000,
            run_id: None,
        };
        ids.push(db.insert_tx(&tx).await.unwrap().get().id);
    }
    let tasks = ids.iter().map(|&id| {
        let store = db.store().clone();
        let from = from.clone();
        tokio::spawn(async move {
            loop {
                let next = store.max_nonce(1, &from).await?.map_or(0, |n| n + 1);
                match store.assign_nonce(id, next).await {
                    Ok(()) => return Ok::<_, Error>(next),
                    Err(Error::Conflict { .. }) => tokio::task::yield_now().await,
                    Err(e) => return Err(e),
                }
            }
        })
    });
    let mut nonces: Vec<i64> = join_all(tasks).await.into_iter().map(|r| r.unwrap().unwrap()).collect();
    nonces.sort_unstable();
    assert_eq!(nonces, (0..TXS).collect::<Vec<_>>());
    assert_eq!(db.max_nonce(1, &from).await.unwrap(), Some(TXS - 1));
}
