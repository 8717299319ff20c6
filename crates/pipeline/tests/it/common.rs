//! Shared helpers: a real axum HTTP data source, a recording transaction sender, a diet-CBOR
//! writer and an `OracleRequest` log builder.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use alloy::{
    primitives::{keccak256, Address, Bytes, B256, U256},
    sol,
    sol_types::SolEvent,
};
use async_trait::async_trait;
use axum::{
    body::Bytes as AxumBytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::{any, get},
    Router,
};
use linkpool_pipeline::{
    Deps, EthTxError, EthTxOutcome, EthTxRequest, EthTxSender, NoopObserver, Pipeline, RunContext, RunResult, Runner,
    Value, Vars,
};

sol! {
    event OracleRequest(
        bytes32 indexed specId,
        address requester,
        bytes32 requestId,
        uint256 payment,
        address callbackAddr,
        bytes4 callbackFunctionId,
        uint256 cancelExpiration,
        uint256 dataVersion,
        bytes data
    );

    function fulfillOracleRequest2(
        bytes32 requestId,
        uint256 payment,
        address callbackAddress,
        bytes4 callbackFunctionId,
        uint256 expiration,
        bytes data
    );
}

/// A local HTTP data source on 127.0.0.1 with a hit counter per path.
pub(crate) struct DataSource {
    pub(crate) base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    total: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct SourceState {
    hits: Arc<Mutex<HashMap<String, usize>>>,
    total: Arc<AtomicUsize>,
}

fn count(state: &SourceState, path: &str) {
    *state.hits.lock().unwrap().entry(path.to_owned()).or_default() += 1;
    state.total.fetch_add(1, Ordering::SeqCst);
}

impl DataSource {
    pub(crate) async fn start() -> Self {
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let total = Arc::new(AtomicUsize::new(0));
        let state = SourceState { hits: hits.clone(), total: total.clone() };
        let app =
            Router::new()
                .route(
                    "/price",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/price");
                        r#"{"RAW":{"ETH":{"USD":{"PRICE":1234.5678}}}}"#
                    }),
                )
                .route(
                    "/btc",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/btc");
                        r#"{"data":{"price":"65000.12345"}}"#
                    }),
                )
                .route(
                    "/usd",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/usd");
                        r#"{"rates":[{"v":1.5},{"v":1.25}]}"#
                    }),
                )
                .route(
                    "/eur",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/eur");
                        r#"{"eur":0.92}"#
                    }),
                )
                .route(
                    "/status500",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/status500");
                        (StatusCode::INTERNAL_SERVER_ERROR, "boom")
                    }),
                )
                .route(
                    "/status404",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/status404");
                        (StatusCode::NOT_FOUND, "nope")
                    }),
                )
                .route(
                    "/notjson",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/notjson");
                        "this is not json"
                    }),
                )
                .route(
                    "/slow",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/slow");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                        "{}"
                    }),
                )
                .route(
                    "/delay",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/delay");
                        tokio::time::sleep(Duration::from_millis(400)).await;
                        "1"
                    }),
                )
                .route(
                    "/big",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/big");
                        "x".repeat(100 * 1024)
                    }),
                )
                .route(
                    "/flaky",
                    get(|State(s): State<SourceState>| async move {
                        count(&s, "/flaky");
                        let n = s.hits.lock().unwrap()["/flaky"];
                        if n < 3 {
                            (StatusCode::SERVICE_UNAVAILABLE, "try again".to_owned())
                        } else {
                            (StatusCode::OK, r#"{"ok":true}"#.to_owned())
                        }
                    }),
                )
                .route(
                    "/echo",
                    any(
                        |State(s): State<SourceState>,
                         method: axum::http::Method,
                         headers: HeaderMap,
                         body: AxumBytes| async move {
                            count(&s, "/echo");
                            let hdr = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                            serde_json::json!({
                                "method": method.as_str(),
                                "contentType": hdr("content-type"),
                                "xTest": hdr("x-test"),
                                "body": String::from_utf8_lossy(&body),
                            })
                            .to_string()
                        },
                    ),
                )
                .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base: format!("http://{addr}"), hits, total }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    pub(crate) fn total_hits(&self) -> usize {
        self.total.load(Ordering::SeqCst)
    }
}

/// An idempotent in-memory transaction sender that records every call.
#[derive(Default)]
pub(crate) struct RecordingSender {
    pub(crate) calls: Mutex<Vec<EthTxRequest>>,
    pub(crate) revert: bool,
}

#[async_trait]
impl EthTxSender for RecordingSender {
    async fn send(&self, request: EthTxRequest) -> Result<EthTxOutcome, EthTxError> {
        if request.data.is_empty() {
            return Err(EthTxError("empty calldata".into()));
        }
        let tx_hash = keccak256(request.idempotency_key.as_bytes());
        self.calls.lock().unwrap().push(request);
        Ok(EthTxOutcome { tx_hash, block_number: Some(1), gas_used: Some(50_000), reverted: self.revert })
    }
}

impl RecordingSender {
    pub(crate) fn calls(&self) -> Vec<EthTxRequest> {
        self.calls.lock().unwrap().clone()
    }
}

/// Writes `ChainlinkClient`-style diet CBOR (no map header).
#[derive(Default)]
pub(crate) struct DietCbor(pub(crate) Vec<u8>);

impl DietCbor {
    fn header(&mut self, major: u8, len: u64) {
        let m = major << 5;
        match len {
            0..=23 => self.0.push(m | len as u8),
            24..=0xff => self.0.extend([m | 24, len as u8]),
            0x100..=0xffff => {
                self.0.push(m | 25);
                self.0.extend((len as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                self.0.push(m | 26);
                self.0.extend((len as u32).to_be_bytes());
            }
            _ => {
                self.0.push(m | 27);
                self.0.extend(len.to_be_bytes());
            }
        }
    }
    fn text(&mut self, s: &str) {
        self.header(3, s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    pub(crate) fn add(mut self, key: &str, value: &str) -> Self {
        self.text(key);
        self.text(value);
        self
    }
    pub(crate) fn add_int(mut self, key: &str, value: i64) -> Self {
        self.text(key);
        if value >= 0 {
            self.header(0, value as u64);
        } else {
            self.header(1, (-1 - value) as u64);
        }
        self
    }
    pub(crate) fn add_uint_big(mut self, key: &str, value: U256) -> Self {
        self.text(key);
        self.0.push(0xc2);
        self.header(2, 32);
        self.0.extend(value.to_be_bytes::<32>());
        self
    }
    pub(crate) fn add_string_array(mut self, key: &str, values: &[&str]) -> Self {
        self.text(key);
        self.0.push(0x9f);
        for v in values {
            self.text(v);
        }
        self.0.push(0xff);
        self
    }
}

/// The fields of a test `OracleRequest`.
pub(crate) struct Request {
    pub(crate) spec_id: B256,
    pub(crate) request_id: B256,
    pub(crate) payment: U256,
    pub(crate) callback: Address,
    pub(crate) callback_fn: [u8; 4],
    pub(crate) expiration: U256,
    pub(crate) cbor: Vec<u8>,
}

impl Request {
    pub(crate) fn new(cbor: Vec<u8>) -> Self {
        Self {
            spec_id: B256::repeat_byte(0x11),
            request_id: B256::repeat_byte(0xab),
            payment: U256::from(100_000_000_000_000_000u64),
            callback: Address::repeat_byte(0xcc),
            callback_fn: [0xde, 0xad, 0xbe, 0xef],
            expiration: U256::from(1_700_000_300u64),
            cbor,
        }
    }

    /// Topics and data exactly as the Operator emits them.
    pub(crate) fn log(&self) -> (Vec<B256>, Bytes) {
        let ev = OracleRequest {
            specId: self.spec_id,
            requester: Address::repeat_byte(0x22),
            requestId: self.request_id,
            payment: self.payment,
            callbackAddr: self.callback,
            callbackFunctionId: self.callback_fn.into(),
            cancelExpiration: self.expiration,
            dataVersion: U256::from(2),
            data: self.cbor.clone().into(),
        };
        let log = ev.encode_log_data();
        (log.topics().to_vec(), log.data.clone())
    }

    /// The `jobSpec`/`jobRun` variables of a direct-request run for this log.
    pub(crate) fn vars(&self) -> Vars {
        let (topics, data) = self.log();
        linkpool_pipeline::DirectRequestVars {
            external_job_id: uuid::Uuid::nil(),
            job_id: Some(1),
            job_name: Some("test".into()),
            log_address: Address::repeat_byte(0x0f),
            log_topics: topics,
            log_data: data,
            block_hash: B256::repeat_byte(1),
            block_number: 42,
            tx_hash: B256::repeat_byte(2),
            request_id: Some(self.request_id),
            meta: Value::Null,
        }
        .into_vars()
    }
}

/// Deps with a real reqwest client and the given sender.
pub(crate) fn deps(sender: Option<Arc<RecordingSender>>) -> Deps {
    Deps { tx_sender: sender.map(|s| s as Arc<dyn EthTxSender>), ..Default::default() }
}

/// Parses and runs `src` with `vars`, no observer, run id 1.
pub(crate) async fn run_src(src: &str, vars: Vars, deps: Deps) -> RunResult {
    let p = Pipeline::parse(src).unwrap_or_else(|e| panic!("parse failed: {e}\n{src}"));
    Runner::new(deps)
        .run(&p, RunContext { run_id: 1, job_id: None, vars, max_task_duration: None }, HashMap::new(), &NoopObserver)
        .await
        .unwrap()
}

/// Runs `src` and returns the output of its last task in execution order (panics on error).
pub(crate) async fn output_of(src: &str) -> Value {
    let r = run_src(src, Vars::new(), deps(None)).await;
    let last = r.task_results.last().unwrap();
    match last.result() {
        Ok(v) => v.clone(),
        Err(e) => panic!("task {} failed: {e:?}", last.task_id),
    }
}

/// Runs `src` and returns the error of its last task in execution order (panics on success).
pub(crate) async fn error_of(src: &str) -> linkpool_pipeline::TaskError {
    let r = run_src(src, Vars::new(), deps(None)).await;
    let last = r.task_results.last().unwrap();
    last.error.clone().unwrap_or_else(|| panic!("expected an error from {}, got {:?}", last.task_id, last.output))
}

pub(crate) fn dec(s: &str) -> Value {
    linkpool_pipeline::value::parse_decimal(s).unwrap()
}
