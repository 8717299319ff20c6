//! `linkpool sla status`: an SLA's terms, status, selected oracles and bids, and with `--sessions`
//! its recent requests (found by their `RequestOpened` logs).

use alloy::{
    primitives::{Address, B256, I256, U256},
    providers::Provider,
    rpc::types::Filter,
    sol_types::SolEvent,
};
use clap::Args;
use eyre::Context;
use linkpool_agreements::{
    terms::{quorum, request_escrow},
    Agreements, BidView, SessionView, SlaStatus, SlaView,
};
use linkpool_bindings::{aggregation::IAggregator, agreements::OrderMatching};
use serde::Serialize;

use super::{duration, job_type_text, link, when, NetworkOpts};
use crate::table::{self, print_json, print_pairs};

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// The SLA's id.
    sla: U256,
    /// Also show the SLA's latest requests: status, commits, reveals, answer, escrow.
    #[arg(long)]
    sessions: bool,
    /// With --sessions: how many of the latest requests.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// With --sessions: the first block searched for the SLA's requests (on a long chain, the
    /// block the SLA was proposed in).
    #[arg(long, default_value_t = 0)]
    from_block: u64,
}

/// The name of a `BidState` value.
fn bid_state(state: u8) -> &'static str {
    match state {
        1 => "pending",
        2 => "selected",
        3 => "refunded",
        4 => "forfeited",
        5 => "released",
        _ => "none",
    }
}

/// The name of a `SessionStatus` value.
fn session_status(status: u8) -> &'static str {
    match status {
        1 => "committing",
        2 => "revealing",
        3 => "settled",
        _ => "none",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TermsJson {
    job_id: B256,
    job_type: B256,
    job_type_text: Option<String>,
    query_params: String,
    oracles: u8,
    max_misses: u8,
    payment_per_oracle: String,
    penalty: String,
    escrow_per_request: String,
    bidding_ends: u64,
    service_ends: u64,
    response_window: u32,
    callback_gas_limit: u32,
    reputation: Address,
    aggregator: Address,
    aggregator_rule: Option<String>,
    min_accepted: u32,
    min_acceptance_bps: u16,
    max_forfeits: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BidJson {
    oracle: Address,
    placed_at: u64,
    pool_backed: bool,
    state: &'static str,
    index: Option<u8>,
    miss_streak: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RevealJson {
    oracle: Address,
    answer: I256,
    mismatched: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionJson {
    session_id: u64,
    status: &'static str,
    requester: Address,
    callback: Address,
    selector: String,
    requested_at: u64,
    deadline: u64,
    commits: u8,
    reveals: u8,
    committed: Vec<Address>,
    revealed: Vec<RevealJson>,
    unrevealed: Vec<Address>,
    missed: Vec<Address>,
    answered: bool,
    answer: Option<I256>,
    escrow: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SlaJson {
    sla_id: u64,
    order_matching: Address,
    purchaser: Address,
    status: &'static str,
    terms: TermsJson,
    f: u8,
    quorum: u8,
    active: u8,
    open_sessions: u32,
    selected: Vec<Address>,
    bid_count: u64,
    bids: Vec<BidJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sessions: Option<Vec<SessionJson>>,
}

impl StatusArgs {
    pub(crate) async fn run(self, net: &NetworkOpts) -> eyre::Result<()> {
        let om = net.reader().await?;
        let sla = om.sla(self.sla).await?;
        let bids = om.bids(self.sla).await?;
        let rule = IAggregator::new(sla.terms.aggregator, om.provider().clone()).rule().call().await.ok();
        let sessions = if self.sessions { Some(self.sessions(&om, &sla).await?) } else { None };
        let report = report(self.sla, &om, &sla, &bids, rule, sessions);
        if net.json {
            return print_json(&report);
        }
        print_report(&report);
        Ok(())
    }

    /// The latest `limit` sessions of the SLA, newest last.
    async fn sessions(&self, om: &Agreements, sla: &SlaView) -> eyre::Result<Vec<SessionJson>> {
        let filter = Filter::new()
            .address(om.address())
            .event_signature(OrderMatching::RequestOpened::SIGNATURE_HASH)
            .topic2(B256::from(self.sla))
            .from_block(self.from_block);
        let logs = om.provider().get_logs(&filter).await.context("reading the SLA's RequestOpened logs")?;
        let mut ids: Vec<U256> = logs
            .iter()
            .filter_map(|l| l.log_decode::<OrderMatching::RequestOpened>().ok())
            .map(|l| l.inner.data.sessionId)
            .collect();
        ids.sort();
        ids.dedup();
        let skip = ids.len().saturating_sub(self.limit);
        let mut out = Vec::new();
        for id in &ids[skip..] {
            let s = om.session(*id).await?;
            out.push(session_json(om, sla, *id, &s).await?);
        }
        Ok(out)
    }
}

/// The oracles whose bit is set in `mask` (bit i: selected oracle i).
fn oracles_in(mask: u32, selected: &[Address]) -> Vec<Address> {
    selected.iter().enumerate().filter(|(i, _)| *i < 32 && mask & (1 << i) != 0).map(|(_, a)| *a).collect()
}

async fn session_json(om: &Agreements, sla: &SlaView, id: U256, s: &SessionView) -> eyre::Result<SessionJson> {
    let committed = oracles_in(s.committedMask, &sla.selected);
    let revealed_or_mismatched = oracles_in(s.revealedMask | s.mismatchedMask, &sla.selected);
    let mut revealed = Vec::new();
    for oracle in &revealed_or_mismatched {
        let e = om.entry(id, *oracle).await?;
        revealed.push(RevealJson { oracle: *oracle, answer: e.answer, mismatched: e.mismatched });
    }
    // Missing commitments count as missed once the commit phase is over (quorum or settlement);
    // missing reveals as unrevealed once the session is settled.
    let (commit_phase_over, settled) = (s.status >= 2, s.status == 3);
    let unrevealed = if settled {
        committed.iter().filter(|a| !revealed_or_mismatched.contains(a)).copied().collect()
    } else {
        Vec::new()
    };
    let active = oracles_in(s.activeMask, &sla.selected);
    let missed = if commit_phase_over {
        active.iter().filter(|a| !committed.contains(a)).copied().collect()
    } else {
        Vec::new()
    };
    Ok(SessionJson {
        session_id: super::id(id),
        status: session_status(s.status),
        requester: s.requester,
        callback: s.callback,
        selector: s.selector.to_string(),
        requested_at: s.requestedAt,
        deadline: s.deadline,
        commits: s.commits,
        reveals: s.reveals,
        committed,
        revealed,
        unrevealed,
        missed,
        answered: s.answered,
        answer: s.answered.then_some(s.answer),
        escrow: s.escrow.to_string(),
    })
}

fn report(
    sla_id: U256,
    om: &Agreements,
    sla: &SlaView,
    bids: &[BidView],
    rule: Option<String>,
    sessions: Option<Vec<SessionJson>>,
) -> SlaJson {
    let t = &sla.terms;
    SlaJson {
        sla_id: super::id(sla_id),
        order_matching: om.address(),
        purchaser: sla.purchaser,
        status: SlaStatus::of(sla.status).name(),
        terms: TermsJson {
            job_id: t.jobId,
            job_type: t.jobType,
            job_type_text: job_type_text(t.jobType),
            query_params: String::from_utf8_lossy(&t.queryParams).into_owned(),
            oracles: t.oracles,
            max_misses: t.maxMisses,
            payment_per_oracle: t.paymentPerOracle.to_string(),
            penalty: t.penalty.to_string(),
            escrow_per_request: request_escrow(t).to_string(),
            bidding_ends: t.biddingEnds,
            service_ends: t.serviceEnds,
            response_window: t.responseWindow,
            callback_gas_limit: t.callbackGasLimit,
            reputation: t.reputation,
            aggregator: t.aggregator,
            aggregator_rule: rule,
            min_accepted: t.requirements.minAccepted,
            min_acceptance_bps: t.requirements.minAcceptanceBps,
            max_forfeits: t.requirements.maxForfeits,
        },
        f: sla.f,
        quorum: quorum(t.oracles),
        active: sla.active,
        open_sessions: sla.openSessions,
        selected: sla.selected.clone(),
        bid_count: super::id(sla.bids),
        bids: bids
            .iter()
            .map(|b| BidJson {
                oracle: b.oracle,
                placed_at: b.placedAt,
                pool_backed: b.poolBacked,
                state: bid_state(b.state),
                index: sla.selected.contains(&b.oracle).then_some(b.index),
                miss_streak: b.missStreak,
            })
            .collect(),
        sessions,
    }
}

fn juels(s: &str) -> String {
    link(s.parse().unwrap_or_default())
}

fn print_report(r: &SlaJson) {
    let t = &r.terms;
    let job_type = match (&t.job_type_text, t.job_type == t.job_id) {
        (_, true) => "(the job id)".to_owned(),
        (Some(text), false) => format!("{text:?}"),
        (None, false) => t.job_type.to_string(),
    };
    let requirements = if t.min_accepted == 0 && t.min_acceptance_bps == 0 && t.max_forfeits == u32::MAX {
        "none".to_owned()
    } else {
        let forfeits = if t.max_forfeits == u32::MAX { "any".to_owned() } else { t.max_forfeits.to_string() };
        format!("accepted ≥ {}, acceptance ≥ {} bps, forfeits ≤ {forfeits}", t.min_accepted, t.min_acceptance_bps)
    };
    println!("== SLA {} ({})", r.sla_id, r.status);
    print_pairs(vec![
        ("status", r.status.to_owned()),
        ("purchaser", r.purchaser.to_string()),
        ("job id", t.job_id.to_string()),
        ("job type", job_type),
        ("query params", if t.query_params.is_empty() { "-".to_owned() } else { t.query_params.clone() }),
        ("oracles", format!("{} (f = {}, quorum {}); {} active", t.oracles, r.f, r.quorum, r.active)),
        ("payment per oracle", juels(&t.payment_per_oracle)),
        ("escrow per request", juels(&t.escrow_per_request)),
        ("penalty", juels(&t.penalty)),
        ("max misses", format!("{} in a row", t.max_misses)),
        ("bidding ends", when(t.bidding_ends)),
        ("service ends", when(t.service_ends)),
        ("response window", duration(u64::from(t.response_window))),
        ("callback gas", t.callback_gas_limit.to_string()),
        ("aggregator", format!("{} ({})", t.aggregator, t.aggregator_rule.as_deref().unwrap_or("rule() failed"))),
        ("reputation", t.reputation.to_string()),
        ("requirements", requirements),
        ("open sessions", r.open_sessions.to_string()),
    ]);

    if !r.selected.is_empty() {
        println!("\n== selected oracles ({})", r.selected.len());
        let rows: Vec<Vec<String>> =
            r.selected.iter().enumerate().map(|(i, a)| vec![i.to_string(), a.to_string()]).collect();
        println!("{}", table::render(&["INDEX", "ORACLE"], &rows));
    }

    println!("\n== bids ({})", r.bid_count);
    if r.bids.is_empty() {
        println!("(none yet)");
    } else {
        let rows: Vec<Vec<String>> = r
            .bids
            .iter()
            .map(|b| {
                vec![
                    b.oracle.to_string(),
                    b.state.to_owned(),
                    b.index.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
                    if b.pool_backed { "yes" } else { "no" }.to_owned(),
                    b.miss_streak.to_string(),
                    when(b.placed_at),
                ]
            })
            .collect();
        println!("{}", table::render(&["ORACLE", "STATE", "INDEX", "POOL-BACKED", "MISS STREAK", "PLACED"], &rows));
    }

    if let Some(sessions) = &r.sessions {
        println!("\n== latest sessions ({})", sessions.len());
        if sessions.is_empty() {
            println!("(no requests yet)");
            return;
        }
        let rows: Vec<Vec<String>> = sessions
            .iter()
            .map(|s| {
                vec![
                    s.session_id.to_string(),
                    s.status.to_owned(),
                    when(s.requested_at),
                    when(s.deadline),
                    s.commits.to_string(),
                    s.reveals.to_string(),
                    s.missed.len().to_string(),
                    s.answer.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
                    juels(&s.escrow),
                ]
            })
            .collect();
        println!(
            "{}",
            table::render(
                &[
                    "SESSION",
                    "STATUS",
                    "REQUESTED",
                    "DEADLINE",
                    "COMMITS",
                    "REVEALS",
                    "MISSED",
                    "ANSWER",
                    "ESCROW HELD"
                ],
                &rows
            )
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_name_the_selected_oracles() {
        let sel = [Address::repeat_byte(1), Address::repeat_byte(2), Address::repeat_byte(3)];
        assert_eq!(oracles_in(0b101, &sel), vec![sel[0], sel[2]]);
        assert_eq!(oracles_in(0, &sel), Vec::<Address>::new());
        assert_eq!(oracles_in(0b1000, &sel), Vec::<Address>::new(), "bits beyond the selection are ignored");
    }
}
