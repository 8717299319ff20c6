//! External adapters end to end: a real `@chainlink/external-adapter-framework` adapter and an
//! async adapter answer direct requests on chain through `bridge` tasks; subtask schemas are
//! enforced at job creation; five sources with liars and a silent one aggregate to the right
//! median (whitepaper §4.1).

use std::{
    net::TcpListener as StdListener,
    path::PathBuf,
    process::Stdio,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use alloy::{
    primitives::{B256, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use axum::{body::Bytes, extract::State, http::HeaderMap, routing::get, routing::post, Json, Router};
use linkpool_bindings::ConsumerUint256;
use linkpool_devnet::{jobs, Devnet};
use serde_json::{json, Value};

use crate::harness::{devnet, wait_for_run};

/// The docs' Get > Uint256 job with its `fetch`/`parse` pair replaced.
fn job_with(devnet: &Devnet, fetch_and_parse: &str) -> String {
    let spec = jobs::fill(jobs::GET_UINT256, devnet.contracts.operator);
    let start = spec.find("    fetch ").expect("fixture has fetch");
    let end = spec.find("    multiply ").expect("fixture has multiply");
    format!("{}{fetch_and_parse}\n{}", &spec[..start], &spec[end..])
}

/// Sends `requestPrice(url, path, times)` to a job; returns the request id.
async fn request(devnet: &Devnet, spec_id: B256, url: &str, path: &str, times: i64) -> B256 {
    linkpool_devnet::scenario::send_price_request(devnet, spec_id, url, path, times).await.expect("request sent")
}

/// The value the consumer received for `request_id`, waiting up to `timeout`.
async fn fulfilled(devnet: &Devnet, request_id: B256, timeout: Duration) -> Option<U256> {
    let filter = Filter::new()
        .address(devnet.contracts.consumer_uint256)
        .event_signature(ConsumerUint256::ValueFulfilled::SIGNATURE_HASH)
        .topic1(request_id)
        .from_block(0);
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(log) = devnet.provider.get_logs(&filter).await.unwrap().into_iter().next() {
            return Some(ConsumerUint256::ValueFulfilled::decode_log_data(&log.inner.data).unwrap().value);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `tools/adapters/price-adapter.js`, a real framework adapter, on a free port; killed on drop.
async fn framework_adapter(price_api: &str) -> (String, tokio::process::Child) {
    let port = free_port();
    let script = workspace_root().join("tools/adapters/price-adapter.js");
    let child = tokio::process::Command::new("node")
        .arg(&script)
        .env("EA_PORT", port.to_string())
        .env("API_ENDPOINT", price_api)
        .env("METRICS_ENABLED", "false")
        .env("LOG_LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs tools/adapters/price-adapter.js (run `make tools` first)");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let probe = json!({"id": "probe", "data": {"base": "ETH", "quote": "USD"}});
    loop {
        if let Ok(r) = reqwest::Client::new().post(&url).json(&probe).send().await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the framework adapter did not come up on {url}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (url, child)
}

const BRIDGE_FETCH: &str = r#"    fetch        [type="bridge" name="cc" requestData="{\\"data\\": {\\"base\\": $(decode_cbor.get), \\"quote\\": $(decode_cbor.path)}}"]
    parse        [type="jsonparse" path="data,result" data="$(fetch)"]"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_adapter_answers_a_direct_request_on_chain() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let api = devnet.api();
    let (url, _adapter) = framework_adapter(&format!("{}/data/price", devnet.source.url())).await;
    let input_schema = json!({
        "type": "object", "required": ["data"],
        "properties": {"data": {"type": "object", "required": ["base", "quote"],
            "properties": {"base": {"type": "string"}, "quote": {"type": "string", "enum": ["USD", "EUR", "JPY"]}}}}
    });
    let output_schema = json!({"type": "object", "required": ["result"], "properties": {"result": {"type": "number"}}});
    let created = api
        .post_json(
            "/v2/bridge_types",
            &json!({"name": "cc", "url": url, "inputSchema": input_schema, "outputSchema": output_schema}),
        )
        .await
        .unwrap();
    assert_eq!(created["name"], "cc");
    assert!(created["incomingToken"].as_str().is_some_and(|t| t.len() >= 32), "{created}");

    // Checked at creation: a literal quote outside the schema's enum is refused with its line.
    let bad = job_with(&devnet, &BRIDGE_FETCH.replace("$(decode_cbor.path)", r#"\\"GBP\\""#));
    let err = api.post_toml(&bad).await.unwrap_err().to_string();
    assert!(err.contains("400") && err.contains("input schema of bridge `cc`") && err.contains("/data/quote"), "{err}");
    assert!(err.contains("\"line\":14"), "the error points at the fetch line: {err}");
    let unknown = job_with(&devnet, &BRIDGE_FETCH.replace("name=\"cc\"", "name=\"nope\""));
    let err = api.post_toml(&unknown).await.unwrap_err().to_string();
    assert!(err.contains("bridge `nope` is not registered"), "{err}");

    let job = api.create_job(&job_with(&devnet, BRIDGE_FETCH)).await.unwrap();
    let id = request(&devnet, job.spec_id, "ETH", "USD", 100).await;
    let value = fulfilled(&devnet, id, Duration::from_secs(60)).await.expect("fulfilled on chain");
    assert_eq!(value, U256::from(302_145u64), "3021.45 USD × 100 through the adapter");

    // A bridge in use cannot be removed; once its job is gone it can.
    let err = api.delete("/v2/bridge_types/cc").await.unwrap_err().to_string();
    assert!(err.contains("409"), "{err}");
    api.delete(&format!("/v2/jobs/{}", job.id)).await.unwrap();
    api.delete("/v2/bridge_types/cc").await.unwrap();
    assert_eq!(api.get("/v2/bridge_types").await.unwrap()["bridges"], json!([]));
    devnet.shutdown().await;
}

/// What an adapter was sent: headers and JSON body of each request.
type Seen = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

/// An adapter that answers `pending` and records what it was sent.
async fn async_adapter() -> (String, Seen) {
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    async fn handle(State(seen): State<Seen>, headers: HeaderMap, body: Bytes) -> Json<Value> {
        seen.lock().unwrap().push((headers, serde_json::from_slice(&body).unwrap_or(Value::Null)));
        Json(json!({"pending": true}))
    }
    let app = Router::new().route("/", post(handle)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_adapter_resumes_the_run_through_the_resume_route_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut devnet = devnet(&dir).await;
    let (url, seen) = async_adapter().await;
    let incoming = "incoming-token-for-the-async-adapter";
    devnet
        .api()
        .post_json(
            "/v2/bridge_types",
            &json!({"name": "slow", "url": url, "outgoingToken": "outgoing-token-0123456789", "incomingToken": incoming}),
        )
        .await
        .unwrap();
    let fetch = BRIDGE_FETCH.replace("name=\"cc\"", "name=\"slow\" async=true");
    let job = devnet.api().create_job(&job_with(&devnet, &fetch)).await.unwrap();
    let id = request(&devnet, job.spec_id, "ETH", "USD", 100).await;
    let run = wait_for_run(&devnet.api(), job.id, Duration::from_secs(30), |r| r["status"] == "suspended").await;
    let run_id = run["id"].as_i64().unwrap();
    {
        let seen = seen.lock().unwrap();
        let (headers, body) = &seen[0];
        assert_eq!(headers["authorization"], "Bearer outgoing-token-0123456789");
        let callback = body["responseURL"].as_str().unwrap();
        assert!(callback.ends_with(&format!("/v2/resume/{run_id}?task=fetch")), "{callback}");
        assert_eq!(body["data"], json!({"base": "ETH", "quote": "USD"}));
    }

    // The suspended run survives a restart.
    devnet.restart_node().await.unwrap();
    let api = devnet.api();
    let after = api.get(&format!("/v2/runs/{run_id}")).await.unwrap();
    assert_eq!(after["run"]["status"].as_str().or(after["status"].as_str()), Some("suspended"), "{after}");
    let resume = |token: &'static str, body: Value| {
        let url = format!("{}/v2/resume/{run_id}?task=fetch", api.base());
        async move { reqwest::Client::new().patch(url).bearer_auth(token).json(&body).send().await.unwrap() }
    };
    let answer = json!({"value": {"data": {"result": 3021.45}}});
    assert_eq!(resume("wrong-token-wrong-token", answer.clone()).await.status(), 401);
    assert_eq!(resume(incoming, answer.clone()).await.status(), 200);
    let value = fulfilled(&devnet, id, Duration::from_secs(60)).await.expect("fulfilled after the resume");
    assert_eq!(value, U256::from(302_145u64));
    let done =
        wait_for_run(&api, job.id, Duration::from_secs(30), |r| r["id"] == run_id && r["status"] == "completed").await;
    assert_eq!(done["status"], "completed");
    // A second answer is refused.
    assert_eq!(resume(incoming, answer).await.status(), 409);
    assert_eq!(seen.lock().unwrap().len(), 1, "the adapter was asked once");
    devnet.shutdown().await;
}

#[derive(Clone, Copy)]
enum Behaviour {
    Price(&'static str),
    Fail,
    Silent,
}

/// One local price source per behaviour; returns their URLs.
async fn sources(behaviours: &[Behaviour]) -> Vec<String> {
    let mut urls = Vec::new();
    for &b in behaviours {
        let app = Router::new().route(
            "/price",
            get(move || async move {
                match b {
                    Behaviour::Price(p) => (axum::http::StatusCode::OK, format!("{{\"price\": {p}}}")),
                    Behaviour::Fail => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down".to_owned()),
                    Behaviour::Silent => {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        (axum::http::StatusCode::OK, "{}".to_owned())
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        urls.push(format!("http://{addr}/price"));
    }
    urls
}

/// k http sources → jsonparse each → median with `allowedFaults`.
fn median_job(devnet: &Devnet, urls: &[String], allowed_faults: usize) -> String {
    let mut tasks = String::new();
    let mut refs = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        tasks.push_str(&format!(
            "    fetch{i} [type=\"http\" method=GET url=\"{url}\" timeout=\"2s\"]\n    parse{i} [type=\"jsonparse\" path=\"price\" data=\"$(fetch{i})\"]\n    decode_cbor -> fetch{i} -> parse{i} -> agg\n"
        ));
        refs.push(format!("$(parse{i})"));
    }
    tasks.push_str(&format!(
        "    agg [type=\"median\" values=<[ {} ]> allowedFaults={allowed_faults}]\n    parse [type=\"any\" values=<[ $(agg) ]>]\n    agg -> parse",
        refs.join(", ")
    ));
    let spec = jobs::fill(jobs::GET_UINT256, devnet.contracts.operator);
    let spec = spec.replace(
        "decode_log -> decode_cbor -> fetch -> parse -> multiply",
        "decode_log -> decode_cbor\n    parse -> multiply",
    );
    let start = spec.find("    fetch ").unwrap();
    let end = spec.find("    multiply ").unwrap();
    format!("{}{tasks}\n{}", &spec[..start], &spec[end..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn median_of_five_sources_survives_two_liars_and_a_silent_one() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let api = devnet.api();
    use Behaviour::*;
    let good = sources(&[Price("3021.45"), Price("3021.45"), Price("999999999"), Price("0.0001"), Silent]).await;
    let job = api.create_job(&median_job(&devnet, &good, 3)).await.unwrap();
    let id = request(&devnet, job.spec_id, "-", "-", 100).await;
    let value = fulfilled(&devnet, id, Duration::from_secs(60)).await.expect("fulfilled");
    assert_eq!(value, U256::from(302_145u64), "the honest price wins the median");

    let bad = sources(&[Price("3021.45"), Fail, Fail, Fail, Silent]).await;
    let job = api.create_job(&median_job(&devnet, &bad, 3)).await.unwrap();
    request(&devnet, job.spec_id, "-", "-", 100).await;
    let run = wait_for_run(&api, job.id, Duration::from_secs(30), |r| r["status"] == "errored").await;
    let err = run["error"].as_str().unwrap();
    assert!(err.contains("agg: too many errored inputs: 4 faults, 3 allowed"), "{err}");
    devnet.shutdown().await;
}
