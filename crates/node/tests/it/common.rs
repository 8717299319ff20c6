//! A local oracle network for node tests: anvil, LINK, `OrderMatching`, `Reputation`, the
//! aggregators and an `SlaConsumer`; a real HTTP data source; a real node (anvil's second
//! account) with its API; and three more oracles driven from the test with the `Agreements`
//! client.

use std::{
    future::Future,
    net::SocketAddr,
    path::PathBuf,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use alloy::{
    network::TransactionBuilder,
    node_bindings::AnvilInstance,
    primitives::{Address, FixedBytes, B256, U256},
    providers::{DynProvider, Provider},
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolValue},
};
use axum::{extract::State, routing::get, Json, Router};
use linkpool_agreements::{
    deploy::{self, AgreementContracts},
    terms::SlaTermsBuilder,
    Agreements,
};
use linkpool_bindings::{agreements::SlaConsumer, link_pool::LinkPool, stack, LinkToken, PoolStorage};
use linkpool_node::{Node, NodeConfig, NodeHandle};
use linkpool_pool::deploy::PoolContracts;
use serde_json::{json, Value};

pub(crate) const LINK: u128 = 1_000_000_000_000_000_000;
/// What the data source serves: ETH/USD 3021.45, answered × 100.
pub(crate) const ANSWER: i64 = 302_145;
/// What a staker stakes with the node in a network with a pool.
pub(crate) const POOL_STAKE: u128 = 50 * LINK;
/// How long a test waits for something the node should do within a few seconds.
pub(crate) const WAIT: Duration = Duration::from_secs(30);
const PASSWORD: &str = "agreement-tests";

/// The data source: `GET /price?fsym=ETH` → `{"USD": 3021.45}`; counts requests and answers
/// after [`DataSource::set_delay`].
pub(crate) struct DataSource {
    pub(crate) url: String,
    hits: Arc<AtomicU64>,
    delay_ms: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for DataSource {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DataSource {
    async fn start() -> Self {
        type Counters = (Arc<AtomicU64>, Arc<AtomicU64>);
        async fn price(
            State((hits, delay_ms)): State<Counters>,
            axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
        ) -> Json<Value> {
            hits.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(delay_ms.load(Ordering::SeqCst))).await;
            match q.get("fsym").map(String::as_str) {
                Some("ETH") => Json(serde_json::from_str(r#"{"USD": 3021.45}"#).unwrap()),
                _ => Json(json!({ "error": "unknown symbol" })),
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (hits, delay_ms) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let app = Router::new().route("/price", get(price)).with_state((hits.clone(), delay_ms.clone()));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url: format!("http://{addr}"), hits, delay_ms, task }
    }

    pub(crate) fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }

    /// Requests from now on are answered after `delay` (a slow data source).
    pub(crate) fn set_delay(&self, delay: Duration) {
        self.delay_ms.store(delay.as_millis() as u64, Ordering::SeqCst);
    }
}

/// The chain, the contracts, the accounts and the node.
pub(crate) struct Net {
    pub(crate) p: DynProvider,
    /// Deployer, LINK holder and purchaser.
    pub(crate) purchaser: Address,
    /// The node's key (anvil's second account).
    pub(crate) node: Address,
    /// Three more oracles, driven by the test.
    pub(crate) others: Vec<Address>,
    pub(crate) c: AgreementContracts,
    pub(crate) consumer: Address,
    pub(crate) source: DataSource,
    pub(crate) handle: Option<NodeHandle>,
    /// The LinkPool pool, if the network has one.
    pub(crate) pool: Option<PoolContracts>,
    pub(crate) config: NodeConfig,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
    _anvil: AnvilInstance,
}

impl Net {
    /// Everything up and running; the node has no job yet.
    pub(crate) async fn start() -> Self {
        Self::start_with(false).await
    }

    /// [`Net::start`]; with `pool`, a LinkPool pool whose nodes may bid with pooled stake, the node
    /// registered in it with [`POOL_STAKE`] staked, and the pool in the node's `[pool]` config.
    pub(crate) async fn start_with(pool: bool) -> Self {
        // `RUST_LOG=linkpool_node=debug cargo nextest run … --no-capture` shows what the node does.
        if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        }
        let anvil = linkpool_devtools::anvil().expect("anvil (run `make tools`)").spawn();
        let p = linkpool_devtools::test_provider(&anvil);
        let a = anvil.addresses().to_vec();
        let (purchaser, node, others) = (a[0], a[1], a[2..5].to_vec());
        let link = stack::deploy_link(&p, purchaser, stack::Flavor::Linkpool).await.expect("LINK");
        let pc = match pool {
            true => Some(linkpool_pool::deploy::deploy(&p, link, purchaser, 60, Address::ZERO).await.expect("pool")),
            false => None,
        };
        let c = deploy::deploy(&p, link, purchaser, pc.map(|pc| pc.pool_storage)).await.expect("deploy the network");
        let consumer = *SlaConsumer::deploy(p.clone(), c.order_matching).await.expect("SlaConsumer").address();
        let source = DataSource::start().await;

        let dir = tempfile::tempdir().unwrap();
        let mut config = node_config(dir.path().join("node"), &anvil);
        config.pool.storage = pc.map(|pc| pc.pool_storage);
        let key: PrivateKeySigner = anvil.keys()[1].clone().into();
        linkpool_chain::KeyStore::new(config.keystore_dir())
            .import_key(&key.to_bytes(), &linkpool_chain::Password::new(PASSWORD))
            .expect("import the node key");
        let mut net = Self {
            p,
            purchaser,
            node,
            others,
            c,
            consumer,
            source,
            handle: None,
            config,
            http: reqwest::Client::new(),
            pool: pc,
            _dir: dir,
            _anvil: anvil,
        };
        for o in [node].into_iter().chain(net.others.clone()) {
            net.fund(o, 100 * LINK).await;
        }
        if let Some(pc) = pc {
            net.join_pool(&pc).await;
        }
        net.start_node().await;
        net
    }

    /// The pool whitelists OrderMatching (after its delay); the node (before it runs, so the
    /// test may send from its key) registers, and a staker stakes [`POOL_STAKE`] with it.
    async fn join_pool(&self, pc: &PoolContracts) {
        let send = |from: Address, tx: alloy::rpc::types::TransactionRequest| {
            let p = self.p.clone();
            async move { stack::send(&p, tx.with_from(from)).await.expect("pool set-up") }
        };
        let registry = PoolStorage::new(pc.pool_storage, self.p.clone());
        send(self.purchaser, registry.proposeWhitelist(self.c.order_matching).into_transaction_request()).await;
        self.advance(61).await;
        send(self.purchaser, registry.executeWhitelist(self.c.order_matching).into_transaction_request()).await;
        send(self.node, LinkPool::new(pc.link_pool, self.p.clone()).createNode().into_transaction_request()).await;
        let stake = self
            .link()
            .transferAndCall(pc.node_staking, U256::from(POOL_STAKE), self.node.abi_encode().into())
            .into_transaction_request();
        send(self.purchaser, stake).await;
    }

    /// The node's penalties at risk and total stake in the pool, and its node storage.
    pub(crate) async fn pool_node(&self) -> (U256, U256, Address) {
        let pc = self.pool.expect("a pool");
        let i = LinkPool::new(pc.link_pool, self.p.clone()).nodeInfo(self.node).call().await.expect("nodeInfo");
        (i.penaltiesAtRisk, i.totalStake, i.nodeStorage)
    }

    pub(crate) async fn start_node(&mut self) {
        assert!(self.handle.is_none(), "the node is running");
        self.handle = Some(Node::start(self.config.clone()).await.expect("node starts"));
    }

    /// Stops the node cleanly (its data dir stays).
    pub(crate) async fn stop_node(&mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown().await;
        }
    }

    pub(crate) async fn shutdown(mut self) {
        self.stop_node().await;
    }

    fn api(&self, path: &str) -> (String, String) {
        let h = self.handle.as_ref().expect("node running");
        (format!("http://{}{path}", h.api_addr), h.api_token.clone())
    }

    pub(crate) async fn get(&self, path: &str) -> Value {
        let (url, token) = self.api(path);
        let resp = self.http.get(url).bearer_auth(token).send().await.expect("API");
        assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
        resp.json().await.expect("JSON")
    }

    /// Creates a job; its store id and the SLA `jobId` (the externalJobID's ASCII encoding).
    pub(crate) async fn create_job(&self, toml: &str) -> (i64, B256) {
        let (url, token) = self.api("/v2/jobs");
        let resp =
            self.http.post(url).bearer_auth(token).header("content-type", "application/toml").body(toml.to_owned());
        let resp = resp.send().await.expect("API");
        let status = resp.status();
        let v: Value = resp.json().await.expect("JSON");
        assert!(status.is_success(), "job refused: {v}");
        assert_eq!(v["type"], "agreement", "{v}");
        let ext: uuid::Uuid = v["externalJobID"].as_str().unwrap().parse().unwrap();
        let [ascii, raw] = linkpool_job::spec_id_encodings(ext);
        assert_eq!(v["specIds"]["ascii"], ascii.to_string(), "{v}");
        assert_eq!(v["specIds"]["raw"], raw.to_string(), "{v}");
        (v["id"].as_i64().unwrap(), ascii)
    }

    /// An agreement job for the network's OrderMatching asking the data source, with `extra`
    /// policy lines.
    pub(crate) fn job_toml(&self, extra: &str) -> String {
        format!(
            r#"type = "agreement"
schemaVersion = 1
name = "ETH/USD for SLAs"
orderMatching = "{om}"
{extra}
observationSource = """
    fetch [type=http method=GET url="{src}/price?fsym=$(jobRun.query.fsym)"]
    parse [type=jsonparse path="USD" data="$(fetch)"]
    scale [type=multiply input="$(parse)" times=100]
    fetch -> parse -> scale
"""
"#,
            om = self.c.order_matching,
            src = self.source.url,
        )
    }

    pub(crate) fn om(&self, from: Address) -> Agreements {
        Agreements::new(self.p.clone(), self.c.order_matching).with_sender(from)
    }

    pub(crate) fn link(&self) -> LinkToken::LinkTokenInstance<DynProvider> {
        LinkToken::new(self.c.link, self.p.clone())
    }

    pub(crate) async fn fund(&self, to: Address, amount: u128) {
        let tx = self.link().transfer(to, U256::from(amount)).into_transaction_request().with_from(self.purchaser);
        stack::send(&self.p, tx).await.expect("fund");
    }

    pub(crate) async fn balance(&self, who: Address) -> U256 {
        self.link().balanceOf(who).call().await.expect("balanceOf")
    }

    pub(crate) async fn now(&self) -> u64 {
        self.p.get_block_by_number(Default::default()).await.expect("block").expect("latest").header.timestamp
    }

    /// Moves the chain's clock `seconds` ahead and mines a block.
    pub(crate) async fn advance(&self, seconds: u64) {
        let _: Value =
            self.p.raw_request("evm_increaseTime".into(), (U256::from(seconds),)).await.expect("evm_increaseTime");
        let _: Value = self.p.raw_request("evm_mine".into(), ()).await.expect("evm_mine");
    }

    /// Terms for the node's job: n = 4 (f = 1, quorum 3), majority (mode) aggregation, a one-minute
    /// bidding window, ETH as the query.
    pub(crate) fn terms(&self, job_id: B256, penalty: u128) -> SlaTermsBuilder {
        let mut t = SlaTermsBuilder::new(job_id, self.c.reputation, self.c.mode);
        t.job_type = Some(word("eth-usd"));
        t.query_params = br#"{"fsym": "ETH"}"#.to_vec().into();
        t.oracles = 4;
        t.max_misses = 3;
        t.payment_per_oracle = LINK / 10;
        t.penalty = penalty;
        t.bidding_window = 60;
        t.service_period = 3_600;
        t.response_window = 600;
        t
    }

    /// Proposes an SLA; its id and the block it is in.
    pub(crate) async fn propose(&self, t: &SlaTermsBuilder) -> (U256, u64) {
        let terms = t.build(self.now().await).expect("terms");
        let (id, sent) = self.om(self.purchaser).propose(terms).await.expect("propose");
        (id, sent.block.expect("mined"))
    }

    pub(crate) async fn bidders(&self, sla: U256) -> Vec<Address> {
        self.om(self.purchaser).bids(sla).await.expect("bids").into_iter().map(|b| b.oracle).collect()
    }

    /// A request answered to the consumer's `fulfill(uint256,int256)`; the session id.
    pub(crate) async fn request(&self, sla: U256) -> U256 {
        let selector: FixedBytes<4> = SlaConsumer::fulfillCall::SELECTOR.into();
        self.om(self.purchaser).request(sla, self.consumer, selector).await.expect("request").0
    }

    pub(crate) fn consumer(&self) -> SlaConsumer::SlaConsumerInstance<DynProvider> {
        SlaConsumer::new(self.consumer, self.p.clone())
    }

    /// `GET /v2/agreements`'s `data`.
    pub(crate) async fn agreements(&self) -> Value {
        self.get("/v2/agreements").await["data"].clone()
    }
}

fn node_config(data_dir: PathBuf, anvil: &AnvilInstance) -> NodeConfig {
    std::fs::create_dir_all(&data_dir).unwrap();
    let password_file = data_dir.join("keystore-password");
    std::fs::write(&password_file, PASSWORD).unwrap();
    let mut c = NodeConfig { data_dir, ..NodeConfig::default() };
    c.api.listen = ([127, 0, 0, 1], 0).into();
    c.chain.rpc_url = anvil.endpoint();
    c.chain.chain_id = Some(anvil.chain_id());
    c.chain.poll_interval = Duration::from_millis(100);
    c.chain.start_block = Some(0);
    c.chain.bump_after = Duration::from_secs(5);
    c.chain.bump_after_blocks = 20;
    c.keys.password_file = Some(password_file);
    // The data source is on loopback.
    c.pipeline.allow_unrestricted_network_access = true;
    c.pipeline.default_task_timeout = Duration::from_secs(10);
    c
}

/// Text as a bytes32, right-padded (Solidity's `bytes32("eth-usd")`).
pub(crate) fn word(text: &str) -> B256 {
    let mut w = [0u8; 32];
    w[..text.len()].copy_from_slice(text.as_bytes());
    B256::from(w)
}

/// Polls `check` until it returns `Some`, or panics with `what` after [`WAIT`].
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
