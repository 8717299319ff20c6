//! `linkpool drc …`: manage a DRCoordinator (pay-as-you-go direct requests).
//!
//! One submodule per group: `specs` (sync, check, spec-key), `calc` (payment simulation), `show`
//! (storage), `admin` (deploy, config, pause, ownership, withdraw). Shared options (`opts`) are
//! flattened once here and are global, so they go before or after the subcommand.

mod admin;
mod calc;
mod opts;
mod show;
mod specs;

use alloy::primitives::{utils::format_units, I256, U256};
use clap::{Args, Subcommand};

use crate::table::{print_json, print_pairs, print_transactions};
pub(crate) use opts::{ChainOpts, KeyOpts};

/// Manage a DRCoordinator: specs, prices, balances, configuration.
#[derive(Debug, Args)]
pub(crate) struct DrcArgs {
    #[command(flatten)]
    chain: ChainOpts,
    #[command(flatten)]
    key: KeyOpts,
    #[command(subcommand)]
    command: DrcCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DrcCommand {
    /// Deploy a DRCoordinator, configure its price feeds, and optionally sync specs.
    ///
    /// The sending key becomes the owner. Examples:
    ///
    ///   linkpool drc deploy --link 0x5FbD… --link-tkn-feed 0xe7f1… --fallback-wei-per-unit-link 0.005eth
    ///   linkpool drc deploy --link 0x5FbD… --link-usd-feed 0x… --tkn-usd-feed 0x… --specs jobs/drc
    #[command(verbatim_doc_comment)]
    Deploy(admin::DeployArgs),
    /// Spec files: sync them to the coordinator, or check them offline.
    #[command(subcommand)]
    Specs(specs::SpecsCommand),
    /// Print the key a spec is stored under: keccak256(abi.encodePacked(operator, specId)).
    ///
    /// --spec-id takes a bytes32 or an externalJobID (UUID); for a UUID both on-chain encodings
    /// are shown (ascii is what spec files use by default). Example:
    ///
    ///   linkpool drc spec-key --operator 0x5FbD… --spec-id 17f946d0-c3fb-47b1-91b8-195f4ec036dc
    #[command(verbatim_doc_comment)]
    SpecKey(specs::SpecKeyArgs),
    /// Simulate MAX and SPOT payments for given network parameters (no transaction).
    #[command(subcommand)]
    Calc(calc::CalcCommand),
    /// Show the coordinator's storage: config, price, owner, specs, balances, subscriptions.
    Show(show::ShowArgs),
    /// Change the pricing configuration.
    #[command(subcommand)]
    Config(admin::ConfigCommand),
    /// Stop new requests (fulfilments and cancellations still work). Owner only.
    Pause,
    /// Allow requests again. Owner only.
    Unpause,
    /// Propose a new owner; it becomes the owner when it runs `accept-ownership`. Owner only.
    TransferOwnership(admin::TransferArgs),
    /// Accept a proposed ownership transfer (run with the proposed owner's key).
    AcceptOwnership,
    /// Withdraw the owner's earnings (never consumer balances, subscriptions or escrow).
    Withdraw(admin::WithdrawArgs),
}

impl DrcArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let Self { chain, key, command } = self;
        match command {
            DrcCommand::Deploy(a) => a.run(&chain, &key).await,
            DrcCommand::Specs(c) => c.run(&chain, &key).await,
            DrcCommand::SpecKey(a) => a.run(&chain),
            DrcCommand::Calc(c) => c.run(&chain).await,
            DrcCommand::Show(a) => a.run(&chain).await,
            DrcCommand::Config(c) => c.run(&chain, &key).await,
            DrcCommand::Pause => admin::pause(&chain, &key, true).await,
            DrcCommand::Unpause => admin::pause(&chain, &key, false).await,
            DrcCommand::TransferOwnership(a) => a.run(&chain, &key).await,
            DrcCommand::AcceptOwnership => admin::accept_ownership(&chain, &key).await,
            DrcCommand::Withdraw(a) => a.run(&chain, &key).await,
        }
    }
}

/// Juels as LINK with trailing zeros trimmed: `2750000000000000000` → `2.75`.
fn link(juels: U256) -> String {
    trim(format_units(juels, 18).unwrap_or_default())
}

/// Signed juels as LINK.
fn link_signed(juels: I256) -> String {
    trim(format_units(juels, 18).unwrap_or_default())
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// `juels (x LINK)`.
fn juels(v: U256) -> String {
    format!("{v} ({} LINK)", link(v))
}

/// Parses an amount in base units, or with a unit suffix: `wei`/`juels` (1), `gwei` (1e9),
/// `eth`/`ether`/`link` (1e18). Decimals are allowed with a unit, but not beyond its precision.
pub(crate) fn parse_amount(s: &str) -> Result<U256, String> {
    let t = s.trim().to_ascii_lowercase().replace('_', "");
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let decimals: usize = match unit.trim() {
        "" | "wei" | "juels" | "juel" => 0,
        "gwei" => 9,
        "eth" | "ether" | "link" => 18,
        other => return Err(format!("unknown unit {other:?} (wei, juels, gwei, eth, link)")),
    };
    let number = number.trim();
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("{s:?} is not a non-negative amount like 25000000000, 25gwei or 0.1link"));
    }
    if frac.len() > decimals {
        return Err(format!("{s:?} has more decimals than the unit allows ({decimals})"));
    }
    let digits = format!("{int}{frac:0<decimals$}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    U256::from_str_radix(digits, 10).map_err(|_| format!("{s:?} does not fit 256 bits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_with_units() {
        assert_eq!(parse_amount("25000000000"), Ok(U256::from(25_000_000_000u64)));
        assert_eq!(parse_amount("25gwei"), Ok(U256::from(25_000_000_000u64)));
        assert_eq!(parse_amount("2.5 gwei"), Ok(U256::from(2_500_000_000u64)));
        assert_eq!(parse_amount("0.1link"), Ok(U256::from(100_000_000_000_000_000u64)));
        assert_eq!(parse_amount("1_000"), Ok(U256::from(1000)));
        assert_eq!(parse_amount("0"), Ok(U256::ZERO));
        assert!(parse_amount("1.5").is_err(), "no decimals without a unit");
        assert!(parse_amount("0.0000000001gwei").is_err());
        assert!(parse_amount("-1").is_err());
        assert!(parse_amount("1btc").is_err());
        assert!(parse_amount("").is_err());
    }

    #[test]
    fn link_formatting() {
        assert_eq!(link(U256::from(2_750_000_000_000_000_000u64)), "2.75");
        assert_eq!(link(U256::from(1)), "0.000000000000000001");
        assert_eq!(link(U256::from(3_000_000_000_000_000_000u64)), "3");
        assert_eq!(link_signed(I256::try_from(-500_000_000_000_000_000i64).unwrap()), "-0.5");
    }
}
