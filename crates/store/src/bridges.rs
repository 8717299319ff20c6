//! Bridges (external adapters), their tasks' last good answers, and the suspension and
//! resumption of runs waiting on an asynchronous adapter.

use serde_json::Value;

use crate::{
    codec::{json_to_text, now_millis, opt_json_from_text},
    Error, Result, RunStatus, Store, TaskRunRecord,
};

/// A bridge to insert or replace.
#[derive(Clone, Debug, PartialEq)]
pub struct NewBridge {
    /// The name tasks use; stored lower case.
    pub name: String,
    /// Where requests are POSTed.
    pub url: String,
    /// Sent to the adapter as a bearer token.
    pub outgoing_token: String,
    /// keccak256 (0x hex) of the token the adapter presents when it resumes a run.
    pub incoming_token_hash: String,
    /// JSON Schema of request bodies.
    pub input_schema: Option<Value>,
    /// JSON Schema of response bodies.
    pub output_schema: Option<Value>,
}

/// A stored bridge.
#[derive(Clone, Debug, PartialEq)]
pub struct BridgeRecord {
    /// The name (lower case).
    pub name: String,
    /// Where requests are POSTed.
    pub url: String,
    /// Sent to the adapter as a bearer token.
    pub outgoing_token: String,
    /// keccak256 (0x hex) of the adapter's incoming token.
    pub incoming_token_hash: String,
    /// JSON Schema of request bodies.
    pub input_schema: Option<Value>,
    /// JSON Schema of response bodies.
    pub output_schema: Option<Value>,
    /// Creation time, unix millis.
    pub created_at: i64,
    /// Last change, unix millis.
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct BridgeRow {
    name: String,
    url: String,
    outgoing_token: String,
    incoming_token_hash: String,
    input_schema: Option<String>,
    output_schema: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<BridgeRow> for BridgeRecord {
    type Error = Error;

    fn try_from(r: BridgeRow) -> Result<Self> {
        Ok(Self {
            input_schema: opt_json_from_text(r.input_schema.as_deref(), &format!("bridge {} input schema", r.name))?,
            output_schema: opt_json_from_text(r.output_schema.as_deref(), &format!("bridge {} output schema", r.name))?,
            name: r.name,
            url: r.url,
            outgoing_token: r.outgoing_token,
            incoming_token_hash: r.incoming_token_hash,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const BRIDGE_COLUMNS: &str =
    "name, url, outgoing_token, incoming_token_hash, input_schema, output_schema, created_at, updated_at";

/// A task's last successful adapter answer (`cacheTTL`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BridgeAnswer {
    /// The response body.
    pub body: String,
    /// When it was received, unix millis.
    pub received_at: i64,
}

/// What [`Store::resume_task`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resumed {
    /// The run was suspended and is now `running` again: the caller restarts it.
    Restart,
    /// The run had not been suspended yet (the answer came back before the run paused):
    /// it picks the answer up by itself.
    Recorded,
}

/// What [`Store::suspend_run`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suspension {
    /// The run is `suspended`.
    Suspended,
    /// An answer arrived while the run was pausing: run it again now.
    AnswerWaiting,
}

impl Store {
    /// Inserts a bridge, or replaces the one of the same name (keeping its `created_at`).
    /// Returns the stored record.
    pub async fn upsert_bridge(&self, b: &NewBridge) -> Result<BridgeRecord> {
        let name = b.name.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err(Error::invalid("bridge name is empty"));
        }
        let now = now_millis();
        let sql = format!(
            "INSERT INTO bridges ({BRIDGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             ON CONFLICT (name) DO UPDATE SET url = excluded.url, outgoing_token = excluded.outgoing_token, \
             incoming_token_hash = excluded.incoming_token_hash, input_schema = excluded.input_schema, \
             output_schema = excluded.output_schema, updated_at = excluded.updated_at \
             RETURNING {BRIDGE_COLUMNS}"
        );
        let row: BridgeRow = with_pool!(self, |p| sqlx::query_as(&sql)
            .bind(&name)
            .bind(&b.url)
            .bind(&b.outgoing_token)
            .bind(&b.incoming_token_hash)
            .bind(b.input_schema.as_ref().map(json_to_text))
            .bind(b.output_schema.as_ref().map(json_to_text))
            .bind(now)
            .fetch_one(p)
            .await)
        .map_err(|e| Error::from_write(e, &format!("bridge {name}")))?;
        row.try_into()
    }

    /// A bridge by name (case-insensitive).
    pub async fn get_bridge(&self, name: &str) -> Result<Option<BridgeRecord>> {
        let sql = format!("SELECT {BRIDGE_COLUMNS} FROM bridges WHERE name = $1");
        let row: Option<BridgeRow> =
            with_pool!(self, |p| sqlx::query_as(&sql).bind(name.trim().to_ascii_lowercase()).fetch_optional(p).await)?;
        row.map(BridgeRecord::try_from).transpose()
    }

    /// Every bridge, by name.
    pub async fn list_bridges(&self) -> Result<Vec<BridgeRecord>> {
        let sql = format!("SELECT {BRIDGE_COLUMNS} FROM bridges ORDER BY name");
        let rows: Vec<BridgeRow> = with_pool!(self, |p| sqlx::query_as(&sql).fetch_all(p).await)?;
        rows.into_iter().map(BridgeRecord::try_from).collect()
    }

    /// Deletes a bridge; false if there was none.
    pub async fn delete_bridge(&self, name: &str) -> Result<bool> {
        let n = with_pool!(self, |p| sqlx::query("DELETE FROM bridges WHERE name = $1")
            .bind(name.trim().to_ascii_lowercase())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// The last good answer of a bridge task.
    pub async fn bridge_answer(&self, job_id: i64, task_id: &str) -> Result<Option<BridgeAnswer>> {
        let row: Option<(String, i64)> = with_pool!(self, |p| sqlx::query_as(
            "SELECT body, received_at FROM bridge_answers WHERE job_id = $1 AND task_id = $2"
        )
        .bind(job_id)
        .bind(task_id)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|(body, received_at)| BridgeAnswer { body, received_at }))
    }

    /// Records the last good answer of a bridge task.
    pub async fn save_bridge_answer(&self, job_id: i64, task_id: &str, body: &str) -> Result<()> {
        with_pool!(self, |p| sqlx::query(
            "INSERT INTO bridge_answers (job_id, task_id, body, received_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (job_id, task_id) DO UPDATE SET body = excluded.body, received_at = excluded.received_at"
        )
        .bind(job_id)
        .bind(task_id)
        .bind(body)
        .bind(now_millis())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| Error::from_write(e, &format!("bridge answer {job_id}/{task_id}")))?;
        Ok(())
    }

    /// Pauses a running run whose tasks `waiting` wait for asynchronous answers, in one
    /// transaction: the finished task results `finished` are written, each waiting task gets an
    /// unfinished record (kept if one exists), and the run becomes `suspended` unless an answer
    /// for one of the waiting tasks is already recorded ([`Suspension::AnswerWaiting`]).
    pub async fn suspend_run(
        &self,
        run_id: i64,
        finished: &[TaskRunRecord],
        waiting: &[TaskRunRecord],
    ) -> Result<Suspension> {
        const UPSERT: &str = "INSERT INTO task_runs (run_id, task_id, task_type, task_index, output, error, \
             started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (run_id, task_id) DO UPDATE SET task_type = excluded.task_type, \
             task_index = excluded.task_index, output = excluded.output, error = excluded.error, \
             started_at = excluded.started_at, finished_at = excluded.finished_at";
        let outputs: Vec<Option<String>> = finished.iter().map(|t| t.output.as_ref().map(json_to_text)).collect();
        let result: std::result::Result<Suspension, sqlx::Error> = with_pool!(self, |p| async {
            let mut tx = p.begin().await?;
            for (t, output) in finished.iter().zip(&outputs) {
                sqlx::query(UPSERT)
                    .bind(t.run_id)
                    .bind(&t.task_id)
                    .bind(&t.task_type)
                    .bind(t.index)
                    .bind(output)
                    .bind(&t.error)
                    .bind(t.started_at)
                    .bind(t.finished_at)
                    .execute(&mut *tx)
                    .await?;
            }
            let mut answered = false;
            for t in waiting {
                sqlx::query(
                    "INSERT INTO task_runs (run_id, task_id, task_type, task_index, started_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, task_id) DO NOTHING",
                )
                .bind(run_id)
                .bind(&t.task_id)
                .bind(&t.task_type)
                .bind(t.index)
                .bind(t.started_at)
                .execute(&mut *tx)
                .await?;
                let done: Option<(i64,)> = sqlx::query_as(
                    "SELECT 1 FROM task_runs WHERE run_id = $1 AND task_id = $2 AND finished_at IS NOT NULL",
                )
                .bind(run_id)
                .bind(&t.task_id)
                .fetch_optional(&mut *tx)
                .await?;
                answered |= done.is_some();
            }
            if !answered {
                sqlx::query("UPDATE runs SET status = $2 WHERE id = $1 AND status = $3")
                    .bind(run_id)
                    .bind(RunStatus::Suspended.as_str())
                    .bind(RunStatus::Running.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(if answered { Suspension::AnswerWaiting } else { Suspension::Suspended })
        }
        .await);
        result.map_err(|e| Error::from_write(e, &format!("suspending run {run_id}")))
    }

    /// Records the asynchronous answer of task `task_id` of run `run_id` (an output or an error),
    /// once: [`Error::Conflict`] if the task already has a result, [`Error::NotFound`] if the
    /// run is not waiting (finished, cancelled, unknown). The run becomes `running` again if it
    /// was suspended ([`Resumed::Restart`]).
    pub async fn resume_task(
        &self,
        run_id: i64,
        task: &TaskRunRecord,
        output: Option<&Value>,
        error: Option<&str>,
    ) -> Result<Resumed> {
        let output = output.map(json_to_text);
        let now = now_millis();
        let result: std::result::Result<Result<Resumed>, sqlx::Error> = with_pool!(self, |p| async {
            let mut tx = p.begin().await?;
            // Lock the run row (PostgreSQL) and read its status in one statement.
            let status: Option<(String,)> =
                sqlx::query_as("UPDATE runs SET status = status WHERE id = $1 RETURNING status")
                    .bind(run_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let waiting = matches!(
                status.as_ref().map(|s| s.0.as_str()),
                Some(s) if s == RunStatus::Suspended.as_str() || s == RunStatus::Running.as_str()
            );
            if !waiting {
                return Ok(Err(Error::not_found(format!("run {run_id} waiting for an asynchronous answer"))));
            }
            let n = sqlx::query(
                "INSERT INTO task_runs (run_id, task_id, task_type, task_index, output, error, started_at, \
                 finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                 ON CONFLICT (run_id, task_id) DO UPDATE SET output = excluded.output, error = excluded.error, \
                 finished_at = excluded.finished_at WHERE task_runs.finished_at IS NULL",
            )
            .bind(run_id)
            .bind(&task.task_id)
            .bind(&task.task_type)
            .bind(task.index)
            .bind(&output)
            .bind(error)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok(Err(Error::conflict(format!("task {} of run {run_id} already has a result", task.task_id))));
            }
            let restarted = sqlx::query("UPDATE runs SET status = $2 WHERE id = $1 AND status = $3")
                .bind(run_id)
                .bind(RunStatus::Running.as_str())
                .bind(RunStatus::Suspended.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(Ok(if restarted > 0 { Resumed::Restart } else { Resumed::Recorded }))
        }
        .await);
        result.map_err(|e| Error::from_write(e, &format!("resuming run {run_id}")))?
    }
}
