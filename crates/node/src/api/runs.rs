use std::sync::Arc;

use axum::{
    extract::{
        rejection::{PathRejection, QueryRejection},
        Path, Query, State,
    },
    Json,
};
use linkpool_store::{RunFilter, RunRecord, RunStatus, TaskRunRecord};
use serde::Deserialize;
use serde_json::{json, Value};

use super::ApiError;
use crate::NodeState;

/// Largest page the API returns.
const MAX_PAGE: i64 = 500;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    job: Option<i64>,
    status: Option<String>,
    limit: Option<i64>,
    before: Option<i64>,
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
    })
}

fn task_view(t: &TaskRunRecord) -> Value {
    json!({
        "taskId": t.task_id,
        "type": t.task_type,
        "index": t.index,
        "output": t.output,
        "error": t.error,
        "startedAt": t.started_at,
        "finishedAt": t.finished_at,
    })
}

pub(super) async fn list(
    State(state): State<Arc<NodeState>>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q?;
    let status = q
        .status
        .as_deref()
        .map(|s| s.parse::<RunStatus>().map_err(|_| ApiError::BadRequest(format!("unknown run status {s:?}"))))
        .transpose()?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::BadRequest(format!("limit must be between 1 and {MAX_PAGE}")));
    }
    let runs = state.store.list_runs(&RunFilter { job_id: q.job, status, limit, before_id: q.before }).await?;
    let next = (runs.len() as i64 == limit).then(|| runs.last().map(|r| r.id)).flatten();
    Ok(Json(json!({ "runs": runs.iter().map(run_view).collect::<Vec<_>>(), "nextBefore": next })))
}

pub(super) async fn show(
    State(state): State<Arc<NodeState>>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = id?;
    let run = state.store.get_run(id).await?.ok_or_else(|| ApiError::NotFound(format!("run {id}")))?;
    let tasks = state.store.task_runs(id).await?;
    let mut v = run_view(&run);
    v["tasks"] = json!(tasks.iter().map(task_view).collect::<Vec<_>>());
    Ok(Json(v))
}
