//! `drc calc max|spot`: the payment a request would escrow (MAX) or be charged (SPOT).

use alloy::{
    primitives::{aliases::U96, utils::format_units, I256, U256},
    providers::Provider,
};
use clap::{Args, Subcommand};
use linkpool_drc::pricing::{self, FeeType, FeedAnswer, PriceFeeds, Quote, GAS_AFTER_PAYMENT_CALCULATION};
use serde::Serialize;

use super::{juels, link_signed, parse_amount, print_json, print_pairs, ChainOpts};

#[derive(Debug, Subcommand)]
pub(crate) enum CalcCommand {
    /// The MAX payment: a request's whole callback gas limit at the given prices, plus the fee.
    ///
    /// It is what `calculateMaxPaymentAmount` returns (minus --payment-in-escrow), and what
    /// `requestData` escrows for a request whose --gas-limit is its callback gas limit plus the
    /// coordinator's FULFILL_GAS_OVERHEAD. Give one LINK price: --wei-per-unit-link, a LINK/TKN
    /// feed answer, LINK/USD and TKN/USD answers, or --live (the coordinator's own price, and
    /// then the contract's result is shown next to ours). Examples:
    ///
    ///   linkpool drc calc max --gas-price 25gwei --gas-limit 500000 \
    ///       --wei-per-unit-link 0.005eth --fee 1000 --fee-type permyriad --payment-in-escrow 0.1link
    ///   linkpool drc calc max --gas-price 30gwei --gas-limit 500000 \
    ///       --link-usd 750000000 --tkn-usd 150000000000
    ///   linkpool drc calc max --live-gas-price --gas-limit 500000 --live --coordinator 0x…
    #[command(verbatim_doc_comment)]
    Max(MaxArgs),
    /// The SPOT payment: the gas a fulfilment used, plus the coordinator's allowance for its work
    /// after the calculation (GAS_AFTER_PAYMENT_CALCULATION), at the given prices, plus the fee.
    ///
    /// It is what `fulfillData` charges (the payer gets the rest of the MAX escrow back). Give
    /// the gas used (`startGas - gasleft()`) or both ends. Example:
    ///
    ///   linkpool drc calc spot --gas-price 25gwei --gas-used 62000 \
    ///       --link-tkn 5000000000000000 --fee 0.1link
    #[command(verbatim_doc_comment)]
    Spot(SpotArgs),
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Prices")]
pub(crate) struct PriceArgs {
    /// Gas price in wei (units allowed: 25gwei).
    #[arg(long, alias = "wei-per-unit-gas", value_parser = parse_amount)]
    gas_price: Option<U256>,
    /// Use the endpoint's current gas price (eth_gasPrice).
    #[arg(long, conflicts_with = "gas_price")]
    live_gas_price: bool,
    /// LINK price in TKN wei (units allowed: 0.005eth).
    #[arg(long, value_parser = parse_amount)]
    wei_per_unit_link: Option<U256>,
    /// A LINK/TKN feed answer.
    #[arg(long, value_parser = parse_answer, allow_hyphen_values = true)]
    link_tkn: Option<I256>,
    /// Decimals of the LINK/TKN feed.
    #[arg(long, default_value_t = 18)]
    link_tkn_decimals: u8,
    /// A LINK/USD feed answer (with --tkn-usd, where no LINK/TKN feed exists).
    #[arg(long, value_parser = parse_answer, allow_hyphen_values = true, requires = "tkn_usd")]
    link_usd: Option<I256>,
    /// Decimals of the LINK/USD feed.
    #[arg(long, default_value_t = 8)]
    link_usd_decimals: u8,
    /// A TKN/USD feed answer (with --link-usd).
    #[arg(long, value_parser = parse_answer, allow_hyphen_values = true, requires = "link_usd")]
    tkn_usd: Option<I256>,
    /// Decimals of the TKN/USD feed.
    #[arg(long, default_value_t = 8)]
    tkn_usd_decimals: u8,
    /// Use the coordinator's current LINK price (getWeiPerUnitLink; needs --coordinator).
    #[arg(long)]
    live: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Fee")]
pub(crate) struct FeeArgs {
    /// The operator's fee: juels for flat (units allowed: 0.1link), permyriad for permyriad.
    #[arg(long, value_parser = parse_amount, default_value = "0")]
    fee: U256,
    /// flat (fee juels added) or permyriad (gas cost × fee / 10000 added).
    #[arg(long, default_value = "flat")]
    fee_type: FeeType,
    /// Juels already in escrow at the Operator (the spec's payment); subtracted from the result.
    #[arg(long, alias = "payment", value_parser = parse_amount, default_value = "0")]
    payment_in_escrow: U256,
}

#[derive(Debug, Args)]
pub(crate) struct MaxArgs {
    /// Gas units to price (`calculateMaxPaymentAmount`'s gasLimit; `requestData` prices a
    /// request's callbackGasLimit + FULFILL_GAS_OVERHEAD).
    #[arg(long)]
    gas_limit: u32,
    #[command(flatten)]
    prices: PriceArgs,
    #[command(flatten)]
    fee: FeeArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SpotArgs {
    /// Gas used up to the payment calculation (startGas - gasleft()).
    #[arg(long, required_unless_present = "start_gas", conflicts_with_all = ["start_gas", "gas_left"])]
    gas_used: Option<u64>,
    /// gasleft() when the fulfilment started (with --gas-left).
    #[arg(long, requires = "gas_left")]
    start_gas: Option<u64>,
    /// gasleft() at the payment calculation (with --start-gas).
    #[arg(long, requires = "start_gas")]
    gas_left: Option<u64>,
    #[command(flatten)]
    prices: PriceArgs,
    #[command(flatten)]
    fee: FeeArgs,
}

fn parse_answer(s: &str) -> Result<I256, String> {
    I256::from_dec_str(s.trim().replace('_', "").as_str()).map_err(|e| format!("{s:?} is not an integer answer: {e}"))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    kind: &'static str,
    price_source: String,
    #[serde(flatten)]
    quote: Quote,
    /// What the contract's view returned for the same inputs (MAX with --live only).
    contract_amount: Option<String>,
}

impl CalcCommand {
    pub(crate) async fn run(self, chain: &ChainOpts) -> eyre::Result<()> {
        let (kind, prices, fee) = match &self {
            Self::Max(a) => ("max", &a.prices, &a.fee),
            Self::Spot(a) => ("spot", &a.prices, &a.fee),
        };
        let needs_chain = prices.live || prices.live_gas_price;
        let provider = if needs_chain { Some(chain.provider(None).await?) } else { None };
        let wei_per_unit_gas = match (prices.gas_price, &provider) {
            (Some(g), _) => g,
            (None, Some(p)) if prices.live_gas_price => U256::from(p.get_gas_price().await?),
            _ => eyre::bail!("give the gas price: --gas-price (e.g. 25gwei) or --live-gas-price"),
        };
        let (wei_per_unit_link, price_source) = price(prices, chain).await?;
        let fee_value = u96(fee.fee, "--fee")?;
        let escrow = u96(fee.payment_in_escrow, "--payment-in-escrow")?;
        let quote = match &self {
            Self::Max(a) => {
                pricing::max_payment(wei_per_unit_gas, wei_per_unit_link, a.gas_limit, fee_value, fee.fee_type, escrow)?
            }
            Self::Spot(a) => {
                let (start, left) = match (a.gas_used, a.start_gas, a.gas_left) {
                    (Some(used), _, _) => (used, 0),
                    (None, Some(s), Some(l)) => (s, l),
                    _ => eyre::bail!("give --gas-used, or --start-gas and --gas-left"),
                };
                pricing::spot_payment(
                    start,
                    left,
                    wei_per_unit_gas,
                    wei_per_unit_link,
                    fee_value,
                    fee.fee_type,
                    escrow,
                )?
            }
        };
        let contract_amount = match &self {
            Self::Max(a) if prices.live => Some(
                chain
                    .reader()
                    .await?
                    .calculate_max_payment_amount(wei_per_unit_gas, escrow, a.gas_limit, fee_value, fee.fee_type)
                    .await?,
            ),
            _ => None,
        };
        if chain.json {
            return print_json(&Report {
                kind,
                price_source,
                quote,
                contract_amount: contract_amount.map(|a| a.to_string()),
            });
        }
        let after = u64::from(GAS_AFTER_PAYMENT_CALCULATION);
        let gas_line = match kind {
            "max" => format!("{} (all of --gas-limit)", quote.gas),
            _ if quote.gas == 0 => "0 (gasleft() exceeds startGas + the allowance: clamped to 0)".to_owned(),
            _ => format!("{} ({} used + {after} after the calculation)", quote.gas, quote.gas.saturating_sub(after)),
        };
        let fee_line = match fee.fee_type {
            FeeType::Flat => format!("{} ({} LINK; flat)", quote.fee, super::link(quote.fee)),
            FeeType::Permyriad => {
                format!("{} ({} LINK; {}‱ of the gas cost)", quote.fee, super::link(quote.fee), fee.fee)
            }
        };
        let mut rows = vec![
            ("payment", kind.to_uppercase()),
            ("price source", price_source),
            (
                "weiPerUnitLink",
                format!("{wei_per_unit_link} ({} TKN per LINK)", super::trim(format_units(wei_per_unit_link, 18)?)),
            ),
            ("weiPerUnitGas", format!("{wei_per_unit_gas} ({} gwei)", super::trim(format_units(wei_per_unit_gas, 9)?))),
            ("gas", gas_line),
            ("gas cost", juels(quote.gas_cost)),
            ("fee", fee_line),
            ("payment", juels(quote.payment)),
            ("payment in escrow", juels(U256::from(quote.payment_in_escrow))),
            ("payment - escrow", format!("{} ({} LINK)", quote.amount, link_signed(quote.amount))),
        ];
        if let Some(c) = contract_amount {
            let verdict = if c == quote.amount { "matches" } else { "DIFFERS" };
            rows.push(("contract says", format!("{c} ({verdict})")));
        }
        print_pairs(rows);
        Ok(())
    }
}

fn u96(v: U256, flag: &str) -> eyre::Result<U96> {
    U96::checked_from_limbs_slice(v.as_limbs()).ok_or_else(|| eyre::eyre!("{flag} {v} does not fit 96 bits"))
}

async fn price(p: &PriceArgs, chain: &ChainOpts) -> eyre::Result<(U256, String)> {
    let sources = [p.wei_per_unit_link.is_some(), p.link_tkn.is_some(), p.link_usd.is_some(), p.live];
    if sources.iter().filter(|s| **s).count() != 1 {
        eyre::bail!(
            "give exactly one LINK price: --wei-per-unit-link, --link-tkn (feed answer), \
             --link-usd with --tkn-usd, or --live (the coordinator's price)"
        );
    }
    if let Some(w) = p.wei_per_unit_link {
        return Ok((w, "given".into()));
    }
    if let Some(answer) = p.link_tkn {
        let feeds = PriceFeeds::Direct { link_tkn: FeedAnswer::new(answer, p.link_tkn_decimals) };
        let source = format!("LINK/TKN answer {answer} ({} decimals)", p.link_tkn_decimals);
        return Ok((pricing::wei_per_unit_link(&feeds)?, source));
    }
    if let (Some(l), Some(t)) = (p.link_usd, p.tkn_usd) {
        let feeds = PriceFeeds::ViaUsd {
            link_usd: FeedAnswer::new(l, p.link_usd_decimals),
            tkn_usd: FeedAnswer::new(t, p.tkn_usd_decimals),
        };
        let source =
            format!("LINK/USD {l} ({} decimals) / TKN/USD {t} ({} decimals)", p.link_usd_decimals, p.tkn_usd_decimals);
        return Ok((pricing::wei_per_unit_link(&feeds)?, source));
    }
    let c = chain.reader().await?;
    Ok((c.wei_per_unit_link().await?, format!("getWeiPerUnitLink of {}", c.address())))
}
