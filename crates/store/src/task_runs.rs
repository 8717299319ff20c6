//! Task runs: the persisted result of each pipeline task within a run.

use crate::{
    codec::{json_to_text, opt_json_from_text},
    Error, Result, Store,
};
use serde_json::Value;

/// One task's execution within a run; unique per `(run_id, task_id)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskRunRecord {
    /// The run.
    pub run_id: i64,
    /// The task's id in the pipeline (its DOT node name).
    pub task_id: String,
    /// Task type, e.g. `http`.
    pub task_type: String,
    /// Position of the task in the pipeline's topological order.
    pub index: i64,
    /// Output, once finished successfully.
    pub output: Option<Value>,
    /// Error, if the task failed.
    pub error: Option<String>,
    /// Start time, unix millis.
    pub started_at: i64,
    /// Finish time, unix millis.
    pub finished_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct TaskRunRow {
    run_id: i64,
    task_id: String,
    task_type: String,
    task_index: i64,
    output: Option<String>,
    error: Option<String>,
    started_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<TaskRunRow> for TaskRunRecord {
    type Error = Error;

    fn try_from(row: TaskRunRow) -> Result<Self> {
        let output =
            opt_json_from_text(row.output.as_deref(), &format!("task run {}/{} output", row.run_id, row.task_id))?;
        Ok(Self {
            run_id: row.run_id,
            task_id: row.task_id,
            task_type: row.task_type,
            index: row.task_index,
            output,
            error: row.error,
            started_at: row.started_at,
            finished_at: row.finished_at,
        })
    }
}

impl Store {
    /// Inserts or replaces the task run `(run_id, task_id)` with every field of `task`.
    /// [`Error::NotFound`] if the run does not exist.
    pub async fn upsert_task_run(&self, task: &TaskRunRecord) -> Result<()> {
        let output = task.output.as_ref().map(json_to_text);
        with_pool!(self, |p| sqlx::query(
            "INSERT INTO task_runs (run_id, task_id, task_type, task_index, output, error, started_at, finished_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (run_id, task_id) DO UPDATE SET task_type = excluded.task_type, \
             task_index = excluded.task_index, output = excluded.output, error = excluded.error, \
             started_at = excluded.started_at, finished_at = excluded.finished_at"
        )
        .bind(task.run_id)
        .bind(&task.task_id)
        .bind(&task.task_type)
        .bind(task.index)
        .bind(&output)
        .bind(&task.error)
        .bind(task.started_at)
        .bind(task.finished_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| Error::from_write(e, &format!("task run {}/{}", task.run_id, task.task_id)))?;
        Ok(())
    }

    /// [`Store::upsert_task_run`] for many task runs, in one transaction (one
    /// commit instead of one per task, which is what bounds a node's run rate).
    pub async fn upsert_task_runs(&self, tasks: &[TaskRunRecord]) -> Result<()> {
        if tasks.is_empty() {
            return Ok(());
        }
        let outputs: Vec<Option<String>> = tasks.iter().map(|t| t.output.as_ref().map(json_to_text)).collect();
        with_pool!(self, |p| async {
            let mut tx = p.begin().await?;
            for (task, output) in tasks.iter().zip(&outputs) {
                sqlx::query(
                    "INSERT INTO task_runs (run_id, task_id, task_type, task_index, output, error, started_at, finished_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (run_id, task_id) DO UPDATE SET task_type = excluded.task_type, \
                     task_index = excluded.task_index, output = excluded.output, error = excluded.error, \
                     started_at = excluded.started_at, finished_at = excluded.finished_at",
                )
                .bind(task.run_id)
                .bind(&task.task_id)
                .bind(&task.task_type)
                .bind(task.index)
                .bind(output)
                .bind(&task.error)
                .bind(task.started_at)
                .bind(task.finished_at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        }
        .await)
        .map_err(|e| Error::from_write(e, &format!("task runs of run {}", tasks[0].run_id)))?;
        Ok(())
    }

    /// The task runs of a run, in pipeline order (`index`, then `task_id`); none for a deleted job's run.
    pub async fn task_runs(&self, run_id: i64) -> Result<Vec<TaskRunRecord>> {
        let rows: Vec<TaskRunRow> = with_pool!(self, |p| {
            sqlx::query_as(
                "SELECT run_id, task_id, task_type, task_index, output, error, started_at, finished_at \
             FROM task_runs WHERE run_id = $1 AND EXISTS (SELECT 1 FROM runs r JOIN jobs j ON j.id = r.job_id \
             WHERE r.id = task_runs.run_id AND j.deleted_at IS NULL) ORDER BY task_index, task_id",
            )
            .bind(run_id)
            .fetch_all(p)
            .await
        })?;
        rows.into_iter().map(TaskRunRecord::try_from).collect()
    }
}
