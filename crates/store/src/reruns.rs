//! Re-running a failed run: a new run with the same job and inputs, linked to the original.
//!
//! The original is never touched: it keeps its error and task runs, and the new run records
//! `rerun_of = <original id>`. Each call of [`Store::insert_rerun`] creates one new run with the
//! idempotency key `rerun:<original>:<n>`, `n` = the original's reruns so far + 1, so two
//! concurrent calls can never both take the same `n`.
//!
//! Duplicates are refused unless asked for: while a rerun of a run is in flight or has completed,
//! another rerun of the same run is a [`Error::Conflict`] (a second fulfilment would only revert
//! on chain or pay twice for the same data); `force` lifts that guard. Only errored and cancelled
//! runs can be rerun at all.

use crate::{
    codec::now_millis,
    runs::{decode_all, RunRow, LIVE, RUN_COLUMNS},
    Error, Result, RunRecord, RunStatus, Store,
};

/// Attempts at taking a fresh `rerun:<id>:<n>` key when concurrent reruns race for it.
const KEY_ATTEMPTS: usize = 5;

impl RunStatus {
    /// Whether a run in this status may be rerun ([`Store::insert_rerun`]): errored or cancelled.
    pub fn is_rerunnable(self) -> bool {
        matches!(self, Self::Errored | Self::Cancelled)
    }
}

impl Store {
    /// Inserts a new run that re-executes run `id`: same job, same inputs and request id,
    /// status [`RunStatus::Running`], `rerun_of = id`, idempotency key `rerun:<id>:<n>`. The
    /// caller starts it (the node's executor runs every task again; nothing is reused).
    ///
    /// Errors: [`Error::NotFound`] if the run does not exist (or its job was deleted);
    /// [`Error::Conflict`] if it is not errored or cancelled, or, unless `force`, if one of its
    /// reruns is still in flight or has completed.
    pub async fn insert_rerun(&self, id: i64, force: bool) -> Result<RunRecord> {
        // One statement checks the original's status, its job and its other reruns, so a run
        // that completes (or a rerun that starts) in between cannot slip through.
        let insert = format!(
            "INSERT INTO runs (job_id, idempotency_key, status, inputs, request_id, created_at, rerun_of) \
             SELECT o.job_id, $2, $3, o.inputs, o.request_id, $4, o.id FROM runs o \
             WHERE o.id = $1 AND o.status IN ($5, $6) \
             AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = o.job_id AND j.deleted_at IS NULL) \
             AND ($7 OR NOT EXISTS (SELECT 1 FROM runs r WHERE r.rerun_of = o.id AND r.status NOT IN ($5, $6))) \
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING {RUN_COLUMNS}"
        );
        for _ in 0..KEY_ATTEMPTS {
            let previous: i64 =
                with_pool!(self, |p| sqlx::query_scalar("SELECT COUNT(*) FROM runs WHERE rerun_of = $1")
                    .bind(id)
                    .fetch_one(p)
                    .await)?;
            let key = format!("rerun:{id}:{}", previous + 1);
            let row: Option<RunRow> = with_pool!(self, |p| sqlx::query_as(&insert)
                .bind(id)
                .bind(&key)
                .bind(RunStatus::Running.as_str())
                .bind(now_millis())
                .bind(RunStatus::Errored.as_str())
                .bind(RunStatus::Cancelled.as_str())
                .bind(force)
                .fetch_optional(p)
                .await)
            .map_err(|e| Error::from_write(e, &format!("rerun of run {id}")))?;
            if let Some(row) = row {
                return row.try_into();
            }
            // Nothing inserted: say why, or retry if a concurrent rerun took the key.
            let original = self.get_run(id).await?.ok_or_else(|| Error::not_found(format!("run {id}")))?;
            if !original.status.is_rerunnable() {
                return Err(Error::conflict(format!(
                    "run {id} is {}: only errored or cancelled runs can be rerun",
                    original.status
                )));
            }
            if !force {
                if let Some(r) = self.reruns_of(id).await?.into_iter().rev().find(|r| !r.status.is_rerunnable()) {
                    return Err(Error::conflict(format!(
                        "run {id} was already rerun as run {} ({}); rerun that run if it fails, or force another rerun",
                        r.id, r.status
                    )));
                }
            }
        }
        Err(Error::conflict(format!("run {id}: concurrent reruns kept taking the same key; try again")))
    }

    /// The reruns of run `id` (runs with `rerun_of = id`), oldest first.
    pub async fn reruns_of(&self, id: i64) -> Result<Vec<RunRecord>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE rerun_of = $1 AND {LIVE} ORDER BY id");
        let rows: Vec<RunRow> = with_pool!(self, |p| sqlx::query_as(&sql).bind(id).fetch_all(p).await)?;
        decode_all(rows)
    }
}
