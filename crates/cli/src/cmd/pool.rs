//! `linkpool pool …`: the LinkPool staking pool (LinkPool whitepaper §4–6).
//!
//! One file per subcommand group under `pool/`: `economics` (the paper's model), `admin`
//! (deploy, upgrade, whitelist), `node` (create-node, distribute, status), `staker` (stake,
//! withdraw, claim). The management commands share `opts` (chain, pool, key) and call
//! `linkpool_pool::client`.

mod admin;
mod economics;
mod node;
mod opts;
mod staker;

use alloy::primitives::U256;
use clap::Subcommand;
use linkpool_pool::client::format_link;

use crate::table::{print_json, print_pairs, print_transactions};

/// The LinkPool staking pool: economics, nodes, stakes, distribution, custody.
#[derive(Debug, Subcommand)]
pub(crate) enum PoolCommand {
    /// Compute the paper's oracle and pool economics (§4–5) from parameters.
    Economics(economics::EconomicsArgs),
    /// Deploy a pool: its storage (registry, whitelist, upgrade delay) and five logic contracts.
    ///
    /// The sending key becomes the pool's admin, who may only propose (upgrades, whitelist
    /// entries, node settings); every proposal waits --upgrade-delay before anyone can execute it.
    /// Prints the pool storage address: the pool is known by it (--pool / LINKPOOL_POOL).
    ///
    ///   export LINKPOOL_POOL_PRIVATE_KEY=0x…   # the admin's key
    ///   linkpool pool deploy --link 0x5FbD… --pool-owners 0xe7f1…
    ///   linkpool pool deploy --link 0x5FbD… --upgrade-delay 60s   # a devnet (60 s is the minimum)
    #[command(verbatim_doc_comment)]
    Deploy(admin::DeployArgs),
    /// Make the sending key a pool node (once per address); prints its new storage.
    ///
    /// Run it with the node operator's key. The node starts active, with a 20,000 LINK stake
    /// limit, 0 % operational cost and a 25 % makers' percentage.
    ///
    ///   LINKPOOL_POOL_PRIVATE_KEY=$NODE_KEY linkpool pool create-node --pool 0x…
    #[command(verbatim_doc_comment)]
    CreateNode(node::CreateNodeArgs),
    /// Stake LINK behind a node (one transferAndCall, or --approve for approve + stake).
    ///
    ///   linkpool pool stake --node 0x70997970… 12.5link
    ///   linkpool pool stake --node 0x70997970… 1000000000000000000 --approve
    #[command(verbatim_doc_comment)]
    Stake(staker::StakeArgs),
    /// Withdraw stake from a node (an amount, or `all`); works in every node status.
    ///
    ///   linkpool pool withdraw --node 0x70997970… 2.5link
    ///   linkpool pool withdraw --node 0x70997970… all
    #[command(verbatim_doc_comment)]
    Withdraw(staker::WithdrawArgs),
    /// Claim the sending key's distributed earnings on a node.
    ///
    ///   linkpool pool claim --node 0x70997970…
    #[command(verbatim_doc_comment)]
    Claim(staker::ClaimArgs),
    /// Split a node's new earnings between PoolOwners and its stakers (anyone may).
    ///
    /// The operational cost, then the makers' percentage of the rest, go to PoolOwners; the rest
    /// goes to the stakers pro rata, who then `claim` it.
    ///
    ///   linkpool pool distribute --node 0x70997970…
    #[command(verbatim_doc_comment)]
    Distribute(node::DistributeArgs),
    /// Show the pool, its nodes and stakers' positions.
    ///
    /// The pool: admin, upgrade delay, registered contracts, pending upgrades, whitelist. Each
    /// node: storage, status, stake, stakers, penalties at risk, earnings, fees, limit. With
    /// --staker: shares, stake and claimable earnings on each node shown.
    ///
    ///   linkpool pool status
    ///   linkpool pool status --node 0x70997970… --staker 0x3C44Cd… --json
    #[command(verbatim_doc_comment)]
    Status(node::StatusArgs),
    /// Change a node's settings (the pool's admin): status, stake limit, fees.
    ///
    /// None of them moves LINK or changes a stake; withdrawals and claims work in every status.
    /// `closed` is final. Fees are basis points, each at most 5000 (50 %), and apply to later
    /// distributions: the operational cost first, then the makers' percentage of the rest.
    ///
    ///   linkpool pool node-settings --node 0x70997970… --status paused
    ///   linkpool pool node-settings --node 0x70997970… --stake-limit 30000link
    ///   linkpool pool node-settings --node 0x70997970… --operational-cost-bps 1000 --makers-bps 2500
    #[command(verbatim_doc_comment)]
    NodeSettings(node::NodeSettingsArgs),
    /// Network contracts that may hold penalty deposits: list, propose (admin), execute after
    /// the delay (anyone), remove at once (admin), cancel a proposal (admin).
    Whitelist(admin::WhitelistArgs),
    /// Replace a logic contract (or PoolOwners): propose (admin), execute after the delay
    /// (anyone), status, cancel (admin); `deploy` builds a fresh one and proposes it.
    Upgrade(admin::UpgradeArgs),
}

impl PoolCommand {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self {
            Self::Economics(a) => a.run(),
            Self::Deploy(a) => a.run().await,
            Self::CreateNode(a) => a.run().await,
            Self::Stake(a) => a.run().await,
            Self::Withdraw(a) => a.run().await,
            Self::Claim(a) => a.run().await,
            Self::Distribute(a) => a.run().await,
            Self::Status(a) => a.run().await,
            Self::NodeSettings(a) => a.run().await,
            Self::Whitelist(a) => a.run().await,
            Self::Upgrade(a) => a.run().await,
        }
    }
}

/// `12.5 LINK`.
fn link(juels: U256) -> String {
    format!("{} LINK", format_link(juels))
}

/// Basis points as a percentage: 2500 → `25%`, 125 → `1.25%`.
fn percent(bps: U256) -> String {
    let bps = u64::try_from(bps).unwrap_or(u64::MAX);
    let (int, frac) = (bps / 100, bps % 100);
    if frac == 0 {
        format!("{int}%")
    } else {
        format!("{int}.{}%", format!("{frac:02}").trim_end_matches('0'))
    }
}

/// An amount in juels or with a unit (`12.5link`), as the drc commands take it.
fn parse_amount(s: &str) -> Result<U256, String> {
    super::drc::parse_amount(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages() {
        assert_eq!(percent(U256::from(2500)), "25%");
        assert_eq!(percent(U256::from(125)), "1.25%");
        assert_eq!(percent(U256::from(50)), "0.5%");
        assert_eq!(percent(U256::ZERO), "0%");
    }
}
