//! The admin's commands (and the executions anyone may run): deploy, upgrade, whitelist.

use alloy::primitives::Address;
use clap::{Args, Subcommand};
use linkpool_pool::{
    client::{canonical_name, format_duration, format_unix, ContractProposal, SentTx, WhitelistProposal, KNOWN_NAMES},
    deploy::{self, names, PoolContracts},
};
use serde::Serialize;

use super::{node::pending_whitelist, opts::PoolOpts, print_json, print_pairs, print_transactions};
use crate::table;

/// The contract's `MIN_UPGRADE_DELAY`.
const MIN_UPGRADE_DELAY_SECS: u64 = 60;

/// `7d`, `90s`, `1h 30m` (humantime), or bare seconds.
fn parse_delay(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(secs);
    }
    humantime::parse_duration(t)
        .map(|d| d.as_secs())
        .map_err(|e| format!("{s:?} is not a duration like 7d, 60s or 3600: {e}"))
}

/// A unix time as `2025-01-01T00:00:00Z`.
fn when(unix: u64) -> String {
    format_unix(unix)
}

/// `ready now` or `in 6d 23h 59m`.
fn time_left(seconds_left: u64) -> String {
    if seconds_left == 0 {
        "ready now".to_owned()
    } else {
        format!("in {}", format_duration(seconds_left))
    }
}

#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// The LINK token of the network.
    #[arg(long, env = "LINKPOOL_LINK_TOKEN")]
    link: Address,
    /// Time between a proposal (upgrade, whitelist entry) and the moment it can be executed;
    /// fixed for the pool's life. At least 60s.
    #[arg(long, value_parser = parse_delay, default_value = "7d")]
    upgrade_delay: u64,
    /// The PoolOwners contract that receives the owners' share of earnings (it can be registered
    /// later with `upgrade propose PoolOwners <address>`; until then distributions with an
    /// owners' share revert).
    #[arg(long)]
    pool_owners: Option<Address>,
    #[command(flatten)]
    opts: PoolOpts,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeployReport {
    admin: Address,
    upgrade_delay: u64,
    #[serde(flatten)]
    contracts: PoolContracts,
}

impl DeployArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        if self.upgrade_delay < MIN_UPGRADE_DELAY_SECS {
            eyre::bail!(
                "--upgrade-delay {}s is below the contract's minimum of {MIN_UPGRADE_DELAY_SECS}s",
                self.upgrade_delay
            );
        }
        let signer = self.opts.key.require_signer("deploy").await?;
        let admin = signer.address();
        let provider = self.opts.provider(Some(signer)).await?;
        if alloy::providers::Provider::get_code_at(&provider, self.link).await?.is_empty() {
            eyre::bail!("no contract at --link {}: check the LINK token address and the RPC URL", self.link);
        }
        if self.pool_owners.is_none() {
            eprintln!(
                "note: no --pool-owners: distributions with an owners' share revert (NoPoolOwners) until one is \
                 registered with `linkpool pool upgrade propose PoolOwners <address>`"
            );
        }
        eprintln!("deploying a pool (admin {admin}, upgrade delay {}) …", format_duration(self.upgrade_delay));
        let contracts =
            deploy::deploy(&provider, self.link, admin, self.upgrade_delay, self.pool_owners.unwrap_or_default())
                .await?;
        if self.opts.json() {
            return print_json(&DeployReport { admin, upgrade_delay: self.upgrade_delay, contracts });
        }
        let c = &contracts;
        let owners = if c.pool_owners.is_zero() { "-".to_owned() } else { c.pool_owners.to_string() };
        print_pairs(vec![
            ("pool storage", c.pool_storage.to_string()),
            ("admin", admin.to_string()),
            ("upgrade delay", format!("{} ({} s)", format_duration(self.upgrade_delay), self.upgrade_delay)),
            ("LINK", c.link.to_string()),
            (names::LINK_POOL, c.link_pool.to_string()),
            (names::NODE, c.node.to_string()),
            (names::NODE_STAKING, c.node_staking.to_string()),
            (names::NODE_FACTORY, c.node_factory.to_string()),
            (names::POOL_STORAGE_FACTORY, c.pool_storage_factory.to_string()),
            (names::POOL_OWNERS, owners),
        ]);
        println!("export LINKPOOL_POOL={}", c.pool_storage);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------- upgrade

#[derive(Debug, Args)]
pub(crate) struct UpgradeArgs {
    #[command(flatten)]
    opts: PoolOpts,
    #[command(subcommand)]
    command: UpgradeCommand,
}

/// A registry name argument.
#[derive(Debug, Args)]
pub(crate) struct NameArg {
    /// The registry name: LinkPool, Node, NodeStaking, NodeFactory, PoolStorageFactory or
    /// PoolOwners (any case).
    name: String,
    /// Accept a name that is not one of those (it is registered as typed: keys are
    /// keccak256(name) of the exact spelling).
    #[arg(long)]
    new_name: bool,
}

impl NameArg {
    fn resolve(&self) -> eyre::Result<String> {
        match canonical_name(&self.name) {
            Some(n) => Ok(n.to_owned()),
            None if self.new_name => Ok(self.name.clone()),
            None => eyre::bail!(
                "unknown contract name {:?}: one of {} (or pass --new-name to register a new name as typed)",
                self.name,
                KNOWN_NAMES.join(", ")
            ),
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum UpgradeCommand {
    /// Pending proposals: current and proposed contract, when each can be executed, time left.
    ///
    ///   linkpool pool upgrade status
    #[command(verbatim_doc_comment)]
    Status,
    /// Propose a contract for a registry name (admin only).
    ///
    /// It can be executed after the pool's upgrade delay; meanwhile every staker can see it
    /// (`upgrade status`) and withdraw. A logic contract must have been built for this pool (its POOL() is the pool storage).
    ///
    ///   linkpool pool upgrade propose Node 0x8A79…
    ///   linkpool pool upgrade propose PoolOwners 0x9fE4…
    #[command(verbatim_doc_comment)]
    Propose {
        #[command(flatten)]
        name: NameArg,
        /// The new contract.
        new_contract: Address,
    },
    /// Make a proposal take effect once its delay has passed (anyone may).
    ///
    /// The new contract gains write access to every storage of the pool; the old one loses it.
    ///
    ///   linkpool pool upgrade execute Node
    #[command(verbatim_doc_comment)]
    Execute {
        #[command(flatten)]
        name: NameArg,
    },
    /// Withdraw a pending proposal (admin only).
    ///
    ///   linkpool pool upgrade cancel Node
    #[command(verbatim_doc_comment)]
    Cancel {
        #[command(flatten)]
        name: NameArg,
    },
    /// Deploy a fresh logic contract of that name for this pool, and propose it (admin only).
    ///
    ///   linkpool pool upgrade deploy Node
    ///   linkpool pool upgrade deploy NodeStaking --no-propose
    #[command(verbatim_doc_comment)]
    Deploy {
        /// LinkPool, Node, NodeStaking, NodeFactory or PoolStorageFactory (any case).
        name: String,
        /// Only deploy; propose later with `upgrade propose`.
        #[arg(long)]
        no_propose: bool,
    },
}

/// `upgrade propose` / `upgrade deploy` JSON.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProposeReport {
    name: String,
    new_contract: Address,
    /// Unix seconds (absent when nothing was proposed).
    #[serde(skip_serializing_if = "Option::is_none")]
    ready_at: Option<u64>,
    transactions: Vec<SentTx>,
}

/// The pending proposals as a table.
pub(super) fn proposals_table(proposals: &[ContractProposal]) -> String {
    let rows: Vec<Vec<String>> = proposals
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                if p.current.is_zero() { "-".to_owned() } else { p.current.to_string() },
                p.new_contract.to_string(),
                format!("{} ({})", when(p.ready_at), p.ready_at),
                time_left(p.seconds_left),
            ]
        })
        .collect();
    table::render(&["NAME", "CURRENT", "PROPOSED", "READY AT", "TIME LEFT"], &rows)
}

impl UpgradeArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let opts = &self.opts;
        match self.command {
            UpgradeCommand::Status => {
                let pool = opts.reader().await?;
                let proposals = pool.proposals().await?;
                if opts.json() {
                    return print_json(&proposals);
                }
                if proposals.is_empty() {
                    println!("no pending upgrades");
                } else {
                    println!("{}", proposals_table(&proposals));
                }
                Ok(())
            }
            UpgradeCommand::Propose { name, new_contract } => {
                let name = name.resolve()?;
                let pool = opts.writer("upgrade propose").await?;
                let proposed = pool.propose_contract(&name, new_contract).await?;
                report_proposal(opts, name, new_contract, Some(proposed.ready_at), vec![proposed.transaction])
            }
            UpgradeCommand::Deploy { name, no_propose } => {
                let name = NameArg { name, new_name: false }.resolve()?;
                let pool = opts.writer("upgrade deploy").await?;
                // Refuse before spending gas on a contract the sender cannot propose.
                let admin = pool.admin().await?;
                if !no_propose && pool.sender_address() != Some(admin) {
                    eyre::bail!(
                        "{} is not the pool's admin ({admin}): only the admin proposes; pass --no-propose to only deploy",
                        pool.sender_address().unwrap_or_default()
                    );
                }
                eprintln!("deploying a new {name} for pool {} …", pool.address());
                let (address, deployed) = pool.deploy_logic(&name).await?;
                let mut transactions = vec![deployed];
                let mut ready_at = None;
                if !no_propose {
                    let proposed = pool.propose_contract(&name, address).await?;
                    ready_at = Some(proposed.ready_at);
                    transactions.push(proposed.transaction);
                }
                report_proposal(opts, name, address, ready_at, transactions)
            }
            UpgradeCommand::Execute { name } => {
                let name = name.resolve()?;
                let pool = opts.writer("upgrade execute").await?;
                let upgraded = pool.execute_contract(&name).await?;
                if opts.json() {
                    return print_json(&upgraded);
                }
                let old =
                    if upgraded.old_contract.is_zero() { "-".to_owned() } else { upgraded.old_contract.to_string() };
                print_pairs(vec![
                    ("name", upgraded.name.clone()),
                    ("old contract", old),
                    ("new contract", upgraded.new_contract.to_string()),
                ]);
                print_transactions(&[upgraded.transaction]);
                Ok(())
            }
            UpgradeCommand::Cancel { name } => {
                let name = name.resolve()?;
                let pool = opts.writer("upgrade cancel").await?;
                let tx = pool.cancel_contract(&name).await?;
                report_tx(opts, tx)
            }
        }
    }
}

fn report_proposal(
    opts: &PoolOpts,
    name: String,
    new_contract: Address,
    ready_at: Option<u64>,
    transactions: Vec<SentTx>,
) -> eyre::Result<()> {
    if opts.json() {
        return print_json(&ProposeReport { name, new_contract, ready_at, transactions });
    }
    let mut pairs = vec![("name", name.clone()), ("new contract", new_contract.to_string())];
    if let Some(t) = ready_at {
        pairs.push(("ready at", format!("{} ({t})", when(t))));
    }
    print_pairs(pairs);
    print_transactions(&transactions);
    match ready_at {
        Some(_) => eprintln!("after the delay, anyone runs: linkpool pool upgrade execute {name}"),
        None => eprintln!("propose it with: linkpool pool upgrade propose {name} {new_contract}"),
    }
    Ok(())
}

fn report_tx(opts: &PoolOpts, tx: SentTx) -> eyre::Result<()> {
    if opts.json() {
        return print_json(&tx);
    }
    print_transactions(&[tx]);
    Ok(())
}

// ---------------------------------------------------------------------------------- whitelist

#[derive(Debug, Args)]
pub(crate) struct WhitelistArgs {
    #[command(flatten)]
    opts: PoolOpts,
    #[command(subcommand)]
    command: WhitelistCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum WhitelistCommand {
    /// Whitelisted contracts and pending proposals (with when they can be executed).
    ///
    ///   linkpool pool whitelist list
    #[command(verbatim_doc_comment)]
    List {
        /// First block to scan for proposals (public endpoints limit log ranges: use the pool's
        /// deployment block).
        #[arg(long, default_value_t = 0)]
        from_block: u64,
    },
    /// Propose a network contract (it must have code) for the whitelist (admin only).
    ///
    ///   linkpool pool whitelist propose 0x0165…
    #[command(verbatim_doc_comment)]
    Propose {
        /// The network contract.
        target: Address,
    },
    /// Whitelist a proposed contract once the delay has passed (anyone may).
    ///
    ///   linkpool pool whitelist execute 0x0165…
    #[command(verbatim_doc_comment)]
    Execute {
        /// The proposed contract.
        target: Address,
    },
    /// Remove a contract from the whitelist at once (admin only; removal only takes power away).
    ///
    ///   linkpool pool whitelist remove 0x0165…
    #[command(verbatim_doc_comment)]
    Remove {
        /// The whitelisted contract.
        target: Address,
    },
    /// Withdraw a pending whitelist proposal (admin only).
    ///
    ///   linkpool pool whitelist cancel 0x0165…
    #[command(verbatim_doc_comment)]
    Cancel {
        /// The proposed contract.
        target: Address,
    },
}

/// `whitelist list --json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WhitelistReport {
    whitelisted: Vec<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<Vec<WhitelistProposal>>,
}

/// A pending entry as a `CONTRACT, STATE` row.
pub(super) fn pending_row(p: &WhitelistProposal) -> Vec<String> {
    vec![p.target.to_string(), format!("proposed, ready at {} ({})", when(p.ready_at), time_left(p.seconds_left))]
}

impl WhitelistArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let opts = &self.opts;
        match self.command {
            WhitelistCommand::List { from_block } => {
                let pool = opts.reader().await?;
                let whitelisted = pool.whitelist().await?;
                let pending = pending_whitelist(&pool, from_block).await;
                if opts.json() {
                    return print_json(&WhitelistReport { whitelisted, pending });
                }
                let mut rows: Vec<Vec<String>> =
                    whitelisted.iter().map(|a| vec![a.to_string(), "whitelisted".into()]).collect();
                rows.extend(pending.iter().flatten().map(pending_row));
                if rows.is_empty() {
                    println!("no whitelisted or proposed contracts");
                } else {
                    println!("{}", table::render(&["CONTRACT", "STATE"], &rows));
                }
                Ok(())
            }
            WhitelistCommand::Propose { target } => {
                let pool = opts.writer("whitelist propose").await?;
                let proposed = pool.propose_whitelist(target).await?;
                if opts.json() {
                    return print_json(&proposed);
                }
                print_pairs(vec![
                    ("proposed", target.to_string()),
                    ("ready at", format!("{} ({})", when(proposed.ready_at), proposed.ready_at)),
                ]);
                print_transactions(&[proposed.transaction]);
                eprintln!("after the delay, anyone runs: linkpool pool whitelist execute {target}");
                Ok(())
            }
            WhitelistCommand::Execute { target } => {
                let pool = opts.writer("whitelist execute").await?;
                report_tx(opts, pool.execute_whitelist(target).await?)
            }
            WhitelistCommand::Remove { target } => {
                let pool = opts.writer("whitelist remove").await?;
                report_tx(opts, pool.remove_whitelist(target).await?)
            }
            WhitelistCommand::Cancel { target } => {
                let pool = opts.writer("whitelist cancel").await?;
                report_tx(opts, pool.cancel_whitelist(target).await?)
            }
        }
    }
}
