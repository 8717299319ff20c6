//! `linkpool sla finalize`: select an SLA's oracles (or find it failed and refunded).

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
};
use clap::Args;
use eyre::Context;
use linkpool_agreements::{client::events, Agreements, SlaStatus};
use linkpool_bindings::{agreements::OrderMatching, stack::SentTx};
use serde::Serialize;

use super::{link, KeyOpts, NetworkOpts};
use crate::table::{self, print_json, print_transactions};

#[derive(Debug, Args)]
pub(crate) struct FinalizeArgs {
    /// The SLA's id.
    sla: U256,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Refund {
    oracle: Address,
    penalty: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Finalized {
    sla_id: u64,
    status: &'static str,
    selected: Vec<Address>,
    /// When the SLA failed: the qualifying bids it had, and the oracles it needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    qualifying_bids: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    needed: Option<u8>,
    refunded: Vec<Refund>,
    transaction: SentTx,
}

/// The receipt of a transaction the client sent.
pub(crate) async fn receipt(om: &Agreements, sent: &SentTx) -> eyre::Result<TransactionReceipt> {
    om.provider()
        .get_transaction_receipt(sent.hash)
        .await
        .with_context(|| format!("reading the receipt of {}", sent.hash))?
        .ok_or_else(|| eyre::eyre!("no receipt for {}", sent.hash))
}

impl FinalizeArgs {
    pub(crate) async fn run(self, net: &NetworkOpts, key: &KeyOpts) -> eyre::Result<()> {
        let om = net.writer(key, "sla finalize").await?;
        let sent = om.finalize(self.sla).await?;
        let r = receipt(&om, &sent).await?;
        let failed = events::<OrderMatching::SlaFailed>(&r, om.address()).into_iter().next();
        let refunded = events::<OrderMatching::BidRefunded>(&r, om.address())
            .into_iter()
            .map(|e| Refund { oracle: e.oracle, penalty: e.penalty.to_string() })
            .collect();
        let sla = om.sla(self.sla).await?;
        let report = Finalized {
            sla_id: super::id(self.sla),
            status: SlaStatus::of(sla.status).name(),
            selected: sla.selected.clone(),
            qualifying_bids: failed.as_ref().map(|f| super::id(f.qualifyingBids)),
            needed: failed.as_ref().map(|f| f.needed),
            refunded,
            transaction: sent,
        };
        if net.json {
            return print_json(&report);
        }
        match &failed {
            Some(f) => println!(
                "SLA {} failed: {} qualifying bids, {} oracles needed; every bid was refunded",
                self.sla, f.qualifyingBids, f.needed
            ),
            None => {
                println!("SLA {} is {}: {} oracles selected", self.sla, report.status, report.selected.len());
                let rows: Vec<Vec<String>> =
                    report.selected.iter().enumerate().map(|(i, a)| vec![i.to_string(), a.to_string()]).collect();
                println!("{}", table::render(&["INDEX", "ORACLE"], &rows));
            }
        }
        if !report.refunded.is_empty() {
            println!();
            let rows: Vec<Vec<String>> = report
                .refunded
                .iter()
                .map(|r| vec![r.oracle.to_string(), link(r.penalty.parse().unwrap_or_default())])
                .collect();
            println!("{}", table::render(&["REFUNDED", "PENALTY"], &rows));
        }
        print_transactions(std::slice::from_ref(&report.transaction));
        Ok(())
    }
}
