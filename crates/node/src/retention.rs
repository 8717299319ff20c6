//! Run retention: a background task that keeps the runs table bounded.
//!
//! Every `[runs] retention_interval` (and once at start), it deletes each job's completed runs
//! beyond the newest `[runs] keep_successful_per_job`, through
//! [`Store::prune_runs`](linkpool_store::Store::prune_runs): 500 runs per statement, yielding
//! between statements, so the node's own writes never wait behind more than one short batch.
//! Errored and cancelled runs are never deleted (they are what operators investigate and rerun).
//! Shutdown interrupts a pass between two batches; the next start finishes it.

use std::time::Duration;

use linkpool_store::{RetentionPolicy, Store};
use tokio_util::sync::CancellationToken;

use crate::RunsConfig;

/// Runs deleted per statement.
const BATCH_SIZE: u32 = 500;

/// The retention task's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunRetention {
    /// What a pass deletes.
    pub policy: RetentionPolicy,
    /// Time between two passes.
    pub interval: Duration,
}

impl RunRetention {
    /// The task `config` asks for; `None` when it keeps every run (`keep_successful_per_job = 0`).
    pub fn from_config(config: &RunsConfig) -> Option<Self> {
        (config.keep_successful_per_job > 0).then_some(Self {
            policy: RetentionPolicy { keep_completed_per_job: config.keep_successful_per_job, batch_size: BATCH_SIZE },
            // a zero interval would spin
            interval: config.retention_interval.max(Duration::from_secs(1)),
        })
    }

    /// Runs passes until `shutdown` is cancelled; a failed pass is logged and retried at the
    /// next interval. Returns only on shutdown.
    pub async fn run(self, store: Store, shutdown: CancellationToken) {
        tracing::info!(
            keep_completed_per_job = self.policy.keep_completed_per_job,
            interval = ?self.interval,
            "run retention started"
        );
        loop {
            match store.prune_runs(&self.policy, || shutdown.is_cancelled()).await {
                Ok(r) if r.runs_deleted > 0 => tracing::info!(
                    runs = r.runs_deleted,
                    jobs = r.jobs_pruned,
                    batches = r.batches,
                    longest_batch = ?r.longest_batch,
                    "retention deleted old completed runs"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "run retention pass failed; retried at the next interval"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(self.interval) => {}
            }
        }
    }
}
