//! Crash safety: SIGKILL the node while 50 requests are in flight, restart it,
//! and check that every request is fulfilled exactly once and that no run
//! sent two fulfilment transactions.

use std::{
    collections::HashMap,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    network::EthereumWallet,
    primitives::{B256, I256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use linkpool_bindings::{
    stack::{self, DirectRequestStack, StackConfig},
    ConsumerUint256,
};
use linkpool_chain::{KeyStore, Password};
use linkpool_devnet::{jobs, ApiClient, DemoDataSource};

const REQUESTS: usize = 50;
const PASSWORD: &str = "crash-test";

struct NodeProcess {
    child: Child,
}

impl NodeProcess {
    fn spawn(config: &Path, log: &Path) -> Self {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_linkpool"))
            .args(["node", "--config"])
            .arg(config)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("node starts");
        Self { child }
    }

    /// SIGKILL: no shutdown code runs.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_healthy(api: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if reqwest::get(format!("{api}/health")).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("node API {api} did not come up; its log:\n{}", std::fs::read_to_string(log).unwrap_or_default());
}

/// Fulfilment events per request id.
async fn fulfilments(provider: &DynProvider, consumer: alloy::primitives::Address) -> HashMap<B256, usize> {
    let filter =
        Filter::new().address(consumer).event_signature(ConsumerUint256::ValueFulfilled::SIGNATURE_HASH).from_block(0);
    let mut out = HashMap::new();
    for log in provider.get_logs(&filter).await.unwrap() {
        *out.entry(log.topics()[1]).or_default() += 1;
    }
    out
}

fn write_config(dir: &Path, rpc: &str, port: u16) -> PathBuf {
    let password = dir.join("password");
    std::fs::write(&password, PASSWORD).unwrap();
    let config = dir.join("node.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {data:?}\n[api]\nlisten = \"127.0.0.1:{port}\"\n[chain]\nrpc_url = {rpc:?}\npoll_interval = \"100ms\"\nstart_block = 0\nbump_after = \"5s\"\n[keys]\npassword_file = {password:?}\n[pipeline]\nallow_unrestricted_network_access = true\n",
            data = dir.join("data"),
        ),
    )
    .unwrap();
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_with_requests_in_flight_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Interval mining: anvil's automine is unreliable under bursts (REFERENCE §9).
    let anvil = linkpool_devtools::anvil().unwrap().block_time(1).try_spawn().unwrap();
    let deployer: PrivateKeySigner = anvil.keys()[0].clone().into();
    let node_key: PrivateKeySigner = anvil.keys()[1].clone().into();
    let owner = deployer.address();
    let provider =
        ProviderBuilder::new().wallet(EthereumWallet::from(deployer)).connect_http(anvil.endpoint_url()).erased();
    let contracts =
        DirectRequestStack::deploy(&provider, owner, node_key.address(), StackConfig::LINKPOOL).await.unwrap();
    let source = DemoDataSource::start(0).await.unwrap();

    KeyStore::new(dir.path().join("data/keys")).import_key(&node_key.to_bytes(), &Password::new(PASSWORD)).unwrap();
    let port = free_port();
    let api_url = format!("http://127.0.0.1:{port}");
    let config = write_config(dir.path(), &anvil.endpoint(), port);
    let log = dir.path().join("node.log");

    let node = NodeProcess::spawn(&config, &log);
    wait_healthy(&api_url, &log).await;
    let token = std::fs::read_to_string(dir.path().join("data/api-token")).unwrap();
    let api = ApiClient::new(api_url.clone(), token.trim().to_owned());
    let job = api.create_job(&jobs::fill(jobs::GET_UINT256, contracts.operator)).await.unwrap();

    // 50 requests, sent without waiting for each other.
    let consumer = ConsumerUint256::new(contracts.consumer, provider.clone());
    let url = format!("{}/data/pricemultifull?fsyms=ETH&tsyms=USD", source.url());
    let mut pending = Vec::new();
    for _ in 0..REQUESTS {
        let call = consumer.requestPrice(
            contracts.operator,
            job.spec_id,
            url.clone(),
            "RAW,ETH,USD,VOLUME24HOUR".into(),
            I256::try_from(10u64.pow(18)).unwrap(),
            U256::from(10u64.pow(17)),
        );
        pending.push(call.send().await.unwrap());
    }
    let mut request_ids = Vec::new();
    for p in pending {
        let receipt = p.get_receipt().await.unwrap();
        request_ids.push(stack::oracle_request(&receipt, contracts.operator).unwrap().requestId);
    }

    // Kill as soon as the node has started on them.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let runs = api.get(&format!("/v2/runs?job={}&limit=500", job.id)).await.unwrap();
        if !runs["runs"].as_array().unwrap().is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "node saw no request");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node.kill();
    let fulfilled_at_kill = fulfilments(&provider, contracts.consumer).await.len();
    assert!(fulfilled_at_kill < REQUESTS, "the kill must land while requests are in flight");

    let node = NodeProcess::spawn(&config, &log);
    wait_healthy(&api_url, &log).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let done = loop {
        let done = fulfilments(&provider, contracts.consumer).await;
        if done.len() == REQUESTS || Instant::now() > deadline {
            break done;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let missing: Vec<_> = request_ids.iter().filter(|id| !done.contains_key(*id)).collect();
    assert!(missing.is_empty(), "unfulfilled after restart: {missing:?}; log at {}", log.display());
    assert!(done.values().all(|&n| n == 1), "a request was fulfilled twice: {done:?}");

    // Exactly one run per request, all completed, and exactly one transaction
    // per run: the node's account sent exactly REQUESTS transactions.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let runs = api.get(&format!("/v2/runs?job={}&limit=500", job.id)).await.unwrap();
    let runs = runs["runs"].as_array().unwrap();
    assert_eq!(runs.len(), REQUESTS, "one run per request");
    assert!(runs.iter().all(|r| r["status"] == "completed"), "all runs completed: {runs:?}");
    let sent = provider.get_transaction_count(node_key.address()).await.unwrap();
    assert_eq!(sent, REQUESTS as u64, "the node sent exactly one transaction per run");
    eprintln!("fulfilled before the kill: {fulfilled_at_kill}/{REQUESTS}; after restart: {}/{REQUESTS}", done.len());
    drop(node);
}
