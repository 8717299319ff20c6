//! `POST /v2/jobs/{id}/runs`: runs a `webhook` job (Chainlink's route).
//!
//! The body, if any, must be JSON; the pipeline sees it verbatim as the string
//! `$(jobRun.requestBody)`. The run is persisted before it starts and the
//! answer is `201 Created` with the run (as `GET /v2/runs/{id}` shows it).
//!
//! Retries are safe with an `Idempotency-Key` header: a second request with
//! the same key for the same job starts nothing and answers `200 OK` with the
//! run the first one created. Without the header every request is a new run.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    Json,
};
use linkpool_job::JobSpec;
use linkpool_store::{Inserted, NewRun, RunStatus};
use serde_json::Value;

use super::{jobs::find, runs::run_view, ApiError};
use crate::{run_vars, NodeState};

/// The header that makes a webhook call idempotent.
const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// Longest `Idempotency-Key` accepted.
const MAX_KEY_LEN: usize = 255;

/// The idempotency key of a webhook run of job `job_id`: the caller's key, or a fresh one.
fn run_key(job_id: i64, headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(v) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return Ok(format!("webhook:{job_id}:{}", uuid::Uuid::new_v4()));
    };
    let key = v.to_str().ok().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::BadRequest(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters"
        )));
    }
    Ok(format!("webhook:{job_id}:key:{key}"))
}

/// The body as the pipeline sees it: empty, or checked to be one JSON document.
fn request_body(body: &Bytes) -> Result<&str, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::BadRequest("the request body must be JSON, and it is not even UTF-8".into()))?;
    if !text.is_empty() {
        serde_json::from_str::<serde::de::IgnoredAny>(text)
            .map_err(|e| ApiError::BadRequest(format!("the request body must be JSON: {e}")))?;
    }
    Ok(text)
}

pub(super) async fn run(
    State(state): State<Arc<NodeState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let rec = find(&state, &id).await?;
    let spec = state.jobs.get(rec.id).ok_or_else(|| ApiError::NotFound(format!("job {id}")))?;
    let JobSpec::Webhook(webhook) = spec.as_ref() else {
        return Err(ApiError::BadRequest(format!(
            "job {id} is a {} job; only webhook jobs are run through the API",
            spec.job_type()
        )));
    };
    let body = request_body(&body)?;
    let executor = state.executor().ok_or_else(|| ApiError::Internal("the run executor is not started".into()))?;
    let new = NewRun {
        job_id: rec.id,
        idempotency_key: run_key(rec.id, &headers)?,
        inputs: run_vars::webhook_inputs(webhook, body),
        request_id: None,
        ready_at_block: None,
        status: RunStatus::Running,
    };
    match state.store.insert_run(&new).await {
        Ok(Inserted::New(run)) => {
            executor.start(run.id);
            tracing::info!(job = rec.id, run = run.id, "webhook run started");
            Ok((StatusCode::CREATED, Json(run_view(&run))))
        }
        Ok(Inserted::Existing(run)) => Ok((StatusCode::OK, Json(run_view(&run)))),
        Err(linkpool_store::Error::NotFound { .. }) => Err(ApiError::NotFound(format!("job {id}"))),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_must_be_empty_or_json() {
        assert_eq!(request_body(&Bytes::from_static(b"")).unwrap(), "");
        assert_eq!(request_body(&Bytes::from_static(b"{\"a\": 1}")).unwrap(), "{\"a\": 1}");
        assert!(request_body(&Bytes::from_static(b"[1, 2]")).is_ok());
        for bad in [&b"amount=5"[..], b"{\"a\": 1", b"{} {}", b"\xff\xfe", b" "] {
            assert!(matches!(request_body(&Bytes::copy_from_slice(bad)), Err(ApiError::BadRequest(_))), "{bad:?}");
        }
    }

    #[test]
    fn idempotency_keys() {
        let mut h = HeaderMap::new();
        let a = run_key(3, &h).unwrap();
        assert_ne!(a, run_key(3, &h).unwrap(), "a fresh key per call without the header");
        h.insert(IDEMPOTENCY_KEY_HEADER, "order-42".parse().unwrap());
        assert_eq!(run_key(3, &h).unwrap(), "webhook:3:key:order-42");
        assert_ne!(run_key(4, &h).unwrap(), run_key(3, &h).unwrap(), "keys are per job");
        h.insert(IDEMPOTENCY_KEY_HEADER, "has space".parse().unwrap());
        assert!(run_key(3, &h).is_err());
    }
}
