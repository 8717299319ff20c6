//! Bad input ends in a clear error on the run (or an HTTP 400 for specs), and
//! the node goes on serving other requests.

use std::time::Duration;

use alloy::primitives::{Bytes, U256};
use axum::{http::StatusCode, routing::get, Router};
use linkpool_bindings::ConsumerUint256;
use linkpool_devnet::{contracts::REQUEST_PAYMENT, jobs, Devnet};
use serde_json::Value;

use crate::harness::{devnet_with, wait_for_run};

/// A data source that misbehaves in every way the node must survive.
async fn bad_source() -> String {
    let app = Router::new()
        .route("/notjson", get(|| async { "<html>surely not json</html>" }))
        .route("/500", get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "upstream exploded") }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "{\"x\": 1}"
            }),
        )
        .route("/huge", get(|| async { format!("{{\"x\": \"{}\"}}", "a".repeat(2 * 1024 * 1024)) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn request(devnet: &Devnet, url: String) -> String {
    linkpool_devnet::scenario::send_price_request(devnet, devnet.uint256_job.spec_id, &url, "x", 1)
        .await
        .unwrap()
        .to_string()
}

async fn errored_run(devnet: &Devnet, request_id: &str) -> Value {
    wait_for_run(&devnet.api(), devnet.uint256_job.id, Duration::from_secs(30), |r| {
        r["requestId"] == request_id && r["status"] != "running" && r["status"] != "pending_confirmations"
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_data_sources_error_the_run_and_the_node_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet_with(&dir, |c| {
        c.task_timeout = Duration::from_secs(2);
        c.max_http_body_bytes = 64 * 1024;
    })
    .await;
    let source = bad_source().await;
    let cases = [
        ("/notjson", "parse: invalid JSON"),
        ("/500", "fetch: http status 500"),
        ("/slow", "fetch: task timed out"),
        ("/huge", "fetch: http response body exceeds"),
    ];
    let mut ids = Vec::new();
    for (path, _) in &cases {
        ids.push(request(&devnet, format!("{source}{path}")).await);
    }
    for ((path, expected), id) in cases.iter().zip(&ids) {
        let run = errored_run(&devnet, id).await;
        assert_eq!(run["status"], "errored", "{path}: {run}");
        let err = run["error"].as_str().unwrap_or_default();
        assert!(err.contains(expected), "{path}: expected {expected:?} in {err:?}");
    }
    // The node still answers good requests.
    let report = devnet.run_scenarios().await.unwrap();
    assert!(report.all_ok(), "{}", report.table());
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_cbor_errors_the_run_and_the_node_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet_with(&dir, |_| {}).await;
    let consumer = ConsumerUint256::new(devnet.contracts.consumer_uint256, devnet.provider.clone());
    // A text string header promising 24 bytes, followed by 2: truncated CBOR.
    let garbage = Bytes::from_static(&[0x63, 0x67, 0x65, 0x74, 0x78, 0x18, 0x41, 0x42]);
    let receipt = consumer
        .requestRaw(devnet.contracts.operator, devnet.uint256_job.spec_id, garbage, U256::from(REQUEST_PAYMENT))
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let id =
        linkpool_bindings::stack::oracle_request(&receipt, devnet.contracts.operator).unwrap().requestId.to_string();
    let run = errored_run(&devnet, &id).await;
    assert_eq!(run["status"], "errored", "{run}");
    assert!(run["error"].as_str().unwrap().contains("decode_cbor: invalid CBOR"), "{run}");
    let report = devnet.run_scenarios().await.unwrap();
    assert!(report.all_ok(), "{}", report.table());
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_specs_get_a_400_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet_with(&dir, |_| {}).await;
    let api = devnet.api();
    let good = jobs::fill(jobs::GET_UINT256, devnet.contracts.operator);
    let cases = [
        ("cycle", good.replace("-> submit_tx\n", "-> submit_tx -> decode_log\n"), "cycle"),
        ("unknown task", good.replace("type=\"multiply\"", "type=\"multiplyy\""), "multiplyy"),
        ("undefined variable", good.replace("$(decode_cbor.times)", "$(decode_cbr.times)"), "decode_cbr"),
        ("bad address", good.replacen(&devnet.contracts.operator.to_string(), "0x1234", 1), "not an address"),
    ];
    for (name, spec, fragment) in cases {
        let err = api.post_toml(&spec).await.expect_err(name).to_string();
        assert!(err.contains("400"), "{name}: {err}");
        assert!(err.contains(fragment), "{name}: {err}");
        assert!(err.contains("\"line\""), "{name}: errors carry a line: {err}");
    }
    // Still serving.
    let report = devnet.run_scenarios().await.unwrap();
    assert!(report.all_ok(), "{}", report.table());
    devnet.shutdown().await;
}
