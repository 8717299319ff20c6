//! `linkpool agreements obligations`: what a running node has at stake in the oracle network
//! (`GET /v2/agreements`): its bids and SLAs, the penalties at risk, and its newest commit/reveal
//! sessions.

use std::time::{Duration, UNIX_EPOCH};

use alloy::primitives::U256;
use clap::Args;
use linkpool_pool::client::format_link;
use serde_json::Value;

use crate::{client::ApiClient, opts::ApiOpts, table};

/// `agreements obligations` (its help is on `AgreementsCommand::Obligations`).
#[derive(Debug, Args)]
pub(crate) struct ObligationsArgs {
    /// Sessions to list, newest first (1–500).
    #[arg(long, default_value_t = 20)]
    sessions: i64,
    #[command(flatten)]
    api: ApiOpts,
}

fn s(v: &Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_else(|| if v.is_null() { "-".into() } else { v.to_string() })
}

/// Decimal juels as `12.5 LINK`; `-` when absent.
fn link(v: &Value) -> String {
    match v.as_str().and_then(|t| t.parse::<U256>().ok()) {
        Some(juels) => format!("{} LINK", format_link(juels)),
        None => "-".into(),
    }
}

/// Unix seconds as UTC time; `-` when absent.
fn secs(v: &Value) -> String {
    match v.as_u64() {
        Some(t) => humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(t)).to_string(),
        None => "-".into(),
    }
}

/// Unix millis as UTC time; `-` when absent.
fn millis(v: &Value) -> String {
    match v.as_u64() {
        Some(ms) => humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(ms)).to_string(),
        None => "-".into(),
    }
}

/// `0x5FbD…0aa3`.
fn short(v: &Value) -> String {
    let t = s(v);
    if t.len() > 12 {
        format!("{}…{}", &t[..6], &t[t.len() - 4..])
    } else {
        t
    }
}

fn array(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn print(d: &Value) {
    table::print_pairs(vec![
        ("oracle", s(&d["oracle"])),
        ("penalties at risk", link(&d["penaltiesAtRiskJuels"])),
        ("SLAs", array(&d["slas"]).len().to_string()),
    ]);
    let slas: Vec<Vec<String>> = array(&d["slas"])
        .iter()
        .map(|o| {
            vec![
                short(&o["orderMatching"]),
                s(&o["slaId"]),
                s(&o["jobId"]),
                s(&o["state"]),
                s(&o["slaStatus"]),
                if o["atRisk"].as_bool() == Some(true) { "yes".into() } else { "no".into() },
                link(&o["penaltyJuels"]),
                link(&o["paymentPerOracleJuels"]),
                if o["poolBacked"].as_bool() == Some(true) { "pool".into() } else { "own".into() },
                secs(&o["serviceEnds"]),
                s(&o["error"]),
            ]
        })
        .collect();
    println!();
    if slas.is_empty() {
        println!("no SLAs: the node has not bid yet");
    } else {
        let header = [
            "ORDER MATCHING",
            "SLA",
            "JOB",
            "STATE",
            "SLA STATUS",
            "AT RISK",
            "PENALTY",
            "PAYMENT",
            "STAKE",
            "SERVICE ENDS (UTC)",
            "ERROR",
        ];
        println!("{}", table::render(&header, &slas));
    }
    let sessions: Vec<Vec<String>> = array(&d["sessions"])
        .iter()
        .map(|x| {
            vec![
                s(&x["sessionId"]),
                s(&x["slaId"]),
                s(&x["state"]),
                s(&x["answer"]),
                s(&x["finalAnswer"]),
                link(&x["paidJuels"]),
                s(&x["runId"]),
                millis(&x["committedAt"]),
                millis(&x["revealedAt"]),
                s(&x["error"]),
            ]
        })
        .collect();
    println!();
    if sessions.is_empty() {
        println!("no sessions");
    } else {
        let header =
            ["SESSION", "SLA", "STATE", "ANSWER", "FINAL", "PAID", "RUN", "COMMITTED (UTC)", "REVEALED (UTC)", "ERROR"];
        println!("{}", table::render(&header, &sessions));
    }
}

impl ObligationsArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let v = ApiClient::new(&self.api)?.get(&format!("/v2/agreements?limit={}", self.sessions)).await?;
        if self.api.json {
            table::print_json(&v)?;
        } else {
            print(&v["data"]);
        }
        Ok(())
    }
}
