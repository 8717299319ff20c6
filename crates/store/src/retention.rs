//! Retention: bounding the runs table (the reference node's `pipeline_runs` grows forever).
//!
//! [`Store::prune_runs`] keeps, per live job, the newest [`RetentionPolicy::keep_completed_per_job`]
//! completed runs (newest by id, i.e. by insertion) and deletes the older completed ones with
//! their task runs (`ON DELETE CASCADE`; their transactions stay, detached). Runs in any other
//! status are never deleted:
//!
//! - **errored** runs are what an operator investigates and reruns;
//! - **cancelled** runs are kept too: they explain why a request got no answer (cancelled on
//!   chain, reorged out, or stopped by a deleted job) and can be rerun; they are rare, since a
//!   requester pays gas to cancel;
//! - pending, running and suspended runs are live work.
//!
//! Deletion goes in batches of [`RetentionPolicy::batch_size`] runs, one short autocommit
//! statement each, yielding between batches: on SQLite (one writer at a time) the node's own
//! writes queue behind one batch at most, never behind the whole pass.

use std::time::{Duration, Instant};

use crate::{Result, RunStatus, Store};

/// How [`Store::prune_runs`] trims the runs table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Completed runs kept per job, the newest ones; `0` keeps every run (no pruning).
    pub keep_completed_per_job: u64,
    /// Runs deleted per statement (each its own short transaction); at least 1.
    pub batch_size: u32,
}

impl Default for RetentionPolicy {
    /// Keep 1,000 completed runs per job; delete 500 runs per statement.
    fn default() -> Self {
        Self { keep_completed_per_job: 1_000, batch_size: 500 }
    }
}

/// What one [`Store::prune_runs`] pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Jobs that had runs deleted.
    pub jobs_pruned: u64,
    /// Runs deleted (their task runs went with them).
    pub runs_deleted: u64,
    /// Delete statements that removed at least one run.
    pub batches: u64,
    /// The longest of those statements: how long another writer could have waited behind one.
    pub longest_batch: Duration,
    /// Whether `should_stop` ended the pass early.
    pub stopped: bool,
}

impl Store {
    /// One retention pass over every live job: completed runs beyond the newest
    /// `keep_completed_per_job` of each job are deleted, oldest first; runs in other statuses stay. `should_stop` is
    /// checked before each batch, so a shutdown interrupts a long pass between two statements;
    /// what is left is deleted by the next pass. `keep_completed_per_job == 0` does nothing.
    pub async fn prune_runs(
        &self,
        policy: &RetentionPolicy,
        should_stop: impl Fn() -> bool,
    ) -> Result<RetentionReport> {
        let mut report = RetentionReport::default();
        if policy.keep_completed_per_job == 0 {
            return Ok(report);
        }
        let jobs: Vec<i64> =
            with_pool!(self, |p| sqlx::query_scalar("SELECT id FROM jobs WHERE deleted_at IS NULL ORDER BY id")
                .fetch_all(p)
                .await)?;
        for job_id in jobs {
            let mut pruned = false;
            // Each batch starts after the last id the previous one deleted: on PostgreSQL the
            // deleted rows stay in the index until vacuumed, and rescanning them from the start
            // made every batch slower than the one before.
            let mut after_id = 0;
            loop {
                if should_stop() {
                    report.stopped = true;
                    return Ok(report);
                }
                let started = Instant::now();
                let deleted = self.prune_batch(job_id, policy, after_id).await?;
                let Some(&last) = deleted.iter().max() else { break };
                after_id = last;
                report.longest_batch = report.longest_batch.max(started.elapsed());
                report.runs_deleted += deleted.len() as u64;
                report.batches += 1;
                pruned = true;
                // let the node's other writers take the lock between batches
                tokio::task::yield_now().await;
            }
            if pruned {
                report.jobs_pruned += 1;
            }
        }
        Ok(report)
    }

    /// Deletes up to `policy.batch_size` of the oldest completed runs of `job_id` beyond its newest
    /// `policy.keep_completed_per_job`, in one statement. Returns how many it deleted (0 when the
    /// job is within the policy, or when `keep_completed_per_job == 0`).
    pub async fn prune_job_runs_batch(&self, job_id: i64, policy: &RetentionPolicy) -> Result<u64> {
        Ok(self.prune_batch(job_id, policy, 0).await?.len() as u64)
    }

    /// [`Store::prune_job_runs_batch`] among runs with `id > after_id`; the ids it deleted.
    async fn prune_batch(&self, job_id: i64, policy: &RetentionPolicy, after_id: i64) -> Result<Vec<i64>> {
        if policy.keep_completed_per_job == 0 {
            return Ok(Vec::new());
        }
        let keep = i64::try_from(policy.keep_completed_per_job).unwrap_or(i64::MAX);
        let batch = i64::from(policy.batch_size.max(1));
        // The cutoff is the newest completed run beyond the `keep` newest (NULL if there are not
        // that many, and then nothing matches). Both lookups walk the (job_id, status, id) index.
        let sql = "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE job_id = $1 AND status = $2 AND id > $5 \
                   AND id <= (SELECT id FROM runs WHERE job_id = $1 AND status = $2 ORDER BY id DESC LIMIT 1 OFFSET $3) \
                   ORDER BY id LIMIT $4) RETURNING id";
        let deleted: Vec<i64> = with_pool!(self, |p| sqlx::query_scalar(sql)
            .bind(job_id)
            .bind(RunStatus::Completed.as_str())
            .bind(keep)
            .bind(batch)
            .bind(after_id)
            .fetch_all(p)
            .await)?;
        Ok(deleted)
    }
}

impl Store {
    /// Refreshes PostgreSQL's planner statistics of the runs tables (`ANALYZE`), as autovacuum
    /// does within a minute or so of a bulk change. Until then, right after a bulk load, the
    /// planner may pick a slow plan for run listings (a benchmark measured 37 ms instead of
    /// 0.1 ms for a page of errored runs). A no-op on SQLite, whose planner needs no statistics
    /// for these queries.
    pub async fn analyze(&self) -> Result<()> {
        if let crate::DbPool::Postgres(p) = self.pool() {
            sqlx::query("ANALYZE jobs, runs, task_runs").execute(p).await?;
        }
        Ok(())
    }
}
