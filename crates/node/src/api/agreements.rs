//! `/v2/agreements`: the node's obligations under `OrderMatching` SLAs and its sessions.

use std::sync::Arc;

use alloy::primitives::U256;
use axum::{
    extract::{rejection::QueryRejection, Query, State},
    Json,
};
use linkpool_store::{ObligationRecord, SessionRecord};
use serde::Deserialize;
use serde_json::{json, Value};

use super::ApiError;
use crate::NodeState;

/// Most sessions one answer lists.
const MAX_SESSIONS: i64 = 500;

#[derive(Deserialize)]
pub(super) struct Params {
    /// Sessions to list, newest first (default 100).
    limit: Option<i64>,
}

fn obligation_view(o: &ObligationRecord) -> Value {
    json!({
        "orderMatching": o.order_matching,
        "slaId": o.sla_id,
        "jobId": o.job_id,
        "state": o.state.as_str(),
        "slaStatus": o.sla_status.as_str(),
        "atRisk": o.state.at_risk(),
        "poolBacked": o.pool_backed,
        "penaltyJuels": o.penalty,
        "paymentPerOracleJuels": o.payment,
        "jobType": o.job_type,
        "biddingEnds": o.bidding_ends,
        "serviceEnds": o.service_ends,
        "error": o.error,
        "createdAt": o.created_at,
        "updatedAt": o.updated_at,
    })
}

fn session_view(s: &SessionRecord) -> Value {
    json!({
        "orderMatching": s.order_matching,
        "sessionId": s.session_id,
        "slaId": s.sla_id,
        "jobId": s.job_id,
        "runId": s.run_id,
        "state": s.state.as_str(),
        "answer": s.answer,
        "finalAnswer": s.final_answer,
        "paidJuels": s.paid,
        "deadline": s.deadline,
        "error": s.error,
        "createdAt": s.created_at,
        "answeredAt": s.answered_at,
        "committedAt": s.committed_at,
        "revealedAt": s.revealed_at,
        "settledAt": s.settled_at,
    })
}

/// `GET /v2/agreements?limit=`: `{"data": {"oracle", "penaltiesAtRiskJuels", "slas", "sessions"}}`.
/// Penalties at risk are those of bids pending or placed and of SLAs the node serves.
pub(super) async fn list(
    State(state): State<Arc<NodeState>>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(params) = params?;
    let limit = params.limit.unwrap_or(100);
    if !(1..=MAX_SESSIONS).contains(&limit) {
        return Err(ApiError::BadRequest(format!("limit must be between 1 and {MAX_SESSIONS}")));
    }
    let oracle = format!("{:#x}", state.sender);
    let obligations = state.store.obligations(&oracle, &[]).await?;
    let sessions = state.store.sessions(&oracle, &[], limit).await?;
    let mut at_risk = U256::ZERO;
    for o in obligations.iter().filter(|o| o.state.at_risk()) {
        let penalty: U256 =
            o.penalty.parse().map_err(|_| ApiError::Internal(format!("corrupt penalty {:?}", o.penalty)))?;
        at_risk += penalty;
    }
    Ok(Json(json!({
        "data": {
            "oracle": state.sender.to_string(),
            "penaltiesAtRiskJuels": at_risk.to_string(),
            "slas": obligations.iter().map(obligation_view).collect::<Vec<_>>(),
            "sessions": sessions.iter().map(session_view).collect::<Vec<_>>(),
        }
    })))
}
