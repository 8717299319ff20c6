//! The direct-request service's job settings, seen from outside: confirmations,
//! requester allowlist, minimum payment, both `specId` encodings, on-chain
//! cancellation, and the API that shows it all (auth, jobs, runs).

use std::time::{Duration, Instant};

use alloy::{
    primitives::{Address, B256, I256, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use linkpool_bindings::{ConsumerUint256, IOperator::OracleRequest, LinkToken};
use linkpool_devnet::{contracts::REQUEST_PAYMENT, datasource, jobs, scenario::scaled, Devnet};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use uuid::Uuid;

use crate::harness::{devnet, wait_for_run};

/// How long a test waits for something the node should do within a second or two.
const WAIT: Duration = Duration::from_secs(15);
/// Long enough for the node (polling every 100 ms) to have acted on a block if it were going to.
const SETTLE: Duration = Duration::from_millis(700);
/// The `times` every request here sends (the ETH/USD price is 3021.45).
const TIMES: u64 = 100;

// ---------------------------------------------------------------- helpers

/// The docs' Get > Uint256 spec for the devnet's Operator, with `extra` top-level lines added and
/// `minIncomingConfirmations` set to `confirmations`.
fn uint256_spec(devnet: &Devnet, confirmations: u64, extra: &str) -> String {
    let spec = jobs::fill(jobs::GET_UINT256, devnet.contracts.operator);
    assert!(spec.contains("minIncomingConfirmations = 0\n"), "fixture changed");
    spec.replace("minIncomingConfirmations = 0\n", &format!("minIncomingConfirmations = {confirmations}\n{extra}"))
}

/// A job created through the API.
struct Job {
    id: i64,
    external_job_id: Uuid,
    /// `[ascii, raw]` `specId` encodings.
    spec_ids: [B256; 2],
}

async fn create_job(devnet: &Devnet, toml: &str) -> Job {
    let v = devnet.api().post_toml(toml).await.expect("job created");
    let external_job_id: Uuid = v["externalJobID"].as_str().unwrap().parse().unwrap();
    let spec_ids = linkpool_job::spec_id_encodings(external_job_id);
    // The API shows both encodings a consumer may use.
    assert_eq!(v["specIds"]["ascii"], spec_ids[0].to_string(), "{v}");
    assert_eq!(v["specIds"]["raw"], spec_ids[1].to_string(), "{v}");
    Job { id: v["id"].as_i64().unwrap(), external_job_id, spec_ids }
}

/// The answer every request here must get: the ETH/USD price × [`TIMES`].
fn expected_answer() -> U256 {
    scaled(datasource::price("ETH", "USD").unwrap(), TIMES)
}

/// Sends `requestPrice` for the ETH/USD price from the Uint256 consumer; the `OracleRequest` it
/// caused, and the block it is in.
async fn request_with(devnet: &Devnet, spec_id: B256, url: String, payment: U256) -> (OracleRequest, u64) {
    let consumer = ConsumerUint256::new(devnet.contracts.consumer_uint256, devnet.provider.clone());
    let receipt = consumer
        .requestPrice(devnet.contracts.operator, spec_id, url, "USD".into(), I256::try_from(TIMES).unwrap(), payment)
        .send()
        .await
        .expect("requestPrice sent")
        .get_receipt()
        .await
        .expect("requestPrice mined");
    assert!(receipt.status(), "requestPrice reverted");
    let req = linkpool_bindings::stack::oracle_request(&receipt, devnet.contracts.operator).expect("OracleRequest log");
    (req, receipt.block_number.unwrap())
}

async fn request(devnet: &Devnet, spec_id: B256, payment: U256) -> (OracleRequest, u64) {
    let url = format!("{}/data/price?fsym=ETH&tsyms=USD", devnet.source.url());
    request_with(devnet, spec_id, url, payment).await
}

fn payment() -> U256 {
    U256::from(REQUEST_PAYMENT)
}

/// The answer the consumer received for `request_id`, if any.
async fn fulfilment(devnet: &Devnet, request_id: B256) -> Option<U256> {
    let filter = Filter::new()
        .address(devnet.contracts.consumer_uint256)
        .event_signature(ConsumerUint256::ValueFulfilled::SIGNATURE_HASH)
        .topic1(request_id)
        .from_block(0);
    let logs = devnet.provider.get_logs(&filter).await.expect("eth_getLogs");
    assert!(logs.len() <= 1, "request {request_id} fulfilled {} times", logs.len());
    logs.first().map(|l| ConsumerUint256::ValueFulfilled::decode_log_data(l.data()).unwrap().value)
}

async fn wait_for_fulfilment(devnet: &Devnet, request_id: B256) -> U256 {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = fulfilment(devnet, request_id).await {
            return v;
        }
        assert!(Instant::now() < deadline, "request {request_id} not fulfilled within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Mines `n` empty blocks.
async fn mine(devnet: &Devnet, n: u64) {
    let _: Value = devnet.provider.raw_request("anvil_mine".into(), (U256::from(n),)).await.expect("anvil_mine");
}

/// Moves the chain's clock forward by `secs` and mines a block with the new time.
async fn advance_time(devnet: &Devnet, secs: u64) {
    let _: Value =
        devnet.provider.raw_request("evm_increaseTime".into(), (U256::from(secs),)).await.expect("evm_increaseTime");
    let _: Value = devnet.provider.raw_request("evm_mine".into(), ()).await.expect("evm_mine");
}

/// Waits until the node has handled head `block` (its `/health` head), then a little more so
/// whatever that head triggers has had time to happen.
async fn wait_for_node_head(devnet: &Devnet, block: u64) {
    let deadline = Instant::now() + WAIT;
    loop {
        let health = devnet.api().get("/health").await.expect("health");
        if health["head"].as_u64().unwrap_or(0) >= block {
            break;
        }
        assert!(Instant::now() < deadline, "node head stuck below {block}: {health}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(SETTLE).await;
}

async fn runs_of(devnet: &Devnet, job: i64) -> Vec<Value> {
    let v = devnet.api().get(&format!("/v2/runs?job={job}&limit=500")).await.expect("runs list");
    v["runs"].as_array().expect("runs array").clone()
}

async fn only_run_of(devnet: &Devnet, job: i64) -> Value {
    let runs = runs_of(devnet, job).await;
    assert_eq!(runs.len(), 1, "job {job} has exactly one run: {runs:?}");
    runs.into_iter().next().unwrap()
}

async fn link_balance(devnet: &Devnet, of: Address) -> U256 {
    LinkToken::new(devnet.contracts.link, devnet.provider.clone()).balanceOf(of).call().await.expect("balanceOf")
}

// ---------------------------------------------------------------- job settings

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_wait_for_min_incoming_confirmations() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let job = create_job(&devnet, &uint256_spec(&devnet, 3, "")).await;
    let (req, block) = request(&devnet, job.spec_ids[0], payment()).await;

    // The request's own block is its first confirmation: the run waits for blocks +1 and +2.
    let run = wait_for_run(&devnet.api(), job.id, WAIT, |r| r["requestId"] == req.requestId.to_string()).await;
    assert_eq!(run["status"], "pending_confirmations", "{run}");
    for extra in 0..2 {
        if extra > 0 {
            mine(&devnet, 1).await;
        }
        wait_for_node_head(&devnet, block + extra).await;
        let run = only_run_of(&devnet, job.id).await;
        assert_eq!(run["status"], "pending_confirmations", "after {extra} more block(s): {run}");
        assert_eq!(fulfilment(&devnet, req.requestId).await, None, "fulfilled after only {extra} more block(s)");
    }
    assert_eq!(devnet.source.hits(), 0, "the data source was queried before the request was confirmed");

    mine(&devnet, 1).await;
    assert_eq!(wait_for_fulfilment(&devnet, req.requestId).await, expected_answer());
    let run = wait_for_run(&devnet.api(), job.id, WAIT, |r| r["status"] == "completed").await;
    assert_eq!(run["requestId"], req.requestId.to_string());
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requesters_allowlist_decides_who_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let consumer = devnet.contracts.consumer_uint256;
    let other = devnet.contracts.consumer_multiword;
    let closed = create_job(&devnet, &uint256_spec(&devnet, 0, &format!("requesters = [\"{other}\"]\n"))).await;
    // Several entries, checksummed and lowercase: the consumer is among them.
    let open = create_job(
        &devnet,
        &uint256_spec(
            &devnet,
            0,
            &format!("requesters = [\"{other}\", \"{}\"]\n", consumer.to_string().to_lowercase()),
        ),
    )
    .await;

    let (refused, refused_block) = request(&devnet, closed.spec_ids[0], payment()).await;
    let (served, served_block) = request(&devnet, open.spec_ids[0], payment()).await;
    assert!(served_block > refused_block);
    assert_eq!(wait_for_fulfilment(&devnet, served.requestId).await, expected_answer());

    // The node handles logs in chain order, so it has seen the refused request by now.
    wait_for_node_head(&devnet, served_block).await;
    assert_eq!(runs_of(&devnet, closed.id).await, Vec::<Value>::new(), "a run for a requester not on the list");
    assert_eq!(fulfilment(&devnet, refused.requestId).await, None);
    assert_eq!(only_run_of(&devnet, open.id).await["status"], "completed");
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_paying_less_than_min_contract_payment_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let min = payment();
    // The docs write it as a string of juels.
    let job =
        create_job(&devnet, &uint256_spec(&devnet, 0, &format!("minContractPaymentLinkJuels = \"{min}\"\n"))).await;

    let (cheap, _) = request(&devnet, job.spec_ids[0], min - U256::from(1)).await;
    let (exact, exact_block) = request(&devnet, job.spec_ids[0], min).await;
    assert_eq!(wait_for_fulfilment(&devnet, exact.requestId).await, expected_answer());
    wait_for_node_head(&devnet, exact_block).await;
    let run = only_run_of(&devnet, job.id).await;
    assert_eq!(run["requestId"], exact.requestId.to_string(), "only the request paying the minimum has a run");
    assert_eq!(fulfilment(&devnet, cheap.requestId).await, None);

    // Paying more than the minimum is fine too.
    let (rich, _) = request(&devnet, job.spec_ids[0], min * U256::from(3)).await;
    assert_eq!(wait_for_fulfilment(&devnet, rich.requestId).await, expected_answer());
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_spec_id_encodings_reach_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let job = create_job(&devnet, &uint256_spec(&devnet, 0, "")).await;
    let [ascii, raw] = job.spec_ids;
    assert_ne!(ascii, raw);
    assert_eq!(&raw[..16], job.external_job_id.as_bytes(), "raw encoding is the UUID's 16 bytes, zero-padded");

    let (by_raw, _) = request(&devnet, raw, payment()).await;
    let (by_ascii, _) = request(&devnet, ascii, payment()).await;
    assert_eq!(wait_for_fulfilment(&devnet, by_raw.requestId).await, expected_answer());
    assert_eq!(wait_for_fulfilment(&devnet, by_ascii.requestId).await, expected_answer());
    let runs = runs_of(&devnet, job.id).await;
    assert_eq!(runs.len(), 2, "{runs:?}");
    for r in &runs {
        assert_eq!(r["inputs"]["externalJobID"], job.external_job_id.to_string(), "{r}");
    }
    // A specId matching neither encoding (the UUID's bytes shifted) reaches no job.
    let mut wrong = [0u8; 32];
    wrong[16..].copy_from_slice(job.external_job_id.as_bytes());
    let (stray, stray_block) = request(&devnet, B256::from(wrong), payment()).await;
    wait_for_node_head(&devnet, stray_block).await;
    assert_eq!(runs_of(&devnet, job.id).await.len(), 2);
    assert_eq!(fulfilment(&devnet, stray.requestId).await, None);
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_requests_are_never_fulfilled_and_the_consumer_is_refunded() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let confirmations = 50;
    let job = create_job(&devnet, &uint256_spec(&devnet, confirmations, "")).await;
    let consumer_addr = devnet.contracts.consumer_uint256;
    let before = link_balance(&devnet, consumer_addr).await;

    let (req, block) = request(&devnet, job.spec_ids[0], payment()).await;
    assert_eq!(link_balance(&devnet, consumer_addr).await, before - payment());
    let run = wait_for_run(&devnet.api(), job.id, WAIT, |r| r["requestId"] == req.requestId.to_string()).await;
    assert_eq!(run["status"], "pending_confirmations", "{run}");

    // The Operator lets the requester cancel 5 minutes after the request.
    advance_time(&devnet, 5 * 60 + 1).await;
    let consumer = ConsumerUint256::new(consumer_addr, devnet.provider.clone());
    let receipt = consumer
        .cancelRequest(req.requestId, req.payment, req.cancelExpiration)
        .send()
        .await
        .expect("cancelRequest sent")
        .get_receipt()
        .await
        .expect("cancelRequest mined");
    assert!(receipt.status(), "cancelRequest reverted");
    assert_eq!(link_balance(&devnet, consumer_addr).await, before, "the payment came back");

    let run = wait_for_run(&devnet.api(), job.id, WAIT, |r| r["status"] != "pending_confirmations").await;
    assert_eq!(run["status"], "cancelled", "{run}");
    assert!(run["error"].as_str().unwrap_or_default().contains("CancelOracleRequest"), "{run}");

    // Past the confirmation depth, the cancelled run stays cancelled and nothing is sent.
    mine(&devnet, confirmations + 5).await;
    wait_for_node_head(&devnet, block + confirmations + 5).await;
    let run = only_run_of(&devnet, job.id).await;
    assert_eq!(run["status"], "cancelled", "{run}");
    assert_eq!(fulfilment(&devnet, req.requestId).await, None);
    assert_eq!(devnet.source.hits(), 0, "a cancelled request's data was fetched");
    assert_eq!(link_balance(&devnet, consumer_addr).await, before);
    devnet.shutdown().await;
}

// ---------------------------------------------------------------- API

/// A raw API call: status and JSON body (`Null` when empty).
async fn call(
    devnet: &Devnet,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> (StatusCode, Value) {
    let node = devnet.node.as_ref().unwrap();
    let mut req = reqwest::Client::new().request(method, format!("http://{}{path}", node.api_addr));
    if let Some(t) = token {
        req = req.header("authorization", t);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/toml").body(b);
    }
    let resp = req.send().await.expect("API reachable");
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let v = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, v)
}

fn bearer(devnet: &Devnet) -> String {
    format!("Bearer {}", devnet.node.as_ref().unwrap().api_token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_v2_route_needs_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let token = devnet.node.as_ref().unwrap().api_token.clone();
    let job = devnet.uint256_job.id;
    let spec = uint256_spec(&devnet, 0, "");
    let routes: Vec<(Method, String, Option<String>)> = vec![
        (Method::GET, "/v2/jobs".into(), None),
        (Method::POST, "/v2/jobs".into(), Some(spec.clone())),
        (Method::GET, format!("/v2/jobs/{job}"), None),
        (Method::GET, format!("/v2/jobs/{}", devnet.uint256_job.external_job_id), None),
        (Method::DELETE, format!("/v2/jobs/{job}"), None),
        (Method::GET, "/v2/runs".into(), None),
        (Method::GET, format!("/v2/runs?job={job}"), None),
        (Method::GET, "/v2/runs/1".into(), None),
    ];
    // A wrong token of the same length, one extra character, a prefix, the right token in the
    // wrong scheme, an empty bearer.
    let mut flipped = token.clone().into_bytes();
    flipped[0] = if flipped[0] == b'a' { b'b' } else { b'a' };
    let wrong = [
        None,
        Some(format!("Bearer {}", String::from_utf8(flipped).unwrap())),
        Some(format!("Bearer {token}x")),
        Some(format!("Bearer {}", &token[..token.len() - 1])),
        Some(format!("Basic {token}")),
        Some(token.clone()),
        Some("Bearer ".to_owned()),
    ];
    for (method, path, body) in &routes {
        for auth in &wrong {
            let (status, v) = call(&devnet, method.clone(), path, auth.as_deref(), body.clone()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} with {auth:?}: {v}");
            assert_eq!(v["error"]["kind"], "unauthorized", "{method} {path}: {v}");
        }
    }
    // Nothing happened: no job created, none deleted.
    let (status, v) = call(&devnet, Method::GET, "/v2/jobs", Some(&bearer(&devnet)), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["jobs"].as_array().unwrap().len(), 2, "{v}");

    // /health needs no token, and ignores a wrong one.
    for auth in [None, Some("Bearer nope")] {
        let (status, v) = call(&devnet, Method::GET, "/health", auth, None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "ok");
        assert_eq!(v["chainId"], devnet.anvil.chain_id());
    }
    // And the right token opens every route.
    for (method, path, body) in &routes {
        let (status, v) = call(&devnet, method.clone(), path, Some(&bearer(&devnet)), body.clone()).await;
        assert_ne!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {v}");
    }
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_show_by_id_or_external_id_and_delete_with_their_runs() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let auth = bearer(&devnet);
    let job = create_job(&devnet, &uint256_spec(&devnet, 0, "")).await;

    let (status, by_id) = call(&devnet, Method::GET, &format!("/v2/jobs/{}", job.id), Some(&auth), None).await;
    assert_eq!(status, StatusCode::OK, "{by_id}");
    let (status, by_ext) =
        call(&devnet, Method::GET, &format!("/v2/jobs/{}", job.external_job_id), Some(&auth), None).await;
    assert_eq!(status, StatusCode::OK, "{by_ext}");
    assert_eq!(by_id, by_ext);
    assert_eq!(by_id["id"], job.id);
    assert_eq!(by_id["externalJobID"], job.external_job_id.to_string());
    assert_eq!(by_id["type"], "directrequest");
    assert_eq!(by_id["contractAddress"], devnet.contracts.operator.to_string());
    assert!(by_id["spec"].as_str().unwrap().contains("minIncomingConfirmations = 0"), "{by_id}");

    // The same externalJobID twice is a conflict.
    let explicit = format!("externalJobID = \"{}\"\n", job.external_job_id);
    let (status, v) =
        call(&devnet, Method::POST, "/v2/jobs", Some(&auth), Some(uint256_spec(&devnet, 0, &explicit))).await;
    assert_eq!((status, &v["error"]["kind"]), (StatusCode::CONFLICT, &Value::from("conflict")), "{v}");

    let (status, v) = call(&devnet, Method::GET, "/v2/jobs/999999", Some(&auth), None).await;
    assert_eq!((status, &v["error"]["kind"]), (StatusCode::NOT_FOUND, &Value::from("not_found")), "{v}");
    let (status, v) = call(&devnet, Method::GET, &format!("/v2/jobs/{}", Uuid::new_v4()), Some(&auth), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    let (status, v) = call(&devnet, Method::GET, "/v2/jobs/not-a-job", Some(&auth), None).await;
    assert_eq!((status, &v["error"]["kind"]), (StatusCode::BAD_REQUEST, &Value::from("bad_request")), "{v}");

    // Give it runs, delete it by externalJobID.
    let (first, _) = request(&devnet, job.spec_ids[0], payment()).await;
    let (second, _) = request(&devnet, job.spec_ids[0], payment()).await;
    wait_for_fulfilment(&devnet, first.requestId).await;
    wait_for_fulfilment(&devnet, second.requestId).await;
    assert_eq!(runs_of(&devnet, job.id).await.len(), 2);
    let (status, v) =
        call(&devnet, Method::DELETE, &format!("/v2/jobs/{}", job.external_job_id), Some(&auth), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");

    assert_eq!(runs_of(&devnet, job.id).await, Vec::<Value>::new(), "runs of a deleted job are listed");
    let (status, _) = call(&devnet, Method::GET, &format!("/v2/jobs/{}", job.id), Some(&auth), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&devnet, Method::DELETE, &format!("/v2/jobs/{}", job.id), Some(&auth), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "deleting twice");
    let listed = devnet.api().get("/v2/jobs").await.unwrap();
    assert!(listed["jobs"].as_array().unwrap().iter().all(|j| j["id"] != job.id), "{listed}");

    // The deleted job no longer serves requests; the others still do.
    let (orphan, orphan_block) = request(&devnet, job.spec_ids[0], payment()).await;
    let report = devnet.run_scenarios().await.unwrap();
    assert!(report.all_ok(), "{}", report.table());
    wait_for_node_head(&devnet, orphan_block).await;
    assert_eq!(fulfilment(&devnet, orphan.requestId).await, None);
    assert_eq!(runs_of(&devnet, job.id).await, Vec::<Value>::new());
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_paginate_newest_first_and_filter_by_status() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let auth = bearer(&devnet);
    let job = create_job(&devnet, &uint256_spec(&devnet, 0, "")).await;

    // Four good requests and one whose URL answers 400: four completed runs, one errored.
    let mut good = Vec::new();
    for _ in 0..4 {
        good.push(request(&devnet, job.spec_ids[0], payment()).await.0.requestId);
    }
    let bad_url = format!("{}/data/price?fsym=NOPE&tsyms=USD", devnet.source.url());
    let bad = request_with(&devnet, job.spec_ids[0], bad_url, payment()).await.0.requestId;
    for id in &good {
        wait_for_fulfilment(&devnet, *id).await;
    }
    wait_for_run(&devnet.api(), job.id, WAIT, |r| r["requestId"] == bad.to_string() && r["status"] == "errored").await;
    let deadline = Instant::now() + WAIT;
    while runs_of(&devnet, job.id).await.iter().any(|r| r["status"] != "completed" && r["status"] != "errored") {
        assert!(Instant::now() < deadline, "runs did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Pages of 2 follow `nextBefore` until it is null; together they are every run, newest first.
    let mut pages = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let path = match before {
            Some(b) => format!("/v2/runs?job={}&limit=2&before={b}", job.id),
            None => format!("/v2/runs?job={}&limit=2", job.id),
        };
        let (status, v) = call(&devnet, Method::GET, &path, Some(&auth), None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let ids: Vec<i64> = v["runs"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
        pages.push(ids.clone());
        match v["nextBefore"].as_i64() {
            Some(next) => {
                assert_eq!(Some(&next), ids.last(), "nextBefore is the last id of the page: {v}");
                before = Some(next);
            }
            None => break,
        }
        assert!(pages.len() < 10, "pagination does not end: {pages:?}");
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 2, 1], "{pages:?}");
    let all: Vec<i64> = pages.concat();
    let unpaged: Vec<i64> = runs_of(&devnet, job.id).await.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(all, unpaged, "pages are the whole list, in order");
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first: {all:?}");

    // A page exactly as long as what is left says it is the last (the API looks one run ahead).
    let (_, v) = call(&devnet, Method::GET, &format!("/v2/runs?job={}&limit=5", job.id), Some(&auth), None).await;
    assert_eq!(v["runs"].as_array().unwrap().len(), 5, "{v}");
    assert_eq!(v["nextBefore"], Value::Null, "{v}");

    // Status filter, alone and with the job filter.
    let (_, v) =
        call(&devnet, Method::GET, &format!("/v2/runs?job={}&status=errored", job.id), Some(&auth), None).await;
    let errored = v["runs"].as_array().unwrap();
    assert_eq!(errored.len(), 1, "{v}");
    assert_eq!(errored[0]["requestId"], bad.to_string());
    assert!(errored[0]["error"].as_str().unwrap().contains("400"), "{v}");
    let (_, v) =
        call(&devnet, Method::GET, &format!("/v2/runs?job={}&status=completed", job.id), Some(&auth), None).await;
    let mut completed: Vec<String> =
        v["runs"].as_array().unwrap().iter().map(|r| r["requestId"].as_str().unwrap().to_owned()).collect();
    let mut expected: Vec<String> = good.iter().map(B256::to_string).collect();
    completed.sort();
    expected.sort();
    assert_eq!(completed, expected);
    let (_, v) = call(&devnet, Method::GET, "/v2/runs?status=pending_confirmations", Some(&auth), None).await;
    assert_eq!(v["runs"], Value::Array(vec![]), "{v}");
    let (_, v) = call(&devnet, Method::GET, "/v2/runs?status=completed&limit=500", Some(&auth), None).await;
    assert!(v["runs"].as_array().unwrap().iter().all(|r| r["status"] == "completed"), "{v}");

    // Malformed queries are 400s naming the problem.
    for (query, fragment) in [
        ("status=finished", "finished"),
        ("status=", "status"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("before=abc", "before"),
        ("job=abc", "job"),
    ] {
        let (status, v) = call(&devnet, Method::GET, &format!("/v2/runs?{query}"), Some(&auth), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {v}");
        assert!(v.to_string().contains(fragment), "{query}: {v}");
    }
    devnet.shutdown().await;
}

/// The API answers JSON errors `{"error": {"kind", "message"}}` for every failure, including
/// query strings and paths that do not parse (axum's own rejections are plain text).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_queries_and_paths_get_json_errors() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let auth = bearer(&devnet);
    for (path, fragment) in [
        ("/v2/runs?status=finished", "finished"),
        ("/v2/runs?limit=0", "limit"),
        ("/v2/runs?limit=abc", "limit"),
        ("/v2/runs?before=abc", "before"),
        ("/v2/runs?job=abc", "job"),
        ("/v2/runs/abc", "abc"),
    ] {
        let (status, v) = call(&devnet, Method::GET, path, Some(&auth), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {v}");
        assert_eq!(v["error"]["kind"], "bad_request", "{path}: not the API's JSON error: {v}");
        assert!(v["error"]["message"].as_str().unwrap_or_default().contains(fragment), "{path}: {v}");
    }
    devnet.shutdown().await;
}

// ---------------------------------------------------------------- reorgs

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorg_that_drops_the_request_cancels_its_run() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let job = create_job(&devnet, &uint256_spec(&devnet, 5, "")).await;
    let snapshot: U256 = devnet.provider.raw_request("evm_snapshot".into(), ()).await.expect("evm_snapshot");
    let (req, block) = request(&devnet, job.spec_ids[0], payment()).await;
    let run = wait_for_run(&devnet.api(), job.id, WAIT, |r| r["status"] == "pending_confirmations").await;

    // Replace the request's block: back to before it, then a longer branch without it.
    let reverted: bool = devnet.provider.raw_request("evm_revert".into(), (snapshot,)).await.expect("evm_revert");
    assert!(reverted);
    mine(&devnet, 3).await;
    let run = wait_for_run(&devnet.api(), job.id, WAIT, |r| r["id"] == run["id"] && r["status"] == "cancelled").await;
    assert!(run["error"].as_str().unwrap().contains("reorganised"), "{run}");

    // Past the confirmations the request would have needed: still never fulfilled.
    mine(&devnet, 10).await;
    wait_for_node_head(&devnet, block + 12).await;
    assert_eq!(fulfilment(&devnet, req.requestId).await, None);
    assert_eq!(runs_of(&devnet, job.id).await.len(), 1, "no new run: the request is gone from the chain");
    devnet.shutdown().await;
}
