//! The owner's commands: deploy, config set, pause/unpause, ownership, withdraw.

use std::path::PathBuf;

use alloy::primitives::{aliases::U96, Address, U256};
use clap::{Args, Subcommand};
use linkpool_drc::{
    client::{self, Config, Coordinator, SentTx, DEFAULT_BATCH_SIZE},
    specs::{LoadOptions, SpecSet},
};
use serde::Serialize;

use super::{juels, parse_amount, print_json, print_pairs, print_transactions, ChainOpts, KeyOpts};

/// The pricing configuration, field by field; unset fields keep their current value.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Pricing configuration")]
pub(crate) struct ConfigFlags {
    /// LINK price in TKN wei used when the feeds cannot be trusted (stale, sequencer down or in
    /// its grace period, answer at the feed's limits); 0 makes those cases revert. Units allowed:
    /// 0.005eth.
    #[arg(long, value_parser = parse_amount)]
    fallback_wei_per_unit_link: Option<U256>,
    /// A feed answer older than this many seconds is stale.
    #[arg(long)]
    staleness_seconds: Option<u32>,
    /// Seconds after the L2 sequencer comes back up during which prices are not trusted.
    #[arg(long)]
    sequencer_grace_period_seconds: Option<u32>,
    /// The LINK/TKN feed (`none` clears it: then LINK/USD and TKN/USD are used).
    #[arg(long, value_parser = parse_feed)]
    link_tkn_feed: Option<Address>,
    /// The LINK/USD feed (`none` clears it).
    #[arg(long, value_parser = parse_feed)]
    link_usd_feed: Option<Address>,
    /// The TKN/USD feed (`none` clears it).
    #[arg(long, value_parser = parse_feed)]
    tkn_usd_feed: Option<Address>,
    /// The L2 sequencer uptime feed (`none` on L1).
    #[arg(long, value_parser = parse_feed)]
    sequencer_uptime_feed: Option<Address>,
}

fn parse_feed(s: &str) -> Result<Address, String> {
    match s.trim() {
        "none" | "0" => Ok(Address::ZERO),
        t => t.parse().map_err(|_| format!("{s:?} is not an address (or `none`)")),
    }
}

impl ConfigFlags {
    fn apply(&self, mut c: Config) -> Config {
        macro_rules! set {
            ($($f:ident),*) => { $(if let Some(v) = self.$f { c.$f = v; })* };
        }
        set!(
            fallback_wei_per_unit_link,
            staleness_seconds,
            sequencer_grace_period_seconds,
            link_tkn_feed,
            link_usd_feed,
            tkn_usd_feed,
            sequencer_uptime_feed
        );
        c
    }
}

fn config_rows(old: Option<&Config>, new: &Config) -> Vec<Vec<String>> {
    let fields = |c: &Config| {
        vec![
            ("fallbackWeiPerUnitLink", c.fallback_wei_per_unit_link.to_string()),
            ("stalenessSeconds", c.staleness_seconds.to_string()),
            ("sequencerGracePeriodSeconds", c.sequencer_grace_period_seconds.to_string()),
            ("linkTknFeed", c.link_tkn_feed.to_string()),
            ("linkUsdFeed", c.link_usd_feed.to_string()),
            ("tknUsdFeed", c.tkn_usd_feed.to_string()),
            ("sequencerUptimeFeed", c.sequencer_uptime_feed.to_string()),
        ]
    };
    let new_fields = fields(new);
    let old_fields = old.map(fields);
    new_fields
        .into_iter()
        .enumerate()
        .map(|(i, (name, value))| {
            let before = old_fields.as_ref().map(|o| o[i].1.clone()).unwrap_or_default();
            let mark = if old_fields.is_some() && before != value { "*" } else { "" };
            vec![format!("{name}{mark}"), before, value]
        })
        .collect()
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Change some fields of the pricing configuration (the others keep their values). Owner only.
    ///
    /// Prints the old and new values (changed fields are starred) before sending setConfig.
    ///
    ///   linkpool drc config set --staleness-seconds 3600 --fallback-wei-per-unit-link 0.006eth
    #[command(verbatim_doc_comment)]
    Set(ConfigSetArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ConfigSetArgs {
    #[command(flatten)]
    config: ConfigFlags,
    /// Print the change and stop.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigReport {
    old: Config,
    new: Config,
    transaction: Option<SentTx>,
}

impl ConfigCommand {
    pub(crate) async fn run(self, chain: &ChainOpts, key: &KeyOpts) -> eyre::Result<()> {
        let Self::Set(a) = self;
        let c = if a.dry_run { chain.reader().await? } else { chain.writer(key, "config set").await? };
        let old = c.config().await?;
        let new = a.config.apply(old);
        let transaction = if a.dry_run || new == old { None } else { Some(c.set_config(&new).await?) };
        if chain.json {
            return print_json(&ConfigReport { old, new, transaction });
        }
        println!("{}", crate::table::render(&["FIELD", "NOW", "NEW"], &config_rows(Some(&old), &new)));
        match transaction {
            Some(tx) => print_transactions(&[tx]),
            None if new == old => println!("nothing to change"),
            None => println!("dry run: no transaction sent"),
        }
        Ok(())
    }
}

/// `pause` (true) or `unpause` (false).
pub(crate) async fn pause(chain: &ChainOpts, key: &KeyOpts, pause: bool) -> eyre::Result<()> {
    let what = if pause { "pause" } else { "unpause" };
    let c = chain.writer(key, what).await?;
    let tx = if pause { c.pause().await? } else { c.unpause().await? };
    report_tx(chain, tx)
}

fn report_tx(chain: &ChainOpts, tx: SentTx) -> eyre::Result<()> {
    if chain.json {
        return print_json(&tx);
    }
    print_transactions(&[tx]);
    Ok(())
}

#[derive(Debug, Args)]
pub(crate) struct TransferArgs {
    /// The proposed owner.
    to: Address,
}

impl TransferArgs {
    pub(crate) async fn run(self, chain: &ChainOpts, key: &KeyOpts) -> eyre::Result<()> {
        let c = chain.writer(key, "transfer-ownership").await?;
        let tx = c.transfer_ownership(self.to).await?;
        if !chain.json {
            println!("{} must now run `linkpool drc accept-ownership` with its key", self.to);
        }
        report_tx(chain, tx)
    }
}

/// `acceptOwnership` from the configured key.
pub(crate) async fn accept_ownership(chain: &ChainOpts, key: &KeyOpts) -> eyre::Result<()> {
    let c = chain.writer(key, "accept-ownership").await?;
    report_tx(chain, c.accept_ownership().await?)
}

#[derive(Debug, Args)]
pub(crate) struct WithdrawArgs {
    /// Where the LINK goes.
    #[arg(long)]
    to: Address,
    /// How much, in juels (units allowed: 1.5link); default all earnings.
    #[arg(long, value_parser = parse_amount)]
    amount: Option<U256>,
}

impl WithdrawArgs {
    pub(crate) async fn run(self, chain: &ChainOpts, key: &KeyOpts) -> eyre::Result<()> {
        let c = chain.writer(key, "withdraw").await?;
        let amount = match self.amount {
            Some(a) => U96::checked_from_limbs_slice(a.as_limbs())
                .ok_or_else(|| eyre::eyre!("--amount {a} does not fit 96 bits"))?,
            None => c.owner_earnings().await?,
        };
        if amount.is_zero() {
            eyre::bail!("no earnings to withdraw");
        }
        let tx = c.withdraw(self.to, amount).await?;
        if !chain.json {
            println!("withdrew {} to {}", juels(U256::from(amount)), self.to);
        }
        report_tx(chain, tx)
    }
}

#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// The LINK token of the network.
    #[arg(long, env = "LINKPOOL_LINK_TOKEN")]
    link: Address,
    #[command(flatten)]
    config: ConfigFlags,
    /// Then sync this directory of spec files.
    #[arg(long)]
    specs: Option<PathBuf>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeployReport {
    coordinator: Address,
    owner: Address,
    config: Config,
    transactions: Vec<SentTx>,
}

impl DeployArgs {
    pub(crate) async fn run(self, chain: &ChainOpts, key: &KeyOpts) -> eyre::Result<()> {
        let signer = key.require_signer("deploy").await?;
        let owner = signer.address();
        let provider = chain.provider(Some(signer)).await?;
        // Check the spec files before spending gas on the deployment.
        let specs = match &self.specs {
            Some(dir) => {
                let chain_id = alloy::providers::Provider::get_chain_id(&provider).await?;
                Some(SpecSet::load_dir(dir, LoadOptions { chain_id: Some(chain_id), ..LoadOptions::default() })?)
            }
            None => None,
        };
        let config = self.config.apply(Config::default());
        let (address, mut transactions) = client::deploy(&provider, owner, self.link, &config).await?;
        let c = Coordinator::new(address, provider).with_sender(owner);
        if let Some(set) = &specs {
            let diff = c.diff(set).await?;
            transactions.extend(c.sync(&diff, DEFAULT_BATCH_SIZE).await?);
        }
        if chain.json {
            return print_json(&DeployReport { coordinator: address, owner, config, transactions });
        }
        print_pairs(vec![("coordinator", address.to_string()), ("owner", owner.to_string())]);
        println!("{}", crate::table::render(&["CONFIG", "", "VALUE"], &config_rows(None, &config)));
        print_transactions(&transactions);
        println!("export LINKPOOL_DRC_COORDINATOR={address}");
        Ok(())
    }
}
