//! The node's HTTP API (axum): health, jobs and runs.
//!
//! Every route but `/health` and `/v2/resume` requires `Authorization: Bearer <token>` (the API
//! token); `/v2/resume` requires the incoming token of the bridge whose task is resumed.
//! Bodies are size-limited; errors are JSON `{"error": {...}}` with a
//! machine-readable `kind`.
//!
//! | method | path | what |
//! |---|---|---|
//! | GET | `/health` | liveness, chain id, head |
//! | POST | `/v2/jobs` | create a job from TOML (raw body, or JSON `{"toml": "…"}`) |
//! | GET | `/v2/jobs` | list jobs |
//! | GET | `/v2/jobs/{id}` | one job, by numeric id or `externalJobID` |
//! | DELETE | `/v2/jobs/{id}` | delete a job and its runs |
//! | POST | `/v2/jobs/{id}/runs` | run a webhook job; JSON body → `$(jobRun.requestBody)`, optional `Idempotency-Key` |
//! | POST | `/v2/bridge_types` | register a bridge `{name, url, outgoingToken?, incomingToken?, inputSchema?, outputSchema?}` |
//! | GET | `/v2/bridge_types` | list bridges |
//! | GET | `/v2/bridge_types/{name}` | one bridge, with its outgoing token |
//! | DELETE | `/v2/bridge_types/{name}` | remove a bridge no job uses |
//! | PATCH | `/v2/resume/{runId}?task=` | an async adapter's answer; bearer = the bridge's incoming token |
//! | GET | `/v2/runs?jobId=&status=&limit=&before=` | runs, newest first; `jobId` numeric or `externalJobID`; `nextBefore` is the next page's `before` |
//! | GET | `/v2/runs/{id}` | one run, its reruns, and per task: inputs (its parents' results), output, error, timing |
//! | GET | `/v2/agreements?limit=` | the node's SLA obligations (bids, selections), penalties at risk, and its newest commit/reveal sessions |
//! | POST | `/v2/runs/{id}/rerun` | rerun an errored or cancelled run as a new run (201); 409 otherwise, or while an earlier rerun is in flight or completed (`?force=true` overrides that) |

mod agreements;
mod auth;
mod bridges;
mod error;
mod jobs;
mod runs;
mod webhook;

use std::{sync::Arc, time::Duration};

use axum::{middleware, routing::get, Json, Router};
use serde_json::json;
use tower_http::{limit::RequestBodyLimitLayer, timeout::TimeoutLayer};

pub use error::ApiError;

use crate::NodeState;

/// Builds the API router over the node's shared state.
pub fn router(state: Arc<NodeState>, token: String, max_body_bytes: usize) -> Router {
    let token = Arc::new(token);
    let protected = Router::new()
        .route("/v2/jobs", get(jobs::list).post(jobs::create))
        .route("/v2/jobs/{id}", get(jobs::show).delete(jobs::delete))
        .route("/v2/jobs/{id}/runs", axum::routing::post(webhook::run))
        .route("/v2/bridge_types", get(bridges::list).post(bridges::create))
        .route("/v2/bridge_types/{name}", get(bridges::show).delete(bridges::delete))
        .route("/v2/runs", get(runs::list))
        .route("/v2/runs/{id}", get(runs::show))
        .route("/v2/runs/{id}/rerun", axum::routing::post(runs::rerun))
        .route("/v2/agreements", get(agreements::list))
        .layer(middleware::from_fn_with_state(token, auth::require_token));
    Router::new()
        .route("/health", get(health))
        // Authenticated by the bridge's incoming token, not the API token.
        .route("/v2/resume/{run_id}", axum::routing::patch(bridges::resume))
        .merge(protected)
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .with_state(state)
}

async fn health(axum::extract::State(state): axum::extract::State<Arc<NodeState>>) -> Json<serde_json::Value> {
    Json(json!({
        "status": "ok",
        "chainId": state.chain_id,
        "head": state.head(),
        "sender": state.sender.to_string(),
    }))
}
