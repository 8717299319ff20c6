//! The node's HTTP API (axum): health, jobs and runs.
//!
//! Every route but `/health` requires `Authorization: Bearer <token>`.
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
//! | GET | `/v2/runs?job=&status=&limit=&before=` | runs, newest first, keyset-paginated |
//! | GET | `/v2/runs/{id}` | one run with its task runs |

mod auth;
mod error;
mod jobs;
mod runs;

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
        .route("/v2/runs", get(runs::list))
        .route("/v2/runs/{id}", get(runs::show))
        .layer(middleware::from_fn_with_state(token, auth::require_token));
    Router::new()
        .route("/health", get(health))
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
