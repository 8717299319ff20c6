//! `drc show`: the coordinator's storage.

use std::path::PathBuf;

use alloy::primitives::{aliases::U96, Address, B256, U256};
use clap::{Args, ValueEnum};
use linkpool_drc::{
    client::{Overview, Subscription},
    specs::{self, LoadOptions, Spec, SpecSet},
};
use serde::Serialize;

use super::{juels, print_json, print_pairs, ChainOpts};
use crate::table;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Section {
    /// Owner, pause state, LINK, earnings, price and the pricing configuration.
    Config,
    /// Every spec.
    Specs,
    /// Balances of the consumers given with --consumer (and those listed in --specs-dir).
    Balances,
    /// Subscriptions (given with --subscription, else all created since --from-block).
    Subscriptions,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Only these sections (repeat or comma-separate); default all.
    #[arg(long, value_enum, value_delimiter = ',')]
    section: Vec<Section>,
    /// A consumer whose balance to show (repeatable).
    #[arg(long)]
    consumer: Vec<Address>,
    /// Also show the balances of the consumers listed in these spec files.
    #[arg(long)]
    specs_dir: Option<PathBuf>,
    /// A subscription to show (repeatable); without it, every subscription created since --from-block.
    #[arg(long)]
    subscription: Vec<u64>,
    /// First block to scan for SubscriptionCreated logs (public endpoints limit log ranges:
    /// use the coordinator's deployment block).
    #[arg(long, default_value_t = 0)]
    from_block: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpecRow {
    key: B256,
    external_job_id: Option<String>,
    #[serde(flatten)]
    spec: Spec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Balance {
    consumer: Address,
    #[serde(serialize_with = "ser_dec")]
    balance: U96,
}

fn ser_dec<S: serde::Serializer>(v: &U96, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Report {
    #[serde(skip_serializing_if = "Option::is_none")]
    overview: Option<Overview>,
    #[serde(skip_serializing_if = "Option::is_none")]
    specs: Option<Vec<SpecRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    balances: Option<Vec<Balance>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscriptions: Option<Vec<Subscription>>,
}

impl ShowArgs {
    pub(crate) async fn run(self, chain: &ChainOpts) -> eyre::Result<()> {
        let c = chain.reader().await?;
        let wants = |s: Section| self.section.is_empty() || self.section.contains(&s);
        let mut report = Report::default();
        if wants(Section::Config) {
            report.overview = Some(c.overview().await?);
        }
        if wants(Section::Specs) {
            report.specs = Some(
                c.specs()
                    .await?
                    .into_iter()
                    .map(|(key, spec)| SpecRow {
                        key,
                        external_job_id: specs::external_job_id(spec.spec_id).map(|u| u.to_string()),
                        spec,
                    })
                    .collect(),
            );
        }
        if wants(Section::Balances) {
            let mut consumers = self.consumer.clone();
            if let Some(dir) = &self.specs_dir {
                let set = SpecSet::load_dir(dir, LoadOptions::default())?;
                for a in set.consumers() {
                    if !consumers.contains(&a) {
                        consumers.push(a);
                    }
                }
            }
            let mut balances = Vec::new();
            for consumer in consumers {
                balances.push(Balance { consumer, balance: c.balance(consumer).await? });
            }
            report.balances = Some(balances);
        }
        if wants(Section::Subscriptions) {
            let subs = if self.subscription.is_empty() {
                c.subscriptions(self.from_block).await?
            } else {
                let mut out = Vec::new();
                for id in &self.subscription {
                    out.push(c.subscription(*id).await?.ok_or_else(|| eyre::eyre!("no subscription {id}"))?);
                }
                out
            };
            report.subscriptions = Some(subs);
        }
        if chain.json {
            return print_json(&report);
        }
        print_report(&report, self.section.is_empty() || self.section.contains(&Section::Balances));
        Ok(())
    }
}

fn print_report(r: &Report, balances_wanted: bool) {
    if let Some(o) = &r.overview {
        let cfg = &o.config;
        let feed = |a: Address| if a.is_zero() { "-".to_owned() } else { a.to_string() };
        println!("== coordinator");
        print_pairs(vec![
            ("address", o.address.to_string()),
            ("owner", o.owner.to_string()),
            ("paused", o.paused.to_string()),
            ("LINK", o.link.to_string()),
            ("LINK balance", juels(o.link_balance)),
            ("owner earnings", juels(U256::from(o.owner_earnings))),
            (
                "weiPerUnitLink",
                match &o.wei_per_unit_link {
                    Ok(p) => p.clone(),
                    Err(e) => format!("unavailable: {e}"),
                },
            ),
            ("fallbackWeiPerUnitLink", cfg.fallback_wei_per_unit_link.to_string()),
            ("stalenessSeconds", cfg.staleness_seconds.to_string()),
            ("sequencerGracePeriodSeconds", cfg.sequencer_grace_period_seconds.to_string()),
            ("linkTknFeed", feed(cfg.link_tkn_feed)),
            ("linkUsdFeed", feed(cfg.link_usd_feed)),
            ("tknUsdFeed", feed(cfg.tkn_usd_feed)),
            ("sequencerUptimeFeed", feed(cfg.sequencer_uptime_feed)),
        ]);
    }
    if let Some(specs) = &r.specs {
        println!("\n== specs ({})", specs.len());
        let rows: Vec<Vec<String>> = specs
            .iter()
            .map(|s| {
                vec![
                    s.key.to_string(),
                    s.external_job_id.clone().unwrap_or_else(|| s.spec.spec_id.to_string()),
                    s.spec.operator.to_string(),
                    super::specs::payment(&s.spec),
                    super::specs::fee(&s.spec),
                    s.spec.gas_limit.to_string(),
                ]
            })
            .collect();
        println!("{}", table::render(&["KEY", "EXTERNAL JOB ID", "OPERATOR", "PAYMENT", "FEE", "GAS LIMIT"], &rows));
    }
    if let Some(balances) = &r.balances {
        if !balances.is_empty() || balances_wanted {
            println!("\n== balances ({})", balances.len());
            if balances.is_empty() {
                println!("(pass --consumer <address> or --specs-dir <dir> to show balances)");
            } else {
                let rows: Vec<Vec<String>> =
                    balances.iter().map(|b| vec![b.consumer.to_string(), juels(U256::from(b.balance))]).collect();
                println!("{}", table::render(&["CONSUMER", "BALANCE"], &rows));
            }
        }
    }
    if let Some(subs) = &r.subscriptions {
        println!("\n== subscriptions ({})", subs.len());
        let rows: Vec<Vec<String>> = subs
            .iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    s.owner.to_string(),
                    juels(U256::from(s.balance)),
                    s.pending_requests.to_string(),
                    s.consumers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                ]
            })
            .collect();
        println!("{}", table::render(&["ID", "OWNER", "BALANCE", "PENDING", "CONSUMERS"], &rows));
    }
}
