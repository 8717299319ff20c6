//! The node's part in the decentralized oracle network: its obligations under `OrderMatching`
//! SLAs (bids, selections, penalties at risk) and its commit/reveal sessions.
//!
//! Obligations are keyed by `(order_matching, sla_id, oracle)`, sessions by
//! `(order_matching, session_id, oracle)`; both inserts are idempotent ([`Inserted`]). A
//! session's answer and salt are written once ([`Store::record_session_answer`]) and never
//! replaced, so the node reveals exactly what it committed, across restarts. State changes are
//! conditional on the current state (`transition_*`), so chain events and the node's own
//! follow-up of its transactions can arrive in any order without moving a row backwards.

use serde::{Deserialize, Serialize};

use crate::{
    codec::{address, decimal_u256, hash32, i64_to_u64, now_millis, placeholders, u64_to_i64, TextEnum},
    Error, Inserted, Result, Store,
};

macro_rules! text_enum {
    ($name:ident, $what:literal, [$($variant:ident => $text:literal),* $(,)?]) => {
        impl TextEnum for $name {
            const NAME: &'static str = $what;
            const ALL: &'static [Self] = &[$(Self::$variant),*];

            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),*
                }
            }
        }

        impl $name {
            /// The stored text.
            pub fn as_str(self) -> &'static str {
                TextEnum::as_str(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;

            fn from_str(s: &str) -> Result<Self> {
                Self::from_text(s).map_err(|_| Error::invalid(format!(concat!("unknown ", $what, " {:?}"), s)))
            }
        }
    };
}

/// Where the node's bid on one SLA stands; stored as snake_case TEXT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationState {
    /// The bid transaction is queued or in flight: the penalty is (about to be) deposited.
    Bidding,
    /// The bid is placed; the SLA has not selected its oracles yet.
    Bid,
    /// The bid was refused or reverted: nothing deposited.
    BidFailed,
    /// The node is one of the SLA's oracles: its penalty is locked until the SLA closes.
    Selected,
    /// Others were selected; the penalty came back.
    NotSelected,
    /// The SLA got too few bids and failed; the penalty came back.
    SlaFailed,
    /// The penalty was forfeited.
    Forfeited,
    /// The SLA closed and the penalty came back.
    Released,
}

text_enum!(ObligationState, "obligation state", [
    Bidding => "bidding",
    Bid => "bid",
    BidFailed => "bid_failed",
    Selected => "selected",
    NotSelected => "not_selected",
    SlaFailed => "sla_failed",
    Forfeited => "forfeited",
    Released => "released",
]);

impl ObligationState {
    /// States in which the penalty is deposited (or being deposited) and could still be lost.
    pub const AT_RISK: &'static [Self] = &[Self::Bidding, Self::Bid, Self::Selected];

    /// Whether the penalty is at risk in this state.
    pub fn at_risk(self) -> bool {
        Self::AT_RISK.contains(&self)
    }
}

/// An SLA's own status (`OrderMatching.SlaStatus`) as the node last saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaPhase {
    /// Taking bids.
    Bidding,
    /// Oracles selected; taking requests until `serviceEnds`.
    Active,
    /// Too few bids.
    Failed,
    /// Closed; penalties returned.
    Closed,
}

text_enum!(SlaPhase, "SLA status", [
    Bidding => "bidding",
    Active => "active",
    Failed => "failed",
    Closed => "closed",
]);

/// Where the node stands in one request session; stored as snake_case TEXT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// The request is open and the job's pipeline is computing the answer.
    Observing,
    /// Answer and salt are persisted; the commitment is being sent.
    Answered,
    /// The commitment is on chain; the reveal follows once the session is "committed".
    Committed,
    /// The answer is revealed.
    Revealed,
    /// The session settled after the node committed (see `revealed_at` for whether it revealed).
    Settled,
    /// The node did not commit in time (the quorum committed first, or the deadline passed).
    Missed,
    /// The answer could not be computed, or a transaction failed for good (see `error`).
    Failed,
}

text_enum!(SessionState, "session state", [
    Observing => "observing",
    Answered => "answered",
    Committed => "committed",
    Revealed => "revealed",
    Settled => "settled",
    Missed => "missed",
    Failed => "failed",
]);

impl SessionState {
    /// States in which the node still has something to do (compute, commit or reveal).
    pub const OPEN: &'static [Self] = &[Self::Observing, Self::Answered, Self::Committed];
}

/// An obligation to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewObligation {
    /// The `OrderMatching` contract, 0x hex.
    pub order_matching: String,
    /// The SLA id, decimal.
    pub sla_id: String,
    /// The bidding account, 0x hex.
    pub oracle: String,
    /// The agreement job.
    pub job_id: Option<i64>,
    /// Initial state.
    pub state: ObligationState,
    /// Whether the penalty comes from the node's LinkPool stake.
    pub pool_backed: bool,
    /// Penalty, decimal juels.
    pub penalty: String,
    /// Payment per oracle and request, decimal juels.
    pub payment: String,
    /// The SLA's job type, 0x bytes32.
    pub job_type: String,
    /// The SLA's query parameters, 0x hex bytes.
    pub query_params: String,
    /// End of the bidding window, unix seconds.
    pub bidding_ends: u64,
    /// End of the service period, unix seconds.
    pub service_ends: u64,
    /// Why the state is what it is (e.g. a refused bid).
    pub error: Option<String>,
}

/// A stored obligation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObligationRecord {
    /// Database id (insertion order).
    pub id: i64,
    /// The `OrderMatching` contract (lowercase 0x hex).
    pub order_matching: String,
    /// The SLA id, decimal.
    pub sla_id: String,
    /// The bidding account (lowercase 0x hex).
    pub oracle: String,
    /// The agreement job; `None` once the job is purged.
    pub job_id: Option<i64>,
    /// Where the bid stands.
    pub state: ObligationState,
    /// The SLA's status as last seen.
    pub sla_status: SlaPhase,
    /// Whether the penalty comes from the node's LinkPool stake.
    pub pool_backed: bool,
    /// Penalty, decimal juels.
    pub penalty: String,
    /// Payment per oracle and request, decimal juels.
    pub payment: String,
    /// The SLA's job type, 0x bytes32.
    pub job_type: String,
    /// The SLA's query parameters, 0x hex bytes.
    pub query_params: String,
    /// End of the bidding window, unix seconds.
    pub bidding_ends: u64,
    /// End of the service period, unix seconds.
    pub service_ends: u64,
    /// Why the state is what it is, if anything went wrong.
    pub error: Option<String>,
    /// Creation time, unix millis.
    pub created_at: i64,
    /// Last change, unix millis.
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct ObligationRow {
    id: i64,
    order_matching: String,
    sla_id: String,
    oracle: String,
    job_id: Option<i64>,
    state: String,
    sla_status: String,
    pool_backed: bool,
    penalty: String,
    payment: String,
    job_type: String,
    query_params: String,
    bidding_ends: i64,
    service_ends: i64,
    error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ObligationRow> for ObligationRecord {
    type Error = Error;

    fn try_from(r: ObligationRow) -> Result<Self> {
        let what = |f: &str| format!("obligation {} {f}", r.id);
        Ok(Self {
            state: ObligationState::from_text(&r.state)
                .map_err(|e| Error::corrupt(format!("{}: {e}", what("state"))))?,
            sla_status: SlaPhase::from_text(&r.sla_status)
                .map_err(|e| Error::corrupt(format!("{}: {e}", what("sla_status"))))?,
            bidding_ends: i64_to_u64(r.bidding_ends, &what("bidding_ends"))?,
            service_ends: i64_to_u64(r.service_ends, &what("service_ends"))?,
            id: r.id,
            order_matching: r.order_matching,
            sla_id: r.sla_id,
            oracle: r.oracle,
            job_id: r.job_id,
            pool_backed: r.pool_backed,
            penalty: r.penalty,
            payment: r.payment,
            job_type: r.job_type,
            query_params: r.query_params,
            error: r.error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const OBLIGATION_COLUMNS: &str = "id, order_matching, sla_id, oracle, job_id, state, sla_status, pool_backed, \
     penalty, payment, job_type, query_params, bidding_ends, service_ends, error, created_at, updated_at";

/// A session to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    /// The `OrderMatching` contract, 0x hex.
    pub order_matching: String,
    /// The session id, decimal.
    pub session_id: String,
    /// Its SLA, decimal.
    pub sla_id: String,
    /// The answering account, 0x hex.
    pub oracle: String,
    /// The agreement job.
    pub job_id: Option<i64>,
    /// The session's deadline, unix seconds.
    pub deadline: u64,
}

/// A stored session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// Database id (insertion order).
    pub id: i64,
    /// The `OrderMatching` contract (lowercase 0x hex).
    pub order_matching: String,
    /// The session id, decimal.
    pub session_id: String,
    /// Its SLA, decimal.
    pub sla_id: String,
    /// The answering account (lowercase 0x hex).
    pub oracle: String,
    /// The agreement job; `None` once the job is purged.
    pub job_id: Option<i64>,
    /// The pipeline run computing the answer; `None` before it starts or once it is deleted.
    pub run_id: Option<i64>,
    /// Where the node stands.
    pub state: SessionState,
    /// The node's answer (int256, signed decimal), once computed.
    pub answer: Option<String>,
    /// The commitment's salt (0x bytes32), with the answer.
    pub salt: Option<String>,
    /// The session's deadline, unix seconds.
    pub deadline: u64,
    /// The session's final answer, once delivered (signed decimal).
    pub final_answer: Option<String>,
    /// Juels paid to the node at settlement.
    pub paid: Option<String>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// Unix millis of each step.
    pub created_at: i64,
    /// When the answer was persisted.
    pub answered_at: Option<i64>,
    /// When the commitment was seen mined.
    pub committed_at: Option<i64>,
    /// When the reveal was seen mined.
    pub revealed_at: Option<i64>,
    /// When the session settled.
    pub settled_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    order_matching: String,
    session_id: String,
    sla_id: String,
    oracle: String,
    job_id: Option<i64>,
    run_id: Option<i64>,
    state: String,
    answer: Option<String>,
    salt: Option<String>,
    deadline: i64,
    final_answer: Option<String>,
    paid: Option<String>,
    error: Option<String>,
    created_at: i64,
    answered_at: Option<i64>,
    committed_at: Option<i64>,
    revealed_at: Option<i64>,
    settled_at: Option<i64>,
}

impl TryFrom<SessionRow> for SessionRecord {
    type Error = Error;

    fn try_from(r: SessionRow) -> Result<Self> {
        let what = |f: &str| format!("session row {} {f}", r.id);
        Ok(Self {
            state: SessionState::from_text(&r.state).map_err(|e| Error::corrupt(format!("{}: {e}", what("state"))))?,
            deadline: i64_to_u64(r.deadline, &what("deadline"))?,
            id: r.id,
            order_matching: r.order_matching,
            session_id: r.session_id,
            sla_id: r.sla_id,
            oracle: r.oracle,
            job_id: r.job_id,
            run_id: r.run_id,
            answer: r.answer,
            salt: r.salt,
            final_answer: r.final_answer,
            paid: r.paid,
            error: r.error,
            created_at: r.created_at,
            answered_at: r.answered_at,
            committed_at: r.committed_at,
            revealed_at: r.revealed_at,
            settled_at: r.settled_at,
        })
    }
}

const SESSION_COLUMNS: &str = "id, order_matching, session_id, sla_id, oracle, job_id, run_id, state, answer, salt, \
     deadline, final_answer, paid, error, created_at, answered_at, committed_at, revealed_at, settled_at";

/// A signed decimal integer (int256 answers).
fn signed_decimal(value: &str, what: &str) -> Result<String> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let ok = !digits.is_empty() && digits.len() <= 78 && digits.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return Err(Error::invalid(format!("{what} {value:?} must be a signed decimal integer")));
    }
    Ok(value.to_owned())
}

/// 0x-prefixed hex of any even length, lowercased.
fn hex_bytes(value: &str, what: &str) -> Result<String> {
    let digits =
        value.strip_prefix("0x").ok_or_else(|| Error::invalid(format!("{what} {value:?} must start with 0x")))?;
    if digits.len() % 2 != 0 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::invalid(format!("{what} {value:?} must be 0x + an even number of hex digits")));
    }
    Ok(format!("0x{}", digits.to_ascii_lowercase()))
}

/// The key of a row: contract, id, oracle (validated and normalized).
fn key(order_matching: &str, id: &str, oracle: &str, id_name: &str) -> Result<(String, String, String)> {
    Ok((address(order_matching, "order_matching")?, decimal_u256(id, id_name)?, address(oracle, "oracle")?))
}

fn state_list<T: TextEnum>(states: &[T]) -> Vec<&'static str> {
    states.iter().map(|s| s.as_str()).collect()
}

impl Store {
    // ------------------------------------------------------------------ obligations

    /// Inserts an obligation, idempotently on `(order_matching, sla_id, oracle)`: a second call
    /// returns [`Inserted::Existing`] with the stored row unchanged. Its SLA starts `bidding`.
    pub async fn insert_obligation(&self, o: &NewObligation) -> Result<Inserted<ObligationRecord>> {
        let (om, sla, oracle) = key(&o.order_matching, &o.sla_id, &o.oracle, "sla_id")?;
        let penalty = decimal_u256(&o.penalty, "penalty")?;
        let payment = decimal_u256(&o.payment, "payment")?;
        let job_type = hash32(&o.job_type, "job_type")?;
        let query_params = hex_bytes(&o.query_params, "query_params")?;
        let bidding_ends = u64_to_i64(o.bidding_ends, "bidding_ends")?;
        let service_ends = u64_to_i64(o.service_ends, "service_ends")?;
        let now = now_millis();
        let insert = format!(
            "INSERT INTO agreement_obligations (order_matching, sla_id, oracle, job_id, state, sla_status, \
             pool_backed, penalty, payment, job_type, query_params, bidding_ends, service_ends, error, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
             ON CONFLICT (order_matching, sla_id, oracle) DO NOTHING RETURNING {OBLIGATION_COLUMNS}"
        );
        let row: Option<ObligationRow> = with_pool!(self, |p| sqlx::query_as(&insert)
            .bind(&om)
            .bind(&sla)
            .bind(&oracle)
            .bind(o.job_id)
            .bind(o.state.as_str())
            .bind(SlaPhase::Bidding.as_str())
            .bind(o.pool_backed)
            .bind(&penalty)
            .bind(&payment)
            .bind(&job_type)
            .bind(&query_params)
            .bind(bidding_ends)
            .bind(service_ends)
            .bind(&o.error)
            .bind(now)
            .fetch_optional(p)
            .await)
        .map_err(|e| Error::from_write(e, &format!("obligation {om}/{sla}")))?;
        if let Some(row) = row {
            return Ok(Inserted::New(row.try_into()?));
        }
        match self.obligation(&om, &sla, &oracle).await? {
            Some(existing) => Ok(Inserted::Existing(existing)),
            None => Err(Error::not_found(format!("obligation {om}/{sla} vanished after a key conflict"))),
        }
    }

    /// One obligation.
    pub async fn obligation(
        &self,
        order_matching: &str,
        sla_id: &str,
        oracle: &str,
    ) -> Result<Option<ObligationRecord>> {
        let (om, sla, oracle) = key(order_matching, sla_id, oracle, "sla_id")?;
        let sql = format!(
            "SELECT {OBLIGATION_COLUMNS} FROM agreement_obligations \
             WHERE order_matching = $1 AND sla_id = $2 AND oracle = $3"
        );
        let row: Option<ObligationRow> =
            with_pool!(self, |p| sqlx::query_as(&sql).bind(&om).bind(&sla).bind(&oracle).fetch_optional(p).await)?;
        row.map(ObligationRecord::try_from).transpose()
    }

    /// `oracle`'s obligations in one of `states` (every state when empty), oldest first.
    pub async fn obligations(&self, oracle: &str, states: &[ObligationState]) -> Result<Vec<ObligationRecord>> {
        let oracle = address(oracle, "oracle")?;
        let names = state_list(states);
        let filter =
            if names.is_empty() { String::new() } else { format!(" AND state IN ({})", placeholders(2, names.len())) };
        let sql =
            format!("SELECT {OBLIGATION_COLUMNS} FROM agreement_obligations WHERE oracle = $1{filter} ORDER BY id");
        let rows: Vec<ObligationRow> = with_pool!(self, |p| {
            let mut q = sqlx::query_as(&sql).bind(&oracle);
            for n in &names {
                q = q.bind(*n);
            }
            q.fetch_all(p).await
        })?;
        rows.into_iter().map(ObligationRecord::try_from).collect()
    }

    /// Moves an obligation to `to` if it is in one of `from` (any state when empty), recording
    /// `error` (kept when `None`). Returns whether it moved.
    pub async fn transition_obligation(
        &self,
        order_matching: &str,
        sla_id: &str,
        oracle: &str,
        from: &[ObligationState],
        to: ObligationState,
        error: Option<&str>,
    ) -> Result<bool> {
        let (om, sla, oracle) = key(order_matching, sla_id, oracle, "sla_id")?;
        let names = state_list(from);
        let filter =
            if names.is_empty() { String::new() } else { format!(" AND state IN ({})", placeholders(7, names.len())) };
        let sql = format!(
            "UPDATE agreement_obligations SET state = $4, error = COALESCE($5, error), updated_at = $6 \
             WHERE order_matching = $1 AND sla_id = $2 AND oracle = $3{filter}"
        );
        let n = with_pool!(self, |p| {
            let mut q =
                sqlx::query(&sql).bind(&om).bind(&sla).bind(&oracle).bind(to.as_str()).bind(error).bind(now_millis());
            for s in &names {
                q = q.bind(*s);
            }
            q.execute(p).await.map(|r| r.rows_affected())
        })?;
        Ok(n > 0)
    }

    /// Records the status of an SLA on every obligation under it; returns the rows changed.
    pub async fn set_sla_phase(&self, order_matching: &str, sla_id: &str, phase: SlaPhase) -> Result<u64> {
        let om = address(order_matching, "order_matching")?;
        let sla = decimal_u256(sla_id, "sla_id")?;
        let n = with_pool!(self, |p| sqlx::query(
            "UPDATE agreement_obligations SET sla_status = $3, updated_at = $4 \
             WHERE order_matching = $1 AND sla_id = $2"
        )
        .bind(&om)
        .bind(&sla)
        .bind(phase.as_str())
        .bind(now_millis())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n)
    }

    // ------------------------------------------------------------------ sessions

    /// Inserts a session in state `observing`, idempotently on
    /// `(order_matching, session_id, oracle)`.
    pub async fn insert_session(&self, s: &NewSession) -> Result<Inserted<SessionRecord>> {
        let (om, sid, oracle) = key(&s.order_matching, &s.session_id, &s.oracle, "session_id")?;
        let sla = decimal_u256(&s.sla_id, "sla_id")?;
        let deadline = u64_to_i64(s.deadline, "deadline")?;
        let insert = format!(
            "INSERT INTO agreement_sessions (order_matching, session_id, sla_id, oracle, job_id, state, deadline, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (order_matching, session_id, oracle) DO NOTHING RETURNING {SESSION_COLUMNS}"
        );
        let row: Option<SessionRow> = with_pool!(self, |p| sqlx::query_as(&insert)
            .bind(&om)
            .bind(&sid)
            .bind(&sla)
            .bind(&oracle)
            .bind(s.job_id)
            .bind(SessionState::Observing.as_str())
            .bind(deadline)
            .bind(now_millis())
            .fetch_optional(p)
            .await)
        .map_err(|e| Error::from_write(e, &format!("session {om}/{sid}")))?;
        if let Some(row) = row {
            return Ok(Inserted::New(row.try_into()?));
        }
        match self.session(&om, &sid, &oracle).await? {
            Some(existing) => Ok(Inserted::Existing(existing)),
            None => Err(Error::not_found(format!("session {om}/{sid} vanished after a key conflict"))),
        }
    }

    /// One session.
    pub async fn session(&self, order_matching: &str, session_id: &str, oracle: &str) -> Result<Option<SessionRecord>> {
        let (om, sid, oracle) = key(order_matching, session_id, oracle, "session_id")?;
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM agreement_sessions \
             WHERE order_matching = $1 AND session_id = $2 AND oracle = $3"
        );
        let row: Option<SessionRow> =
            with_pool!(self, |p| sqlx::query_as(&sql).bind(&om).bind(&sid).bind(&oracle).fetch_optional(p).await)?;
        row.map(SessionRecord::try_from).transpose()
    }

    /// `oracle`'s sessions in one of `states` (every state when empty), newest first, at most `limit`.
    pub async fn sessions(&self, oracle: &str, states: &[SessionState], limit: i64) -> Result<Vec<SessionRecord>> {
        if limit < 1 {
            return Err(Error::invalid(format!("limit {limit} must be at least 1")));
        }
        let oracle = address(oracle, "oracle")?;
        let names = state_list(states);
        let filter =
            if names.is_empty() { String::new() } else { format!(" AND state IN ({})", placeholders(3, names.len())) };
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM agreement_sessions WHERE oracle = $1{filter} ORDER BY id DESC LIMIT $2"
        );
        let rows: Vec<SessionRow> = with_pool!(self, |p| {
            let mut q = sqlx::query_as(&sql).bind(&oracle).bind(limit);
            for n in &names {
                q = q.bind(*n);
            }
            q.fetch_all(p).await
        })?;
        rows.into_iter().map(SessionRecord::try_from).collect()
    }

    /// `oracle`'s sessions under one SLA that have not settled (no `settled_at`), in any state,
    /// oldest first: the sessions that may keep the SLA from closing.
    pub async fn unsettled_sessions(
        &self,
        order_matching: &str,
        sla_id: &str,
        oracle: &str,
    ) -> Result<Vec<SessionRecord>> {
        let (om, sla, oracle) = key(order_matching, sla_id, oracle, "sla_id")?;
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM agreement_sessions \
             WHERE order_matching = $1 AND sla_id = $2 AND oracle = $3 AND settled_at IS NULL ORDER BY id"
        );
        let rows: Vec<SessionRow> =
            with_pool!(self, |p| sqlx::query_as(&sql).bind(&om).bind(&sla).bind(&oracle).fetch_all(p).await)?;
        rows.into_iter().map(SessionRecord::try_from).collect()
    }

    /// Links a session to the run computing its answer.
    pub async fn set_session_run(
        &self,
        order_matching: &str,
        session_id: &str,
        oracle: &str,
        run_id: i64,
    ) -> Result<()> {
        let (om, sid, oracle) = key(order_matching, session_id, oracle, "session_id")?;
        let n = with_pool!(self, |p| {
            sqlx::query(
            "UPDATE agreement_sessions SET run_id = $4 WHERE order_matching = $1 AND session_id = $2 AND oracle = $3"
        )
        .bind(&om)
        .bind(&sid)
        .bind(&oracle)
        .bind(run_id)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        })
        .map_err(|e| Error::from_write(e, &format!("session {om}/{sid} run")))?;
        if n == 0 {
            return Err(Error::not_found(format!("session {om}/{sid}")));
        }
        Ok(())
    }

    /// Records the node's answer and salt, once: the session moves `observing → answered`. A
    /// session that already has an answer keeps it (the salt is never replaced). Returns the
    /// stored session, whose `answer` and `salt` are what the node must commit and reveal.
    pub async fn record_session_answer(
        &self,
        order_matching: &str,
        session_id: &str,
        oracle: &str,
        answer: &str,
        salt: &str,
    ) -> Result<SessionRecord> {
        let (om, sid, oracle) = key(order_matching, session_id, oracle, "session_id")?;
        let answer = signed_decimal(answer, "answer")?;
        let salt = hash32(salt, "salt")?;
        with_pool!(self, |p| sqlx::query(
            "UPDATE agreement_sessions SET answer = $4, salt = $5, state = $6, answered_at = $7 \
             WHERE order_matching = $1 AND session_id = $2 AND oracle = $3 AND answer IS NULL AND state = $8"
        )
        .bind(&om)
        .bind(&sid)
        .bind(&oracle)
        .bind(&answer)
        .bind(&salt)
        .bind(SessionState::Answered.as_str())
        .bind(now_millis())
        .bind(SessionState::Observing.as_str())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        self.session(&om, &sid, &oracle).await?.ok_or_else(|| Error::not_found(format!("session {om}/{sid}")))
    }

    /// Moves a session to `to` if it is in one of `from` (any state when empty), recording
    /// `error` (kept when `None`) and the time of the step (`committed_at`, `revealed_at`,
    /// `settled_at`). Returns whether it moved.
    pub async fn transition_session(
        &self,
        order_matching: &str,
        session_id: &str,
        oracle: &str,
        from: &[SessionState],
        to: SessionState,
        error: Option<&str>,
    ) -> Result<bool> {
        let (om, sid, oracle) = key(order_matching, session_id, oracle, "session_id")?;
        let stamp = match to {
            SessionState::Committed => Some("committed_at"),
            SessionState::Revealed => Some("revealed_at"),
            SessionState::Settled => Some("settled_at"),
            _ => None,
        };
        let (stamp_sql, first) = match stamp {
            Some(c) => (format!(", {c} = COALESCE({c}, $6)"), 7),
            None => (String::new(), 6),
        };
        let names = state_list(from);
        let filter = if names.is_empty() {
            String::new()
        } else {
            format!(" AND state IN ({})", placeholders(first, names.len()))
        };
        let sql = format!(
            "UPDATE agreement_sessions SET state = $4, error = COALESCE($5, error){stamp_sql} \
             WHERE order_matching = $1 AND session_id = $2 AND oracle = $3{filter}"
        );
        let n = with_pool!(self, |p| {
            let mut q = sqlx::query(&sql).bind(&om).bind(&sid).bind(&oracle).bind(to.as_str()).bind(error);
            if stamp.is_some() {
                q = q.bind(now_millis());
            }
            for s in &names {
                q = q.bind(*s);
            }
            q.execute(p).await.map(|r| r.rows_affected())
        })?;
        Ok(n > 0)
    }

    /// Records the node's reveal as mined (`revealed_at`), and moves a `committed` session to
    /// `revealed`. A session that settled in the same transaction keeps `settled`.
    pub async fn mark_session_revealed(&self, order_matching: &str, session_id: &str, oracle: &str) -> Result<()> {
        let (om, sid, oracle) = key(order_matching, session_id, oracle, "session_id")?;
        with_pool!(self, |p| sqlx::query(
            "UPDATE agreement_sessions SET revealed_at = COALESCE(revealed_at, $4), \
             state = CASE WHEN state = $5 THEN $6 ELSE state END \
             WHERE order_matching = $1 AND session_id = $2 AND oracle = $3"
        )
        .bind(&om)
        .bind(&sid)
        .bind(&oracle)
        .bind(now_millis())
        .bind(SessionState::Committed.as_str())
        .bind(SessionState::Revealed.as_str())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A session settled on chain: every row of it gets `settled_at`; rows that committed
    /// (`committed`, `revealed`) become `settled`, rows that never committed (`observing`,
    /// `answered`) become `missed`; `missed` and `failed` rows keep their state. Returns the rows
    /// changed.
    pub async fn settle_session(&self, order_matching: &str, session_id: &str) -> Result<u64> {
        let om = address(order_matching, "order_matching")?;
        let sid = decimal_u256(session_id, "session_id")?;
        let n = with_pool!(self, |p| sqlx::query(
            "UPDATE agreement_sessions SET settled_at = COALESCE(settled_at, $3), \
             state = CASE WHEN state IN ($4, $5) THEN $6 WHEN state IN ($7, $8) THEN $9 ELSE state END, \
             error = CASE WHEN state IN ($7, $8) THEN COALESCE(error, $10) ELSE error END \
             WHERE order_matching = $1 AND session_id = $2"
        )
        .bind(&om)
        .bind(&sid)
        .bind(now_millis())
        .bind(SessionState::Committed.as_str())
        .bind(SessionState::Revealed.as_str())
        .bind(SessionState::Settled.as_str())
        .bind(SessionState::Observing.as_str())
        .bind(SessionState::Answered.as_str())
        .bind(SessionState::Missed.as_str())
        .bind("the session settled before the node committed")
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n)
    }

    /// Records a session's delivered answer on every row of it.
    pub async fn set_session_final_answer(&self, order_matching: &str, session_id: &str, answer: &str) -> Result<u64> {
        let om = address(order_matching, "order_matching")?;
        let sid = decimal_u256(session_id, "session_id")?;
        let answer = signed_decimal(answer, "final answer")?;
        let n = with_pool!(self, |p| sqlx::query(
            "UPDATE agreement_sessions SET final_answer = $3 WHERE order_matching = $1 AND session_id = $2"
        )
        .bind(&om)
        .bind(&sid)
        .bind(&answer)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n)
    }

    /// Records what the node was paid for a session (decimal juels).
    pub async fn set_session_paid(
        &self,
        order_matching: &str,
        session_id: &str,
        oracle: &str,
        amount: &str,
    ) -> Result<bool> {
        let (om, sid, oracle) = key(order_matching, session_id, oracle, "session_id")?;
        let amount = decimal_u256(amount, "paid")?;
        let n = with_pool!(self, |p| sqlx::query(
            "UPDATE agreement_sessions SET paid = $4 WHERE order_matching = $1 AND session_id = $2 AND oracle = $3"
        )
        .bind(&om)
        .bind(&sid)
        .bind(&oracle)
        .bind(&amount)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }
}
