//! Shared test helpers: anvil, raw RPC, tiny hand-assembled contracts.

use std::time::Duration;

use linkpool_chain::{
    alloy::{
        node_bindings::AnvilInstance,
        primitives::{Address, Bytes, B256, U256},
        providers::Provider,
        rpc::types::Log,
        signers::local::PrivateKeySigner,
    },
    ChainClient, PollerEvent,
};
use serde_json::{json, Value};
use tokio::sync::mpsc;

pub(crate) type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// anvil with automine (`None`) or interval mining every `block_time` seconds.
pub(crate) fn anvil(block_time: Option<u64>) -> AnvilInstance {
    let mut builder = linkpool_devtools::anvil().expect("anvil binary (run `make tools`)");
    if let Some(secs) = block_time {
        builder = builder.block_time(secs);
    }
    builder.spawn()
}

pub(crate) async fn connect(anvil: &AnvilInstance) -> ChainClient {
    ChainClient::connect(&anvil.endpoint(), Some(anvil.chain_id())).await.expect("connect")
}

pub(crate) fn dev_signer(anvil: &AnvilInstance, index: usize) -> PrivateKeySigner {
    PrivateKeySigner::from(anvil.keys()[index].clone())
}

pub(crate) async fn rpc(client: &ChainClient, method: &'static str, params: Value) -> Value {
    client.provider().raw_request::<_, Value>(method.into(), params).await.unwrap_or_else(|e| panic!("{method}: {e}"))
}

pub(crate) async fn head(client: &ChainClient) -> u64 {
    client.provider().get_block_number().await.expect("head")
}

pub(crate) async fn mine(client: &ChainClient, blocks: u64) {
    rpc(client, "anvil_mine", json!([format!("{blocks:#x}")])).await;
}

/// Sends from an unlocked dev account and waits for the receipt; returns (tx hash, block).
pub(crate) async fn send(client: &ChainClient, from: Address, to: Option<Address>, data: &[u8]) -> (B256, u64) {
    let mut tx = json!({ "from": from, "data": Bytes::copy_from_slice(data), "gas": "0x200000" });
    if let Some(to) = to {
        tx["to"] = json!(to);
    }
    let hash: B256 = serde_json::from_value(rpc(client, "eth_sendTransaction", json!([tx])).await).unwrap();
    let receipt = wait_receipt(client, hash).await;
    (hash, receipt["blockNumber"].as_str().map(|s| u64::from_str_radix(&s[2..], 16).unwrap()).unwrap())
}

pub(crate) async fn wait_receipt(client: &ChainClient, hash: B256) -> Value {
    for _ in 0..600 {
        let receipt = rpc(client, "eth_getTransactionReceipt", json!([hash])).await;
        if !receipt.is_null() {
            return receipt;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no receipt for {hash}");
}

/// Deploys raw init code; returns the contract address.
pub(crate) async fn deploy(client: &ChainClient, from: Address, initcode: &[u8]) -> Address {
    let (hash, _) = send(client, from, None, initcode).await;
    let receipt = wait_receipt(client, hash).await;
    assert_eq!(receipt["status"], "0x1", "deploy failed: {receipt}");
    receipt["contractAddress"].as_str().unwrap().parse().unwrap()
}

/// Init code returning `runtime`.
pub(crate) fn initcode(runtime: &[u8]) -> Vec<u8> {
    let len = u8::try_from(runtime.len()).expect("runtime under 256 bytes");
    // PUSH1 len, DUP1, PUSH1 11, PUSH1 0, CODECOPY, PUSH1 0, RETURN
    let mut code = vec![0x60, len, 0x80, 0x60, 11, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3];
    code.extend_from_slice(runtime);
    code
}

/// A contract whose fallback emits `LOG2(topic0, calldata[0..32])` with the calldata as data.
pub(crate) fn emitter_initcode(topic0: B256) -> Vec<u8> {
    let mut runtime = vec![0x36, 0x60, 0x00, 0x60, 0x00, 0x37]; // CALLDATACOPY(0, 0, CALLDATASIZE)
    runtime.extend_from_slice(&[0x60, 0x00, 0x35]); // CALLDATALOAD(0) -> topic1
    runtime.push(0x7f); // PUSH32 topic0
    runtime.extend_from_slice(topic0.as_slice());
    runtime.extend_from_slice(&[0x36, 0x60, 0x00, 0xa2, 0x00]); // LOG2(0, CALLDATASIZE, t0, t1); STOP
    initcode(&runtime)
}

/// A contract that always reverts.
pub(crate) fn reverter_initcode() -> Vec<u8> {
    initcode(&[0x60, 0x00, 0x60, 0x00, 0xfd])
}

/// What a consumer acts on (Head and Checkpoint are skipped; checkpoints are dropped, which
/// acknowledges them).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum Seen {
    Log(Log),
    Reorg(u64),
}

pub(crate) async fn next_seen(rx: &mut mpsc::Receiver<PollerEvent>, timeout: Duration) -> Option<Seen> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let event = tokio::time::timeout_at(deadline, rx.recv()).await.ok()??;
        match event {
            PollerEvent::Log(log) => return Some(Seen::Log(log)),
            PollerEvent::Reorg { from_block } => return Some(Seen::Reorg(from_block)),
            PollerEvent::Head(_) | PollerEvent::Checkpoint(_) => {}
        }
    }
}

pub(crate) async fn next_log(rx: &mut mpsc::Receiver<PollerEvent>) -> Log {
    match next_seen(rx, Duration::from_secs(30)).await {
        Some(Seen::Log(log)) => log,
        other => panic!("expected a log, got {other:?}"),
    }
}

pub(crate) async fn balance(client: &ChainClient, who: Address) -> U256 {
    client.provider().get_balance(who).await.unwrap()
}

pub(crate) async fn nonce(client: &ChainClient, who: Address) -> u64 {
    client.provider().get_transaction_count(who).await.unwrap()
}

/// Polls `check` every 50 ms until it returns true or `timeout` passes.
pub(crate) async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
