//! `linkpool sla request | settle | close`: open a request, settle it after its deadline, close an
//! SLA after its service period.

use alloy::primitives::{Address, FixedBytes, U256};
use clap::Args;
use linkpool_agreements::{client::events, terms::request_escrow};
use linkpool_bindings::{agreements::OrderMatching, stack::SentTx};
use serde::Serialize;

use super::{finalize::receipt, link, parse_selector, when, KeyOpts, NetworkOpts};
use crate::table::{self, print_json, print_pairs, print_transactions};

#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// The SLA's id (it must be active, and you its purchaser).
    sla: U256,
    /// The contract the answer is delivered to.
    #[arg(long)]
    callback: Address,
    /// The function called with `(uint256 sessionId, int256 answer)`: a signature or 4 bytes.
    #[arg(long, value_parser = parse_selector, default_value = "fulfill(uint256,int256)")]
    selector: FixedBytes<4>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Requested {
    sla_id: u64,
    session_id: u64,
    escrow: String,
    deadline: Option<u64>,
    callback: Address,
    selector: FixedBytes<4>,
    transaction: SentTx,
}

impl RequestArgs {
    pub(crate) async fn run(self, net: &NetworkOpts, key: &KeyOpts) -> eyre::Result<()> {
        let om = net.writer(key, "sla request").await?;
        let escrow = request_escrow(&om.sla(self.sla).await?.terms);
        eprintln!("requesting under SLA {} (escrow {}) …", self.sla, link(escrow));
        let (session_id, sent) = om.request(self.sla, self.callback, self.selector).await?;
        let r = receipt(&om, &sent).await?;
        let deadline = events::<OrderMatching::RequestOpened>(&r, om.address()).first().map(|e| e.deadline);
        let report = Requested {
            sla_id: super::id(self.sla),
            session_id: super::id(session_id),
            escrow: escrow.to_string(),
            deadline,
            callback: self.callback,
            selector: self.selector,
            transaction: sent,
        };
        if net.json {
            return print_json(&report);
        }
        println!("opened session {session_id}");
        print_pairs(vec![
            ("session", session_id.to_string()),
            ("sla", self.sla.to_string()),
            ("escrow", link(escrow)),
            ("deadline", deadline.map(when).unwrap_or_else(|| "-".into())),
            ("callback", format!("{}.{}", self.callback, self.selector)),
        ]);
        print_transactions(std::slice::from_ref(&report.transaction));
        Ok(())
    }
}

#[derive(Debug, Args)]
pub(crate) struct SettleArgs {
    /// The session's id (printed by `sla request`).
    session: U256,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Forfeit {
    oracle: Address,
    amount: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Settled {
    session_id: u64,
    answered: Option<bool>,
    paid: Option<String>,
    refunded: Option<String>,
    oracles_paid: Vec<Address>,
    forfeited: Vec<Forfeit>,
    transaction: SentTx,
}

impl SettleArgs {
    pub(crate) async fn run(self, net: &NetworkOpts, key: &KeyOpts) -> eyre::Result<()> {
        let om = net.writer(key, "sla settle").await?;
        let sent = om.settle(self.session).await?;
        let r = receipt(&om, &sent).await?;
        let settled = events::<OrderMatching::SessionSettled>(&r, om.address()).into_iter().next();
        let report = Settled {
            session_id: super::id(self.session),
            answered: settled.as_ref().map(|s| s.answered),
            paid: settled.as_ref().map(|s| s.paid.to_string()),
            refunded: settled.as_ref().map(|s| s.refunded.to_string()),
            oracles_paid: events::<OrderMatching::OraclePaid>(&r, om.address()).into_iter().map(|e| e.oracle).collect(),
            forfeited: events::<OrderMatching::PenaltyForfeited>(&r, om.address())
                .into_iter()
                .map(|e| Forfeit { oracle: e.oracle, amount: e.amount.to_string() })
                .collect(),
            transaction: sent,
        };
        if net.json {
            return print_json(&report);
        }
        match &settled {
            Some(s) => println!(
                "settled session {}: {}; paid {} to {} oracles, refunded {} to the requester",
                self.session,
                if s.answered { "answered" } else { "no answer" },
                link(s.paid),
                report.oracles_paid.len(),
                link(s.refunded)
            ),
            None => println!("settled session {}", self.session),
        }
        if !report.forfeited.is_empty() {
            let rows: Vec<Vec<String>> = report
                .forfeited
                .iter()
                .map(|f| vec![f.oracle.to_string(), link(f.amount.parse().unwrap_or_default())])
                .collect();
            println!("{}", table::render(&["FORFEITED BY", "PENALTY"], &rows));
        }
        print_transactions(std::slice::from_ref(&report.transaction));
        Ok(())
    }
}

#[derive(Debug, Args)]
pub(crate) struct CloseArgs {
    /// The SLA's id.
    sla: U256,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Released {
    oracle: Address,
    amount: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Closed {
    sla_id: u64,
    released: Vec<Released>,
    transaction: SentTx,
}

impl CloseArgs {
    pub(crate) async fn run(self, net: &NetworkOpts, key: &KeyOpts) -> eyre::Result<()> {
        let om = net.writer(key, "sla close").await?;
        let sent = om.close(self.sla).await?;
        let r = receipt(&om, &sent).await?;
        let released = events::<OrderMatching::PenaltyReleased>(&r, om.address())
            .into_iter()
            .map(|e| Released { oracle: e.oracle, amount: e.amount.to_string() })
            .collect();
        let report = Closed { sla_id: super::id(self.sla), released, transaction: sent };
        if net.json {
            return print_json(&report);
        }
        println!("closed SLA {}: {} penalties returned", self.sla, report.released.len());
        if !report.released.is_empty() {
            let rows: Vec<Vec<String>> = report
                .released
                .iter()
                .map(|r| vec![r.oracle.to_string(), link(r.amount.parse().unwrap_or_default())])
                .collect();
            println!("{}", table::render(&["RETURNED TO", "PENALTY"], &rows));
        }
        print_transactions(std::slice::from_ref(&report.transaction));
        Ok(())
    }
}
