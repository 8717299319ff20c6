//! `cron` jobs end to end: a job firing every second fetches the demo data source and sends
//! LINK from the node's own balance. Every completed run's transaction is mined with exactly the
//! transfer its fetch computed, every fire time has one run, the schedule survives a restart, and
//! deleting the job stops it.

use std::{
    collections::BTreeSet,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use alloy::{
    consensus::Transaction as _,
    primitives::{Address, Bytes, B256, U256},
    providers::Provider,
    sol_types::SolCall,
};
use linkpool_bindings::LinkToken;
use linkpool_devnet::{datasource, scenario::scaled, Devnet};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::harness::devnet;

/// How long a test waits for something the node should do within a few seconds.
pub(crate) const WAIT: Duration = Duration::from_secs(30);
/// The `times` of the cron pipeline (the ETH/USD price is 3021.45).
const TIMES: u64 = 100;

/// The node's sending address.
pub(crate) fn node_sender(devnet: &Devnet) -> Address {
    devnet.node.as_ref().expect("node running").state.sender
}

/// Gives the node `amount` LINK juels from the deployer, for its jobs to send.
pub(crate) async fn fund_node(devnet: &Devnet, amount: U256) {
    let link = LinkToken::new(devnet.contracts.link, devnet.provider.clone());
    let receipt = link
        .transfer(node_sender(devnet), amount)
        .send()
        .await
        .expect("transfer sent")
        .get_receipt()
        .await
        .expect("transfer mined");
    assert!(receipt.status(), "funding the node reverted");
}

pub(crate) async fn link_balance(devnet: &Devnet, of: Address) -> U256 {
    LinkToken::new(devnet.contracts.link, devnet.provider.clone()).balanceOf(of).call().await.expect("balanceOf")
}

/// A raw API call with the node's token (or `auth` verbatim): status and JSON body.
pub(crate) async fn call(
    devnet: &Devnet,
    method: Method,
    path: &str,
    auth: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (StatusCode, Value) {
    let node = devnet.node.as_ref().unwrap();
    let mut req = reqwest::Client::new().request(method, format!("http://{}{path}", node.api_addr));
    let bearer = format!("Bearer {}", node.api_token);
    req = req.header("authorization", auth.unwrap_or(&bearer));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_owned());
    }
    let resp = req.send().await.expect("API reachable");
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let v = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, v)
}

pub(crate) async fn runs_of(devnet: &Devnet, job: i64) -> Vec<Value> {
    let v = devnet.api().get(&format!("/v2/runs?job={job}&limit=500")).await.expect("runs list");
    v["runs"].as_array().expect("runs array").clone()
}

/// The hash of the transaction the run's `task` (an `ethtx`) sent.
pub(crate) async fn tx_of(devnet: &Devnet, run: i64, task: &str) -> B256 {
    let v = devnet.api().get(&format!("/v2/runs/{run}")).await.expect("run");
    let t = v["tasks"].as_array().unwrap().iter().find(|t| t["taskId"] == task).unwrap_or_else(|| panic!("{v}"));
    t["output"]["$bytes32"].as_str().unwrap_or_else(|| panic!("no tx hash: {t}")).parse().unwrap()
}

/// Checks that `tx` is mined, succeeded, and is the node's `LINK.transfer(to, value)`.
pub(crate) async fn assert_link_transfer(devnet: &Devnet, tx: B256, to: Address, value: U256) {
    let receipt = devnet.provider.get_transaction_receipt(tx).await.expect("receipt").expect("tx mined");
    assert!(receipt.status(), "tx {tx} reverted");
    assert_eq!(receipt.from, node_sender(devnet));
    assert_eq!(receipt.to, Some(devnet.contracts.link));
    let sent = devnet.provider.get_transaction_by_hash(tx).await.expect("tx").expect("tx known");
    let expected: Bytes = LinkToken::transferCall { to, value }.abi_encode().into();
    assert_eq!(sent.input(), &expected, "tx {tx} calldata");
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Every second: price × 100 juels to `recipient`.
fn cron_spec(devnet: &Devnet, recipient: Address) -> String {
    let url = format!("{}/data/price?fsym=ETH&tsyms=USD", devnet.source.url());
    let link = devnet.contracts.link;
    format!(
        r#"type = "cron"
schemaVersion = 1
name = "every second"
schedule = "CRON_TZ=UTC * * * * * *"
observationSource = """
    fetch    [type="http" method=GET url="{url}" allowUnrestrictedNetworkAccess="true"]
    parse    [type="jsonparse" path="USD" data="$(fetch)"]
    multiply [type="multiply" input="$(parse)" times={TIMES}]
    encode   [type="ethabiencode" abi="transfer(address to, uint256 value)" data="{{ \\"to\\": \\"{recipient}\\", \\"value\\": $(multiply) }}"]
    submit   [type="ethtx" to="{link}" data="$(encode)"]
    fetch -> parse -> multiply -> encode -> submit
"""
"#
    )
}

/// Waits until the job has `n` completed runs scheduled after `since` (unix seconds); returns them.
async fn wait_for_completed(devnet: &Devnet, job: i64, since: i64, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let runs = runs_of(devnet, job).await;
        if let Some(bad) = runs.iter().find(|r| r["status"] == "errored") {
            panic!("a cron run errored: {bad}");
        }
        let done: Vec<Value> = runs
            .into_iter()
            .filter(|r| r["status"] == "completed" && r["inputs"]["scheduledAt"].as_i64().unwrap() > since)
            .collect();
        if done.len() >= n {
            return done;
        }
        assert!(Instant::now() < deadline, "fewer than {n} completed runs of job {job} within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cron_job_fires_every_second_and_sends_what_it_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let mut devnet = devnet(&dir).await;
    fund_node(&devnet, U256::from(10u64).pow(U256::from(18))).await;
    let recipient = Address::repeat_byte(0xc7);
    let per_fire = scaled(datasource::price("ETH", "USD").unwrap(), TIMES);

    let created = devnet.api().post_toml(&cron_spec(&devnet, recipient)).await.expect("cron job created");
    assert_eq!(created["type"], "cron", "{created}");
    assert_eq!(created["schedule"], "CRON_TZ=UTC * * * * * *", "{created}");
    let job = created["id"].as_i64().unwrap();

    // Two fires, each a mined LINK.transfer of price × 100 from the node.
    let done = wait_for_completed(&devnet, job, 0, 2).await;
    for run in &done {
        let tx = tx_of(&devnet, run["id"].as_i64().unwrap(), "submit").await;
        assert_link_transfer(&devnet, tx, recipient, per_fire).await;
        assert_eq!(run["inputs"]["schedule"], "CRON_TZ=UTC * * * * * *");
    }
    let balance = link_balance(&devnet, recipient).await;
    assert!(balance >= per_fire * U256::from(2) && balance % per_fire == U256::ZERO, "{balance}");

    // After a restart the job is scheduled again from the store, and no fire time has two runs.
    devnet.restart_node().await.expect("node restarts");
    let restarted = now_secs();
    wait_for_completed(&devnet, job, restarted, 1).await;
    let runs = runs_of(&devnet, job).await;
    let times: BTreeSet<i64> = runs.iter().map(|r| r["inputs"]["scheduledAt"].as_i64().unwrap()).collect();
    assert_eq!(times.len(), runs.len(), "a fire time with two runs: {runs:?}");

    // Deleting the job stops its scheduler: the data source sees no more requests.
    let (status, v) = call(&devnet, Method::DELETE, &format!("/v2/jobs/{job}"), None, &[], None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    tokio::time::sleep(Duration::from_millis(1500)).await; // runs in flight finish their fetch
    let hits = devnet.source.hits();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(devnet.source.hits(), hits, "a deleted cron job kept firing");
    devnet.shutdown().await;
}
