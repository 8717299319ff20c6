//! The nodes' commands: create-node, distribute, status, node-settings.

use alloy::primitives::{Address, U256};
use clap::Args;
use linkpool_pool::client::{format_duration, NodeReport, Pool, PoolOverview, StakerReport, WhitelistProposal};
use serde::Serialize;

use super::{link, opts::PoolOpts, parse_amount, percent, print_json, print_pairs, print_transactions};
use crate::table;

#[derive(Debug, Args)]
pub(crate) struct CreateNodeArgs {
    #[command(flatten)]
    opts: PoolOpts,
}

impl CreateNodeArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let pool = self.opts.writer("create-node").await?;
        let created = pool.create_node().await?;
        if self.opts.json() {
            return print_json(&created);
        }
        print_pairs(vec![("node", created.node.to_string()), ("storage", created.storage.to_string())]);
        print_transactions(&[created.transaction]);
        Ok(())
    }
}

#[derive(Debug, Args)]
pub(crate) struct DistributeArgs {
    /// The node whose earnings to split.
    #[arg(long)]
    node: Address,
    #[command(flatten)]
    opts: PoolOpts,
}

impl DistributeArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let pool = self.opts.writer("distribute").await?;
        let d = pool.distribute(self.node).await?;
        if self.opts.json() {
            return print_json(&d);
        }
        if d.earnings.is_zero() {
            println!("nothing to distribute: no LINK arrived at the node's storage since the last distribution");
        } else {
            print_pairs(vec![
                ("earnings", link(d.earnings)),
                ("to owners", link(d.to_owners)),
                ("to stakers", link(d.to_stakers)),
            ]);
        }
        print_transactions(&[d.transaction]);
        Ok(())
    }
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Only these nodes (repeatable); default every node.
    #[arg(long)]
    node: Vec<Address>,
    /// Also show these stakers' shares, stake and claimable earnings on the nodes shown
    /// (repeatable).
    #[arg(long)]
    staker: Vec<Address>,
    /// First block to scan for whitelist proposals (public endpoints limit log ranges: use the
    /// pool's deployment block).
    #[arg(long, default_value_t = 0)]
    from_block: u64,
    #[command(flatten)]
    opts: PoolOpts,
}

/// `pool status --json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusReport {
    pool: PoolOverview,
    /// Pending whitelist proposals (absent if the logs could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pending_whitelist: Option<Vec<WhitelistProposal>>,
    nodes: Vec<NodeReport>,
    stakers: Vec<StakerReport>,
}

/// Pending whitelist proposals, or `None` with a warning on stderr when the endpoint refuses the
/// log query.
pub(super) async fn pending_whitelist(pool: &Pool, from_block: u64) -> Option<Vec<WhitelistProposal>> {
    match pool.pending_whitelist(from_block).await {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("warning: cannot list pending whitelist proposals ({e}); try --from-block <deployment block>");
            None
        }
    }
}

impl StatusArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let pool = self.opts.reader().await?;
        let overview = pool.overview().await?;
        let pending = pending_whitelist(&pool, self.from_block).await;
        let node_list = if self.node.is_empty() { pool.nodes().await? } else { self.node.clone() };
        let mut nodes = Vec::with_capacity(node_list.len());
        let mut stakers = Vec::new();
        for &n in &node_list {
            nodes.push(pool.node(n).await?);
            if !self.staker.is_empty() {
                stakers.extend(pool.stakers(n, &self.staker).await?);
            }
        }
        let report = StatusReport { pool: overview, pending_whitelist: pending, nodes, stakers };
        if self.opts.json() {
            return print_json(&report);
        }
        print_status(&report);
        Ok(())
    }
}

fn print_status(r: &StatusReport) {
    let p = &r.pool;
    println!("== pool {}", p.storage);
    print_pairs(vec![
        ("admin", p.admin.to_string()),
        ("LINK", p.link.to_string()),
        ("upgrade delay", format!("{} ({} s)", format_duration(p.upgrade_delay), p.upgrade_delay)),
        ("nodes", r.nodes.len().to_string()),
    ]);

    println!("\n== contracts ({})", p.contracts.len());
    let rows: Vec<Vec<String>> = p.contracts.iter().map(|c| vec![c.name.clone(), c.address.to_string()]).collect();
    println!("{}", table::render(&["NAME", "ADDRESS"], &rows));

    println!("\n== pending upgrades ({})", p.proposals.len());
    if p.proposals.is_empty() {
        println!("(none)");
    } else {
        println!("{}", super::admin::proposals_table(&p.proposals));
    }

    println!("\n== whitelist ({})", p.whitelist.len());
    let mut rows: Vec<Vec<String>> = p.whitelist.iter().map(|a| vec![a.to_string(), "whitelisted".into()]).collect();
    if let Some(pending) = &r.pending_whitelist {
        rows.extend(pending.iter().map(super::admin::pending_row));
    }
    if rows.is_empty() {
        println!("(none)");
    } else {
        println!("{}", table::render(&["CONTRACT", "STATE"], &rows));
    }

    for n in &r.nodes {
        println!("\n== node {}", n.node);
        print_pairs(vec![
            ("storage", n.storage.to_string()),
            ("status", n.status.to_owned()),
            ("total stake", link(n.total_stake)),
            ("stake limit", link(n.stake_limit)),
            ("stakers", n.stakers.to_string()),
            ("penalties at risk", link(n.penalties_at_risk)),
            ("earnings total", link(n.total_earnings)),
            ("to owners", link(n.total_to_owners)),
            ("forfeited", link(n.total_forfeited)),
            ("undistributed", link(n.undistributed)),
            ("unclaimed rewards", link(n.rewards_outstanding)),
            ("fees", format!("operational cost {}, makers {}", percent(n.operational_cost_bps), percent(n.makers_bps))),
            ("LINK held", link(n.link_held)),
        ]);
    }
    if r.nodes.is_empty() {
        println!("\n(no nodes yet: a node operator runs `linkpool pool create-node`)");
    }

    if !r.stakers.is_empty() {
        println!("\n== stakers");
        let rows: Vec<Vec<String>> = r
            .stakers
            .iter()
            .map(|s| {
                vec![s.node.to_string(), s.staker.to_string(), s.shares.to_string(), link(s.stake), link(s.claimable)]
            })
            .collect();
        println!("{}", table::render(&["NODE", "STAKER", "SHARES", "STAKE", "CLAIMABLE"], &rows));
    }
}

/// A status `node-settings` can set.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum SettableStatus {
    /// Takes stakes and penalty deposits.
    Active,
    /// Takes neither, for now.
    Paused,
    /// Takes neither, for good.
    Closed,
}

#[derive(Debug, Args)]
pub(crate) struct NodeSettingsArgs {
    /// The node to change.
    #[arg(long)]
    node: Address,
    /// The node's new status.
    #[arg(long, value_enum)]
    status: Option<SettableStatus>,
    /// The node's new stake limit: juels, or with a unit (30000link).
    #[arg(long, value_parser = parse_amount)]
    stake_limit: Option<U256>,
    /// Operational cost in basis points (taken first); needs --makers-bps too.
    #[arg(long, requires = "makers_bps")]
    operational_cost_bps: Option<u64>,
    /// Makers' percentage of the rest in basis points; needs --operational-cost-bps too.
    #[arg(long, requires = "operational_cost_bps")]
    makers_bps: Option<u64>,
    #[command(flatten)]
    opts: PoolOpts,
}

impl NodeSettingsArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        if self.status.is_none() && self.stake_limit.is_none() && self.makers_bps.is_none() {
            eyre::bail!("nothing to change: pass --status, --stake-limit, or --operational-cost-bps with --makers-bps");
        }
        let pool = self.opts.writer("node-settings").await?;
        let mut sent = Vec::new();
        if let Some(status) = self.status {
            let value = match status {
                SettableStatus::Active => 1,
                SettableStatus::Paused => 2,
                SettableStatus::Closed => 3,
            };
            sent.push(pool.set_status(self.node, value).await?);
        }
        if let Some(limit) = self.stake_limit {
            sent.push(pool.set_stake_limit(self.node, limit).await?);
        }
        if let (Some(op), Some(makers)) = (self.operational_cost_bps, self.makers_bps) {
            sent.push(pool.set_fees(self.node, op, makers).await?);
        }
        if self.opts.json() {
            return print_json(&sent);
        }
        print_transactions(&sent);
        Ok(())
    }
}
