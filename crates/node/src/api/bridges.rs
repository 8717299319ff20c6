//! `/v2/bridge_types`: the registry of external adapters, and `PATCH /v2/resume/{runId}`, the
//! route async adapters call back with their answer.

use std::sync::Arc;

use axum::{
    extract::{Path, Query, State},
    http::{header::AUTHORIZATION, HeaderMap, StatusCode},
    Json,
};
use linkpool_job::JobSpec;
use linkpool_pipeline::{bridge::parse_adapter_response, bridge::AdapterAnswer, TaskSpec, Value as PValue};
use linkpool_store::{BridgeRecord, NewBridge, Resumed, TaskRunRecord};
use serde::Deserialize;
use serde_json::{json, Value};

use super::ApiError;
use crate::{
    bridges::{compile, generate_token, hash_token},
    NodeState,
};

/// A bridge as the API shows it. Tokens only appear when asked for (`show`) or just created.
fn bridge_view(b: &BridgeRecord, with_outgoing_token: bool) -> Value {
    let mut v = json!({
        "name": b.name,
        "url": b.url,
        "inputSchema": b.input_schema,
        "outputSchema": b.output_schema,
        "createdAt": b.created_at,
        "updatedAt": b.updated_at,
    });
    if with_outgoing_token {
        v["outgoingToken"] = json!(b.outgoing_token);
    }
    v
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct CreateBridge {
    name: String,
    url: String,
    outgoing_token: Option<String>,
    incoming_token: Option<String>,
    input_schema: Option<Value>,
    output_schema: Option<Value>,
}

fn check_name(name: &str) -> Result<String, ApiError> {
    let n = name.trim().to_ascii_lowercase();
    let ok = !n.is_empty()
        && n.len() <= 64
        && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(n)
    } else {
        Err(ApiError::BadRequest(format!("bridge name {name:?} must be 1-64 characters of a-z, 0-9, _ and -")))
    }
}

fn check_url(url: &str) -> Result<(), ApiError> {
    let u = reqwest::Url::parse(url.trim()).map_err(|e| ApiError::BadRequest(format!("bridge url {url:?}: {e}")))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(ApiError::BadRequest(format!("bridge url {url:?} must be http or https")));
    }
    Ok(())
}

fn check_token(what: &str, t: &str) -> Result<(), ApiError> {
    if t.trim().len() < 16 || t.trim().len() > 256 {
        return Err(ApiError::BadRequest(format!("{what} must be 16 to 256 characters")));
    }
    Ok(())
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
}

/// `POST /v2/bridge_types`: registers (or replaces) a bridge. Missing tokens are generated; the
/// answer is the only place the incoming token is ever shown.
pub(super) async fn create(
    State(state): State<Arc<NodeState>>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let req: CreateBridge = parse_body(&body)?;
    let name = check_name(&req.name)?;
    check_url(&req.url)?;
    let outgoing = req.outgoing_token.unwrap_or_else(generate_token);
    let incoming = req.incoming_token.unwrap_or_else(generate_token);
    check_token("outgoingToken", &outgoing)?;
    check_token("incomingToken", &incoming)?;
    let new = NewBridge {
        name: name.clone(),
        url: req.url.trim().to_owned(),
        outgoing_token: outgoing.trim().to_owned(),
        incoming_token_hash: hash_token(&incoming),
        input_schema: req.input_schema,
        output_schema: req.output_schema,
    };
    // Refuse schemas that do not compile before storing anything.
    compile(&BridgeRecord {
        name: new.name.clone(),
        url: new.url.clone(),
        outgoing_token: String::new(),
        incoming_token_hash: String::new(),
        input_schema: new.input_schema.clone(),
        output_schema: new.output_schema.clone(),
        created_at: 0,
        updated_at: 0,
    })
    .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let rec = state.store.upsert_bridge(&new).await?;
    state.bridges.invalidate(&name);
    tracing::info!(bridge = %name, url = %rec.url, "bridge registered");
    let mut view = bridge_view(&rec, true);
    view["incomingToken"] = json!(incoming.trim());
    Ok((StatusCode::CREATED, Json(view)))
}

/// `GET /v2/bridge_types`.
pub(super) async fn list(State(state): State<Arc<NodeState>>) -> Result<Json<Value>, ApiError> {
    let bridges = state.store.list_bridges().await?;
    Ok(Json(json!({ "bridges": bridges.iter().map(|b| bridge_view(b, false)).collect::<Vec<_>>() })))
}

/// `GET /v2/bridge_types/{name}` (with the outgoing token).
pub(super) async fn show(
    State(state): State<Arc<NodeState>>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let b = state.store.get_bridge(&name).await?.ok_or_else(|| ApiError::NotFound(format!("bridge {name}")))?;
    Ok(Json(bridge_view(&b, true)))
}

/// The jobs whose pipelines call bridge `name`.
fn jobs_using(state: &NodeState, name: &str) -> Vec<i64> {
    state
        .jobs
        .snapshot()
        .into_iter()
        .filter(|(_, spec)| bridge_tasks(spec).any(|(_, b)| b.eq_ignore_ascii_case(name)))
        .map(|(id, _)| id)
        .collect()
}

/// The bridge tasks of a job and the bridge each calls.
pub(crate) fn bridge_tasks(spec: &JobSpec) -> impl Iterator<Item = (&TaskSpec, String)> {
    spec.common()
        .pipeline
        .tasks()
        .iter()
        .filter(|t| t.task_type == "bridge")
        .filter_map(|t| t.attr("name").map(|a| (t, a.raw().trim().to_ascii_lowercase())))
}

/// `DELETE /v2/bridge_types/{name}`: refused while a job uses the bridge.
pub(super) async fn delete(
    State(state): State<Arc<NodeState>>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    let users = jobs_using(&state, &name);
    if !users.is_empty() {
        return Err(ApiError::Conflict(format!("bridge {name} is used by job(s) {users:?}: delete them first")));
    }
    if !state.store.delete_bridge(&name).await? {
        return Err(ApiError::NotFound(format!("bridge {name}")));
    }
    state.bridges.invalidate(&name);
    tracing::info!(bridge = %name, "bridge removed");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(super) struct ResumeQuery {
    task: Option<String>,
}

/// `PATCH /v2/resume/{runId}[?task=<taskId>]`: an async adapter's answer. Authenticated with
/// the bridge's incoming token (`Authorization: Bearer <token>`), not the API token.
///
/// The body is `{"value": …}` or `{"error": "…"}`, or an adapter response (`{"data": …,
/// "result": …}`), which becomes the task's output as a sync answer would. A value that is not
/// a string is stored as its JSON text, so `jsonparse` reads both alike.
pub(super) async fn resume(
    State(state): State<Arc<NodeState>>,
    Path(run_id): Path<i64>,
    Query(q): Query<ResumeQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let presented = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    // Every failure before the token check answers 401 or 404 alike for an unknown caller.
    let run = state.store.get_run(run_id).await?.ok_or_else(|| ApiError::NotFound(format!("run {run_id}")))?;
    let spec = state.jobs.get(run.job_id).ok_or_else(|| ApiError::NotFound(format!("run {run_id}")))?;
    let finished: Vec<String> = state
        .store
        .task_runs(run_id)
        .await?
        .into_iter()
        .filter(|t| t.finished_at.is_some())
        .map(|t| t.task_id)
        .collect();
    let candidates: Vec<(&TaskSpec, String)> = bridge_tasks(&spec)
        .filter(|(t, _)| linkpool_pipeline::bridge::is_async_bridge(t))
        .filter(|(t, _)| q.task.as_deref().is_none_or(|id| id == t.id))
        .collect();
    let waiting: Vec<&(&TaskSpec, String)> = candidates.iter().filter(|(t, _)| !finished.contains(&t.id)).collect();
    let (task, bridge_name) = match (candidates.as_slice(), waiting.as_slice()) {
        ([], _) => return Err(ApiError::NotFound(format!("an async bridge task in run {run_id}"))),
        (_, [one]) => (*one).clone(),
        ([one], []) => one.clone(),
        (_, _) => {
            return Err(ApiError::BadRequest(format!(
                "run {run_id} has several async tasks: add ?task=<taskId> (the responseURL carries it)"
            )))
        }
    };
    let bridge = state
        .store
        .get_bridge(&bridge_name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("bridge {bridge_name}")))?;
    if presented.is_empty() || hash_token(&presented) != bridge.incoming_token_hash {
        return Err(ApiError::Unauthorized);
    }
    if finished.contains(&task.id) || run.status.is_terminal() {
        return Err(ApiError::Conflict(format!("task {} of run {run_id} already has its answer", task.id)));
    }
    let answer: Value = parse_body(&body)?;
    let Some(obj) = answer.as_object() else {
        return Err(ApiError::BadRequest("the body must be a JSON object".into()));
    };
    let (output, error) = match (obj.get("error").filter(|e| !e.is_null()), obj.get("value")) {
        (Some(e), _) => (None, Some(e.as_str().map_or_else(|| e.to_string(), str::to_owned))),
        (None, Some(v)) => (Some(v.clone()), None),
        (None, None) => match parse_adapter_response(200, false, &body) {
            Ok(AdapterAnswer::Done { body }) => (Some(body), None),
            Ok(AdapterAnswer::Pending) => {
                return Err(ApiError::BadRequest("the answer says pending: call back when it is done".into()))
            }
            Err(e) => (None, Some(e.to_string())),
        },
    };
    let (output, error) = match (output, error) {
        (Some(v), None) => {
            let compiled = compile(&bridge).map_err(|e| ApiError::Internal(e.to_string()))?;
            match compiled.output_schema.as_ref().map(|s| s.check(&v)) {
                Some(Err(violation)) => (
                    None,
                    Some(
                        linkpool_pipeline::TaskError::Schema {
                            bridge: bridge.name.clone(),
                            direction: "response".into(),
                            path: if violation.path.is_empty() { "/".into() } else { violation.path },
                            message: violation.message,
                        }
                        .to_string(),
                    ),
                ),
                _ => {
                    let text = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (Some(PValue::String(text).to_json()), None)
                }
            }
        }
        (_, e) => (None, e),
    };
    let record = TaskRunRecord {
        run_id,
        task_id: task.id.clone(),
        task_type: task.task_type.clone(),
        index: i64::from(task.index),
        output: None,
        error: None,
        started_at: 0,
        finished_at: None,
    };
    let resumed =
        state.store.resume_task(run_id, &record, output.as_ref(), error.as_deref()).await.map_err(|e| match e {
            linkpool_store::Error::NotFound { .. } => {
                ApiError::Conflict(format!("run {run_id} is not waiting for an answer"))
            }
            other => other.into(),
        })?;
    if resumed == Resumed::Restart {
        if let Some(executor) = state.executor() {
            executor.start(run_id);
        }
    }
    tracing::info!(run = run_id, task = %task.id, errored = error.is_some(), "async answer received");
    Ok(Json(json!({ "runId": run_id, "taskId": task.id, "status": "resumed" })))
}
