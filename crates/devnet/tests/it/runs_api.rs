//! Run management through the API: listing by job and status with a cursor, per-task inputs,
//! reruns of failed runs, and the retention task of a running node.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use alloy::primitives::U256;
use axum::{http::StatusCode, routing::get, Router};
use linkpool_bindings::ConsumerUint256;
use linkpool_devnet::Devnet;
use serde_json::Value;

use crate::harness::{devnet_with, wait_for_run};

/// A data source that answers 500 until it is told to recover, then `{"x": 42}`.
async fn flaky_source() -> (String, Arc<AtomicBool>) {
    let healthy = Arc::new(AtomicBool::new(false));
    let flag = healthy.clone();
    let app = Router::new().route(
        "/x",
        get(move || {
            let ok = flag.load(Ordering::SeqCst);
            async move {
                if ok {
                    (StatusCode::OK, "{\"x\": 42}")
                } else {
                    (StatusCode::INTERNAL_SERVER_ERROR, "upstream down")
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/x"), healthy)
}

/// A raw API call: (status, JSON body).
async fn call(devnet: &Devnet, method: reqwest::Method, path: &str) -> (StatusCode, Value) {
    let node = devnet.node.as_ref().unwrap();
    let resp = reqwest::Client::new()
        .request(method, format!("http://{}{path}", node.api_addr))
        .bearer_auth(&node.api_token)
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn get_ok(devnet: &Devnet, path: &str) -> Value {
    let (status, v) = call(devnet, reqwest::Method::GET, path).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {v}");
    v
}

async fn wait_for_status(devnet: &Devnet, run: i64, done: impl Fn(&str) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = get_ok(devnet, &format!("/v2/runs/{run}")).await;
        if done(r["status"].as_str().unwrap_or_default()) {
            return r;
        }
        assert!(Instant::now() < deadline, "run {run} still {}", r["status"]);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls a runs list until it holds `n` runs (a run completes a little after its fulfilment is
/// on chain, once its transaction has its confirmations).
async fn wait_for_ids(devnet: &Devnet, path: &str, n: usize) -> Vec<i64> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let found = ids(&get_ok(devnet, path).await);
        if found.len() == n {
            return found;
        }
        assert!(Instant::now() < deadline, "{path}: {found:?}, expected {n} runs");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn ids(page: &Value) -> Vec<i64> {
    page["runs"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_run_is_listed_explained_and_rerun_once_the_source_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet_with(&dir, |_| {}).await;
    let job = devnet.uint256_job.id;
    let (url, healthy) = flaky_source().await;
    let request_id = linkpool_devnet::scenario::send_price_request(&devnet, devnet.uint256_job.spec_id, &url, "x", 1)
        .await
        .unwrap()
        .to_string();
    let failed = wait_for_run(&devnet.api(), job, Duration::from_secs(30), |r| {
        r["requestId"] == request_id.as_str() && r["status"] == "errored"
    })
    .await;
    let failed_id = failed["id"].as_i64().unwrap();
    // two good runs of the same job, newer than the failed one
    for _ in 0..2 {
        let report = devnet.run_scenarios().await.unwrap();
        assert!(report.all_ok(), "{}", report.table());
    }

    // the operator's list of failed runs, by numeric id and by externalJobID
    for job_ref in [job.to_string(), devnet.uint256_job.external_job_id.to_string()] {
        let page = get_ok(&devnet, &format!("/v2/runs?jobId={job_ref}&status=errored")).await;
        assert_eq!(ids(&page), [failed_id], "{page}");
        assert!(page["nextBefore"].is_null(), "one page only: {page}");
    }
    let completed = wait_for_ids(&devnet, &format!("/v2/runs?jobId={job}&status=completed"), 2).await;

    // pages of one run: the cursor walks the job's runs newest first, and says when they end
    let all = ids(&get_ok(&devnet, &format!("/v2/runs?jobId={job}")).await);
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0] > w[1]), "{all:?}");
    let mut walked = Vec::new();
    let mut path = format!("/v2/runs?jobId={job}&limit=1");
    loop {
        let page = get_ok(&devnet, &path).await;
        walked.extend(ids(&page));
        match page["nextBefore"].as_i64() {
            Some(cursor) => {
                assert_eq!(Some(&cursor), walked.last(), "the cursor is the last id of the page");
                path = format!("/v2/runs?jobId={job}&limit=1&before={cursor}");
            }
            None => break,
        }
    }
    assert_eq!(walked, all);
    // bad filters are refused clearly
    let (status, v) = call(&devnet, reqwest::Method::GET, "/v2/runs?status=broken").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("errored"), "{v}");
    let (status, _) = call(&devnet, reqwest::Method::GET, "/v2/runs?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(&devnet, reqwest::Method::GET, "/v2/runs?jobId=00000000-0000-0000-0000-000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // what each task got and did
    let shown = get_ok(&devnet, &format!("/v2/runs/{failed_id}")).await;
    let tasks = shown["tasks"].as_array().unwrap();
    let order: Vec<&str> = tasks.iter().map(|t| t["taskId"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        ["decode_log", "decode_cbor", "fetch", "parse", "multiply", "encode_data", "encode_tx", "submit_tx"],
        "{shown}"
    );
    let task = |id: &str| tasks.iter().find(|t| t["taskId"] == id).unwrap();
    assert_eq!(task("decode_log")["inputs"].as_array().unwrap().len(), 0, "a root task has no parent");
    let fetch = task("fetch");
    assert_eq!(fetch["status"], "errored", "{fetch}");
    assert!(fetch["error"].as_str().unwrap().contains("500"), "{fetch}");
    assert!(fetch["startedAt"].is_i64() && fetch["durationMs"].is_i64(), "{fetch}");
    let inputs = fetch["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1, "{fetch}");
    assert_eq!(inputs[0]["taskId"], "decode_cbor");
    assert_eq!(inputs[0]["output"]["get"], url.as_str(), "fetch's input is the decoded request: {fetch}");
    let parse = task("parse");
    assert_eq!((parse["status"].as_str(), parse["output"].is_null()), (Some("errored"), true), "{parse}");
    assert!(parse["error"].as_str().unwrap().contains("upstream task `fetch` errored"), "{parse}");
    assert_eq!(parse["inputs"][0]["status"], "errored", "{parse}");
    assert!(parse["inputs"][0]["error"].as_str().unwrap().contains("500"), "{parse}");

    // completed and running runs are never rerun
    let done = completed[0];
    let (status, v) = call(&devnet, reqwest::Method::POST, &format!("/v2/runs/{done}/rerun")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("only errored or cancelled runs can be rerun"), "{v}");
    let (status, _) = call(&devnet, reqwest::Method::POST, "/v2/runs/999999/rerun").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // the source recovers: one rerun answers the request that failed
    healthy.store(true, Ordering::SeqCst);
    let (status, rerun) = call(&devnet, reqwest::Method::POST, &format!("/v2/runs/{failed_id}/rerun")).await;
    assert_eq!(status, StatusCode::CREATED, "{rerun}");
    assert_eq!(rerun["rerunOf"], failed_id);
    assert_eq!(rerun["jobId"], job);
    assert_eq!(rerun["inputs"], failed["inputs"]);
    let rerun_id = rerun["id"].as_i64().unwrap();
    // asking again while it runs, or after it completed, creates nothing
    let (status, v) = call(&devnet, reqwest::Method::POST, &format!("/v2/runs/{failed_id}/rerun")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains(&format!("already rerun as run {rerun_id}")), "{v}");
    let finished = wait_for_status(&devnet, rerun_id, |s| s != "running" && s != "pending_confirmations").await;
    assert_eq!(finished["status"], "completed", "{finished}");
    let consumer = ConsumerUint256::new(devnet.contracts.consumer_uint256, devnet.provider.clone());
    let answered = consumer.value().call().await.unwrap();
    assert_eq!(answered, U256::from(42u64), "the rerun fulfilled the request on chain");

    let original = get_ok(&devnet, &format!("/v2/runs/{failed_id}")).await;
    assert_eq!(original["status"], "errored", "the original keeps its record");
    assert_eq!(original["reruns"][0]["id"], rerun_id);
    assert_eq!(original["reruns"][0]["status"], "completed");
    let (status, _) = call(&devnet, reqwest::Method::POST, &format!("/v2/runs/{failed_id}/rerun")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let reruns = get_ok(&devnet, &format!("/v2/runs?jobId={job}")).await;
    assert_eq!(reruns["runs"].as_array().unwrap().iter().filter(|r| r["rerunOf"] == failed_id).count(), 1);
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_trims_old_completed_runs_and_keeps_failed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut devnet = devnet_with(&dir, |_| {}).await;
    let job = devnet.uint256_job.id;
    for _ in 0..3 {
        let report = devnet.run_scenarios().await.unwrap();
        assert!(report.all_ok(), "{}", report.table());
    }
    // a failed run: the data source does not know this pair
    let url = format!("{}/data/price?fsym=NOPE&tsyms=USD", devnet.source.url());
    linkpool_devnet::scenario::send_price_request(&devnet, devnet.uint256_job.spec_id, &url, "USD", 1).await.unwrap();
    let failed = wait_for_run(&devnet.api(), job, Duration::from_secs(30), |r| r["status"] == "errored").await;
    let completed = wait_for_ids(&devnet, &format!("/v2/runs?jobId={job}&status=completed"), 3).await;

    // keep one completed run per job; the pass runs at start, then every 200 ms
    devnet.node_config.runs.keep_successful_per_job = 1;
    devnet.node_config.runs.retention_interval = Duration::from_millis(200);
    devnet.restart_node().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = ids(&get_ok(&devnet, &format!("/v2/runs?jobId={job}&status=completed")).await);
        if left.len() == 1 {
            assert_eq!(left, [completed[0]], "the newest completed run stays");
            break;
        }
        assert!(Instant::now() < deadline, "retention did not trim: {left:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let errored = ids(&get_ok(&devnet, &format!("/v2/runs?jobId={job}&status=errored")).await);
    assert_eq!(errored, [failed["id"].as_i64().unwrap()], "failed runs are kept");
    // the node still serves, and shuts down with the retention task running
    let report = devnet.run_scenarios().await.unwrap();
    assert!(report.all_ok(), "{}", report.table());
    devnet.shutdown().await;
}
