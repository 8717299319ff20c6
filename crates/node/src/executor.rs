//! Runs pipelines for persisted runs, persisting each task result as it
//! finishes, and resumes interrupted runs after a restart.
//!
//! A run is only ever executed from its database row: the services insert the
//! row first and then call [`RunExecutor::start`] with its id. Tasks whose
//! successful results were persisted before a crash are not executed again;
//! `ethtx` is keyed by run and task, so re-executing it after a crash returns
//! the transaction that was already enqueued instead of sending another.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use alloy::primitives::Address;
use async_trait::async_trait;
use linkpool_chain::{TxManager, TxRequest};
use linkpool_pipeline::{
    ChainReader, Deps, EthTxError, EthTxOutcome, EthTxRequest, EthTxSender, HttpClients, HttpLimits, ObserverError,
    RunContext, RunObserver, Runner, TaskResult, Value,
};
use linkpool_store::{RunRecord, RunStatus, Suspension, TaskRunRecord};
use parking_lot::Mutex;
use tokio_util::sync::CancellationToken;

use crate::{NodeState, Result};

/// Attempts at executing a run when the store fails under it.
const STORE_RETRIES: u32 = 4;

/// Executor settings, from the node config.
#[derive(Debug, Clone)]
pub struct ExecutorConfig {
    /// Task timeout when neither the task nor the job sets one.
    pub default_task_timeout: Duration,
    /// Gas limit of `ethtx` when neither the task nor the job sets one.
    pub default_gas_limit: u64,
    /// Whether `http` tasks may reach private and loopback addresses.
    pub allow_unrestricted_network_access: bool,
    /// Largest HTTP response body a task reads.
    pub max_http_body_bytes: usize,
}

/// Executes runs; one tokio task per run in flight.
pub struct RunExecutor {
    state: Arc<NodeState>,
    txm: Arc<TxManager>,
    config: ExecutorConfig,
    http: HttpClients,
    /// Read-only chain access of `ethcall` and `estimategaslimit`.
    chain: Arc<dyn ChainReader>,
    inflight: Mutex<HashMap<i64, CancellationToken>>,
    /// Set by [`Self::stop_all`]: a token cancelled then means "node stopping", not "run
    /// cancelled", and the run must stay `running` to resume at the next start.
    stopping: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for RunExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunExecutor").field("inflight", &self.inflight.lock().len()).finish_non_exhaustive()
    }
}

fn millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

impl RunExecutor {
    /// A new executor.
    pub fn new(
        state: Arc<NodeState>,
        txm: Arc<TxManager>,
        chain: Arc<dyn ChainReader>,
        config: ExecutorConfig,
    ) -> Arc<Self> {
        let http =
            HttpClients::new(&HttpLimits { max_body_bytes: config.max_http_body_bytes, ..HttpLimits::default() });
        Arc::new(Self {
            state,
            txm,
            chain,
            config,
            http,
            inflight: Mutex::new(HashMap::new()),
            stopping: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Restarts every run that was executing when the node stopped.
    pub async fn resume(self: &Arc<Self>) -> Result<()> {
        let runs = self.state.store.runs_with_status(&[RunStatus::Running]).await?;
        if !runs.is_empty() {
            tracing::info!(runs = runs.len(), "resuming interrupted runs");
        }
        for run in runs {
            self.start(run.id);
        }
        Ok(())
    }

    /// Cancels the in-process execution of every run without marking them:
    /// they stay `running` in the store and resume at the next start.
    pub fn stop_all(&self) {
        self.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        for (_, t) in self.inflight.lock().drain() {
            t.cancel();
        }
    }

    /// Number of runs executing now.
    pub fn inflight(&self) -> usize {
        self.inflight.lock().len()
    }

    /// Starts executing a persisted run, unless it is already executing.
    pub fn start(self: &Arc<Self>, run_id: i64) {
        self.start_seen(run_id, None);
    }

    /// Like [`Self::start`], for a run whose log was received at `seen`: the
    /// node's log → transaction latency is then recorded in its metrics.
    pub fn start_seen(self: &Arc<Self>, run_id: i64, seen: Option<Instant>) {
        self.spawn(run_id, None, seen);
    }

    /// Starts a run that was just inserted: no store reads before its first task.
    pub fn start_new(self: &Arc<Self>, run: RunRecord, seen: Instant) {
        self.spawn(run.id, Some(run), Some(seen));
    }

    fn spawn(self: &Arc<Self>, run_id: i64, fresh: Option<RunRecord>, seen: Option<Instant>) {
        let token = CancellationToken::new();
        {
            let mut inflight = self.inflight.lock();
            if inflight.contains_key(&run_id) {
                return;
            }
            inflight.insert(run_id, token.clone());
        }
        let this = self.clone();
        tokio::spawn(async move {
            let mut fresh = fresh;
            for attempt in 1..=STORE_RETRIES {
                match this.execute(run_id, fresh.take(), token.clone(), seen).await {
                    Ok(()) => break,
                    // A store error leaves the run as it was: try again from what is stored,
                    // and failing that, it resumes at the next start.
                    Err(e) if attempt < STORE_RETRIES && !token.is_cancelled() => {
                        tracing::warn!(run = run_id, attempt, error = %e, "run interrupted by a store error; retrying");
                        tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
                    }
                    Err(e) => tracing::error!(run = run_id, error = %e, "run execution failed; it resumes at restart"),
                }
            }
            this.inflight.lock().remove(&run_id);
        });
    }

    /// Cancels a run: an executing one stops at its next await point; a waiting
    /// one is marked cancelled at once.
    pub async fn cancel(&self, run_id: i64, reason: &str) -> Result<()> {
        let token = self.inflight.lock().get(&run_id).cloned();
        match token {
            Some(t) => t.cancel(),
            None => {
                self.state.store.finish_run(run_id, RunStatus::Cancelled, None, Some(reason.to_owned())).await?;
            }
        }
        tracing::info!(run = run_id, reason, "run cancelled");
        Ok(())
    }

    async fn execute(
        self: &Arc<Self>,
        run_id: i64,
        fresh: Option<RunRecord>,
        token: CancellationToken,
        seen: Option<Instant>,
    ) -> Result<()> {
        let mut fresh = fresh;
        loop {
            match self.execute_once(run_id, fresh.take(), token.clone(), seen).await? {
                Next::Done => return Ok(()),
                Next::RunAgain => continue,
            }
        }
    }

    async fn execute_once(
        self: &Arc<Self>,
        run_id: i64,
        fresh: Option<RunRecord>,
        token: CancellationToken,
        seen: Option<Instant>,
    ) -> Result<Next> {
        let store = &self.state.store;
        let is_fresh = fresh.is_some();
        let run = match fresh {
            Some(run) => run,
            None => match store.get_run(run_id).await? {
                Some(run) => run,
                None => return Ok(Next::Done),
            },
        };
        if matches!(run.status, RunStatus::Completed | RunStatus::Errored | RunStatus::Cancelled) {
            return Ok(Next::Done);
        }
        let Some(spec) = self.state.jobs.get(run.job_id) else {
            // The job was deleted; its runs are purged with it (NotFound once they are).
            match store.finish_run(run_id, RunStatus::Cancelled, None, Some("the job was deleted".into())).await {
                Ok(()) | Err(linkpool_store::Error::NotFound { .. }) => return Ok(Next::Done),
                Err(e) => return Err(e.into()),
            }
        };
        if run.status != RunStatus::Running {
            store.set_run_status(run_id, RunStatus::Running).await?;
        }
        let common = spec.common();
        let vars = match crate::run_vars::run_vars(&run, &spec) {
            Ok(v) => v,
            Err(msg) => {
                store.finish_run(run_id, RunStatus::Errored, None, Some(msg)).await?;
                return Ok(Next::Done);
            }
        };
        // Successful results of tasks that ran before a crash are reused; failed ones run again.
        // A run inserted a moment ago has none.
        let previous: HashMap<String, TaskResult> = if is_fresh {
            HashMap::new()
        } else {
            store
                .task_runs(run_id)
                .await?
                .into_iter()
                .filter(|t| t.finished_at.is_some())
                // An async adapter's error came through the resume route: asking again would
                // only suspend the run again.
                .filter(|t| t.error.is_none() || is_async_bridge(common.pipeline.task(&t.task_id)))
                .filter_map(|t| task_result_from_record(&t).map(|r| (t.task_id.clone(), r)))
                .collect()
        };

        let data_source_time = Arc::new(AtomicU64::new(0));
        let pending = Arc::new(PendingTaskRuns::default());
        let sender = Arc::new(NodeTxSender {
            pending: pending.clone(),
            state: self.state.clone(),
            seen,
            data_source_time: data_source_time.clone(),
            txm: self.txm.clone(),
            from: self.state.sender,
            default_gas_limit: common.gas_limit.unwrap_or(self.config.default_gas_limit),
            run_id,
        });
        let deps = Deps {
            http: self.http.clone(),
            http_limits: HttpLimits { max_body_bytes: self.config.max_http_body_bytes, ..HttpLimits::default() },
            allow_unrestricted_network_access: self.config.allow_unrestricted_network_access,
            tx_sender: Some(sender),
            default_task_timeout: self.config.default_task_timeout,
            chain: Some(self.chain.clone()),
            bridges: Some(self.state.bridges.clone()),
            resume_url_base: self.state.resume_url_base().map(str::to_owned),
        };
        let runner = Runner::new(deps);
        let observer = PersistingObserver { run_id, data_source_time, pending: pending.clone() };
        let ctx = RunContext { run_id, job_id: Some(run.job_id), vars, max_task_duration: common.max_task_duration };
        let result = tokio::select! {
            r = runner.run(&common.pipeline, ctx, previous, &observer) => r,
            _ = token.cancelled() => {
                // A node stopping leaves the run `running` (it resumes at the next start); only
                // a real cancel (job deleted, request cancelled, reorg) marks it.
                if !self.stopping.load(std::sync::atomic::Ordering::SeqCst) {
                    store.finish_run(run_id, RunStatus::Cancelled, None, Some("cancelled while running".into())).await?;
                }
                return Ok(Next::Done);
            }
        };
        if result.is_ok() {
            pending.flush(store).await?;
        }
        match result {
            Ok(res) if res.is_suspended() => {
                let now = millis(SystemTime::now());
                let waiting: Vec<TaskRunRecord> = res
                    .suspended
                    .iter()
                    .filter_map(|id| common.pipeline.task(id))
                    .map(|t| TaskRunRecord {
                        run_id,
                        task_id: t.id.clone(),
                        task_type: t.task_type.clone(),
                        index: i64::from(t.index),
                        output: None,
                        error: None,
                        started_at: now,
                        finished_at: None,
                    })
                    .collect();
                match store.suspend_run(run_id, &[], &waiting).await? {
                    Suspension::Suspended => {
                        tracing::info!(run = run_id, tasks = ?res.suspended, "run suspended: waiting for async adapters");
                    }
                    Suspension::AnswerWaiting => return Ok(Next::RunAgain),
                }
            }
            Ok(res) if res.has_fatal_errors() => {
                let msg = res.all_errors().map(|(task, e)| format!("{task}: {e}")).collect::<Vec<_>>().join("; ");
                tracing::warn!(run = run_id, error = %msg, "run errored");
                store.finish_run(run_id, RunStatus::Errored, None, Some(msg)).await?;
            }
            Ok(res) => {
                let outputs = serde_json::Value::Array(
                    res.outputs.iter().map(|o| o.as_ref().map_or(serde_json::Value::Null, Value::to_json)).collect(),
                );
                store.finish_run(run_id, RunStatus::Completed, Some(outputs), None).await?;
                tracing::info!(run = run_id, "run completed");
            }
            Err(e) => {
                // Persisting a task result failed: leave the run Running so it resumes.
                tracing::error!(run = run_id, error = %e, "run interrupted");
            }
        }
        Ok(Next::Done)
    }
}

/// True for a `bridge` task with `async=true`.
fn is_async_bridge(task: Option<&linkpool_pipeline::TaskSpec>) -> bool {
    task.is_some_and(linkpool_pipeline::bridge::is_async_bridge)
}

/// What to do once a run stops executing.
enum Next {
    /// Nothing: it finished, suspended, or will resume at the next start.
    Done,
    /// An async answer arrived while it was suspending: execute it again now.
    RunAgain,
}

fn task_result_from_record(t: &TaskRunRecord) -> Option<TaskResult> {
    let (output, error) = match (&t.error, &t.output) {
        (Some(e), _) => (None, Some(linkpool_pipeline::TaskError::Restored { message: e.clone() })),
        (None, Some(o)) => (Some(Value::from_json(o).ok()?), None),
        (None, None) => return None,
    };
    let at = |ms: i64| UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64);
    Some(TaskResult {
        task_id: t.task_id.clone(),
        task_type: t.task_type.clone(),
        index: t.index as i32,
        output,
        error,
        started_at: at(t.started_at),
        finished_at: at(t.finished_at.unwrap_or(t.started_at)),
    })
}

/// Task results not yet written. They are written in one transaction right
/// before a transaction is enqueued and when the run ends: nothing outside the
/// node happens in between (an `http` GET is repeated after a crash), and one
/// commit per run instead of one per task is what lets a node keep up with
/// hundreds of requests per second.
#[derive(Default)]
struct PendingTaskRuns(tokio::sync::Mutex<Vec<TaskRunRecord>>);

impl PendingTaskRuns {
    async fn flush(&self, store: &linkpool_store::Store) -> linkpool_store::Result<()> {
        let mut pending = self.0.lock().await;
        store.upsert_task_runs(&pending).await?;
        pending.clear();
        Ok(())
    }
}

/// Collects each task result for [`PendingTaskRuns`].
struct PersistingObserver {
    pending: Arc<PendingTaskRuns>,
    run_id: i64,
    /// Microseconds spent in data-source tasks, excluded from the node's latency.
    data_source_time: Arc<AtomicU64>,
}

#[async_trait]
impl RunObserver for PersistingObserver {
    async fn task_finished(&self, r: &TaskResult) -> std::result::Result<(), ObserverError> {
        if DATA_SOURCE_TASKS.contains(&r.task_type.as_str()) {
            let spent = r.finished_at.duration_since(r.started_at).unwrap_or_default();
            self.data_source_time.fetch_add(spent.as_micros() as u64, Ordering::Relaxed);
        }
        let record = TaskRunRecord {
            run_id: self.run_id,
            task_id: r.task_id.clone(),
            task_type: r.task_type.clone(),
            index: i64::from(r.index),
            output: r.output.as_ref().map(Value::to_json),
            error: r.error.as_ref().map(ToString::to_string),
            started_at: millis(r.started_at),
            finished_at: Some(millis(r.finished_at)),
        };
        self.pending.0.lock().await.push(record);
        Ok(())
    }
}

/// Task types whose time is the data source's, not the node's.
const DATA_SOURCE_TASKS: &[&str] = &["http", "bridge"];

/// `ethtx` → the transaction manager, idempotently.
struct NodeTxSender {
    pending: Arc<PendingTaskRuns>,
    state: Arc<NodeState>,
    seen: Option<Instant>,
    data_source_time: Arc<AtomicU64>,
    txm: Arc<TxManager>,
    from: Address,
    default_gas_limit: u64,
    run_id: i64,
}

#[async_trait]
impl EthTxSender for NodeTxSender {
    async fn send(&self, req: EthTxRequest) -> std::result::Result<EthTxOutcome, EthTxError> {
        if let Some(chain) = req.evm_chain_id.filter(|c| *c != self.state.chain_id) {
            return Err(EthTxError(format!(
                "evmChainID {chain} is not the chain this node serves ({})",
                self.state.chain_id
            )));
        }
        let tx = TxRequest {
            idempotency_key: req.idempotency_key,
            from: self.from,
            to: req.to,
            data: req.data,
            value: alloy::primitives::U256::ZERO,
            gas_limit: Some(req.gas_limit.unwrap_or(self.default_gas_limit)),
            run_id: Some(self.run_id),
        };
        // What led to this transaction is on disk before the transaction is.
        self.pending.flush(&self.state.store).await.map_err(|e| EthTxError(format!("persisting task results: {e}")))?;
        let id = self.txm.enqueue(tx).await.map_err(|e| EthTxError(e.to_string()))?;
        if let Some(seen) = self.seen {
            let sources = Duration::from_micros(self.data_source_time.load(Ordering::Relaxed));
            self.state.metrics.record_log_to_tx(seen.elapsed().saturating_sub(sources));
        }
        let outcome = self.txm.wait(id).await.map_err(|e| EthTxError(e.to_string()))?;
        // The task's `minConfirmations`: its block counts as the first.
        let final_block = outcome.block_number + req.min_confirmations.saturating_sub(1);
        while self.state.head() < final_block {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(EthTxOutcome {
            tx_hash: outcome.hash,
            block_number: Some(outcome.block_number),
            gas_used: Some(outcome.gas_used),
            reverted: outcome.reverted,
        })
    }
}
