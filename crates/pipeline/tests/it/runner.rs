//! The runner: concurrency, observer ordering, timeouts, outputs and crash resume.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime},
};

use async_trait::async_trait;
use linkpool_pipeline::{
    Deps, Error, EthTxError, EthTxOutcome, EthTxRequest, EthTxSender, NoopObserver, ObserverError, Pipeline,
    RunContext, RunObserver, Runner, TaskError, TaskResult, Value, Vars,
};

use crate::common::*;

/// Records results and when the observer returned; may fail on one task to simulate a crash.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<(TaskResult, SystemTime)>>,
    fail_on: Option<&'static str>,
    delay: Duration,
}

#[async_trait]
impl RunObserver for Recorder {
    async fn task_finished(&self, result: &TaskResult) -> Result<(), ObserverError> {
        tokio::time::sleep(self.delay).await;
        self.seen.lock().unwrap().push((result.clone(), SystemTime::now()));
        if self.fail_on == Some(result.task_id.as_str()) {
            return Err(ObserverError("database is gone".into()));
        }
        Ok(())
    }
}

impl Recorder {
    fn ids(&self) -> Vec<String> {
        self.seen.lock().unwrap().iter().map(|(r, _)| r.task_id.clone()).collect()
    }
}

fn ctx(vars: Vars) -> RunContext {
    RunContext { run_id: 7, job_id: None, vars, max_task_duration: None }
}

#[tokio::test]
async fn independent_branches_run_concurrently() {
    let s = DataSource::start().await;
    let src = format!(
        "a [type=http url=\"{u}\"]\nb [type=http url=\"{u}\"]\nc [type=http url=\"{u}\"]\nm [type=sum]\na -> m\nb -> m\nc -> m",
        u = s.url("/delay")
    );
    let started = Instant::now();
    let out = output_of(&src).await;
    assert_eq!(out, dec("3"));
    assert!(started.elapsed() < Duration::from_millis(1100), "took {:?}", started.elapsed());
    assert_eq!(s.hits("/delay"), 3);
}

#[tokio::test]
async fn observer_is_awaited_before_children_start() {
    let p = Pipeline::parse(
        "a [type=multiply input=1 times=2]\nb [type=multiply times=3]\nc [type=multiply times=4]\na -> b -> c",
    )
    .unwrap();
    let rec = Recorder { delay: Duration::from_millis(50), ..Default::default() };
    let r = Runner::new(Deps::default()).run(&p, ctx(Vars::new()), HashMap::new(), &rec).await.unwrap();
    assert_eq!(r.outputs, vec![Some(dec("24"))]);
    assert_eq!(rec.ids(), ["a", "b", "c"]);
    let seen = rec.seen.lock().unwrap();
    for w in seen.windows(2) {
        let (parent_recorded_at, child) = (w[0].1, &w[1].0);
        assert!(child.started_at >= parent_recorded_at, "child started before the parent was recorded");
    }
}

#[tokio::test]
async fn observer_failure_stops_the_run_before_side_effects() {
    let sender = Arc::new(RecordingSender::default());
    let p = Pipeline::parse(
        r#"e [type=ethabiencode abi="(uint256 v)" data=<{"v": 1}>]
           tx [type=ethtx to="0x00000000000000000000000000000000000000aa" data="$(e)"]
           e -> tx"#,
    )
    .unwrap();
    let rec = Recorder { fail_on: Some("e"), ..Default::default() };
    let err =
        Runner::new(deps(Some(sender.clone()))).run(&p, ctx(Vars::new()), HashMap::new(), &rec).await.unwrap_err();
    assert!(matches!(err, Error::Observer(m) if m == "database is gone"));
    assert!(sender.calls().is_empty());
}

#[tokio::test]
async fn resume_skips_persisted_tasks() {
    let s = DataSource::start().await;
    let src = format!(
        r#"fetch [type=http url="{}"]
           parse [type=jsonparse path="RAW,ETH,USD,PRICE"]
           multiply [type=multiply times=100]
           encode [type=ethabiencode abi="(uint256 value)" data=<{{ "value": $(multiply) }}>]
           submit [type=ethtx to="0x00000000000000000000000000000000000000aa" data="$(encode)"]
           fetch -> parse -> multiply -> encode -> submit"#,
        s.url("/price")
    );
    let p = Pipeline::parse(&src).unwrap();
    let sender = Arc::new(RecordingSender::default());
    let runner = Runner::new(deps(Some(sender.clone())));

    // First attempt "crashes" once `multiply` is persisted.
    let crash = Recorder { fail_on: Some("multiply"), ..Default::default() };
    assert!(runner.run(&p, ctx(Vars::new()), HashMap::new(), &crash).await.is_err());
    assert_eq!(s.hits("/price"), 1);
    assert!(sender.calls().is_empty());

    // Persist through JSON, as the store would.
    let persisted: Vec<TaskResult> = crash.seen.lock().unwrap().iter().map(|(r, _)| r.clone()).collect();
    let json = serde_json::to_string(&persisted).unwrap();
    let restored: Vec<TaskResult> = serde_json::from_str(&json).unwrap();
    assert_eq!(restored, persisted);
    let previous: HashMap<String, TaskResult> = restored.into_iter().map(|r| (r.task_id.clone(), r)).collect();

    let rec = Recorder::default();
    let r = runner.run(&p, ctx(Vars::new()), previous.clone(), &rec).await.unwrap();
    assert!(!r.has_fatal_errors(), "{r:?}");
    assert_eq!(s.hits("/price"), 1, "fetch must not run again");
    assert_eq!(rec.ids(), ["encode", "submit"]);
    assert_eq!(r.task_results.len(), 5);
    assert_eq!(r.task("multiply").unwrap(), &previous["multiply"]);
    let calls = sender.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].idempotency_key, "run:7:task:submit");

    // Everything persisted: nothing runs, outputs come from the stored results.
    let all: HashMap<String, TaskResult> = r.task_results.iter().map(|t| (t.task_id.clone(), t.clone())).collect();
    let rec = Recorder::default();
    let again = runner.run(&p, ctx(Vars::new()), all, &rec).await.unwrap();
    assert!(rec.ids().is_empty());
    assert_eq!(again.outputs, r.outputs);
    assert_eq!(sender.calls().len(), 1);
}

#[tokio::test]
async fn resumed_error_results_propagate() {
    let p = Pipeline::parse("a [type=multiply input=1 times=2]\nb [type=multiply times=3]\na -> b").unwrap();
    let now = SystemTime::now();
    let failed = TaskResult {
        task_id: "a".into(),
        task_type: "multiply".into(),
        index: 0,
        output: None,
        error: Some(TaskError::Timeout { after_ms: 5 }),
        started_at: now,
        finished_at: now,
    };
    let r = Runner::new(Deps::default())
        .run(&p, ctx(Vars::new()), HashMap::from([("a".to_owned(), failed)]), &NoopObserver)
        .await
        .unwrap();
    assert_eq!(r.fatal_errors, vec![Some(TaskError::UpstreamErrored { task: "a".into() })]);
}

#[tokio::test]
async fn max_task_duration_applies_without_task_timeout() {
    let s = DataSource::start().await;
    let p = Pipeline::parse(&format!("f [type=http url=\"{}\"]", s.url("/slow"))).unwrap();
    let c =
        RunContext { run_id: 1, job_id: None, vars: Vars::new(), max_task_duration: Some(Duration::from_millis(200)) };
    let r = Runner::new(Deps::default()).run(&p, c, HashMap::new(), &NoopObserver).await.unwrap();
    assert_eq!(r.fatal_errors, vec![Some(TaskError::Timeout { after_ms: 200 })]);
}

struct SlowSender;

#[async_trait]
impl EthTxSender for SlowSender {
    async fn send(&self, request: EthTxRequest) -> Result<EthTxOutcome, EthTxError> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok(EthTxOutcome {
            tx_hash: alloy::primitives::keccak256(request.idempotency_key),
            block_number: None,
            gas_used: None,
            reverted: false,
        })
    }
}

#[tokio::test]
async fn ethtx_waits_beyond_max_task_duration() {
    let p = Pipeline::parse(r#"tx [type=ethtx to="0x00000000000000000000000000000000000000aa" data="0x01"]"#).unwrap();
    let c =
        RunContext { run_id: 1, job_id: None, vars: Vars::new(), max_task_duration: Some(Duration::from_millis(50)) };
    let r = Runner::new(Deps::default().with_tx_sender(Arc::new(SlowSender)))
        .run(&p, c.clone(), HashMap::new(), &NoopObserver)
        .await
        .unwrap();
    assert!(r.fatal_errors[0].is_none(), "{r:?}");
    // An explicit task timeout still applies.
    let p = Pipeline::parse(
        r#"tx [type=ethtx to="0x00000000000000000000000000000000000000aa" data="0x01" timeout="50ms"]"#,
    )
    .unwrap();
    let r = Runner::new(Deps::default().with_tx_sender(Arc::new(SlowSender)))
        .run(&p, c, HashMap::new(), &NoopObserver)
        .await
        .unwrap();
    assert_eq!(r.fatal_errors, vec![Some(TaskError::Timeout { after_ms: 50 })]);
}

#[tokio::test]
async fn outputs_follow_terminal_index_and_results_serialize() {
    let src = "x [type=multiply input=1 times=1 index=2]\ny [type=divide input=1 divisor=0 index=1]\nz [type=multiply input=3 times=1]";
    let r = run_src(src, Vars::new(), deps(None)).await;
    assert_eq!(r.outputs, vec![Some(dec("3")), None, Some(dec("1"))]);
    assert_eq!(r.fatal_errors[1], Some(TaskError::Arithmetic { message: "division by zero".into() }));
    assert!(r.has_fatal_errors());
    let json = serde_json::to_value(&r).unwrap();
    let y = json["taskResults"].as_array().unwrap().iter().find(|t| t["taskId"] == "y").unwrap();
    assert_eq!(y["error"]["kind"], "arithmetic");
    assert_eq!(y["index"], 1);
    assert!(y["startedAt"].as_str().unwrap().ends_with('Z'));
    let back: linkpool_pipeline::RunResult = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
}

#[tokio::test]
async fn variables_reach_tasks_with_their_types() {
    let req = Request::new(vec![]);
    let src = r#"e [type=ethabiencode abi="(bytes32 a, uint256 n, address l, bytes32 t)" data=<{ "a": $(jobRun.requestId), "n": $(jobRun.blockNumber), "l": $(jobRun.logAddress), "t": $(jobRun.logTopics.1) }>]"#;
    let r = run_src(src, req.vars(), deps(None)).await;
    let Some(Value::Bytes(b)) = &r.outputs[0] else { panic!("{r:?}") };
    assert_eq!(&b[0..32], req.request_id.as_slice());
    assert_eq!(b[63], 42);
    assert_eq!(&b[76..96], &[0x0f; 20]);
    assert_eq!(&b[96..128], req.spec_id.as_slice());
    // A missing variable is a typed error naming the path.
    let r = run_src("m [type=multiply input=\"$(jobRun.nope)\" times=2]", req.vars(), deps(None)).await;
    assert_eq!(
        r.fatal_errors[0],
        Some(TaskError::Variable { error: linkpool_pipeline::VarError::Missing { path: "jobRun.nope".into() } })
    );
}
