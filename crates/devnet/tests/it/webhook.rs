//! `webhook` jobs end to end: `POST /v2/jobs/{id}/runs` with a JSON body runs the pipeline with
//! the body as `$(jobRun.requestBody)`, and the values in it reach the chain. Retries with an
//! `Idempotency-Key` start one run; callers without the token, bodies that are not JSON, and jobs
//! of other types are refused before anything is persisted.

use std::time::{Duration, Instant};

use alloy::primitives::{Address, U256};
use linkpool_devnet::Devnet;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{
    cron::{assert_link_transfer, call, fund_node, link_balance, runs_of, tx_of, WAIT},
    harness::devnet,
};

/// Sends `data.amount` LINK juels to `data.to`, both read from the request body.
fn webhook_spec(devnet: &Devnet) -> String {
    let link = devnet.contracts.link;
    format!(
        r#"type = "webhook"
schemaVersion = 1
name = "pay on request"
externalInitiators = [ {{ name = "my-ei", spec = "{{\"foo\": 42}}" }} ]
observationSource = """
    parse_to     [type="jsonparse" path="data,to" data="$(jobRun.requestBody)"]
    parse_amount [type="jsonparse" path="data,amount" data="$(jobRun.requestBody)"]
    encode       [type="ethabiencode" abi="transfer(address to, uint256 value)" data="{{ \\"to\\": $(parse_to), \\"value\\": $(parse_amount) }}"]
    submit       [type="ethtx" to="{link}" data="$(encode)"]
    parse_to -> encode
    parse_amount -> encode
    encode -> submit
"""
"#
    )
}

fn body(to: Address, amount: u64) -> String {
    json!({ "data": { "to": to.to_string(), "amount": amount } }).to_string()
}

/// Polls the run until it is finished; panics unless it completed.
async fn wait_completed(devnet: &Devnet, run: i64) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let v = devnet.api().get(&format!("/v2/runs/{run}")).await.expect("run");
        match v["status"].as_str().unwrap() {
            "completed" => return v,
            "errored" | "cancelled" => panic!("webhook run did not complete: {v}"),
            _ => {}
        }
        assert!(Instant::now() < deadline, "run {run} not finished within {WAIT:?}: {v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn task_output<'a>(run: &'a Value, task: &str) -> &'a Value {
    &run["tasks"].as_array().unwrap().iter().find(|t| t["taskId"] == task).unwrap_or_else(|| panic!("{run}"))["output"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_body_values_reach_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    fund_node(&devnet, U256::from(10u64).pow(U256::from(18))).await;
    let recipient = Address::repeat_byte(0x5e);
    let created = devnet.api().post_toml(&webhook_spec(&devnet)).await.expect("webhook job created");
    assert_eq!((&created["type"], &created["externalInitiators"]), (&json!("webhook"), &json!(["my-ei"])), "{created}");
    let job = created["id"].as_i64().unwrap();
    let external_id = created["externalJobID"].as_str().unwrap().to_owned();

    // One call, one run: 201 with the run, whose pipeline saw the body verbatim.
    let first = body(recipient, 424_242);
    let (status, v) = call(&devnet, Method::POST, &format!("/v2/jobs/{job}/runs"), None, &[], Some(&first)).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["jobId"], job);
    let run = wait_completed(&devnet, v["id"].as_i64().unwrap()).await;
    assert_eq!(run["inputs"]["requestBody"], first.as_str());
    assert_eq!(task_output(&run, "parse_amount"), &json!(424_242), "{run}");
    let tx = tx_of(&devnet, run["id"].as_i64().unwrap(), "submit").await;
    assert_link_transfer(&devnet, tx, recipient, U256::from(424_242u64)).await;
    assert_eq!(link_balance(&devnet, recipient).await, U256::from(424_242u64));

    // By externalJobID, retried with the same Idempotency-Key: one run, one transfer.
    let path = format!("/v2/jobs/{external_id}/runs");
    let key = [("idempotency-key", "payout-7")];
    let second = body(recipient, 1_000);
    let (status, a) = call(&devnet, Method::POST, &path, None, &key, Some(&second)).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let (status, b) = call(&devnet, Method::POST, &path, None, &key, Some(&second)).await;
    assert_eq!(status, StatusCode::OK, "a retry answers with the run it started: {b}");
    assert_eq!(a["id"], b["id"]);
    wait_completed(&devnet, a["id"].as_i64().unwrap()).await;
    let (status, c) = call(&devnet, Method::POST, &path, None, &key, Some(&second)).await;
    assert_eq!((status, &c["id"], &c["status"]), (StatusCode::OK, &a["id"], &json!("completed")), "{c}");
    assert_eq!(link_balance(&devnet, recipient).await, U256::from(425_242u64));
    assert_eq!(runs_of(&devnet, job).await.len(), 2);
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_calls_are_authenticated_json_and_for_webhook_jobs_only() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let job =
        devnet.api().post_toml(&webhook_spec(&devnet)).await.expect("webhook job created")["id"].as_i64().unwrap();
    let path = format!("/v2/jobs/{job}/runs");
    let good = body(Address::repeat_byte(1), 1);
    let token = devnet.node.as_ref().unwrap().api_token.clone();

    for auth in ["", "Bearer nope", &format!("Basic {token}"), &token] {
        let (status, v) = call(&devnet, Method::POST, &path, Some(auth), &[], Some(&good)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}: {v}");
        assert_eq!(v["error"]["kind"], "unauthorized");
    }
    for bad in ["amount=5", "{\"data\": ", "{} {}", "not json"] {
        let (status, v) = call(&devnet, Method::POST, &path, None, &[], Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {v}");
        assert_eq!(v["error"]["kind"], "bad_request");
        assert!(v["error"]["message"].as_str().unwrap().contains("must be JSON"), "{v}");
    }
    let (status, v) = call(&devnet, Method::POST, &path, None, &[("idempotency-key", "two words")], Some(&good)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let too_big = json!({ "pad": "x".repeat(300 * 1024) }).to_string();
    let (status, _) = call(&devnet, Method::POST, &path, None, &[], Some(&too_big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // Only webhook jobs run on request; unknown jobs are 404.
    let dr = format!("/v2/jobs/{}/runs", devnet.uint256_job.id);
    let (status, v) = call(&devnet, Method::POST, &dr, None, &[], Some(&good)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("directrequest"), "{v}");
    let (status, v) = call(&devnet, Method::POST, "/v2/jobs/999999/runs", None, &[], Some(&good)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");

    // None of the refused calls left a run behind.
    assert!(runs_of(&devnet, job).await.is_empty());
    assert!(runs_of(&devnet, devnet.uint256_job.id).await.is_empty());
    devnet.shutdown().await;
}

/// Without directrequest jobs there is no log poller reporting heads; `ethtx` still completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_ethtx_completes_on_a_node_without_directrequest_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    fund_node(&devnet, U256::from(10u64).pow(U256::from(18))).await;
    for id in [devnet.uint256_job.id, devnet.multiword_job.id] {
        let (status, v) = call(&devnet, Method::DELETE, &format!("/v2/jobs/{id}"), None, &[], None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    }
    let job =
        devnet.api().post_toml(&webhook_spec(&devnet)).await.expect("webhook job created")["id"].as_i64().unwrap();
    let recipient = Address::repeat_byte(0x2b);
    let (status, v) =
        call(&devnet, Method::POST, &format!("/v2/jobs/{job}/runs"), None, &[], Some(&body(recipient, 5))).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let run = wait_completed(&devnet, v["id"].as_i64().unwrap()).await;
    let tx = tx_of(&devnet, run["id"].as_i64().unwrap(), "submit").await;
    assert_link_transfer(&devnet, tx, recipient, U256::from(5u64)).await;
    devnet.shutdown().await;
}
