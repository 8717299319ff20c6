//! The DAG runner.
//!
//! Tasks whose parents are done run concurrently (polled together in the caller's tokio task;
//! nothing is spawned). After each task the [`RunObserver`] is awaited before any child starts,
//! so the caller can persist the result before downstream side effects. Results passed in
//! `previous` (persisted before a crash) are reused, not re-executed.

mod deps;
mod result;

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, SystemTime},
};

use async_trait::async_trait;
use futures::{stream::FuturesUnordered, StreamExt};

pub use deps::{Deps, HttpLimits};
pub use result::{RunResult, TaskResult};

use crate::{
    error::{Error, Result, TaskError},
    pipeline::{Pipeline, TaskSpec},
    task::{TaskContext, TaskInput, TaskRegistry},
    value::Value,
    vars::Vars,
};

/// What a run starts with.
#[derive(Debug, Clone, Default)]
pub struct RunContext {
    /// The persisted run id (used in `ethtx` idempotency keys and async bridge callbacks).
    pub run_id: i64,
    /// The job's database id, if the run belongs to a stored job (keys the bridge answer cache).
    pub job_id: Option<i64>,
    /// The job-type variables (`jobSpec`, `jobRun`, ...).
    pub vars: Vars,
    /// The job's `maxTaskDuration`; `None` or zero means [`Deps::default_task_timeout`].
    pub max_task_duration: Option<Duration>,
}

/// Error returned by a [`RunObserver`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ObserverError(pub String);

/// Notified after each executed task (not for results reused from `previous`).
#[async_trait]
pub trait RunObserver: Send + Sync {
    /// Called with each finished task; the run waits for it. An error stops the run.
    async fn task_finished(&self, result: &TaskResult) -> Result<(), ObserverError>;
}

/// A [`RunObserver`] that does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopObserver;

#[async_trait]
impl RunObserver for NoopObserver {
    async fn task_finished(&self, _: &TaskResult) -> Result<(), ObserverError> {
        Ok(())
    }
}

/// Executes pipelines.
#[derive(Debug, Clone)]
pub struct Runner {
    deps: Deps,
    registry: Arc<TaskRegistry>,
}

impl Runner {
    /// A runner with the built-in task types.
    pub fn new(deps: Deps) -> Self {
        Self::with_registry(deps, TaskRegistry::builtin())
    }

    /// A runner with a custom set of task types.
    pub fn with_registry(deps: Deps, registry: TaskRegistry) -> Self {
        Self { deps, registry: Arc::new(registry) }
    }

    /// The dependencies handed to tasks.
    pub fn deps(&self) -> &Deps {
        &self.deps
    }

    /// Runs `pipeline`. Tasks found in `previous` (by id) are not executed again: their stored
    /// results feed their children. Every other task runs once all its parents are done.
    ///
    /// A task that answers [`TaskError::Pending`] (an async bridge) suspends its branch: its
    /// descendants do not start, the other branches finish, and the result lists it in
    /// [`RunResult::suspended`]. Run again with its result in `previous` to resume.
    ///
    /// Errors only if the observer fails; task failures are reported in the [`RunResult`].
    pub async fn run(
        &self,
        pipeline: &Pipeline,
        ctx: RunContext,
        previous: HashMap<String, TaskResult>,
        observer: &dyn RunObserver,
    ) -> Result<RunResult> {
        let tasks = pipeline.tasks();
        let n = tasks.len();
        let mut done: Vec<Option<TaskResult>> = vec![None; n];
        let mut started = vec![false; n];
        let mut vars = ctx.vars.clone();
        for (i, t) in tasks.iter().enumerate() {
            if let Some(prev) = previous.get(&t.id) {
                vars.insert_result(&t.id, prev.result());
                done[i] = Some(prev.clone());
                started[i] = true;
            }
        }
        let mut inflight = FuturesUnordered::new();
        let mut suspended = Vec::new();
        loop {
            for i in 0..n {
                if started[i] || !tasks[i].parents.iter().all(|p| pos_done(pipeline, &done, p)) {
                    continue;
                }
                started[i] = true;
                let inputs = tasks[i]
                    .parents
                    .iter()
                    .map(|p| {
                        let r = done[pipeline.position_of(p).expect("parent exists")].as_ref().expect("parent done");
                        TaskInput { task_id: p.clone(), result: r.result().cloned().map_err(Clone::clone) }
                    })
                    .collect();
                let vars = vars.clone();
                let spec = &tasks[i];
                let ids = (ctx.run_id, ctx.job_id);
                let max = ctx.max_task_duration;
                inflight.push(async move { (i, self.execute(spec, ids, max, vars, inputs).await) });
            }
            let Some((i, result)) = inflight.next().await else { break };
            if result.error == Some(TaskError::Pending) {
                suspended.push(result.task_id);
                continue;
            }
            observer.task_finished(&result).await.map_err(|e| Error::Observer(e.0))?;
            vars.insert_result(&tasks[i].id, result.result());
            done[i] = Some(result);
        }
        if !suspended.is_empty() {
            let task_results = done.into_iter().flatten().collect();
            return Ok(RunResult { task_results, outputs: Vec::new(), fatal_errors: Vec::new(), suspended });
        }
        let mut by_id: HashMap<&str, &TaskResult> = HashMap::new();
        for r in done.iter().flatten() {
            by_id.insert(&r.task_id, r);
        }
        let (mut outputs, mut fatal_errors) = (Vec::new(), Vec::new());
        for t in pipeline.terminal_tasks() {
            let r = by_id.get(t.id.as_str()).expect("every task finished");
            outputs.push(r.error.is_none().then(|| r.output.clone().unwrap_or(Value::Null)));
            fatal_errors.push(r.error.clone());
        }
        Ok(RunResult { task_results: done.into_iter().flatten().collect(), outputs, fatal_errors, suspended })
    }

    async fn execute(
        &self,
        spec: &TaskSpec,
        ids: (i64, Option<i64>),
        max_task_duration: Option<Duration>,
        vars: Vars,
        inputs: Vec<TaskInput>,
    ) -> TaskResult {
        let started_at = SystemTime::now();
        let outcome = self.execute_inner(spec, ids, max_task_duration, &vars, &inputs).await;
        if let Err(e) = &outcome {
            tracing::debug!(task = %spec.id, error = %e, "task errored");
        }
        let (output, error) = match outcome {
            Ok(v) => (Some(v), None),
            Err(e) => (None, Some(e)),
        };
        TaskResult {
            task_id: spec.id.clone(),
            task_type: spec.task_type.clone(),
            index: spec.index,
            output,
            error,
            started_at,
            finished_at: SystemTime::now(),
        }
    }

    async fn execute_inner(
        &self,
        spec: &TaskSpec,
        (run_id, job_id): (i64, Option<i64>),
        max_task_duration: Option<Duration>,
        vars: &Vars,
        inputs: &[TaskInput],
    ) -> Result<Value, TaskError> {
        let kind = self
            .registry
            .get(&spec.task_type)
            .ok_or_else(|| TaskError::invalid("type", format!("unknown task type `{}`", spec.task_type)))?;
        let task = (kind.build)(spec, &self.deps)?;
        if !task.tolerates_input_errors() {
            if let Some(bad) = inputs.iter().find(|i| i.result.is_err()) {
                return Err(TaskError::UpstreamErrored { task: bad.task_id.clone() });
            }
        }
        let timeout = spec.timeout.or_else(|| {
            task.uses_default_timeout()
                .then(|| max_task_duration.filter(|d| !d.is_zero()).unwrap_or(self.deps.default_task_timeout))
        });
        let cx = TaskContext { run_id, job_id, spec, vars, inputs };
        let mut backoff = spec.min_backoff;
        let mut attempt = 0;
        loop {
            let outcome = match timeout {
                Some(limit) => tokio::time::timeout(limit, task.run(&cx))
                    .await
                    .unwrap_or_else(|_| Err(TaskError::Timeout { after_ms: limit.as_millis() as u64 })),
                None => task.run(&cx).await,
            };
            match outcome {
                Err(e) if e.is_retryable() && attempt < spec.retries => {
                    attempt += 1;
                    tracing::debug!(task = %spec.id, attempt, error = %e, "retrying task");
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2).min(spec.max_backoff.max(spec.min_backoff));
                }
                other => return other,
            }
        }
    }
}

fn pos_done(pipeline: &Pipeline, done: &[Option<TaskResult>], id: &str) -> bool {
    pipeline.position_of(id).is_some_and(|i| done[i].is_some())
}
