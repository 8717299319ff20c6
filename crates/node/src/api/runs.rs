//! `/v2/runs`: listing (by job and status, keyset-paginated), one run with its tasks' inputs,
//! outputs and errors, and reruns of failed runs.

use std::{collections::HashMap, sync::Arc};

use axum::{
    extract::{
        rejection::{PathRejection, QueryRejection},
        Path, Query, State,
    },
    http::StatusCode,
    Json,
};
use linkpool_pipeline::Pipeline;
use linkpool_store::{RunFilter, RunRecord, RunStatus, TaskRunRecord};
use serde::Deserialize;
use serde_json::{json, Value};

use super::ApiError;
use crate::NodeState;

/// Largest page the API returns.
const MAX_PAGE: i64 = 500;
/// Page size when the query gives none.
const DEFAULT_PAGE: i64 = 50;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    /// Numeric job id or `externalJobID`; `job` is the older spelling.
    #[serde(rename = "jobId", alias = "job")]
    job_id: Option<String>,
    status: Option<String>,
    limit: Option<i64>,
    before: Option<i64>,
}

#[derive(Deserialize)]
pub(super) struct RerunQuery {
    /// Rerun even if an earlier rerun of the same run is in flight or completed.
    #[serde(default)]
    force: bool,
}

pub(crate) fn run_view(r: &RunRecord) -> Value {
    json!({
        "id": r.id,
        "jobId": r.job_id,
        "status": r.status.as_str(),
        "requestId": r.request_id,
        "inputs": r.inputs,
        "outputs": r.outputs,
        "error": r.error,
        "createdAt": r.created_at,
        "finishedAt": r.finished_at,
        "rerunOf": r.rerun_of,
    })
}

/// Where a task stands within its run.
fn task_status(t: Option<&TaskRunRecord>, run: &RunRecord) -> &'static str {
    match t {
        Some(t) if t.error.is_some() => "errored",
        Some(t) if t.finished_at.is_some() => "completed",
        Some(_) => "running",
        // never started: an upstream task failed, or the run has not got there yet
        None if run.status.is_terminal() => "not_run",
        None => "pending",
    }
}

fn task_view(id: &str, task_type: &str, t: Option<&TaskRunRecord>, run: &RunRecord, inputs: Value) -> Value {
    json!({
        "taskId": id,
        "type": task_type,
        "index": t.map(|t| t.index),
        "status": task_status(t, run),
        "inputs": inputs,
        "output": t.and_then(|t| t.output.clone()),
        "error": t.and_then(|t| t.error.clone()),
        "startedAt": t.map(|t| t.started_at),
        "finishedAt": t.and_then(|t| t.finished_at),
        "durationMs": t.and_then(|t| t.finished_at.map(|f| f - t.started_at)),
    })
}

/// Every task of the run, in pipeline order when the job's pipeline is known. A task's inputs
/// are what its parents (the DOT edges into it) produced: their output or error.
fn tasks_view(run: &RunRecord, task_runs: &[TaskRunRecord], pipeline: Option<&Pipeline>) -> Vec<Value> {
    let by_id: HashMap<&str, &TaskRunRecord> = task_runs.iter().map(|t| (t.task_id.as_str(), t)).collect();
    let Some(pipeline) = pipeline else {
        // the job is gone from the registry: results only, no graph to derive inputs from
        return task_runs.iter().map(|t| task_view(&t.task_id, &t.task_type, Some(t), run, Value::Null)).collect();
    };
    let mut views: Vec<Value> = pipeline
        .tasks()
        .iter()
        .map(|spec| {
            let inputs: Vec<Value> = spec
                .parents
                .iter()
                .map(|p| {
                    let parent = by_id.get(p.as_str());
                    json!({
                        "taskId": p,
                        "status": task_status(parent.copied(), run),
                        "output": parent.and_then(|t| t.output.clone()),
                        "error": parent.and_then(|t| t.error.clone()),
                    })
                })
                .collect();
            task_view(&spec.id, &spec.task_type, by_id.get(spec.id.as_str()).copied(), run, Value::Array(inputs))
        })
        .collect();
    // results of tasks the pipeline does not (or no longer) have
    views.extend(
        task_runs
            .iter()
            .filter(|t| pipeline.task(&t.task_id).is_none())
            .map(|t| task_view(&t.task_id, &t.task_type, Some(t), run, Value::Null)),
    );
    views
}

/// `jobId` as given: a numeric id, or an `externalJobID` looked up in the store.
async fn job_filter(state: &NodeState, job: &str) -> Result<i64, ApiError> {
    if let Ok(id) = job.parse::<i64>() {
        return Ok(id);
    }
    let uuid = uuid::Uuid::parse_str(job)
        .map_err(|_| ApiError::BadRequest(format!("jobId {job:?} is neither a job id nor an externalJobID")))?;
    let rec = state.store.get_job_by_external_id(uuid).await?;
    rec.map(|j| j.id).ok_or_else(|| ApiError::NotFound(format!("job {job}")))
}

fn parse_status(s: &str) -> Result<RunStatus, ApiError> {
    s.parse::<RunStatus>().map_err(|_| {
        ApiError::BadRequest(format!(
            "unknown run status {s:?}; expected pending_confirmations, running, suspended, completed, errored or cancelled"
        ))
    })
}

/// `GET /v2/runs?jobId=&status=&limit=&before=`: newest first. `nextBefore` is the cursor of the
/// next page (pass it as `before`), `null` on the last page.
pub(super) async fn list(
    State(state): State<Arc<NodeState>>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q?;
    let status = q.status.as_deref().map(parse_status).transpose()?;
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadRequest(format!("limit must be between 1 and {MAX_PAGE}, got {limit}")));
    }
    let job_id = match q.job_id.as_deref() {
        Some(job) => Some(job_filter(&state, job).await?),
        None => None,
    };
    // one extra row tells whether another page exists
    let mut runs = state.store.list_runs(&RunFilter { job_id, status, limit: limit + 1, before_id: q.before }).await?;
    let more = runs.len() as i64 > limit;
    runs.truncate(limit as usize);
    let next = if more { runs.last().map(|r| r.id) } else { None };
    Ok(Json(json!({ "runs": runs.iter().map(run_view).collect::<Vec<_>>(), "nextBefore": next })))
}

/// `GET /v2/runs/{id}`: the run, its reruns, and per task: inputs, output, error, timing.
pub(super) async fn show(
    State(state): State<Arc<NodeState>>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = id?;
    let run = state.store.get_run(id).await?.ok_or_else(|| ApiError::NotFound(format!("run {id}")))?;
    let task_runs = state.store.task_runs(id).await?;
    let reruns = state.store.reruns_of(id).await?;
    let spec = state.jobs.get(run.job_id);
    let mut v = run_view(&run);
    v["durationMs"] = json!(run.finished_at.map(|f| f - run.created_at));
    v["reruns"] = json!(reruns.iter().map(|r| json!({ "id": r.id, "status": r.status.as_str() })).collect::<Vec<_>>());
    v["tasks"] = json!(tasks_view(&run, &task_runs, spec.as_deref().map(|s| &s.common().pipeline)));
    Ok(Json(v))
}

/// `POST /v2/runs/{id}/rerun[?force=true]`: a new run of the same job with the same inputs,
/// started at once. 409 unless the run errored or was cancelled, or (without `force`) while an
/// earlier rerun of it is in flight or completed. 201 with the new run.
pub(super) async fn rerun(
    State(state): State<Arc<NodeState>>,
    id: Result<Path<i64>, PathRejection>,
    q: Result<Query<RerunQuery>, QueryRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Path(id) = id?;
    let Query(q) = q?;
    let executor = state.executor().ok_or_else(|| ApiError::Internal("the run executor is not running".into()))?;
    let run = state.store.insert_rerun(id, q.force).await.map_err(|e| match e {
        linkpool_store::Error::NotFound { .. } => ApiError::NotFound(format!("run {id}")),
        linkpool_store::Error::Conflict { what } => ApiError::Conflict(what),
        other => other.into(),
    })?;
    executor.start(run.id);
    tracing::info!(run = run.id, rerun_of = id, "rerun started");
    Ok((StatusCode::CREATED, Json(run_view(&run))))
}
