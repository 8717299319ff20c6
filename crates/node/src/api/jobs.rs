use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{header::CONTENT_TYPE, HeaderMap, StatusCode},
    Json,
};
use linkpool_job::JobSpec;
use linkpool_store::{JobRecord, NewJob};
use serde::Deserialize;
use serde_json::{json, Value};

use super::ApiError;
use crate::NodeState;

#[derive(Deserialize)]
struct TomlBody {
    toml: String,
}

/// The JSON view of a job. `specIds` shows both topic1 encodings a consumer may use.
pub(crate) fn job_view(rec: &JobRecord, spec: Option<&JobSpec>) -> Value {
    let mut v = json!({
        "id": rec.id,
        "externalJobID": rec.external_job_id,
        "name": rec.name,
        "type": rec.job_type,
        "createdAt": rec.created_at,
        "spec": rec.spec_toml,
    });
    if let Some(JobSpec::DirectRequest(dr)) = spec {
        let [ascii, raw] = dr.spec_ids();
        v["contractAddress"] = json!(dr.contract_address.to_string());
        v["specIds"] = json!({ "ascii": ascii.to_string(), "raw": raw.to_string() });
    }
    if let Some(JobSpec::Cron(c)) = spec {
        v["schedule"] = json!(c.schedule.as_str());
    }
    if let Some(JobSpec::Agreement(a)) = spec {
        let [ascii, raw] = a.sla_job_ids();
        v["orderMatching"] = json!(a.order_matching.to_string());
        v["specIds"] = json!({ "ascii": ascii.to_string(), "raw": raw.to_string() });
    }
    if let Some(JobSpec::Webhook(w)) = spec {
        v["externalInitiators"] = json!(w.external_initiators.iter().map(|e| &e.name).collect::<Vec<_>>());
    }
    v
}

pub(super) async fn create(
    State(state): State<Arc<NodeState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let is_json =
        headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    let toml = if is_json {
        serde_json::from_slice::<TomlBody>(&body)
            .map_err(|e| ApiError::BadRequest(format!("expected JSON {{\"toml\": \"...\"}}: {e}")))?
            .toml
    } else {
        String::from_utf8(body.to_vec()).map_err(|_| ApiError::BadRequest("job spec is not UTF-8".into()))?
    };
    let spec = JobSpec::from_toml(&toml)?;
    check_bridges(&state, &toml, &spec).await?;
    let rec = state
        .store
        .insert_job(&NewJob {
            external_job_id: spec.common().external_job_id,
            name: spec.common().name.clone(),
            job_type: spec.job_type().to_owned(),
            spec_toml: toml,
        })
        .await?;
    let view = job_view(&rec, Some(&spec));
    state.jobs.add(rec.id, spec);
    tracing::info!(job = rec.id, external_job_id = %rec.external_job_id, "job created");
    Ok((StatusCode::CREATED, Json(view)))
}

/// Every `bridge` task must name a registered bridge, and its `requestData` must fit the
/// bridge's input schema where it is known before run time (whitepaper §2.2 subtask schemas).
async fn check_bridges(state: &NodeState, toml: &str, spec: &JobSpec) -> Result<(), ApiError> {
    for (task, name) in super::bridges::bridge_tasks(spec) {
        let attr = task.attr("name").expect("bridge_tasks yields named tasks");
        let invalid = |attribute: &str, message: String| {
            let pos = task.attr(attribute).map_or(task.pos, |a| a.pos);
            let e = linkpool_pipeline::PipelineError::InvalidAttribute {
                task: task.id.clone(),
                attribute: attribute.to_owned(),
                message,
                pos,
            };
            ApiError::InvalidSpec(JobSpec::locate_pipeline_error(toml, e))
        };
        let bridge =
            state.bridges.get(&name).await.map_err(|e| ApiError::Internal(e.to_string()))?.ok_or_else(|| {
                invalid(
                    "name",
                    format!("bridge `{}` is not registered (see `linkpool bridges add`)", attr.raw().trim()),
                )
            })?;
        if let Some(schema) = &bridge.input_schema {
            linkpool_pipeline::bridge::check_request_template(schema, task).map_err(|v| {
                invalid("requestData", format!("the request violates the input schema of bridge `{}` {v}", bridge.name))
            })?;
        }
    }
    Ok(())
}

pub(super) async fn list(State(state): State<Arc<NodeState>>) -> Result<Json<Value>, ApiError> {
    let jobs = state.store.list_jobs().await?;
    let views: Vec<Value> = jobs.iter().map(|j| job_view(j, state.jobs.get(j.id).as_deref())).collect();
    Ok(Json(json!({ "jobs": views })))
}

pub(super) async fn find(state: &NodeState, id: &str) -> Result<JobRecord, ApiError> {
    let rec = if let Ok(n) = id.parse::<i64>() {
        state.store.get_job(n).await?
    } else if let Ok(u) = uuid::Uuid::parse_str(id) {
        state.store.get_job_by_external_id(u).await?
    } else {
        return Err(ApiError::BadRequest(format!("{id:?} is neither a job id nor an externalJobID")));
    };
    rec.ok_or_else(|| ApiError::NotFound(format!("job {id}")))
}

pub(super) async fn show(State(state): State<Arc<NodeState>>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let rec = find(&state, &id).await?;
    Ok(Json(job_view(&rec, state.jobs.get(rec.id).as_deref())))
}

pub(super) async fn delete(
    State(state): State<Arc<NodeState>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let rec = find(&state, &id).await?;
    // Stop serving first, so no new run starts for a job that is going away.
    state.jobs.remove(rec.id);
    state.store.delete_job(rec.id).await?;
    tracing::info!(job = rec.id, "job deleted");
    Ok(StatusCode::NO_CONTENT)
}
