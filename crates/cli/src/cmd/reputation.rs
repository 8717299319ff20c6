//! `linkpool reputation …`: an oracle's record in a Reputation contract (whitepaper §5.1–5.2), and
//! purchasers' ratings. Takes the `sla` commands' options.

use alloy::primitives::{Address, B256, U256};
use clap::{Args, Subcommand};
use eyre::Context;
use linkpool_agreements::Stats;
use linkpool_bindings::{agreements::Reputation, stack::SentTx};
use serde::Serialize;

use super::sla::{id, job_type_text, link, opts::ensure_contract, parse_job_type, KeyOpts, NetworkOpts};
use crate::table::{print_json, print_pairs, print_transactions};

/// An oracle's record in a Reputation contract; rating an SLA's oracles.
#[derive(Debug, Args)]
pub(crate) struct ReputationArgs {
    #[command(flatten)]
    net: NetworkOpts,
    #[command(flatten)]
    key: KeyOpts,
    #[command(subcommand)]
    command: ReputationCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReputationCommand {
    /// Every metric the Reputation contract keeps of an oracle, overall and for one job type.
    ///
    /// Assigned, completed and accepted requests, the acceptance rate that ranks bidders (oracles
    /// without history count 50 %), the average response time (request to commitment), missed
    /// and unrevealed requests (availability), rejected and mismatched answers (correctness),
    /// penalties locked and forfeited, and purchasers' ratings.
    ///
    ///   linkpool reputation show 0x70997970C51812dc3A010C7d01b50e0d17dc79C8
    ///   linkpool reputation show 0x7099… --job-type eth-usd --json
    #[command(verbatim_doc_comment)]
    Show(ShowArgs),
    /// Rate one of your SLA's selected oracles, 1 (worst) to 5 (best); once per SLA and oracle.
    ///
    ///   linkpool reputation rate 1 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 5 --order-matching 0x…
    #[command(verbatim_doc_comment)]
    Rate(RateArgs),
}

impl ReputationArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self.command {
            ReputationCommand::Show(a) => a.run(&self.net).await,
            ReputationCommand::Rate(a) => a.run(&self.net, &self.key).await,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The oracle's address.
    oracle: Address,
    /// Also the metrics of one job type (text of at most 32 bytes, e.g. eth-usd, or a bytes32).
    #[arg(long, value_parser = parse_job_type)]
    job_type: Option<B256>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatsJson {
    assigned: u32,
    completed: u32,
    accepted: u32,
    /// `accepted / assigned` in basis points; `None` without history.
    acceptance_bps: Option<u64>,
    /// Revealed answers the aggregator rejected: `completed - accepted`.
    rejected: u32,
    missed: u32,
    unrevealed: u32,
    mismatched: u32,
    response_time_total_s: u64,
    /// `responseTimeTotal / completed`, in seconds; `None` before the first completed request.
    average_response_time_s: Option<f64>,
    penalties_locked: String,
    penalties_forfeited: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportJson {
    oracle: Address,
    reputation: Address,
    /// What ranks bidders (`Reputation.acceptanceBps`): `noHistoryBps` when nothing was assigned.
    acceptance_bps: u64,
    no_history: bool,
    no_history_bps: u64,
    overall: StatsJson,
    forfeits: u32,
    ratings: u64,
    ratings_total: u64,
    ratings_average: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_type: Option<B256>,
    #[serde(skip_serializing_if = "Option::is_none")]
    for_job_type: Option<StatsJson>,
}

fn stats_json(s: &Stats, locked: u128, forfeited: u128) -> StatsJson {
    StatsJson {
        assigned: s.assigned,
        completed: s.completed,
        accepted: s.accepted,
        acceptance_bps: (s.assigned > 0).then(|| u64::from(s.accepted) * 10_000 / u64::from(s.assigned)),
        rejected: s.completed.saturating_sub(s.accepted),
        missed: s.missed,
        unrevealed: s.unrevealed,
        mismatched: s.mismatched,
        response_time_total_s: s.responseTimeTotal,
        average_response_time_s: (s.completed > 0).then(|| s.responseTimeTotal as f64 / f64::from(s.completed)),
        penalties_locked: locked.to_string(),
        penalties_forfeited: forfeited.to_string(),
    }
}

/// Basis points as a percentage with two decimals: 8750 → `87.50%`.
fn percent(bps: u64) -> String {
    format!("{}.{:02}%", bps / 100, bps % 100)
}

fn stats_rows(s: &StatsJson) -> Vec<(&'static str, String)> {
    let juels = |v: &str| link(v.parse().unwrap_or_default());
    vec![
        ("assigned", s.assigned.to_string()),
        ("completed", s.completed.to_string()),
        ("accepted", s.accepted.to_string()),
        ("acceptance", s.acceptance_bps.map(percent).unwrap_or_else(|| "no history".into())),
        ("rejected (deviating)", s.rejected.to_string()),
        ("missed", s.missed.to_string()),
        ("unrevealed", s.unrevealed.to_string()),
        ("mismatched", s.mismatched.to_string()),
        (
            "avg response time",
            s.average_response_time_s.map(|t| format!("{t:.1} s")).unwrap_or_else(|| "- (nothing completed)".into()),
        ),
        ("penalties locked", juels(&s.penalties_locked)),
        ("penalties forfeited", juels(&s.penalties_forfeited)),
    ]
}

impl ShowArgs {
    pub(crate) async fn run(self, net: &NetworkOpts) -> eyre::Result<()> {
        let address = net.reputation()?;
        let p = net.provider(None).await?;
        ensure_contract(&p, address, "--reputation").await?;
        let rep = Reputation::new(address, p);
        let ctx = || format!("reading Reputation {address}");
        let report = rep.report(self.oracle).call().await.with_context(ctx)?;
        let acceptance_bps = rep.acceptanceBps(self.oracle).call().await.with_context(ctx)?;
        let no_history_bps = rep.NO_HISTORY_BPS().call().await.with_context(ctx)?;
        let for_job_type = match self.job_type {
            Some(job_type) => {
                let stats = rep.statsFor(self.oracle, job_type).call().await.with_context(ctx)?;
                let pens = rep.penaltiesFor(self.oracle, job_type).call().await.with_context(ctx)?;
                Some(stats_json(&stats, pens.locked, pens.forfeited))
            }
            None => None,
        };
        let r = &report;
        let out = ReportJson {
            oracle: self.oracle,
            reputation: address,
            acceptance_bps: id(acceptance_bps),
            no_history: r.overall.assigned == 0,
            no_history_bps: id(no_history_bps),
            overall: stats_json(&r.overall, r.penalties.locked, r.penalties.forfeited),
            forfeits: r.forfeits,
            ratings: r.ratings.count,
            ratings_total: r.ratings.total,
            ratings_average: (r.ratings.count > 0).then(|| r.ratings.total as f64 / r.ratings.count as f64),
            job_type: self.job_type,
            for_job_type,
        };
        if net.json {
            return print_json(&out);
        }
        println!("== oracle {} in Reputation {address}", self.oracle);
        let ranking = if out.no_history {
            format!(
                "no history: ranks as {} ({no_history_bps} bps) when bidding",
                percent(u64::try_from(no_history_bps).unwrap_or(0))
            )
        } else {
            format!("{} ({acceptance_bps} bps)", percent(u64::try_from(acceptance_bps).unwrap_or(0)))
        };
        let mut rows = vec![("acceptance rate (ranking)", ranking)];
        rows.extend(stats_rows(&out.overall).into_iter().filter(|(k, _)| *k != "acceptance"));
        rows.push(("forfeits", out.forfeits.to_string()));
        rows.push((
            "ratings",
            match out.ratings_average {
                Some(avg) => format!("{avg:.2} / 5 over {} ratings", out.ratings),
                None => "none yet".into(),
            },
        ));
        print_pairs(rows);
        if let (Some(job_type), Some(stats)) = (self.job_type, &out.for_job_type) {
            let name = job_type_text(job_type).map(|t| format!("{t:?}")).unwrap_or_else(|| job_type.to_string());
            println!("\n== job type {name}");
            print_pairs(stats_rows(stats));
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub(crate) struct RateArgs {
    /// The SLA's id (you must be its purchaser).
    sla: U256,
    /// One of its selected oracles.
    oracle: Address,
    /// 1 (worst) to 5 (best).
    #[arg(value_parser = clap::value_parser!(u8).range(1..=5))]
    score: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rated {
    sla_id: u64,
    oracle: Address,
    score: u8,
    transaction: SentTx,
}

impl RateArgs {
    pub(crate) async fn run(self, net: &NetworkOpts, key: &KeyOpts) -> eyre::Result<()> {
        let om = net.writer(key, "reputation rate").await?;
        let sent = om.rate(self.sla, self.oracle, self.score).await?;
        let out = Rated { sla_id: id(self.sla), oracle: self.oracle, score: self.score, transaction: sent };
        if net.json {
            return print_json(&out);
        }
        println!("rated {} {} / 5 for SLA {}", self.oracle, self.score, self.sla);
        print_transactions(std::slice::from_ref(&out.transaction));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_derive_rates_and_averages() {
        let s = Stats {
            assigned: 8,
            completed: 7,
            accepted: 6,
            missed: 1,
            unrevealed: 0,
            mismatched: 0,
            responseTimeTotal: 21,
        };
        let j = stats_json(&s, 5, 0);
        assert_eq!(j.acceptance_bps, Some(7_500));
        assert_eq!(j.rejected, 1);
        assert_eq!(j.average_response_time_s, Some(3.0));
        let fresh = stats_json(&Stats::default(), 0, 0);
        assert_eq!((fresh.acceptance_bps, fresh.average_response_time_s), (None, None));
        assert_eq!(percent(7_500), "75.00%");
        assert_eq!(percent(5), "0.05%");
    }
}
