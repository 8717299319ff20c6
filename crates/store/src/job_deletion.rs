//! Deleting jobs: hide at once, purge in small batches.
//!
//! A job can own 100k+ runs. Removing them in one cascading statement takes seconds and, on
//! SQLite, holds the single write lock all that time, stalling every other writer of the node.
//! So [`Store::delete_job`] only marks the job deleted (one row; its runs vanish from every read
//! at once) and [`Store::purge_deleted_jobs`] deletes the runs in batches, each a short write
//! transaction; the schema's `ON DELETE CASCADE` removes their task runs (and detaches their txs).

use crate::{codec::now_millis, Result, Store};
use tracing::{debug, warn};

/// Runs deleted per purge statement, as in retention: small enough to keep each write lock short
/// (with 8 task runs per run, the node's other writes waited tens of milliseconds at most behind
/// one batch on SQLite: `linkpool bench runs`, BENCHMARKS.md).
const PURGE_BATCH: i64 = 500;

impl Store {
    /// Deletes a job: at once, the job and its runs and task runs disappear from every read and
    /// its external id can be reused; then (in a spawned task, when called inside a tokio runtime)
    /// [`Store::purge_deleted_jobs`] removes the rows. Transactions keep their record, with
    /// `run_id` set to NULL. Returns whether the job existed.
    pub async fn delete_job(&self, id: i64) -> Result<bool> {
        let affected =
            with_pool!(self, |p| sqlx::query("UPDATE jobs SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL")
                .bind(id)
                .bind(now_millis())
                .execute(p)
                .await
                .map(|r| r.rows_affected()))?;
        if affected == 0 {
            return Ok(false);
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let store = self.clone();
            runtime.spawn(async move {
                if let Err(e) = store.purge_deleted_jobs().await {
                    warn!(job_id = id, error = %e, "purging deleted job failed; it is retried by the next purge");
                }
            });
        }
        Ok(true)
    }

    /// Physically removes deleted jobs with their runs and task runs, in short batches.
    /// Returns the number of runs removed. Safe to call any time (e.g. at startup, to finish a
    /// purge a restart interrupted); concurrent calls run one after the other.
    pub async fn purge_deleted_jobs(&self) -> Result<u64> {
        let _guard = self.purge_lock.lock().await;
        let jobs: Vec<i64> =
            with_pool!(self, |p| sqlx::query_scalar("SELECT id FROM jobs WHERE deleted_at IS NOT NULL ORDER BY id")
                .fetch_all(p)
                .await)?;
        let mut purged = 0;
        for job_id in jobs {
            // Each batch starts after the last id the previous one deleted: on PostgreSQL deleted
            // rows stay in the index until vacuumed, and rescanning them slowed every batch down.
            let mut after_id = 0;
            loop {
                let deleted: Vec<i64> = with_pool!(self, |p| {
                    sqlx::query_scalar(
                        "DELETE FROM runs WHERE id IN \
                         (SELECT id FROM runs WHERE job_id = $1 AND id > $3 ORDER BY id LIMIT $2) RETURNING id",
                    )
                    .bind(job_id)
                    .bind(PURGE_BATCH)
                    .bind(after_id)
                    .fetch_all(p)
                    .await
                })?;
                let Some(&last) = deleted.iter().max() else { break };
                after_id = last;
                purged += deleted.len() as u64;
                // let other writers take the lock between batches
                tokio::task::yield_now().await;
            }
            // no runs left to cascade over (insert_run refuses deleted jobs)
            with_pool!(self, |p| sqlx::query("DELETE FROM jobs WHERE id = $1 AND deleted_at IS NOT NULL")
                .bind(job_id)
                .execute(p)
                .await
                .map(|r| r.rows_affected()))?;
            debug!(job_id, runs = purged, "purged deleted job");
        }
        Ok(purged)
    }
}
