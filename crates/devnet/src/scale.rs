//! `linkpool bench scale`: many direct requests at a sustained rate while the
//! node is SIGKILLed and restarted, then an exactly-once audit from the chain.
//!
//! The node runs as a **separate process** (`linkpool node --config …`, the
//! binary given in [`ScaleOptions::node_bin`]) so that a kill is a real
//! SIGKILL: no shutdown code, no flushed buffers. Everything else is the
//! devnet's: anvil with interval mining, our contracts, the demo data source
//! and the docs' "Get > Uint256" job created through the node's API.
//!
//! What is measured, precisely:
//!
//! - **requests**: `requestPrice` transactions, pre-signed from one account
//!   with consecutive nonces and sent with `eth_sendRawTransaction` on a fixed
//!   schedule (request *i* at `i / rate` seconds), several in flight at once.
//! - **kills**: the node is SIGKILLed at seeded random moments between 10 %
//!   and 90 % of the sending time (`requests / rate`), and restarted at once
//!   on the same data dir. A kill whose moment falls while the previous
//!   restart is still coming up waits until its API answers, so every kill
//!   hits a running node.
//! - **fulfilled**: request ids with a `ValueFulfilled` event from the consumer
//!   (the answer is checked against the data source's value).
//! - **duplicate_txs**: transactions the node's key sent (its pending nonce at
//!   the end minus its nonce at the start) beyond one per fulfilled request,
//!   or the number of second fulfilment events, whichever is larger. The node
//!   key sends nothing but fulfilments here. Reverted node transactions are
//!   also counted from the block receipts (`reverted_txs`).
//! - **latency** of a request: from just before its transaction was handed to
//!   anvil to the moment this benchmark first saw its fulfilment event (it
//!   polls every 20 ms). It includes mining of the request, the node's log
//!   polling, the run, and mining of the fulfilment.
//! - **throughput_rps**: fulfilled requests divided by the time from the first
//!   request sent to the last fulfilment seen.
//! - **peak_rss_mb**: the largest `VmHWM` (peak resident set) of any of the
//!   node processes, read from `/proc/<pid>/status` every poll and just
//!   before each kill (0 where `/proc` does not exist).

use std::{
    collections::HashMap,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use alloy::{
    eips::{eip2718::Encodable2718, BlockId},
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, Bytes, B256, I256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use futures::{stream, StreamExt, TryStreamExt};
use linkpool_bindings::{stack::StackConfig, ConsumerUint256, IOperator::OracleRequest};
use linkpool_node::metrics::quantile;
use serde_json::{json, Value};

use crate::{contracts::REQUEST_PAYMENT, datasource, jobs, ApiClient, Contracts, DemoDataSource, DevnetError, Result};

/// Settings of a scale run.
#[derive(Debug, Clone)]
pub struct ScaleOptions {
    /// The `linkpool` binary to run the node with (`linkpool node --config …`).
    pub node_bin: PathBuf,
    /// Requests to send.
    pub requests: usize,
    /// Requests sent per second.
    pub rate: f64,
    /// How many times the node is SIGKILLed and restarted.
    pub kills: usize,
    /// Seed of the kill moments.
    pub seed: u64,
    /// anvil block time in seconds.
    pub block_time: f64,
    /// anvil block gas limit.
    pub block_gas_limit: u64,
    /// The node's data dir (wiped at start; holds its config, keystore and log).
    pub data_dir: PathBuf,
    /// The node's database URL; `None` is SQLite in the data dir. A PostgreSQL database must be empty.
    pub database_url: Option<String>,
    /// How often the node polls for logs.
    pub poll_interval: Duration,
    /// Give up waiting for fulfilments after this long (from the first request).
    pub timeout: Duration,
    /// `RUST_LOG` of the node processes.
    pub node_log_filter: String,
}

impl ScaleOptions {
    /// The defaults of `linkpool bench scale`, running the node with `node_bin`.
    pub fn new(node_bin: PathBuf) -> Self {
        Self {
            node_bin,
            requests: 1_000,
            rate: 250.0,
            kills: 2,
            seed: 1,
            block_time: 0.25,
            block_gas_limit: 1_000_000_000,
            data_dir: PathBuf::from(".bench-scale"),
            database_url: None,
            poll_interval: Duration::from_millis(50),
            timeout: Duration::from_secs(300),
            node_log_filter: "info".into(),
        }
    }
}

/// One SIGKILL of the node.
#[derive(Debug, Clone)]
pub struct KillRecord {
    /// When, from the first request sent.
    pub at: Duration,
    /// Requests sent at that moment.
    pub sent: usize,
    /// Requests fulfilled at that moment.
    pub fulfilled: usize,
    /// From the kill until the restarted node's API answered (`None`: it never did).
    pub down_for: Option<Duration>,
}

/// What a scale run measured; see the module docs for the definitions.
#[derive(Debug, Clone)]
pub struct ScaleReport {
    /// The options' seed.
    pub seed: u64,
    /// Target send rate.
    pub rate: f64,
    /// anvil block time in seconds.
    pub block_time: f64,
    /// Requests sent.
    pub requests: usize,
    /// Distinct requests with a fulfilment event.
    pub fulfilled: usize,
    /// Fulfilments whose value differs from the data source's.
    pub wrong_answers: usize,
    /// Transactions sent by the node's key.
    pub node_txs: u64,
    /// Of those, mined and reverted.
    pub reverted_txs: u64,
    /// Second (or later) fulfilment events of one request.
    pub double_fulfilments: usize,
    /// Kills performed, in order.
    pub kills: Vec<KillRecord>,
    /// Kills asked for.
    pub planned_kills: usize,
    /// From the first request sent to the last one sent.
    pub send_elapsed: Duration,
    /// From the first request sent to the last fulfilment seen.
    pub elapsed: Duration,
    /// Per fulfilled request: request sent → fulfilment seen.
    pub latencies: Vec<Duration>,
    /// Largest `VmHWM` of any node process, in kB.
    pub peak_rss_kb: u64,
    /// The node's log file.
    pub node_log: PathBuf,
}

impl ScaleReport {
    /// Node transactions beyond one per fulfilled request, or second fulfilments, whichever is larger.
    pub fn duplicate_txs(&self) -> u64 {
        self.node_txs.saturating_sub(self.fulfilled as u64).max(self.double_fulfilments as u64)
    }

    /// Fulfilled requests per second, first request sent → last fulfilment seen.
    pub fn throughput_rps(&self) -> f64 {
        if self.elapsed.is_zero() {
            return 0.0;
        }
        self.fulfilled as f64 / self.elapsed.as_secs_f64()
    }

    /// Requests sent per second, first → last sent.
    pub fn send_rps(&self) -> f64 {
        if self.send_elapsed.is_zero() {
            return 0.0;
        }
        self.requests.saturating_sub(1) as f64 / self.send_elapsed.as_secs_f64()
    }

    /// Latency quantile in milliseconds (NaN without samples).
    pub fn latency_ms(&self, q: f64) -> f64 {
        quantile(&self.latencies, q).map_or(f64::NAN, |d| d.as_secs_f64() * 1_000.0)
    }

    /// Peak resident set of the node, in MiB.
    pub fn peak_rss_mb(&self) -> f64 {
        self.peak_rss_kb as f64 / 1024.0
    }

    /// Every request fulfilled exactly once with the right value, and every kill done.
    pub fn ok(&self) -> bool {
        self.failures().is_empty()
    }

    /// What went wrong, one sentence each (empty when [`Self::ok`]).
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.fulfilled < self.requests {
            out.push(format!("{} of {} requests were not fulfilled", self.requests - self.fulfilled, self.requests));
        }
        if self.duplicate_txs() > 0 {
            out.push(format!(
                "{} duplicate transactions ({} node transactions for {} fulfilled requests, {} second fulfilments)",
                self.duplicate_txs(),
                self.node_txs,
                self.fulfilled,
                self.double_fulfilments
            ));
        }
        if self.wrong_answers > 0 {
            out.push(format!("{} fulfilments carried a wrong value", self.wrong_answers));
        }
        if self.kills.len() < self.planned_kills {
            out.push(format!("only {} of {} kills happened", self.kills.len(), self.planned_kills));
        }
        if let Some(k) = self.kills.iter().find(|k| k.down_for.is_none()) {
            out.push(format!("the node did not come back after the kill at {:.2}s", k.at.as_secs_f64()));
        }
        out
    }

    /// The machine-readable report.
    pub fn to_json(&self) -> Value {
        let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
        json!({
            "requests": self.requests,
            "fulfilled": self.fulfilled,
            "duplicate_txs": self.duplicate_txs(),
            "kills": self.kills.len(),
            "throughput_rps": round2(self.throughput_rps()),
            "latency_ms": {
                "p50": round2(self.latency_ms(0.5)),
                "p99": round2(self.latency_ms(0.99)),
                "max": round2(self.latency_ms(1.0)),
            },
            "peak_rss_mb": round2(self.peak_rss_mb()),
            "node_txs": self.node_txs,
            "reverted_txs": self.reverted_txs,
            "wrong_answers": self.wrong_answers,
            "send_rps": round2(self.send_rps()),
            "target_rps": self.rate,
            "elapsed_s": round2(self.elapsed.as_secs_f64()),
            "block_time_s": self.block_time,
            "seed": self.seed,
            "kill_log": self.kills.iter().map(|k| json!({
                "at_s": round2(k.at.as_secs_f64()),
                "sent": k.sent,
                "fulfilled": k.fulfilled,
                "down_ms": k.down_for.map(|d| round2(ms(d))),
            })).collect::<Vec<_>>(),
        })
    }
}

fn round2(x: f64) -> f64 {
    if x.is_finite() {
        (x * 100.0).round() / 100.0
    } else {
        x
    }
}

/// The kill moments for `seed`: `kills` offsets from the first request,
/// uniform in 10–90 % of `window` (the sending time), in increasing order.
pub fn kill_plan(seed: u64, window: Duration, kills: usize) -> Vec<Duration> {
    let mut rng = SplitMix64(seed);
    let window_ms = window.as_millis() as u64;
    let (lo, hi) = (window_ms / 10, (window_ms * 9 / 10).max(window_ms / 10));
    let mut at: Vec<Duration> = (0..kills).map(|_| Duration::from_millis(lo + rng.next() % (hi - lo + 1))).collect();
    at.sort_unstable();
    at
}

/// A tiny seeded generator (SplitMix64): the kill moments must be reproducible from `--seed`.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// anvil's account the node sends from (the same as the devnet's).
const NODE_KEY_INDEX: usize = 1;
const KEYSTORE_PASSWORD: &str = "bench-scale";
/// How often the benchmark looks at the chain and the node.
const WATCH_INTERVAL: Duration = Duration::from_millis(20);
/// Request transactions in flight at once.
const SEND_CONCURRENCY: usize = 64;

/// A `linkpool node` child process; SIGKILLed when dropped.
struct NodeProcess {
    child: Child,
}

impl NodeProcess {
    fn spawn(opts: &ScaleOptions, config: &Path, log: &Path) -> Result<Self> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(DevnetError::io(format!("opening {}", log.display())))?;
        let child = Command::new(&opts.node_bin)
            .args(["node", "--config"])
            .arg(config)
            .env("RUST_LOG", &opts.node_log_filter)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(DevnetError::io(format!("starting {} node", opts.node_bin.display())))?;
        Ok(Self { child })
    }

    /// Peak resident set so far, in kB.
    fn vm_hwm_kb(&self) -> u64 {
        vm_hwm_kb(self.child.id()).unwrap_or(0)
    }

    /// SIGKILL (std's `Child::kill` on Unix), then reap.
    fn kill(&mut self) -> Result<()> {
        self.child.kill().map_err(DevnetError::io("SIGKILL the node"))?;
        self.child.wait().map_err(DevnetError::io("reaping the node"))?;
        Ok(())
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `VmHWM` of a live process, in kB.
fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(DevnetError::io("finding a free port"))
}

fn toml_str(p: &Path) -> String {
    // TOML basic strings share JSON's escapes.
    serde_json::to_string(&p.display().to_string()).expect("a string serializes")
}

/// Writes the node's config and keystore into `opts.data_dir`; returns the config path.
fn write_node_files(
    opts: &ScaleOptions,
    rpc_url: &str,
    chain_id: u64,
    port: u16,
    key: &PrivateKeySigner,
) -> Result<PathBuf> {
    let dir = &opts.data_dir;
    let abs = std::path::absolute(dir).map_err(DevnetError::io(format!("resolving {}", dir.display())))?;
    let password = abs.join("keystore-password");
    std::fs::write(&password, KEYSTORE_PASSWORD).map_err(DevnetError::io("writing the keystore password"))?;
    linkpool_chain::KeyStore::new(abs.join("keys"))
        .import_key(&key.to_bytes(), &linkpool_chain::Password::new(KEYSTORE_PASSWORD))?;
    let database = match &opts.database_url {
        Some(url) => format!("[database]\nurl = {}\n", serde_json::to_string(url).expect("a string serializes")),
        None => String::new(),
    };
    let config = format!(
        "# written by `linkpool bench scale`\n\
         data_dir = {data}\n\
         {database}\
         [api]\nlisten = \"127.0.0.1:{port}\"\n\
         [chain]\nrpc_url = {rpc}\nchain_id = {chain_id}\npoll_interval = \"{poll}ms\"\nstart_block = 0\n\
         bump_after = \"5s\"\nbump_after_blocks = 20\n\
         [keys]\npassword_file = {password}\n\
         [pipeline]\nallow_unrestricted_network_access = true\ndefault_task_timeout = \"10s\"\n",
        data = toml_str(&abs),
        rpc = serde_json::to_string(rpc_url).expect("a string serializes"),
        poll = opts.poll_interval.as_millis(),
        password = toml_str(&password),
    );
    let path = abs.join("node.toml");
    std::fs::write(&path, config).map_err(DevnetError::io("writing the node config"))?;
    Ok(path)
}

async fn healthy(http: &reqwest::Client, api: &str) -> bool {
    http.get(format!("{api}/health")).send().await.is_ok_and(|r| r.status().is_success())
}

fn failed(message: impl Into<String>) -> DevnetError {
    DevnetError::Scenario { name: "bench scale".into(), message: message.into() }
}

fn rpc(what: &'static str) -> impl FnOnce(alloy::transports::TransportError) -> DevnetError {
    DevnetError::contract(what)
}

/// A fulfilment seen on chain.
struct Fulfilment {
    count: usize,
    seen: Instant,
    value: U256,
}

/// Follows the Operator's `OracleRequest` and the consumer's `ValueFulfilled` events.
struct Watch {
    provider: DynProvider,
    filter: Filter,
    operator: Address,
    from_block: u64,
    /// Transaction hash of each pre-signed request → its index.
    tx_index: HashMap<B256, usize>,
    /// Request id → index of its request transaction.
    requests: HashMap<B256, usize>,
    fulfilments: HashMap<B256, Fulfilment>,
}

impl Watch {
    async fn poll(&mut self) -> Result<()> {
        let head = self.provider.get_block_number().await.map_err(rpc("eth_blockNumber"))?;
        if head < self.from_block {
            return Ok(());
        }
        let filter = self.filter.clone().from_block(self.from_block).to_block(head);
        let logs = self.provider.get_logs(&filter).await.map_err(rpc("eth_getLogs"))?;
        let now = Instant::now();
        for log in logs {
            let topic0 = log.topics().first().copied();
            if log.address() == self.operator && topic0 == Some(OracleRequest::SIGNATURE_HASH) {
                let decoded =
                    log.log_decode::<OracleRequest>().map_err(DevnetError::contract("decode OracleRequest"))?;
                if let Some(i) = log.transaction_hash.and_then(|h| self.tx_index.get(&h)) {
                    self.requests.insert(decoded.inner.data.requestId, *i);
                }
            } else if topic0 == Some(ConsumerUint256::ValueFulfilled::SIGNATURE_HASH) {
                let e = log
                    .log_decode::<ConsumerUint256::ValueFulfilled>()
                    .map_err(DevnetError::contract("decode ValueFulfilled"))?;
                let e = e.inner.data;
                self.fulfilments.entry(e.requestId).and_modify(|f| f.count += 1).or_insert(Fulfilment {
                    count: 1,
                    seen: now,
                    value: e.value,
                });
            }
        }
        self.from_block = head + 1;
        Ok(())
    }

    fn fulfilled(&self) -> usize {
        self.fulfilments.len()
    }
}

/// Runs the whole benchmark; `progress` gets a status line about once a second.
pub async fn run(opts: &ScaleOptions, progress: impl Fn(&str)) -> Result<ScaleReport> {
    if opts.rate <= 0.0 || !opts.rate.is_finite() {
        return Err(failed("the rate must be a positive number of requests per second"));
    }
    crate::fresh_data_dir(&opts.data_dir)?;
    progress(&format!("starting anvil (block time {}s, gas limit {})", opts.block_time, opts.block_gas_limit));
    let anvil = linkpool_devtools::anvil()?
        .args(["--block-time".to_owned(), opts.block_time.to_string()])
        .args(["--gas-limit".to_owned(), opts.block_gas_limit.to_string()])
        .try_spawn()?;
    let requester: PrivateKeySigner = anvil.keys()[0].clone().into();
    let node_key: PrivateKeySigner = anvil.keys()[NODE_KEY_INDEX].clone().into();
    let from = requester.address();
    let wallet = EthereumWallet::from(requester);
    let provider = ProviderBuilder::new().wallet(wallet.clone()).connect_http(anvil.endpoint_url()).erased();
    let contracts = Contracts::deploy(&provider, from, node_key.address(), StackConfig::LINKPOOL).await?;
    let source = DemoDataSource::start(0).await.map_err(DevnetError::io("starting the demo data source"))?;

    let port = free_port()?;
    let api_url = format!("http://127.0.0.1:{port}");
    let config = write_node_files(opts, &anvil.endpoint(), anvil.chain_id(), port, &node_key)?;
    let log = config.with_file_name("node.log");
    progress(&format!("starting the node: {} node --config {}", opts.node_bin.display(), config.display()));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| DevnetError::Api(e.to_string()))?;
    let mut node = NodeProcess::spawn(opts, &config, &log)?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !healthy(&http, &api_url).await {
        if let Ok(Some(status)) = node.child.try_wait() {
            return Err(failed(format!("the node exited ({status}) at start; see {}", log.display())));
        }
        if Instant::now() > deadline {
            return Err(failed(format!("the node's API did not come up; see {}", log.display())));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let token = std::fs::read_to_string(opts.data_dir.join("api-token"))
        .map_err(DevnetError::io("reading the node's API token"))?;
    let api = ApiClient::new(api_url.clone(), token.trim().to_owned());
    let job = api.create_job(&jobs::fill(jobs::GET_UINT256, contracts.operator)).await?;

    progress(&format!("signing {} requests", opts.requests));
    let raw = sign_requests(&provider, &wallet, &contracts, job.spec_id, &source.url(), from, opts.requests).await?;
    let node_address = node_key.address();
    let node_nonce_start =
        provider.get_transaction_count(node_address).pending().await.map_err(rpc("eth_getTransactionCount"))?;
    let start_block = provider.get_block_number().await.map_err(rpc("eth_blockNumber"))? + 1;
    let mut watch = Watch {
        provider: provider.clone(),
        filter: Filter::new()
            .address(vec![contracts.operator, contracts.consumer_uint256])
            .event_signature(vec![OracleRequest::SIGNATURE_HASH, ConsumerUint256::ValueFulfilled::SIGNATURE_HASH]),
        operator: contracts.operator,
        from_block: start_block,
        tx_index: raw.iter().enumerate().map(|(i, (h, _))| (*h, i)).collect(),
        requests: HashMap::new(),
        fulfilments: HashMap::new(),
    };

    let window = Duration::from_secs_f64(opts.requests as f64 / opts.rate);
    let plan = kill_plan(opts.seed, window, opts.kills);
    progress(&format!(
        "sending {} requests at {}/s; SIGKILL at {} (seed {})",
        opts.requests,
        opts.rate,
        plan.iter().map(|k| format!("{:.2}s", k.as_secs_f64())).collect::<Vec<_>>().join(", "),
        opts.seed
    ));
    let sent_at: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; opts.requests]));
    let sent_count = Arc::new(AtomicUsize::new(0));
    let mut sender = tokio::spawn(send_paced(
        provider.clone(),
        raw.into_iter().map(|(_, b)| b).collect(),
        opts.rate,
        sent_at.clone(),
        sent_count.clone(),
    ));

    let started = Instant::now();
    let deadline = started + opts.timeout;
    let mut peak_rss_kb = 0u64;
    let mut kills: Vec<(Instant, KillRecord)> = Vec::new();
    let mut up = true;
    let mut send_joined = false;
    let mut last_progress = Instant::now();
    loop {
        watch.poll().await?;
        peak_rss_kb = peak_rss_kb.max(node.vm_hwm_kb());
        if let Ok(Some(status)) = node.child.try_wait() {
            return Err(failed(format!("the node exited on its own ({status}); see {}", log.display())));
        }
        if !up && healthy(&http, &api_url).await {
            up = true;
            if let Some((at, k)) = kills.last_mut() {
                k.down_for = Some(at.elapsed());
            }
        }
        // A kill is due at its planned moment, or as soon as the previous restart answers.
        if let Some(planned) = plan.get(kills.len()).filter(|_| up) {
            if started.elapsed() >= *planned {
                peak_rss_kb = peak_rss_kb.max(node.vm_hwm_kb());
                node.kill()?;
                let at = Instant::now();
                // At once, on the same data dir.
                node = NodeProcess::spawn(opts, &config, &log)?;
                let record = KillRecord {
                    at: Duration::ZERO,
                    sent: sent_count.load(Ordering::Relaxed),
                    fulfilled: watch.fulfilled(),
                    down_for: None,
                };
                progress(&format!(
                    "SIGKILL #{} with {} sent and {} fulfilled; restarted",
                    kills.len() + 1,
                    record.sent,
                    record.fulfilled
                ));
                kills.push((at, record));
                up = false;
            }
        }
        if !send_joined && sender.is_finished() {
            // A failed send ends the run at once.
            (&mut sender).await.map_err(|e| failed(format!("the sending task failed: {e}")))??;
            send_joined = true;
        }
        let all_sent = sent_count.load(Ordering::Relaxed) == opts.requests;
        if all_sent && watch.fulfilled() >= opts.requests && kills.len() == plan.len() && up {
            break;
        }
        if Instant::now() > deadline {
            progress("timed out waiting for fulfilments");
            break;
        }
        if last_progress.elapsed() >= Duration::from_secs(1) {
            last_progress = Instant::now();
            progress(&format!(
                "{:>5.1}s  sent {}/{}  fulfilled {}  kills {}/{}  node {}",
                started.elapsed().as_secs_f64(),
                sent_count.load(Ordering::Relaxed),
                opts.requests,
                watch.fulfilled(),
                kills.len(),
                plan.len(),
                if up { "up" } else { "restarting" },
            ));
        }
        tokio::time::sleep(WATCH_INTERVAL).await;
    }
    if !send_joined {
        // Timed out while still sending.
        sender.abort();
    }

    // Let anything still in flight (a late duplicate) land before counting.
    let settle = Duration::from_secs_f64((opts.block_time * 8.0).max(2.0));
    progress(&format!("all fulfilled or timed out; watching {:.1}s more for late duplicates", settle.as_secs_f64()));
    let settle_until = Instant::now() + settle;
    while Instant::now() < settle_until {
        watch.poll().await?;
        peak_rss_kb = peak_rss_kb.max(node.vm_hwm_kb());
        tokio::time::sleep(WATCH_INTERVAL).await;
    }
    watch.poll().await?;
    peak_rss_kb = peak_rss_kb.max(node.vm_hwm_kb());

    let node_nonce_end =
        provider.get_transaction_count(node_address).pending().await.map_err(rpc("eth_getTransactionCount"))?;
    let head = provider.get_block_number().await.map_err(rpc("eth_blockNumber"))?;
    let mut mined = 0u64;
    let mut reverted_txs = 0u64;
    for b in start_block..=head {
        let receipts = provider
            .get_block_receipts(BlockId::number(b))
            .await
            .map_err(rpc("eth_getBlockReceipts"))?
            .unwrap_or_default();
        for r in receipts.iter().filter(|r| r.from == node_address) {
            mined += 1;
            reverted_txs += u64::from(!r.status());
        }
    }
    drop(node);

    let sent_at = sent_at.lock().expect("not poisoned").clone();
    let first_sent = sent_at.iter().flatten().min().copied().unwrap_or(started);
    let last_sent = sent_at.iter().flatten().max().copied().unwrap_or(started);
    let last_fulfilled = watch.fulfilments.values().map(|f| f.seen).max().unwrap_or(first_sent);
    let expected = crate::scenario::scaled(datasource::volume("ETH", "USD").expect("quote"), 10u64.pow(18));
    let latencies = watch
        .fulfilments
        .iter()
        .filter_map(|(id, f)| {
            let sent = sent_at.get(*watch.requests.get(id)?).copied().flatten()?;
            Some(f.seen.saturating_duration_since(sent))
        })
        .collect();
    let kills =
        kills.into_iter().map(|(at, k)| KillRecord { at: at.saturating_duration_since(first_sent), ..k }).collect();
    Ok(ScaleReport {
        seed: opts.seed,
        rate: opts.rate,
        block_time: opts.block_time,
        requests: opts.requests,
        fulfilled: watch.fulfilled(),
        wrong_answers: watch.fulfilments.values().filter(|f| f.value != expected).count(),
        node_txs: node_nonce_end.saturating_sub(node_nonce_start).max(mined),
        reverted_txs,
        double_fulfilments: watch.fulfilments.values().map(|f| f.count - 1).sum(),
        kills,
        planned_kills: plan.len(),
        send_elapsed: last_sent.saturating_duration_since(first_sent),
        elapsed: last_fulfilled.saturating_duration_since(first_sent),
        latencies,
        peak_rss_kb,
        node_log: log,
    })
}

/// Signs `n` Get > Uint256 requests with consecutive nonces; returns (hash, raw bytes) in nonce order.
async fn sign_requests(
    provider: &DynProvider,
    wallet: &EthereumWallet,
    contracts: &Contracts,
    spec_id: B256,
    source_url: &str,
    from: Address,
    n: usize,
) -> Result<Vec<(B256, Bytes)>> {
    let consumer = ConsumerUint256::new(contracts.consumer_uint256, provider.clone());
    let url = format!("{source_url}/data/pricemultifull?fsyms=ETH&tsyms=USD");
    let nonce = provider.get_transaction_count(from).pending().await.map_err(rpc("eth_getTransactionCount"))?;
    let fees = provider.estimate_eip1559_fees().await.map_err(rpc("fees"))?;
    let chain_id = provider.get_chain_id().await.map_err(rpc("eth_chainId"))?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n as u64 {
        let tx = consumer
            .requestPrice(
                contracts.operator,
                spec_id,
                url.clone(),
                "RAW,ETH,USD,VOLUME24HOUR".into(),
                I256::try_from(10u64.pow(18)).expect("fits"),
                U256::from(REQUEST_PAYMENT),
            )
            .into_transaction_request()
            .with_from(from)
            .with_nonce(nonce + i)
            .with_chain_id(chain_id)
            .with_gas_limit(400_000)
            // Headroom: the base fee may rise while a thousand requests land.
            .with_max_fee_per_gas(fees.max_fee_per_gas * 4)
            .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
        let envelope = tx.build(wallet).await.map_err(DevnetError::contract("sign a request"))?;
        out.push((*envelope.tx_hash(), Bytes::from(envelope.encoded_2718())));
    }
    Ok(out)
}

/// Sends request `i` at `i / rate` seconds from now, several in flight at once.
async fn send_paced(
    provider: DynProvider,
    raw: Vec<Bytes>,
    rate: f64,
    sent_at: Arc<Mutex<Vec<Option<Instant>>>>,
    sent_count: Arc<AtomicUsize>,
) -> Result<()> {
    let start = tokio::time::Instant::now();
    stream::iter(raw.into_iter().enumerate())
        .map(|(i, bytes)| {
            let provider = provider.clone();
            let sent_at = sent_at.clone();
            let sent_count = sent_count.clone();
            async move {
                tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / rate)).await;
                let t = Instant::now();
                // The benchmark watches events, not this transaction's receipt.
                let _pending = provider.send_raw_transaction(&bytes).await.map_err(rpc("eth_sendRawTransaction"))?;
                sent_at.lock().expect("not poisoned")[i] = Some(t);
                sent_count.fetch_add(1, Ordering::Relaxed);
                Ok::<_, DevnetError>(())
            }
        })
        .buffer_unordered(SEND_CONCURRENCY)
        .try_collect()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kill_plans_are_seeded_increasing_and_inside_the_sending_window() {
        let window = Duration::from_secs(4);
        let a = kill_plan(7, window, 2);
        assert_eq!(a, kill_plan(7, window, 2), "same seed, same moments");
        assert_ne!(a, kill_plan(8, window, 2), "another seed moves them");
        for seed in 0..200 {
            let p = kill_plan(seed, window, 3);
            assert_eq!(p.len(), 3);
            assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
            assert!(p.iter().all(|k| (Duration::from_millis(400)..=Duration::from_millis(3_600)).contains(k)), "{p:?}");
        }
        assert!(kill_plan(1, window, 0).is_empty());
        assert_eq!(kill_plan(1, Duration::ZERO, 1), vec![Duration::ZERO]);
    }

    #[test]
    fn duplicates_count_extra_node_transactions() {
        let mut r = ScaleReport {
            seed: 1,
            rate: 250.0,
            block_time: 0.25,
            requests: 10,
            fulfilled: 10,
            wrong_answers: 0,
            node_txs: 10,
            reverted_txs: 0,
            double_fulfilments: 0,
            kills: vec![],
            planned_kills: 0,
            send_elapsed: Duration::from_secs(1),
            elapsed: Duration::from_secs(2),
            latencies: vec![Duration::from_millis(300); 10],
            peak_rss_kb: 2048,
            node_log: PathBuf::new(),
        };
        assert!(r.ok(), "{:?}", r.failures());
        assert_eq!(r.throughput_rps(), 5.0);
        assert_eq!(r.to_json()["latency_ms"]["p50"], json!(300.0));
        r.node_txs = 11;
        assert_eq!(r.duplicate_txs(), 1);
        assert!(!r.ok());
        r.node_txs = 10;
        r.fulfilled = 9;
        assert_eq!(r.duplicate_txs(), 1, "a tenth transaction for nine fulfilments is a duplicate");
        assert_eq!(r.failures().len(), 2, "{:?}", r.failures());
    }

    #[test]
    fn reads_the_peak_resident_set_of_a_live_process() {
        if Path::new("/proc/self/status").exists() {
            assert!(vm_hwm_kb(std::process::id()).is_some_and(|kb| kb > 0));
        }
    }
}
