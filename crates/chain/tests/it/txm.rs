//! Transaction manager against anvil (interval mining: automine is unreliable under bursts).

use std::{
    collections::HashSet,
    time::{Duration, Instant},
};

use futures::future::join_all;
use linkpool_chain::{
    alloy::primitives::{Address, Bytes, U256},
    txm::GWEI,
    Error, KeyStore, Password, TxManager, TxRequest, TxmConfig,
};
use linkpool_store::{testing::TestDb, Backend, Store, TxState};
use serde_json::json;

use crate::common::*;

const RECIPIENT: Address = Address::repeat_byte(0x42);

fn config() -> TxmConfig {
    TxmConfig { poll_interval: Duration::from_millis(100), ..TxmConfig::default() }
}

fn transfer(key: impl Into<String>, from: Address, wei: u64) -> TxRequest {
    TxRequest {
        idempotency_key: key.into(),
        from,
        to: RECIPIENT,
        data: Bytes::new(),
        value: U256::from(wei),
        gas_limit: Some(21_000),
        run_id: None,
    }
}

async fn attempts_exist(store: &Store, ids: &[i64]) -> bool {
    for &id in ids {
        if store.attempts(id).await.unwrap().is_empty() {
            return false;
        }
    }
    true
}

/// Keys come from an encrypted keystore, as in the node.
#[tokio::test]
async fn same_key_twice_sends_once() -> TestResult {
    let db = TestDb::sqlite().await?;
    let anvil = anvil(Some(1));
    let client = connect(&anvil).await;
    let dir = tempfile::tempdir()?;
    let keystore = KeyStore::new(dir.path());
    let password = Password::new("test");
    keystore.import_key(&dev_signer(&anvil, 0).to_bytes(), &password)?;
    let keys = keystore.load_all(&password)?;
    let from = keys[0].address();
    let txm = TxManager::spawn(client.clone(), db.store().clone(), keys.iter().map(|k| k.signer().clone()), config())?;

    let id = txm.enqueue(transfer("run:1:task:send", from, 1_000)).await?;
    let again = txm.enqueue(transfer("run:1:task:send", from, 5_000)).await?;
    assert_eq!(id, again, "same key, same tx");
    let outcome = txm.wait(id).await?;
    assert!(!outcome.reverted);
    assert_eq!(outcome.gas_used, 21_000);
    // after confirmation too
    assert_eq!(txm.enqueue(transfer("run:1:task:send", from, 9_000)).await?, id);
    mine(&client, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(nonce(&client, from).await, 1, "exactly one tx on chain");
    assert_eq!(balance(&client, RECIPIENT).await, U256::from(1_000));
    let record = txm.get(id).await?;
    assert_eq!(record.state, TxState::Confirmed);
    assert_eq!(record.nonce, Some(0));
    assert_eq!(db.store().attempts(id).await?.len(), 1);
    Ok(())
}

async fn restart_mid_flight(backend: Backend) -> TestResult {
    let Some(db) = TestDb::new(backend).await? else { return Ok(()) };
    let anvil = anvil(Some(1));
    let client = connect(&anvil).await;
    let signer = dev_signer(&anvil, 0);
    let from = signer.address();
    // Hold the txs in the pool so the restart happens while they are in flight.
    rpc(&client, "evm_setIntervalMining", json!([0])).await;

    let txm = TxManager::spawn(client.clone(), db.store().clone(), [signer.clone()], config())?;
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(txm.enqueue(transfer(format!("run:{i}:task:tx"), from, 100 + i)).await?);
    }
    assert!(eventually(Duration::from_secs(20), || attempts_exist(db.store(), &ids)).await, "attempts persisted");
    // Five more, and "crash" right away: some may have no nonce or no attempt yet.
    for i in 10..15 {
        ids.push(txm.enqueue(transfer(format!("run:{i}:task:tx"), from, 100 + i)).await?);
    }
    drop(txm);
    // The node's mempool forgets them too (e.g. the RPC node restarted): only a rebroadcast
    // from the store can get them mined.
    rpc(&client, "anvil_dropAllTransactions", json!([])).await;

    let store = Store::connect(db.url()).await?;
    let txm = TxManager::spawn(client.clone(), store.clone(), [signer], config())?;
    for i in 0..15u64 {
        let id = txm.enqueue(transfer(format!("run:{i}:task:tx"), from, 999)).await?;
        assert_eq!(id, ids[i as usize], "idempotent across restarts");
    }
    rpc(&client, "evm_setIntervalMining", json!([1])).await;

    let outcomes = join_all(ids.iter().map(|&id| txm.wait(id))).await;
    let mut nonces = HashSet::new();
    for (&id, outcome) in ids.iter().zip(outcomes) {
        let outcome = outcome?;
        assert!(!outcome.reverted);
        let record = store.get_tx(id).await?.unwrap();
        assert_eq!(record.state, TxState::Confirmed);
        assert!(nonces.insert(record.nonce.unwrap()), "duplicate nonce {:?}", record.nonce);
        let hashes: Vec<String> = store.attempts(id).await?.into_iter().map(|a| a.hash).collect();
        assert!(hashes.contains(&format!("{:#x}", outcome.hash)), "mined hash is a persisted attempt");
    }
    assert_eq!(nonces, (0..15).collect::<HashSet<i64>>());
    for &id in &ids[..10] {
        let attempts = store.attempts(id).await?;
        let record = store.get_tx(id).await?.unwrap();
        assert_eq!(attempts.len(), 1, "rebroadcast as stored, not re-signed");
        assert_eq!(record.confirmed_hash.as_deref(), Some(attempts[0].hash.as_str()));
    }
    mine(&client, 2).await;
    assert_eq!(nonce(&client, from).await, 15, "each tx mined exactly once");
    let expected: u64 = (0..15).map(|i| 100 + i).sum();
    assert_eq!(balance(&client, RECIPIENT).await, U256::from(expected), "no duplicate transfer");
    txm.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn restart_mid_flight_sqlite() -> TestResult {
    restart_mid_flight(Backend::Sqlite).await
}

#[tokio::test]
async fn restart_mid_flight_postgres() -> TestResult {
    restart_mid_flight(Backend::Postgres).await
}

/// The first attempt is priced under a suddenly high base fee; the bumped one must replace it
/// (both fees +12.5% or more, so no "replacement transaction underpriced") and get mined.
#[tokio::test]
async fn bumps_a_stuck_tx_until_mined() -> TestResult {
    let db = TestDb::sqlite().await?;
    let anvil = anvil(Some(1));
    let client = connect(&anvil).await;
    let signer = dev_signer(&anvil, 0);
    let from = signer.address();
    let mut config = config();
    config.bump_after_blocks = Some(1);
    config.fees.priority_fee = Some(GWEI);
    let txm = TxManager::spawn(client.clone(), db.store().clone(), [signer], config)?;

    rpc(&client, "evm_setIntervalMining", json!([0])).await;
    let id = txm.enqueue(transfer("bump", from, 7)).await?;
    let just_id = [id];
    assert!(eventually(Duration::from_secs(20), || attempts_exist(db.store(), &just_id)).await);
    let first = db.store().attempts(id).await?.remove(0);
    let first_fee: u128 = first.max_fee_per_gas.parse()?;
    assert!(first_fee < 50 * GWEI, "first attempt priced for the old base fee: {first_fee}");
    rpc(&client, "anvil_setNextBlockBaseFeePerGas", json!([format!("{:#x}", 50 * GWEI)])).await;
    rpc(&client, "evm_setIntervalMining", json!([1])).await;

    let outcome = tokio::time::timeout(Duration::from_secs(60), txm.wait(id)).await??;
    let attempts = db.store().attempts(id).await?;
    assert!(attempts.len() >= 2, "bumped at least once: {attempts:?}");
    assert_ne!(format!("{:#x}", outcome.hash), attempts[0].hash, "a bumped attempt was mined");
    for pair in attempts.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (a_max, b_max): (u128, u128) = (a.max_fee_per_gas.parse()?, b.max_fee_per_gas.parse()?);
        let (a_tip, b_tip): (u128, u128) = (a.max_priority_fee_per_gas.parse()?, b.max_priority_fee_per_gas.parse()?);
        assert!(b_max * 8 > a_max * 9 && b_tip * 8 > a_tip * 9, "both fees +12.5%: {a:?} -> {b:?}");
    }
    assert_eq!(nonce(&client, from).await, 1);
    Ok(())
}

#[tokio::test]
async fn estimates_gas_and_reports_reverts() -> TestResult {
    let db = TestDb::sqlite().await?;
    let anvil = anvil(Some(1));
    let client = connect(&anvil).await;
    let signer = dev_signer(&anvil, 0);
    let from = signer.address();
    let deployer = anvil.addresses()[1];
    let reverter = deploy(&client, deployer, &reverter_initcode()).await;
    let emitter = deploy(&client, deployer, &emitter_initcode(Default::default())).await;
    let txm = TxManager::spawn(client.clone(), db.store().clone(), [signer], config())?;

    // estimate of a reverting call fails before anything is stored
    let mut call = transfer("estimate-revert", from, 0);
    call.to = reverter;
    call.gas_limit = None;
    let err = txm.enqueue(call.clone()).await.unwrap_err();
    assert!(matches!(err, Error::EstimateGas(_)), "{err}");
    assert!(db.store().get_tx_by_key("estimate-revert").await?.is_none());

    // with an explicit gas limit it is sent, and the revert is reported
    call.gas_limit = Some(50_000);
    let outcome = txm.wait(txm.enqueue(call).await?).await?;
    assert!(outcome.reverted);
    assert_eq!(txm.get(txm.enqueue(transfer("estimate-revert", from, 0)).await?).await?.state, TxState::Reverted);

    // estimated gas: 120% of the estimate, and enough to succeed
    let mut emit = transfer("estimate-ok", from, 0);
    emit.to = emitter;
    emit.data = Bytes::from(vec![7u8; 64]);
    emit.gas_limit = None;
    let id = txm.enqueue(emit).await?;
    let record = txm.get(id).await?;
    let outcome = txm.wait(id).await?;
    assert!(!outcome.reverted);
    assert!(record.gas_limit >= outcome.gas_used * 115 / 100, "{} vs {}", record.gas_limit, outcome.gas_used);

    // bad requests
    let err = txm.enqueue(transfer("unknown", Address::repeat_byte(1), 1)).await.unwrap_err();
    assert!(matches!(err, Error::UnknownSender(_)), "{err}");
    let mut low = transfer("low-gas", from, 1);
    low.gas_limit = Some(20_000);
    assert!(matches!(txm.enqueue(low.clone()).await.unwrap_err(), Error::InvalidTx(_)));
    low.gas_limit = Some(21_000);
    low.data = Bytes::from(vec![1u8; 100]); // calldata costs gas too
    assert!(matches!(txm.enqueue(low).await.unwrap_err(), Error::InvalidTx(_)));
    assert!(db.store().get_tx_by_key("low-gas").await?.is_none(), "refused requests are not stored");
    let mut huge = transfer("huge-gas", from, 1);
    huge.gas_limit = Some(1_000_000_000);
    assert!(matches!(txm.enqueue(huge).await.unwrap_err(), Error::InvalidTx(_)));
    assert!(matches!(txm.wait(123_456).await.unwrap_err(), Error::TxNotFound(123_456)));
    Ok(())
}

/// 400 transfers through one key with 1 s interval mining; prints the rates.
async fn throughput(backend: Backend) -> TestResult {
    const N: u64 = 400;
    let Some(db) = TestDb::new(backend).await? else { return Ok(()) };
    let anvil = anvil(Some(1));
    let client = connect(&anvil).await;
    let signer = dev_signer(&anvil, 0);
    let from = signer.address();
    let txm = TxManager::spawn(client.clone(), db.store().clone(), [signer], config())?;
    let started = Instant::now();
    let ids: Vec<i64> = join_all((0..N).map(|i| txm.enqueue(transfer(format!("load:{i}"), from, 1))))
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let enqueued = started.elapsed();
    let outcomes = join_all(ids.iter().map(|&id| txm.wait(id))).await;
    let confirmed = started.elapsed();
    for outcome in outcomes {
        assert!(!outcome?.reverted);
    }
    let blocks: HashSet<u64> = {
        let mut set = HashSet::new();
        for &id in &ids {
            set.insert(txm.get(id).await?.block_number.unwrap() as u64);
        }
        set
    };
    println!(
        "txm throughput ({backend:?}): {N} txs enqueued in {enqueued:?} ({:.0}/s), all confirmed after {confirmed:?} \
         ({:.0}/s end to end, {} blocks)",
        N as f64 / enqueued.as_secs_f64(),
        N as f64 / confirmed.as_secs_f64(),
        blocks.len()
    );
    assert_eq!(nonce(&client, from).await, N);
    assert_eq!(balance(&client, RECIPIENT).await, U256::from(N));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throughput_400_transfers_sqlite() -> TestResult {
    throughput(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throughput_400_transfers_postgres() -> TestResult {
    throughput(Backend::Postgres).await
}
