//! Pipeline runs: one per job execution, persisted before any side effect.

use crate::{
    codec::{json_from_text, json_to_text, now_millis, opt_json_from_text, placeholders, TextEnum},
    Error, Inserted, Result, Store,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Lifecycle of a pipeline run; stored as snake_case TEXT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Waiting for the request log to reach its confirmation depth (`ready_at_block`).
    PendingConfirmations,
    /// Tasks are executing.
    Running,
    /// Waiting on something external (e.g. an async bridge callback or a tx confirmation).
    Suspended,
    /// Finished successfully.
    Completed,
    /// Finished with an error.
    Errored,
    /// Cancelled (request cancelled on-chain, or its log reorged out).
    Cancelled,
}

impl TextEnum for RunStatus {
    const NAME: &'static str = "run status";
    const ALL: &'static [Self] =
        &[Self::PendingConfirmations, Self::Running, Self::Suspended, Self::Completed, Self::Errored, Self::Cancelled];

    fn as_str(self) -> &'static str {
        match self {
            Self::PendingConfirmations => "pending_confirmations",
            Self::Running => "running",
            Self::Suspended => "suspended",
            Self::Completed => "completed",
            Self::Errored => "errored",
            Self::Cancelled => "cancelled",
        }
    }
}

impl RunStatus {
    /// The stored text, e.g. `"pending_confirmations"`.
    pub fn as_str(self) -> &'static str {
        TextEnum::as_str(self)
    }

    /// Whether a run in this status is done for good (completed, errored or cancelled).
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Errored | Self::Cancelled)
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RunStatus {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::from_text(s).map_err(|_| Error::invalid(format!("unknown run status {s:?}")))
    }
}

/// A run to insert.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRun {
    /// The job this run belongs to.
    pub job_id: i64,
    /// Unique key making the insert idempotent (e.g. `"<job>/<tx hash>/<log index>"`).
    pub idempotency_key: String,
    /// Pipeline inputs (e.g. the decoded request log).
    pub inputs: Value,
    /// On-chain request id, for `CancelOracleRequest` handling.
    pub request_id: Option<String>,
    /// Block at which the request has enough confirmations.
    pub ready_at_block: Option<i64>,
    /// Initial status.
    pub status: RunStatus,
}

/// A stored run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    /// Database id; increases with insertion order (keyset-pagination cursor).
    pub id: i64,
    /// The job this run belongs to.
    pub job_id: i64,
    /// The run's idempotency key.
    pub idempotency_key: String,
    /// Current status.
    pub status: RunStatus,
    /// Pipeline inputs.
    pub inputs: Value,
    /// Pipeline outputs, once finished.
    pub outputs: Option<Value>,
    /// Error, if the run errored.
    pub error: Option<String>,
    /// On-chain request id.
    pub request_id: Option<String>,
    /// Block at which the request has enough confirmations.
    pub ready_at_block: Option<i64>,
    /// Creation time, unix millis.
    pub created_at: i64,
    /// Finish time, unix millis.
    pub finished_at: Option<i64>,
    /// The run this one re-executes ([`Store::insert_rerun`]); `None` for ordinary runs, and once
    /// the original is deleted.
    pub rerun_of: Option<i64>,
}

/// Which runs [`Store::list_runs`] returns: newest first, `limit` at most, ids below `before_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFilter {
    /// Only runs of this job.
    pub job_id: Option<i64>,
    /// Only runs in this status.
    pub status: Option<RunStatus>,
    /// Page size; must be at least 1.
    pub limit: i64,
    /// Keyset cursor: only runs with `id < before_id` (pass the last id of the previous page).
    pub before_id: Option<i64>,
}

impl Default for RunFilter {
    fn default() -> Self {
        Self { job_id: None, status: None, limit: 100, before_id: None }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RunRow {
    id: i64,
    job_id: i64,
    idempotency_key: String,
    status: String,
    inputs: String,
    outputs: Option<String>,
    error: Option<String>,
    request_id: Option<String>,
    ready_at_block: Option<i64>,
    created_at: i64,
    finished_at: Option<i64>,
    rerun_of: Option<i64>,
}

impl TryFrom<RunRow> for RunRecord {
    type Error = Error;

    fn try_from(row: RunRow) -> Result<Self> {
        let what = |field: &str| format!("run {} {field}", row.id);
        Ok(Self {
            id: row.id,
            job_id: row.job_id,
            status: RunStatus::from_text(&row.status)
                .map_err(|e| Error::corrupt(format!("{}: {e}", what("status"))))?,
            inputs: json_from_text(&row.inputs, &what("inputs"))?,
            outputs: opt_json_from_text(row.outputs.as_deref(), &what("outputs"))?,
            idempotency_key: row.idempotency_key,
            error: row.error,
            request_id: row.request_id,
            ready_at_block: row.ready_at_block,
            created_at: row.created_at,
            finished_at: row.finished_at,
            rerun_of: row.rerun_of,
        })
    }
}

pub(crate) const RUN_COLUMNS: &str = "id, job_id, idempotency_key, status, inputs, outputs, error, request_id, \
                                      ready_at_block, created_at, finished_at, rerun_of";

/// Runs of deleted jobs are invisible until purged.
pub(crate) const LIVE: &str = "EXISTS (SELECT 1 FROM jobs j WHERE j.id = runs.job_id AND j.deleted_at IS NULL)";

pub(crate) fn decode_all(rows: Vec<RunRow>) -> Result<Vec<RunRecord>> {
    rows.into_iter().map(RunRecord::try_from).collect()
}

impl Store {
    /// Inserts a run, idempotently on `idempotency_key`: a second call with the same key returns
    /// [`Inserted::Existing`] with the stored row, whatever else differs. Race-free: the UNIQUE
    /// constraint decides (`INSERT .. ON CONFLICT DO NOTHING`, then read the winner).
    /// [`Error::NotFound`] if the job does not exist (or is deleted).
    pub async fn insert_run(&self, run: &NewRun) -> Result<Inserted<RunRecord>> {
        // INSERT .. SELECT .. WHERE: the job must be live, checked in the same statement.
        let insert = format!(
            "INSERT INTO runs (job_id, idempotency_key, status, inputs, request_id, ready_at_block, created_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS \
             (SELECT 1 FROM jobs WHERE id = $1 AND deleted_at IS NULL) \
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING {RUN_COLUMNS}"
        );
        let select = format!("SELECT {RUN_COLUMNS} FROM runs WHERE idempotency_key = $1");
        let inputs = json_to_text(&run.inputs);
        // A conflicting run can belong to a deleted job, or be purged before we read it: retry.
        for _ in 0..3 {
            let row: Option<RunRow> = with_pool!(self, |p| sqlx::query_as(&insert)
                .bind(run.job_id)
                .bind(&run.idempotency_key)
                .bind(run.status.as_str())
                .bind(&inputs)
                .bind(&run.request_id)
                .bind(run.ready_at_block)
                .bind(now_millis())
                .fetch_optional(p)
                .await)
            .map_err(|e| Error::from_write(e, &format!("run for job {}", run.job_id)))?;
            if let Some(row) = row {
                return Ok(Inserted::New(row.try_into()?));
            }
            let existing: Option<RunRow> =
                with_pool!(self, |p| sqlx::query_as(&select).bind(&run.idempotency_key).fetch_optional(p).await)?;
            match existing {
                Some(row) if self.get_job(row.job_id).await?.is_some() => {
                    return Ok(Inserted::Existing(row.try_into()?));
                }
                // the key is held by a run of a deleted job: that run is garbage, free the key
                Some(row) => {
                    with_pool!(self, |p| sqlx::query("DELETE FROM runs WHERE id = $1")
                        .bind(row.id)
                        .execute(p)
                        .await
                        .map(|r| r.rows_affected()))?;
                }
                None if self.get_job(run.job_id).await?.is_none() => {
                    return Err(Error::not_found(format!("job {}", run.job_id)));
                }
                None => {}
            }
        }
        Err(Error::conflict(format!("run {:?} keeps being inserted and deleted concurrently", run.idempotency_key)))
    }

    /// [`Store::insert_run`] for many runs: the new ones are inserted in one
    /// transaction (one commit for a whole poll's worth of requests); runs whose
    /// key already exists take the single-run path. Results are in input order.
    pub async fn insert_runs(&self, runs: &[NewRun]) -> Result<Vec<Inserted<RunRecord>>> {
        let insert = format!(
            "INSERT INTO runs (job_id, idempotency_key, status, inputs, request_id, ready_at_block, created_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS \
             (SELECT 1 FROM jobs WHERE id = $1 AND deleted_at IS NULL) \
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING {RUN_COLUMNS}"
        );
        let inputs: Vec<String> = runs.iter().map(|r| json_to_text(&r.inputs)).collect();
        let now = now_millis();
        let rows: Vec<Option<RunRow>> = with_pool!(self, |p| async {
            let mut tx = p.begin().await?;
            let mut rows = Vec::with_capacity(runs.len());
            for (run, inputs) in runs.iter().zip(&inputs) {
                let row: Option<RunRow> = sqlx::query_as(&insert)
                    .bind(run.job_id)
                    .bind(&run.idempotency_key)
                    .bind(run.status.as_str())
                    .bind(inputs)
                    .bind(&run.request_id)
                    .bind(run.ready_at_block)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                rows.push(row);
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(rows)
        }
        .await)
        .map_err(|e| Error::from_write(e, "batch of runs"))?;
        let mut out = Vec::with_capacity(runs.len());
        for (run, row) in runs.iter().zip(rows) {
            out.push(match row {
                Some(row) => Inserted::New(row.try_into()?),
                None => self.insert_run(run).await?,
            });
        }
        Ok(out)
    }

    /// The run with id `id`.
    pub async fn get_run(&self, id: i64) -> Result<Option<RunRecord>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1 AND {LIVE}");
        let row: Option<RunRow> = with_pool!(self, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await)?;
        row.map(RunRecord::try_from).transpose()
    }

    /// Sets a run's status. [`Error::NotFound`] if the run does not exist.
    pub async fn set_run_status(&self, id: i64, status: RunStatus) -> Result<()> {
        let affected = with_pool!(self, |p| sqlx::query("UPDATE runs SET status = $2 WHERE id = $1")
            .bind(id)
            .bind(status.as_str())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        if affected == 0 {
            return Err(Error::not_found(format!("run {id}")));
        }
        Ok(())
    }

    /// Finishes a run: terminal `status` (else [`Error::Invalid`]), outputs, error, `finished_at = now`.
    /// [`Error::NotFound`] if the run does not exist.
    pub async fn finish_run(
        &self,
        id: i64,
        status: RunStatus,
        outputs: Option<Value>,
        error: Option<String>,
    ) -> Result<()> {
        if !status.is_terminal() {
            return Err(Error::invalid(format!("finish_run({id}) with non-terminal status {status}")));
        }
        let outputs = outputs.as_ref().map(json_to_text);
        let affected = with_pool!(self, |p| {
            sqlx::query("UPDATE runs SET status = $2, outputs = $3, error = $4, finished_at = $5 WHERE id = $1")
                .bind(id)
                .bind(status.as_str())
                .bind(&outputs)
                .bind(&error)
                .bind(now_millis())
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })?;
        if affected == 0 {
            return Err(Error::not_found(format!("run {id}")));
        }
        Ok(())
    }

    /// One page of runs, newest first (keyset pagination on id). [`Error::Invalid`] if `limit < 1`.
    pub async fn list_runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>> {
        if filter.limit < 1 {
            return Err(Error::invalid(format!("run page limit must be at least 1, got {}", filter.limit)));
        }
        let mut conditions = vec![LIVE.to_owned()];
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if filter.job_id.is_some() {
            conditions.push(format!("job_id = ${}", next()));
        }
        if filter.status.is_some() {
            conditions.push(format!("status = ${}", next()));
        }
        if filter.before_id.is_some() {
            conditions.push(format!("id < ${}", next()));
        }
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE {} ORDER BY id DESC LIMIT ${}",
            conditions.join(" AND "),
            next()
        );
        let rows: Vec<RunRow> = with_pool!(self, |p| {
            let mut query = sqlx::query_as(&sql);
            if let Some(job_id) = filter.job_id {
                query = query.bind(job_id);
            }
            if let Some(status) = filter.status {
                query = query.bind(status.as_str());
            }
            if let Some(before_id) = filter.before_id {
                query = query.bind(before_id);
            }
            query.bind(filter.limit).fetch_all(p).await
        })?;
        decode_all(rows)
    }

    /// Every run in any of `statuses`, oldest first (resuming after a restart).
    pub async fn runs_with_status(&self, statuses: &[RunStatus]) -> Result<Vec<RunRecord>> {
        if statuses.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE status IN ({}) AND {LIVE} ORDER BY id",
            placeholders(1, statuses.len())
        );
        let rows: Vec<RunRow> = with_pool!(self, |p| {
            let mut query = sqlx::query_as(&sql);
            for status in statuses {
                query = query.bind(status.as_str());
            }
            query.fetch_all(p).await
        })?;
        decode_all(rows)
    }

    /// Every run for an on-chain request id, oldest first.
    pub async fn runs_by_request_id(&self, request_id: &str) -> Result<Vec<RunRecord>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE request_id = $1 AND {LIVE} ORDER BY id");
        let rows: Vec<RunRow> = with_pool!(self, |p| sqlx::query_as(&sql).bind(request_id).fetch_all(p).await)?;
        decode_all(rows)
    }

    /// `PendingConfirmations` runs with `ready_at_block <= block`, by ready block then id.
    pub async fn runs_ready_at(&self, block: i64) -> Result<Vec<RunRecord>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE status = $1 AND ready_at_block <= $2 AND {LIVE} \
             ORDER BY ready_at_block, id"
        );
        let rows: Vec<RunRow> = with_pool!(self, |p| sqlx::query_as(&sql)
            .bind(RunStatus::PendingConfirmations.as_str())
            .bind(block)
            .fetch_all(p)
            .await)?;
        decode_all(rows)
    }
}
