//! The direct-request service: answers `OracleRequest` logs of Operator contracts.
//!
//! It owns a log poller over the Operators named by the node's `directrequest`
//! jobs (topic0 ∈ {OracleRequest, CancelOracleRequest}) and reacts to its
//! events in chain order:
//!
//! - **OracleRequest**: topic1 (the `specId`) is matched against both
//!   encodings of every job's `externalJobID`. The request must come from an
//!   allowed requester and pay at least `minContractPaymentLinkJuels`. A run is
//!   then persisted, keyed by `(block hash, log index)`, in
//!   `pending_confirmations` with the block at which it becomes ready
//!   (`minIncomingConfirmations`). Nothing else happens before that insert.
//! - **Head**: runs whose ready block has been reached are started.
//! - **CancelOracleRequest**: runs of that request that have not finished are
//!   cancelled.
//! - **Reorg**: unfinished runs whose log was in a replaced block are
//!   cancelled; the poller re-delivers the logs of the new chain, which get
//!   runs of their own (their block hash differs).
//!
//! The poller's cursor only moves past a block once the events before it have
//! been handled (its checkpoint is acknowledged after the inserts), so a crash
//! never loses a request, and the idempotent insert never duplicates one.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, B256},
    rpc::types::Log,
    sol_types::SolEvent,
};
use linkpool_bindings::IOperator::{CancelOracleRequest, OracleRequest};
use linkpool_chain::{ChainClient, LogFilter, LogPoller, LogPollerConfig, PollerEvent};
use linkpool_job::{DirectRequestSpec, JobSpec};
use linkpool_store::{Inserted, NewRun, RunStatus};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::{executor::RunExecutor, NodeState, Result};

/// Most events handled as one batch.
const MAX_BATCH: usize = 512;

/// A job as the service matches it.
#[derive(Debug, Clone)]
struct ActiveJob {
    id: i64,
    spec: DirectRequestSpec,
}

/// Jobs by `(operator address, specId)`; both specId encodings are keys.
#[derive(Debug, Default)]
struct JobIndex {
    by_spec_id: HashMap<(Address, B256), ActiveJob>,
    filter: LogFilter,
}

impl JobIndex {
    fn build(state: &NodeState) -> Self {
        let mut by_spec_id = HashMap::new();
        let mut addresses = Vec::new();
        for (id, spec) in state.jobs.snapshot() {
            let JobSpec::DirectRequest(dr) = spec.as_ref() else { continue };
            for spec_id in dr.spec_ids() {
                by_spec_id.insert((dr.contract_address, spec_id), ActiveJob { id, spec: dr.clone() });
            }
            if !addresses.contains(&dr.contract_address) {
                addresses.push(dr.contract_address);
            }
        }
        addresses.sort();
        let filter = LogFilter {
            addresses,
            topic0: vec![OracleRequest::SIGNATURE_HASH, CancelOracleRequest::SIGNATURE_HASH],
            topic1: Vec::new(),
        };
        Self { by_spec_id, filter }
    }
}

/// Settings of the service, from the node config.
#[derive(Debug, Clone)]
pub struct DirectRequestConfig {
    /// Log poll interval.
    pub poll_interval: Duration,
    /// First block to scan when there is no cursor yet.
    pub start_block: Option<u64>,
}

/// The running service.
pub struct DirectRequestService {
    state: Arc<NodeState>,
    client: ChainClient,
    executor: Arc<RunExecutor>,
    config: DirectRequestConfig,
}

impl DirectRequestService {
    /// Creates the service; [`Self::run`] drives it.
    pub fn new(
        state: Arc<NodeState>,
        client: ChainClient,
        executor: Arc<RunExecutor>,
        config: DirectRequestConfig,
    ) -> Self {
        Self { state, client, executor, config }
    }

    /// Runs until `shutdown` fires. The poller is rebuilt whenever the set of
    /// jobs changes; its persisted cursor makes that lossless.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        let mut jobs_changed = self.state.jobs.subscribe();
        loop {
            jobs_changed.borrow_and_update();
            let index = JobIndex::build(&self.state);
            if index.filter.is_empty() {
                tracing::debug!("no directrequest jobs; waiting for one");
                tokio::select! {
                    _ = shutdown.cancelled() => return Ok(()),
                    r = jobs_changed.changed() => { if r.is_err() { return Ok(()) } continue }
                }
            }
            let mut cfg = LogPollerConfig::new("directrequest", index.filter.clone());
            cfg.poll_interval = self.config.poll_interval;
            cfg.start_block = self.config.start_block;
            let (poller, mut events) = LogPoller::new(self.client.clone(), self.state.store.clone(), cfg).spawn()?;
            tracing::info!(operators = index.filter.addresses.len(), "watching OracleRequest logs");
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => { poller.shutdown().await; return Ok(()) }
                    r = jobs_changed.changed() => {
                        poller.shutdown().await;
                        if r.is_err() { return Ok(()) }
                        break;
                    }
                    ev = events.recv() => match ev {
                        Some(ev) => {
                            // Drain what is already queued, so a burst of requests is
                            // inserted in one transaction.
                            let mut batch = vec![ev];
                            while batch.len() < MAX_BATCH {
                                match events.try_recv() {
                                    Ok(ev) => batch.push(ev),
                                    Err(_) => break,
                                }
                            }
                            if let Err(unhandled) = self.handle_batch(&index, batch).await {
                                // Stop the poller before the unhandled checkpoints are dropped
                                // (dropping one acknowledges it): the cursor stays before the
                                // failed events and the new poller delivers them again.
                                poller.shutdown().await;
                                drop(unhandled);
                                tokio::time::sleep(Duration::from_secs(1)).await;
                                break;
                            }
                        }
                        None => {
                            tracing::warn!("log poller stopped; restarting it");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            break;
                        }
                    }
                }
            }
        }
    }

    /// Handles events in order; consecutive `OracleRequest` logs become one insert.
    /// On a store failure, returns the events not handled yet.
    async fn handle_batch(
        &self,
        index: &JobIndex,
        events: Vec<PollerEvent>,
    ) -> std::result::Result<(), Vec<PollerEvent>> {
        let mut requests: Vec<(NewRun, Instant)> = Vec::new();
        let mut events = events.into_iter();
        while let Some(ev) = events.next() {
            if let PollerEvent::Log(log) = &ev {
                if log.topic0() == Some(&OracleRequest::SIGNATURE_HASH) {
                    if let Some(new) = self.prepare_request(index, log) {
                        requests.push((new, Instant::now()));
                    }
                    continue;
                }
            }
            let failed = match self.insert_requests(std::mem::take(&mut requests)).await {
                Ok(()) => self.handle(index, ev).await.err(),
                Err(e) => Some(e),
            };
            if let Some(e) = failed {
                tracing::error!(error = %e, "direct-request events failed; re-reading them from the cursor");
                return Err(events.collect());
            }
        }
        self.insert_requests(requests).await.map_err(|e| {
            tracing::error!(error = %e, "persisting requests failed; re-reading them from the cursor");
            Vec::new()
        })
    }

    /// Persists the runs of a batch of requests, then starts the ready ones.
    async fn insert_requests(&self, requests: Vec<(NewRun, Instant)>) -> Result<()> {
        if requests.is_empty() {
            return Ok(());
        }
        let (runs, seen): (Vec<NewRun>, Vec<Instant>) = requests.into_iter().unzip();
        let inserted = self.state.store.insert_runs(&runs).await?;
        for ((new, run), seen) in runs.iter().zip(inserted).zip(seen) {
            match run {
                Inserted::New(run) => {
                    tracing::debug!(run = run.id, job = run.job_id, request_id = ?run.request_id, "request received");
                    if new.status == RunStatus::Running {
                        self.executor.start_new(run, seen);
                    }
                }
                Inserted::Existing(run) => {
                    tracing::debug!(run = run.id, "request already has a run (re-delivered log)");
                }
            }
        }
        Ok(())
    }

    async fn handle(&self, index: &JobIndex, ev: PollerEvent) -> Result<()> {
        match ev {
            PollerEvent::Head(n) => {
                self.state.set_head(n);
                self.start_ready(n).await
            }
            PollerEvent::Log(log) => self.on_log(index, log).await,
            PollerEvent::Reorg { from_block } => self.on_reorg(from_block).await,
            PollerEvent::Checkpoint(c) => {
                c.ack();
                Ok(())
            }
        }
    }

    async fn on_log(&self, _index: &JobIndex, log: Log) -> Result<()> {
        if log.topic0() == Some(&CancelOracleRequest::SIGNATURE_HASH) {
            return self.on_cancel(&log).await;
        }
        Ok(())
    }

    /// Matches an `OracleRequest` log to a job and checks it; the run to persist, if any.
    fn prepare_request(&self, index: &JobIndex, log: &Log) -> Option<NewRun> {
        let spec_id = log.topics().get(1).copied()?;
        let Some(job) = index.by_spec_id.get(&(log.address(), spec_id)) else {
            tracing::debug!(%spec_id, operator = %log.address(), "OracleRequest for no job of ours");
            return None;
        };
        let req = match OracleRequest::decode_log_data(log.data()) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, tx = ?log.transaction_hash, "undecodable OracleRequest log; ignored");
                return None;
            }
        };
        if !job.spec.allows_requester(req.requester) {
            tracing::warn!(job = job.id, requester = %req.requester, "requester not in the job's allowlist; ignored");
            return None;
        }
        if req.payment < job.spec.min_contract_payment_link_juels {
            tracing::warn!(
                job = job.id, payment = %req.payment, min = %job.spec.min_contract_payment_link_juels,
                "request pays less than minContractPaymentLinkJuels; ignored"
            );
            return None;
        }
        let block_number = log.block_number.unwrap_or_default();
        let block_hash = log.block_hash.unwrap_or_default();
        let log_index = log.log_index.unwrap_or_default();
        // A block with the log counts as its first confirmation.
        let confirmations = job.spec.min_incoming_confirmations.max(1);
        let ready_at = block_number + confirmations - 1;
        let inputs = json!({
            "externalJobID": job.spec.common.external_job_id,
            "jobName": job.spec.common.name,
            "logAddress": log.address(),
            "logTopics": log.topics(),
            "logData": log.data().data,
            "blockHash": block_hash,
            "blockNumber": block_number,
            "logIndex": log_index,
            "txHash": log.transaction_hash.unwrap_or_default(),
            "requestId": req.requestId,
            "requester": req.requester,
            "payment": req.payment.to_string(),
        });
        // A request that is already confirmed goes straight to running (one write fewer).
        let ready = self.state.head() >= ready_at;
        Some(NewRun {
            job_id: job.id,
            idempotency_key: format!("log:{block_hash}:{log_index}"),
            inputs,
            request_id: Some(req.requestId.to_string()),
            ready_at_block: Some(ready_at as i64),
            status: if ready { RunStatus::Running } else { RunStatus::PendingConfirmations },
        })
    }

    async fn on_cancel(&self, log: &Log) -> Result<()> {
        let Some(request_id) = log.topics().get(1) else { return Ok(()) };
        for run in self.state.store.runs_by_request_id(&request_id.to_string()).await? {
            if matches!(run.status, RunStatus::PendingConfirmations | RunStatus::Running) {
                self.executor.cancel(run.id, "the requester cancelled the request (CancelOracleRequest)").await?;
            }
        }
        Ok(())
    }

    async fn on_reorg(&self, from_block: u64) -> Result<()> {
        tracing::warn!(from_block, "chain reorganisation");
        let open = self.state.store.runs_with_status(&[RunStatus::PendingConfirmations, RunStatus::Running]).await?;
        for run in open {
            // Runs of other job types (cron, webhook) have no log block.
            let Some(block) = run.inputs["blockNumber"].as_u64() else { continue };
            if block >= from_block {
                self.executor.cancel(run.id, "the request's block was reorganised away").await?;
            }
        }
        Ok(())
    }

    async fn start_ready(&self, head: u64) -> Result<()> {
        for run in self.state.store.runs_ready_at(head as i64).await? {
            self.executor.start(run.id);
        }
        Ok(())
    }
}
