//! The `bridge` task against real local adapters (axum on 127.0.0.1): the REFERENCE §4 protocol,
//! async suspension, `cacheTTL`, and JSON-Schema subtask schemas.
//!
//! The registry here keeps bridges in memory (the node's store-backed registry is exercised end
//! to end in crates/devnet/tests/it/bridges.rs); everything on the wire is real.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::SystemTime,
};

use async_trait::async_trait;
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::post,
    Router,
};
use linkpool_pipeline::{
    bridge::{Bridge, BridgeRegistry, BridgeRegistryError, CachedAnswer, Schema},
    Deps, NoopObserver, Pipeline, RunContext, RunResult, Runner, TaskError, Value, Vars,
};
use serde_json::{json, Value as Json};

/// What the adapter answers next: (HTTP status, extra header, body).
type Reply = (u16, Option<(&'static str, &'static str)>, String);

#[derive(Default)]
struct AdapterState {
    replies: Mutex<Vec<Reply>>,
    seen: Mutex<Vec<(HeaderMap, Json)>>,
    calls: AtomicUsize,
}

/// A local adapter that answers the queued replies in order (the last one repeats).
async fn adapter(replies: Vec<Reply>) -> (String, Arc<AdapterState>) {
    let state = Arc::new(AdapterState { replies: Mutex::new(replies), ..Default::default() });
    async fn handle(State(s): State<Arc<AdapterState>>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
        s.calls.fetch_add(1, Ordering::SeqCst);
        s.seen.lock().unwrap().push((headers, serde_json::from_slice(&body).unwrap_or(Json::Null)));
        let mut q = s.replies.lock().unwrap();
        let (status, header, body) = if q.len() > 1 { q.remove(0) } else { q[0].clone() };
        let mut resp = (StatusCode::from_u16(status).unwrap(), body).into_response();
        if let Some((k, v)) = header {
            resp.headers_mut().insert(k, v.parse().unwrap());
        }
        resp
    }
    let app = Router::new().route("/", post(handle)).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), state)
}

/// Bridges and cached answers in memory.
#[derive(Default)]
struct MemoryRegistry {
    bridges: Mutex<HashMap<String, Bridge>>,
    answers: Mutex<HashMap<(i64, String), CachedAnswer>>,
}

#[async_trait]
impl BridgeRegistry for MemoryRegistry {
    async fn bridge(&self, name: &str) -> Result<Option<Bridge>, BridgeRegistryError> {
        Ok(self.bridges.lock().unwrap().get(&name.to_ascii_lowercase()).cloned())
    }
    async fn last_answer(&self, job_id: i64, task_id: &str) -> Result<Option<CachedAnswer>, BridgeRegistryError> {
        Ok(self.answers.lock().unwrap().get(&(job_id, task_id.to_owned())).cloned())
    }
    async fn save_answer(&self, job_id: i64, task_id: &str, body: &str) -> Result<(), BridgeRegistryError> {
        self.answers
            .lock()
            .unwrap()
            .insert((job_id, task_id.to_owned()), CachedAnswer { body: body.to_owned(), at: SystemTime::now() });
        Ok(())
    }
}

fn registry(url: &str, input: Option<Json>, output: Option<Json>) -> Arc<MemoryRegistry> {
    let r = MemoryRegistry::default();
    r.bridges.lock().unwrap().insert(
        "cc".into(),
        Bridge {
            name: "cc".into(),
            url: url.to_owned(),
            outgoing_token: "out-token-0123456789".into(),
            input_schema: input.map(|s| Arc::new(Schema::compile(s).unwrap())),
            output_schema: output.map(|s| Arc::new(Schema::compile(s).unwrap())),
        },
    );
    Arc::new(r)
}

async fn run(src: &str, registry: Arc<MemoryRegistry>, job_id: Option<i64>) -> RunResult {
    let deps = Deps {
        bridges: Some(registry),
        resume_url_base: Some("http://127.0.0.1:6688/v2/resume".into()),
        ..Deps::default()
    };
    let mut vars = Vars::new();
    vars.insert("jobRun", Value::Map([("meta".to_owned(), Value::String("m".into()))].into_iter().collect()));
    let p = Pipeline::parse(src).unwrap();
    Runner::new(deps)
        .run(&p, RunContext { run_id: 42, job_id, vars, max_task_duration: None }, HashMap::new(), &NoopObserver)
        .await
        .unwrap()
}

const OK: &str = r#"{"jobRunID":"42","data":{"result":3021.45},"result":3021.45,"statusCode":200}"#;

fn ok(body: &str) -> Reply {
    (200, None, body.to_owned())
}

#[tokio::test]
async fn sends_the_protocol_body_and_returns_the_answer() {
    let (url, adapter) = adapter(vec![ok(OK)]).await;
    let src = r#"
        seed  [type=sum values=<[1, 2]>]
        fetch [type=bridge name="CC" requestData=<{"data": {"base": "ETH", "n": $(seed)}}> includeInputAtKey="input"]
        parse [type=jsonparse path="data,result"]
        seed -> fetch -> parse
    "#;
    let r = run(src, registry(&url, None, None), None).await;
    assert_eq!(
        r.task("parse").unwrap().result().unwrap(),
        &linkpool_pipeline::value::parse_decimal("3021.45").unwrap()
    );
    let seen = adapter.seen.lock().unwrap();
    let (headers, body) = &seen[0];
    assert_eq!(headers["authorization"], "Bearer out-token-0123456789");
    assert_eq!(body["data"], json!({"base": "ETH", "n": 3}));
    assert_eq!(body["input"], json!(3), "includeInputAtKey puts the input in the body");
    assert_eq!(body["id"], "42", "id is the run id");
    assert_eq!(body["meta"], "m", "meta is $(jobRun.meta)");
    assert!(body.get("responseURL").is_none(), "only async tasks get a responseURL");
}

#[tokio::test]
async fn adapter_errors_fail_the_task_and_5xx_is_retried() {
    let cases: [(Reply, &str); 5] = [
        (ok(r#"{"statusCode": 500, "error": {"message": "provider down"}}"#), "provider down"),
        (ok(r#"{"providerStatusCode": 429, "result": 1, "statusCode": 200}"#), "status 429"),
        (ok(r#"{"error": "bad symbol"}"#), "bad symbol"),
        ((404, None, r#"{"error": {"message": "no such endpoint"}}"#.into()), "no such endpoint"),
        (ok("not json"), "invalid JSON"),
    ];
    for (reply, expected) in cases {
        let (url, _) = adapter(vec![reply]).await;
        let r = run(r#"fetch [type=bridge name=cc]"#, registry(&url, None, None), None).await;
        let e = r.task("fetch").unwrap().error.clone().expect("errored");
        assert!(e.to_string().contains(expected), "{e} should contain {expected:?}");
    }
    // A 5xx answer is retryable: with retries=1 the second answer wins.
    let (url, adapter) = adapter(vec![(502, None, "{}".into()), ok(OK)]).await;
    let r = run(r#"fetch [type=bridge name=cc retries=1 minBackoff="1ms"]"#, registry(&url, None, None), None).await;
    assert!(r.task("fetch").unwrap().error.is_none(), "{:?}", r.task("fetch"));
    assert_eq!(adapter.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn unknown_bridge_and_missing_registry_are_clear_errors() {
    let (url, _) = adapter(vec![ok(OK)]).await;
    let r = run(r#"fetch [type=bridge name=nope]"#, registry(&url, None, None), None).await;
    assert_eq!(r.task("fetch").unwrap().error, Some(TaskError::UnknownBridge { name: "nope".into() }));
    let p = Pipeline::parse(r#"fetch [type=bridge name=cc]"#).unwrap();
    let r = Runner::new(Deps::default()).run(&p, RunContext::default(), HashMap::new(), &NoopObserver).await.unwrap();
    assert!(matches!(r.task("fetch").unwrap().error, Some(TaskError::Unavailable { .. })));
    // The name must be a literal (so jobs can be checked against the registry at creation).
    assert!(Pipeline::parse(r#"a [type=any values=<["x"]>] fetch [type=bridge name="$(a)"] a -> fetch"#).is_err());
}

#[tokio::test]
async fn pending_suspends_async_tasks_only() {
    for header in [None, Some(("x-chainlink-pending", "true"))] {
        let body = if header.is_some() { "{}" } else { r#"{"pending": true}"# };
        let (url, adapter) = adapter(vec![(200, header, body.into())]).await;
        let src = r#"
            fetch [type=bridge name=cc async=true]
            parse [type=jsonparse path="result"]
            other [type=sum values=<[1, 2]>]
            fetch -> parse
        "#;
        let r = run(src, registry(&url, None, None), None).await;
        assert_eq!(r.suspended, vec!["fetch".to_owned()]);
        assert!(r.task("parse").is_none(), "descendants wait");
        assert!(r.task("other").is_some(), "other branches finish");
        let seen = adapter.seen.lock().unwrap();
        assert_eq!(seen[0].1["responseURL"], "http://127.0.0.1:6688/v2/resume/42?task=fetch");
    }
    let (url, _) = adapter(vec![ok(r#"{"pending": true}"#)]).await;
    let r = run("fetch [type=bridge name=cc]", registry(&url, None, None), None).await;
    let e = r.task("fetch").unwrap().error.clone().unwrap();
    assert!(e.to_string().contains("not async"), "{e}");
    assert!(!r.is_suspended());
}

#[tokio::test]
async fn cache_ttl_answers_for_a_failing_adapter_within_the_ttl() {
    let (url, adapter) = adapter(vec![ok(OK), (500, None, "down".into())]).await;
    let reg = registry(&url, None, None);
    let src = r#"fetch [type=bridge name=cc cacheTTL="1h"] parse [type=jsonparse path="result"] fetch -> parse"#;
    let first = run(src, reg.clone(), Some(7)).await;
    assert!(first.task("parse").unwrap().error.is_none());
    let second = run(src, reg.clone(), Some(7)).await;
    assert_eq!(adapter.calls.load(Ordering::SeqCst), 2, "the adapter is asked first");
    assert_eq!(
        second.task("parse").unwrap().output,
        first.task("parse").unwrap().output,
        "the cached answer stands in"
    );
    // Too old: the failure stands.
    reg.answers.lock().unwrap().values_mut().for_each(|a| a.at = SystemTime::UNIX_EPOCH);
    let third = run(src, reg.clone(), Some(7)).await;
    assert!(third.task("fetch").unwrap().error.is_some());
    // Without cacheTTL nothing is cached.
    let reg2 = registry(&url, None, None);
    run("fetch [type=bridge name=cc]", reg2.clone(), Some(7)).await;
    assert!(reg2.answers.lock().unwrap().is_empty());
}

#[tokio::test]
async fn schemas_fail_the_task_naming_the_path() {
    let input = json!({"type": "object", "required": ["data"],
        "properties": {"data": {"type": "object", "required": ["base"], "properties": {"base": {"type": "string"}}}}});
    let output = json!({"type": "object", "required": ["result"], "properties": {"result": {"type": "number"}}});
    let (url, adapter) = adapter(vec![ok(OK)]).await;
    let reg = registry(&url, Some(input), Some(output));
    let good = run(r#"fetch [type=bridge name=cc requestData=<{"data": {"base": "ETH"}}>]"#, reg.clone(), None).await;
    assert!(good.task("fetch").unwrap().error.is_none(), "{:?}", good.task("fetch"));
    let bad_request =
        run(r#"fetch [type=bridge name=cc requestData=<{"data": {"base": 7}}>]"#, reg.clone(), None).await;
    match bad_request.task("fetch").unwrap().error.clone() {
        Some(TaskError::Schema { direction, path, .. }) => {
            assert_eq!((direction.as_str(), path.as_str()), ("request", "/data/base"))
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
    assert_eq!(adapter.calls.load(Ordering::SeqCst), 1, "an invalid request is never sent");
    let (url, _) = crate::bridge::adapter(vec![ok(r#"{"result": "high", "statusCode": 200}"#)]).await;
    let reg = registry(&url, None, Some(json!({"properties": {"result": {"type": "number"}}})));
    let bad_answer = run("fetch [type=bridge name=cc]", reg, None).await;
    let e = bad_answer.task("fetch").unwrap().error.clone().unwrap();
    assert!(
        matches!(&e, TaskError::Schema { direction, path, .. } if direction == "response" && path == "/result"),
        "{e}"
    );
    assert!(e.to_string().contains("bridge `cc` at /result"), "{e}");
}
