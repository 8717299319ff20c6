//! `linkpool bench direct-request`: gas side by side with Chainlink's
//! Operator, the node's latency, and its sustained throughput.
//!
//! - **Gas**: two stacks on one anvil that differ only in the Operator (ours,
//!   or the real one from `@chainlink/contracts`); same LINK token, same
//!   consumer, same request (the docs' "Get > Uint256": `get`, `path`,
//!   `times`, 0.1 LINK). Whole-transaction `gasUsed` of the first request and
//!   of the steady state, for v1 (`oracleRequest`/`fulfillOracleRequest`) and
//!   v2 (`operatorRequest`/`fulfillOracleRequest2`).
//! - **Latency**: the node's own overhead from `OracleRequest` log received to
//!   fulfilment transaction handed to the transaction manager, excluding the
//!   time spent in data sources ([`linkpool_node::metrics`]).
//! - **Throughput**: N requests sent at once to a devnet on interval mining;
//!   fulfilled requests per second from the first request sent to the last
//!   fulfilment seen on chain.

use std::{
    collections::HashSet,
    time::{Duration, Instant},
};

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, I256, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use futures::{stream, StreamExt, TryStreamExt};
use linkpool_bindings::{
    stack::{measure_uint256, DirectRequestStack, Flavor, GasSample, RequestVersion, StackConfig},
    ConsumerUint256,
};
use linkpool_node::metrics::quantile;
use serde_json::{json, Value};

use crate::{contracts::REQUEST_PAYMENT, Devnet, DevnetConfig, DevnetError, Result};

/// Benchmark settings.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Requests in the throughput run.
    pub requests: usize,
    /// Request/fulfil rounds per stack in the gas run (round 0 is the cold one).
    pub gas_rounds: usize,
    /// anvil block time of the throughput run, in seconds.
    pub block_time: f64,
    /// anvil block gas limit of the throughput run.
    pub block_gas_limit: u64,
    /// Requests sent to warm the node up before measuring.
    pub warmup: usize,
    /// Requests of the latency run, sent one at a time at a steady pace.
    pub latency_samples: usize,
    /// Pause between two requests of the latency run.
    pub latency_interval: Duration,
    /// Where the node keeps its state.
    pub data_dir: std::path::PathBuf,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            requests: 1_000,
            gas_rounds: 5,
            block_time: 0.25,
            block_gas_limit: 1_000_000_000,
            warmup: 20,
            latency_samples: 50,
            latency_interval: Duration::from_millis(100),
            data_dir: std::path::PathBuf::from(".bench"),
        }
    }
}

/// Gas of one stack: the cold first round and the steady state (last round).
#[derive(Debug, Clone, Copy)]
pub struct GasRow {
    /// First request the Operator ever receives.
    pub first: GasSample,
    /// A later round.
    pub steady: GasSample,
}

/// Everything the benchmark measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// v2 (`operatorRequest` / `fulfillOracleRequest2`): ours, reference.
    pub gas_v2: (GasRow, GasRow),
    /// v1 (`oracleRequest` / `fulfillOracleRequest`): ours, reference.
    pub gas_v1: (GasRow, GasRow),
    /// Node overhead per request at a steady pace (log received → transaction handed over).
    pub latencies: Vec<Duration>,
    /// The same, for the requests of the throughput burst (includes queueing behind each other).
    pub burst_latencies: Vec<Duration>,
    /// Requests in the throughput run.
    pub requests: usize,
    /// From the first request sent to the last fulfilment seen.
    pub elapsed: Duration,
    /// Fulfilled requests.
    pub fulfilled: usize,
}

impl BenchReport {
    /// Fulfilled requests per second.
    pub fn throughput_rps(&self) -> f64 {
        self.fulfilled as f64 / self.elapsed.as_secs_f64()
    }

    fn ms(d: Option<Duration>) -> f64 {
        d.map_or(f64::NAN, |d| d.as_secs_f64() * 1_000.0)
    }

    /// Latency quantile in milliseconds.
    pub fn latency_ms(&self, q: f64) -> f64 {
        Self::ms(quantile(&self.latencies, q))
    }

    /// The machine-readable report.
    pub fn to_json(&self) -> Value {
        json!({
            "gas": {
                "request": { "linkpool": self.gas_v2.0.steady.request, "reference": self.gas_v2.1.steady.request },
                "fulfill": { "linkpool": self.gas_v2.0.steady.fulfil, "reference": self.gas_v2.1.steady.fulfil },
                "v1": {
                    "request": { "linkpool": self.gas_v1.0.steady.request, "reference": self.gas_v1.1.steady.request },
                    "fulfill": { "linkpool": self.gas_v1.0.steady.fulfil, "reference": self.gas_v1.1.steady.fulfil },
                },
                "first": {
                    "request": { "linkpool": self.gas_v2.0.first.request, "reference": self.gas_v2.1.first.request },
                    "fulfill": { "linkpool": self.gas_v2.0.first.fulfil, "reference": self.gas_v2.1.first.fulfil },
                },
            },
            "latency_ms": {
                "p50": self.latency_ms(0.5),
                "p99": self.latency_ms(0.99),
                "max": self.latency_ms(1.0),
                "samples": self.latencies.len(),
                "burst": {
                    "p50": Self::ms(quantile(&self.burst_latencies, 0.5)),
                    "p99": Self::ms(quantile(&self.burst_latencies, 0.99)),
                    "samples": self.burst_latencies.len(),
                },
            },
            "throughput_rps": self.throughput_rps(),
            "requests": self.requests,
            "fulfilled": self.fulfilled,
            "elapsed_s": self.elapsed.as_secs_f64(),
        })
    }

    /// Human-readable tables.
    pub fn tables(&self) -> String {
        let mut out = String::new();
        out.push_str("gas (whole transaction gasUsed; same LINK, consumer and request; only the Operator differs)\n\n");
        out.push_str(&format!("{:<34} {:>12} {:>12} {:>9}\n", "call", "linkpool", "chainlink", "delta"));
        let row = |name: &str, ours: u64, theirs: u64| {
            format!(
                "{:<34} {:>12} {:>12} {:>+8.1}%\n",
                name,
                ours,
                theirs,
                (ours as f64 - theirs as f64) * 100.0 / theirs as f64
            )
        };
        let (o2, r2) = &self.gas_v2;
        let (o1, r1) = &self.gas_v1;
        out.push_str(&row("v2 request (operatorRequest)", o2.steady.request, r2.steady.request));
        out.push_str(&row("v2 fulfil (fulfillOracleRequest2)", o2.steady.fulfil, r2.steady.fulfil));
        out.push_str(&row("v1 request (oracleRequest)", o1.steady.request, r1.steady.request));
        out.push_str(&row("v1 fulfil (fulfillOracleRequest)", o1.steady.fulfil, r1.steady.fulfil));
        out.push_str(&row("v2 request, first ever", o2.first.request, r2.first.request));
        out.push_str(&row("v2 fulfil, first ever", o2.first.fulfil, r2.first.fulfil));
        out.push_str(
            "\nnode overhead (log received → fulfilment tx handed to the tx manager, data source time excluded)\n\n",
        );
        let b = |q| Self::ms(quantile(&self.burst_latencies, q));
        out.push_str(&format!("{:<12} {:>12} {:>12}\n", "", "paced", "in the burst"));
        out.push_str(&format!("{:<12} {:>12} {:>12}\n", "samples", self.latencies.len(), self.burst_latencies.len()));
        out.push_str(&format!("{:<12} {:>10.2}ms {:>10.2}ms\n", "p50", self.latency_ms(0.5), b(0.5)));
        out.push_str(&format!("{:<12} {:>10.2}ms {:>10.2}ms\n", "p99", self.latency_ms(0.99), b(0.99)));
        out.push_str(&format!("{:<12} {:>10.2}ms {:>10.2}ms\n", "max", self.latency_ms(1.0), b(1.0)));
        out.push_str("\nthroughput (requests sent at once; first request sent → last fulfilment on chain)\n\n");
        out.push_str(&format!("{:<12} {:>10}\n", "requests", self.requests));
        out.push_str(&format!("{:<12} {:>10}\n", "fulfilled", self.fulfilled));
        out.push_str(&format!("{:<12} {:>9.2}s\n", "elapsed", self.elapsed.as_secs_f64()));
        out.push_str(&format!("{:<12} {:>10.1}\n", "requests/s", self.throughput_rps()));
        out
    }
}

/// Gas of our Operator and Chainlink's, on one automining anvil.
pub async fn measure_gas(rounds: usize) -> Result<((GasRow, GasRow), (GasRow, GasRow))> {
    linkpool_bindings::reference::ensure_built().map_err(DevnetError::contract("build the reference contracts"))?;
    let anvil = linkpool_devtools::anvil()?.try_spawn()?;
    let owner: PrivateKeySigner = anvil.keys()[0].clone().into();
    let node: PrivateKeySigner = anvil.keys()[1].clone().into();
    let wallet = {
        let mut w = EthereumWallet::from(owner.clone());
        w.register_signer(node.clone());
        w
    };
    let provider = ProviderBuilder::new().wallet(wallet).connect_http(anvil.endpoint_url()).erased();
    let ours = StackConfig::LINKPOOL;
    let theirs = StackConfig { operator: Flavor::Chainlink, ..StackConfig::LINKPOOL };
    let mut rows = Vec::new();
    for version in [RequestVersion::V2, RequestVersion::V1] {
        for flavors in [ours, theirs] {
            let stack = DirectRequestStack::deploy(&provider, owner.address(), node.address(), flavors)
                .await
                .map_err(DevnetError::contract("deploy"))?;
            let samples = measure_uint256(&provider, &stack, version, rounds.max(2))
                .await
                .map_err(DevnetError::contract("measure"))?;
            rows.push(GasRow { first: samples[0], steady: *samples.last().expect("rounds >= 2") });
        }
    }
    Ok(((rows[0], rows[1]), (rows[2], rows[3])))
}

/// Runs the whole benchmark.
pub async fn direct_request(opts: &BenchOptions, progress: impl Fn(&str)) -> Result<BenchReport> {
    progress("measuring gas: our Operator and @chainlink/contracts' Operator on one anvil");
    let (gas_v2, gas_v1) = measure_gas(opts.gas_rounds).await?;

    progress(&format!(
        "starting a devnet (block time {}s, block gas limit {}) for the throughput run",
        opts.block_time, opts.block_gas_limit
    ));
    let config = DevnetConfig {
        data_dir: opts.data_dir.clone(),
        api_port: 0,
        block_time: Some(opts.block_time),
        block_gas_limit: Some(opts.block_gas_limit),
        poll_interval: Duration::from_millis(50),
        ..DevnetConfig::default()
    };
    let devnet = Devnet::start(config).await?;
    let node = devnet.node.as_ref().expect("running");
    let metrics = &node.state.metrics;

    if opts.warmup > 0 {
        progress(&format!("warming up with {} requests", opts.warmup));
        let ids = burst(&devnet, opts.warmup).await?;
        wait_fulfilled(&devnet, &ids, Duration::from_secs(120), &progress).await?;
    }
    metrics.reset();
    progress(&format!(
        "latency: {} requests, one every {} ms",
        opts.latency_samples,
        opts.latency_interval.as_millis()
    ));
    let mut ids = HashSet::new();
    for _ in 0..opts.latency_samples {
        ids.extend(burst(&devnet, 1).await?);
        tokio::time::sleep(opts.latency_interval).await;
    }
    wait_fulfilled(&devnet, &ids, Duration::from_secs(120), &progress).await?;
    let latencies = metrics.log_to_tx();

    metrics.reset();
    progress(&format!("throughput: sending {} requests at once", opts.requests));
    let started = Instant::now();
    let ids = burst(&devnet, opts.requests).await?;
    let fulfilled = wait_fulfilled(&devnet, &ids, Duration::from_secs(300), &progress).await?;
    let elapsed = started.elapsed();
    let burst_latencies = metrics.log_to_tx();
    devnet.shutdown().await;
    Ok(BenchReport { gas_v2, gas_v1, latencies, burst_latencies, requests: opts.requests, elapsed, fulfilled })
}

/// Sends `n` Get > Uint256 requests without waiting between them; returns their request ids.
async fn burst(devnet: &Devnet, n: usize) -> Result<HashSet<B256>> {
    let provider = &devnet.provider;
    let from = devnet.anvil.addresses()[0];
    let consumer = ConsumerUint256::new(devnet.contracts.consumer_uint256, provider.clone());
    let url = format!("{}/data/pricemultifull?fsyms=ETH&tsyms=USD", devnet.source.url());
    let nonce = provider.get_transaction_count(from).pending().await.map_err(rpc("nonce"))?;
    let fees = provider.estimate_eip1559_fees().await.map_err(rpc("fees"))?;
    let chain_id = devnet.anvil.chain_id();
    let txs: Vec<_> = (0..n as u64)
        .map(|i| {
            consumer
                .requestPrice(
                    devnet.contracts.operator,
                    devnet.uint256_job.spec_id,
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
                .with_max_fee_per_gas(fees.max_fee_per_gas * 2)
                .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas)
        })
        .collect();
    let hashes: Vec<B256> = stream::iter(txs)
        .map(|tx| async move {
            let pending = provider.send_transaction(tx).await.map_err(rpc("send request"))?;
            Ok::<_, DevnetError>(*pending.tx_hash())
        })
        .buffered(64)
        .try_collect()
        .await?;
    let mut ids = HashSet::new();
    for h in hashes {
        let receipt = loop {
            if let Some(r) = provider.get_transaction_receipt(h).await.map_err(rpc("receipt"))? {
                break r;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let req = linkpool_bindings::stack::oracle_request(&receipt, devnet.contracts.operator)
            .map_err(DevnetError::contract("request"))?;
        ids.insert(req.requestId);
    }
    Ok(ids)
}

fn rpc(what: &'static str) -> impl FnOnce(alloy::transports::TransportError) -> DevnetError {
    DevnetError::contract(what)
}

/// Polls the consumer's `ValueFulfilled` logs until every id in `ids` is fulfilled.
async fn wait_fulfilled(
    devnet: &Devnet,
    ids: &HashSet<B256>,
    timeout: Duration,
    progress: &impl Fn(&str),
) -> Result<usize> {
    let consumer: Address = devnet.contracts.consumer_uint256;
    let mut from_block = 0u64;
    let mut done: HashSet<B256> = HashSet::new();
    let deadline = Instant::now() + timeout;
    let mut last_report = Instant::now();
    while done.len() < ids.len() && Instant::now() < deadline {
        let head = devnet.provider.get_block_number().await.map_err(rpc("head"))?;
        if head < from_block {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        let filter = Filter::new()
            .address(consumer)
            .event_signature(ConsumerUint256::ValueFulfilled::SIGNATURE_HASH)
            .from_block(from_block)
            .to_block(head);
        for log in devnet.provider.get_logs(&filter).await.map_err(rpc("logs"))? {
            if ids.contains(&log.topics()[1]) {
                done.insert(log.topics()[1]);
            }
        }
        from_block = head + 1;
        if last_report.elapsed() > Duration::from_secs(2) {
            progress(&format!("fulfilled {}/{}", done.len(), ids.len()));
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(done.len())
}
