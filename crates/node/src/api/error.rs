use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use linkpool_job::SpecError;
use serde_json::json;

/// An API failure, rendered as JSON `{"error": {"kind", "message", …}}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Missing or wrong bearer token.
    #[error("missing or invalid API token")]
    Unauthorized,
    /// The job spec is invalid; carries the field, line and column.
    #[error("invalid job spec: {0}")]
    InvalidSpec(#[from] SpecError),
    /// A malformed request (query, path or body).
    #[error("{0}")]
    BadRequest(String),
    /// No such resource.
    #[error("{0} not found")]
    NotFound(String),
    /// The resource already exists.
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<linkpool_store::Error> for ApiError {
    fn from(e: linkpool_store::Error) -> Self {
        match e {
            linkpool_store::Error::Conflict { .. } => Self::Conflict(e.to_string()),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        Self::BadRequest(e.body_text())
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(e: axum::extract::rejection::PathRejection) -> Self {
        Self::BadRequest(e.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind) = match &self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::InvalidSpec(_) => (StatusCode::BAD_REQUEST, "invalid_spec"),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        let mut body = json!({ "kind": kind, "message": self.to_string() });
        if let Self::InvalidSpec(e) = &self {
            body["field"] = json!(e.field);
            body["line"] = json!(e.line);
            body["column"] = json!(e.column);
            body["detail"] = json!(e.message);
        }
        if matches!(self, Self::Internal(_)) {
            tracing::error!(error = %self, "API request failed");
        }
        (status, Json(json!({ "error": body }))).into_response()
    }
}
