//! Log poller against anvil: filtering, backfill after downtime, reorgs.

use std::time::Duration;

use linkpool_chain::{
    alloy::{
        primitives::{Address, B256},
        rpc::types::Log,
    },
    ChainClient, LogFilter, LogPoller, LogPollerConfig, PollerEvent,
};
use linkpool_store::{testing::TestDb, Backend, Store};
use serde_json::json;
use tokio::sync::mpsc;

use crate::common::*;

const TOPIC0: B256 = B256::repeat_byte(0x51);
const JOB_A: B256 = B256::repeat_byte(0xaa);
/// The same job in its second externalJobID encoding.
const JOB_A2: B256 = B256::repeat_byte(0xab);
const OTHER_JOB: B256 = B256::repeat_byte(0xbb);

fn config(name: &str, emitter: Address, start_block: Option<u64>) -> LogPollerConfig {
    let filter = LogFilter { addresses: vec![emitter], topic0: vec![TOPIC0], topic1: vec![JOB_A, JOB_A2] };
    let mut config = LogPollerConfig::new(name, filter);
    config.start_block = start_block;
    config.poll_interval = Duration::from_millis(50);
    config
}

/// Emits one log with topic1 = `job` and `tag` appended to the data.
async fn emit(client: &ChainClient, from: Address, emitter: Address, job: B256, tag: u8) -> (B256, u64) {
    let mut data = job.to_vec();
    data.push(tag);
    send(client, from, Some(emitter), &data).await
}

fn tag(log: &Log) -> u8 {
    *log.data().data.last().unwrap()
}

/// Keeps consuming events (dropping checkpoints acknowledges them) until the cursor named
/// `name` reaches `block`; returns any logs that arrived meanwhile.
async fn settle(rx: &mut mpsc::Receiver<PollerEvent>, store: &Store, name: &str, block: u64) -> Vec<Log> {
    let mut logs = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if store.get_cursor(name).await.unwrap().is_some_and(|c| c.block_number >= block as i64) {
            return logs;
        }
        assert!(tokio::time::Instant::now() < deadline, "cursor {name} never reached {block}");
        if let Ok(Some(PollerEvent::Log(log))) = tokio::time::timeout(Duration::from_millis(50), rx.recv()).await {
            logs.push(log);
        }
    }
}

async fn backfills_after_downtime(backend: Backend) -> TestResult {
    let Some(db) = TestDb::new(backend).await? else { return Ok(()) };
    let store = db.store().clone();
    let anvil = anvil(None);
    let client = connect(&anvil).await;
    let user = anvil.addresses()[1];
    let emitter = deploy(&client, user, &emitter_initcode(TOPIC0)).await;
    let start = head(&client).await;

    emit(&client, user, emitter, JOB_A, 1).await;
    emit(&client, user, emitter, OTHER_JOB, 2).await; // filtered out by topic1
    emit(&client, user, emitter, JOB_A2, 3).await;

    let (handle, mut rx) =
        LogPoller::new(client.clone(), store.clone(), config("backfill", emitter, Some(start))).spawn()?;
    let first = next_log(&mut rx).await;
    let second = next_log(&mut rx).await;
    assert_eq!((tag(&first), tag(&second)), (1, 3));
    assert_eq!(first.topics()[1], JOB_A);
    assert_eq!(second.topics()[1], JOB_A2);
    assert!(first.block_hash.is_some() && first.transaction_hash.is_some() && first.log_index.is_some());
    let seen_head = head(&client).await;
    assert!(settle(&mut rx, &store, "backfill", seen_head).await.is_empty(), "cursor persisted up to the head");
    handle.shutdown().await;
    drop(rx);

    // Downtime: more logs, and far more blocks than one getLogs range.
    let (_, b4) = emit(&client, user, emitter, JOB_A, 4).await;
    mine(&client, 2_500).await;
    emit(&client, user, emitter, OTHER_JOB, 5).await;
    let (_, b6) = emit(&client, user, emitter, JOB_A2, 6).await;
    assert!(b6 > b4 + 2_500);

    // "Restart" on a fresh connection to the same database.
    let store2 = Store::connect(db.url()).await?;
    let (handle, mut rx) =
        LogPoller::new(client.clone(), store2.clone(), config("backfill", emitter, Some(start))).spawn()?;
    let a = next_log(&mut rx).await;
    let b = next_log(&mut rx).await;
    assert_eq!((tag(&a), a.block_number), (4, Some(b4)), "resumes after the cursor, no re-delivery");
    assert_eq!((tag(&b), b.block_number), (6, Some(b6)));
    assert!(next_seen(&mut rx, Duration::from_millis(500)).await.is_none(), "nothing else is delivered");
    let now = head(&client).await;
    assert!(settle(&mut rx, &store2, "backfill", now).await.is_empty());
    let cursor = store2.get_cursor("backfill").await?.unwrap();
    let canonical = rpc(&client, "eth_getBlockByNumber", json!([format!("{:#x}", cursor.block_number), false])).await;
    assert_eq!(canonical["hash"].as_str().unwrap(), cursor.block_hash, "cursor stores the canonical hash");
    handle.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn backfills_after_downtime_sqlite() -> TestResult {
    backfills_after_downtime(Backend::Sqlite).await
}

#[tokio::test]
async fn backfills_after_downtime_postgres() -> TestResult {
    backfills_after_downtime(Backend::Postgres).await
}

#[tokio::test]
async fn starts_at_the_head_without_cursor_or_start_block() -> TestResult {
    let db = TestDb::sqlite().await?;
    let anvil = anvil(None);
    let client = connect(&anvil).await;
    let user = anvil.addresses()[1];
    let emitter = deploy(&client, user, &emitter_initcode(TOPIC0)).await;
    emit(&client, user, emitter, JOB_A, 1).await; // before the start: never delivered
    mine(&client, 1).await;
    let (handle, mut rx) = LogPoller::new(client.clone(), db.store().clone(), config("head", emitter, None)).spawn()?;
    // wait until the poller is running (first cursor written), then emit
    let h = head(&client).await;
    assert!(settle(&mut rx, db.store(), "head", h.saturating_sub(1)).await.is_empty());
    emit(&client, user, emitter, JOB_A, 2).await;
    assert_eq!(tag(&next_log(&mut rx).await), 2);
    handle.shutdown().await;
    Ok(())
}

/// evm_snapshot/evm_revert replaces the block holding a delivered log with a block holding
/// another log: the poller must report the reorg and deliver the new canonical log.
#[tokio::test]
async fn detects_reorg_and_redelivers_the_new_chain() -> TestResult {
    let db = TestDb::sqlite().await?;
    let store = db.store().clone();
    let anvil = anvil(None);
    let client = connect(&anvil).await;
    let user = anvil.addresses()[1];
    let emitter = deploy(&client, user, &emitter_initcode(TOPIC0)).await;
    let start = head(&client).await;
    let (handle, mut rx) =
        LogPoller::new(client.clone(), store.clone(), config("reorg", emitter, Some(start))).spawn()?;

    emit(&client, user, emitter, JOB_A, 1).await;
    let kept = next_log(&mut rx).await;
    let snapshot = rpc(&client, "evm_snapshot", json!([])).await;
    let (_, n) = emit(&client, user, emitter, JOB_A, 2).await;
    let removed = next_log(&mut rx).await;
    assert_eq!((tag(&removed), removed.block_number), (2, Some(n)));
    assert!(settle(&mut rx, &store, "reorg", n).await.is_empty());

    assert_eq!(rpc(&client, "evm_revert", json!([snapshot])).await, json!(true));
    let (_, n2) = emit(&client, user, emitter, JOB_A, 3).await;
    assert_eq!(n2, n, "the replacement log lands at the same height");
    mine(&client, 2).await;

    match next_seen(&mut rx, Duration::from_secs(30)).await {
        Some(Seen::Reorg(from_block)) => {
            assert!(from_block <= n, "reorg must cover block {n}, got {from_block}");
            assert!(from_block > kept.block_number.unwrap(), "block of the kept log is still canonical");
        }
        other => panic!("expected a reorg, got {other:?}"),
    }
    let replacement = next_log(&mut rx).await;
    assert_eq!((tag(&replacement), replacement.block_number), (3, Some(n)));
    assert_ne!(replacement.block_hash, removed.block_hash);
    assert!(next_seen(&mut rx, Duration::from_millis(500)).await.is_none(), "the removed log does not come back");

    let now = head(&client).await;
    assert!(settle(&mut rx, &store, "reorg", now).await.is_empty());
    let cursor = store.get_cursor("reorg").await?.unwrap();
    let canonical = rpc(&client, "eth_getBlockByNumber", json!([format!("{:#x}", cursor.block_number), false])).await;
    assert_eq!(canonical["hash"].as_str().unwrap(), cursor.block_hash);
    handle.shutdown().await;
    Ok(())
}

/// anvil_reorg replaces the last blocks at the same height (no shorter chain in between).
#[tokio::test]
async fn detects_a_same_height_reorg() -> TestResult {
    let db = TestDb::sqlite().await?;
    let anvil = anvil(None);
    let client = connect(&anvil).await;
    let user = anvil.addresses()[1];
    let emitter = deploy(&client, user, &emitter_initcode(TOPIC0)).await;
    mine(&client, 5).await;
    let start = head(&client).await;
    let (handle, mut rx) =
        LogPoller::new(client.clone(), db.store().clone(), config("same-height", emitter, Some(start))).spawn()?;

    let (_, n) = emit(&client, user, emitter, JOB_A, 1).await;
    let old = next_log(&mut rx).await;
    assert_eq!(old.block_number, Some(n));

    // Replace the last 2 blocks; the new block at height n-1+offset holds a different log.
    let mut data = JOB_A.to_vec();
    data.push(9);
    let tx = json!({ "from": user, "to": emitter, "data": linkpool_chain::alloy::primitives::Bytes::from(data), "gas": "0x100000" });
    rpc(&client, "anvil_reorg", json!([2, [[tx, 0]]])).await;
    mine(&client, 1).await;

    match next_seen(&mut rx, Duration::from_secs(30)).await {
        Some(Seen::Reorg(from_block)) => assert!(from_block <= n, "from_block {from_block} > {n}"),
        other => panic!("expected a reorg, got {other:?}"),
    }
    let new = next_log(&mut rx).await;
    assert_eq!(tag(&new), 9);
    assert_ne!(new.block_hash, old.block_hash);
    handle.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn filter_changes_apply_to_later_blocks() -> TestResult {
    let db = TestDb::sqlite().await?;
    let anvil = anvil(None);
    let client = connect(&anvil).await;
    let user = anvil.addresses()[1];
    let emitter = deploy(&client, user, &emitter_initcode(TOPIC0)).await;
    let start = head(&client).await;
    let mut config = config("filter", emitter, Some(start));
    config.filter.addresses.clear(); // no jobs yet: only follows the head
    let (handle, mut rx) = LogPoller::new(client.clone(), db.store().clone(), config.clone()).spawn()?;
    emit(&client, user, emitter, JOB_A, 1).await;
    assert!(next_seen(&mut rx, Duration::from_millis(600)).await.is_none());
    handle.set_filter(LogFilter { addresses: vec![emitter], ..config.filter.clone() });
    tokio::time::sleep(Duration::from_millis(200)).await;
    emit(&client, user, emitter, JOB_A, 2).await;
    assert_eq!(tag(&next_log(&mut rx).await), 2);
    handle.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn invalid_config_is_rejected() -> TestResult {
    let db = TestDb::sqlite().await?;
    let anvil = anvil(None);
    let client = connect(&anvil).await;
    let mut bad = config("bad", Address::ZERO, None);
    bad.max_block_range = 0;
    let err = LogPoller::new(client, db.store().clone(), bad).spawn().unwrap_err();
    assert!(matches!(err, linkpool_chain::Error::Config(_)), "{err}");
    Ok(())
}
