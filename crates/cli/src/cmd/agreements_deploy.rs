//! `linkpool agreements deploy`: Reputation, OrderMatching (registered with it) and the standard
//! aggregators, with `linkpool_agreements::deploy`.

use alloy::{primitives::Address, providers::Provider};
use clap::Args;
use linkpool_agreements::deploy::{deploy, AgreementContracts, DEFAULT_TOLERANCE_BPS};
use serde::Serialize;

use super::sla::{opts::ensure_contract, KeyOpts, NetworkOpts};
use crate::table::{print_json, print_pairs};

/// `agreements deploy` (its help is on `AgreementsCommand::Deploy`).
#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// The LINK token of the network.
    #[arg(long, env = "LINKPOOL_LINK_TOKEN")]
    link: Address,
    /// A LinkPool pool (its pool storage) whose nodes may bid with their pooled stake; the
    /// pool's admin must then whitelist the printed OrderMatching. Default: none.
    #[arg(long)]
    pool_registry: Option<Address>,
    #[command(flatten)]
    net: NetworkOpts,
    #[command(flatten)]
    key: KeyOpts,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Deployed {
    deployer: Address,
    tolerance_bps: u64,
    #[serde(flatten)]
    contracts: AgreementContracts,
}

impl DeployArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let signer = self.key.require_signer("agreements deploy").await?;
        let deployer = signer.address();
        let p = self.net.provider(Some(signer)).await?;
        ensure_contract(&p, self.link, "--link").await?;
        if let Some(registry) = self.pool_registry {
            ensure_contract(&p, registry, "--pool-registry").await?;
        }
        eprintln!("deploying the oracle network's contracts from {deployer} (chain {}) …", p.get_chain_id().await?);
        let contracts = deploy(&p, self.link, deployer, self.pool_registry).await?;
        if self.net.json {
            return print_json(&Deployed { deployer, tolerance_bps: DEFAULT_TOLERANCE_BPS, contracts });
        }
        let c = &contracts;
        let registry = if c.pool_registry.is_zero() { "-".to_owned() } else { c.pool_registry.to_string() };
        print_pairs(vec![
            ("OrderMatching", c.order_matching.to_string()),
            ("Reputation", format!("{} (owner {deployer})", c.reputation)),
            ("ModeAggregator", c.mode.to_string()),
            ("MedianAggregator", c.median.to_string()),
            ("TrimmedMeanAggregator", c.trimmed_mean.to_string()),
            ("WeightedMeanAggregator", c.weighted_mean.to_string()),
            ("LINK", c.link.to_string()),
            ("pool registry", registry),
        ]);
        println!("export LINKPOOL_ORDER_MATCHING={}", c.order_matching);
        println!("export LINKPOOL_REPUTATION={}", c.reputation);
        println!("export LINKPOOL_AGGREGATOR_MODE={}", c.mode);
        println!("export LINKPOOL_AGGREGATOR_MEDIAN={}", c.median);
        println!("export LINKPOOL_AGGREGATOR_TRIMMED_MEAN={}", c.trimmed_mean);
        println!("export LINKPOOL_AGGREGATOR_WEIGHTED_MEAN={}", c.weighted_mean);
        if !c.pool_registry.is_zero() {
            println!(
                "# the pool's admin must whitelist {} for its nodes to bid from stake: \
                 linkpool pool whitelist propose {}",
                c.order_matching, c.order_matching
            );
        }
        Ok(())
    }
}
