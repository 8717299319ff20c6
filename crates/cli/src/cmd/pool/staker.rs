//! The stakers' commands: stake, withdraw, claim.

use alloy::primitives::{Address, U256};
use clap::Args;
use linkpool_pool::client::StakeVia;

use super::{link, opts::PoolOpts, parse_amount, print_json, print_transactions};

#[derive(Debug, Args)]
pub(crate) struct StakeArgs {
    /// The node to stake on.
    #[arg(long)]
    node: Address,
    /// How much: juels, or with a unit (12.5link).
    #[arg(value_parser = parse_amount)]
    amount: U256,
    /// Approve NodeStaking, then call stake (two transactions) instead of one transferAndCall.
    #[arg(long)]
    approve: bool,
    #[command(flatten)]
    opts: PoolOpts,
}

impl StakeArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        if self.amount.is_zero() {
            eyre::bail!("the amount to stake must be above 0");
        }
        let pool = self.opts.writer("stake").await?;
        let via = if self.approve { StakeVia::Approve } else { StakeVia::TransferAndCall };
        eprintln!("staking {} on node {} …", link(self.amount), self.node);
        let staked = pool.stake(self.node, self.amount, via).await?;
        if self.opts.json() {
            return print_json(&staked);
        }
        println!("staked {} on {} for {} shares", link(staked.amount), self.node, staked.shares);
        print_transactions(&staked.transactions);
        Ok(())
    }
}

#[derive(Debug, Args)]
pub(crate) struct WithdrawArgs {
    /// The node to withdraw from.
    #[arg(long)]
    node: Address,
    /// How much: juels, with a unit (2.5link), or `all`.
    #[arg(value_parser = parse_withdrawal)]
    amount: Withdrawal,
    #[command(flatten)]
    opts: PoolOpts,
}

/// `all`, or an amount.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Withdrawal(Option<U256>);

fn parse_withdrawal(s: &str) -> Result<Withdrawal, String> {
    if s.trim().eq_ignore_ascii_case("all") {
        return Ok(Withdrawal(None));
    }
    let amount = parse_amount(s)?;
    if amount.is_zero() {
        return Err("the amount must be above 0 (or `all`)".into());
    }
    Ok(Withdrawal(Some(amount)))
}

impl WithdrawArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let pool = self.opts.writer("withdraw").await?;
        let withdrawn = pool.withdraw(self.node, self.amount.0).await?;
        if self.opts.json() {
            return print_json(&withdrawn);
        }
        println!("withdrew {} from {} (burned {} shares)", link(withdrawn.amount), self.node, withdrawn.shares);
        print_transactions(&[withdrawn.transaction]);
        Ok(())
    }
}

#[derive(Debug, Args)]
pub(crate) struct ClaimArgs {
    /// The node whose earnings to claim.
    #[arg(long)]
    node: Address,
    #[command(flatten)]
    opts: PoolOpts,
}

impl ClaimArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let pool = self.opts.writer("claim").await?;
        let claimed = pool.claim(self.node).await?;
        if self.opts.json() {
            return print_json(&claimed);
        }
        println!("claimed {} from {}", link(claimed.amount), self.node);
        print_transactions(&[claimed.transaction]);
        Ok(())
    }
}
