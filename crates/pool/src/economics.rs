//! The oracle and pool economics of the LinkPool whitepaper (§4–5), in exact decimal arithmetic.
//!
//! The paper estimates what a Chainlink oracle earns per month and what the LinkPool service,
//! which runs one node per `stake limit` of staked LINK, earns and distributes. [`compute`] takes
//! the model's [`Parameters`] (whose [`Default`] is the paper's inputs) and returns every
//! intermediate quantity in [`Economics`]. With the defaults it reproduces the paper's figures
//! exactly: 842 requests per node and $23.10448 profit per node (Figure 1), 14,000,000 LINK of
//! staking interest (Figure 2), 700 nodes (Figure 3), and $16,173.136 pool profit split into
//! $12,129.852 for stakers and $4,043.284 for owners (Figure 4).
//!
//! # The model
//!
//! All money is in USD, as in the paper (it expects request prices to follow fiat, not LINK).
//!
//! | quantity | formula | paper |
//! |---|---|---|
//! | gas per request | `transactions per request × gas per transaction` | 2 × 35,000 = 70,000 (§4.1) |
//! | gas cost per request (ETH) | `gas per request × gas price (gwei) / 10^9` | 0.00007 ETH |
//! | operational cost per request | `gas cost (ETH) × ETH price` | 0.00007 × $392 = $0.02744 |
//! | minimum price per request | `operational cost × (1 + margin / 100)`, or given | $0.02744 × 2 = $0.05488 (§4.2) |
//! | oracle requests per month | `requests per month × oracles per request` | 4,000,000 × 4 = 16,000,000 |
//! | requests per node | `floor(oracle requests per month / oracles)` | 16,000,000 / 19,000 → 842 |
//! | revenue per node | `requests per node × minimum price` | 842 × $0.05488 = $46.20896 |
//! | operational cost per node | `requests per node × operational cost per request` | 842 × $0.02744 = $23.10448 |
//! | profit per node | `revenue per node − operational cost per node` | $23.10448 (Figure 1) |
//! | staking interest | `ceil(stake interest / step) × step` (step 0: as given) | 13,969,252.36 → 14M (Figure 2) |
//! | nodes | `floor(staking interest / stake limit)` | 14,000,000 / 20,000 = 700 (Figure 3) |
//! | pool profit | `nodes × profit per node` | 700 × $23.10448 = $16,173.136 |
//! | stakers' share | `pool profit × stakers' share / 100` | × 75% = $12,129.852 |
//! | owners' share | `pool profit − stakers' share` | $4,043.284 (Figure 4) |
//!
//! The paper does not state the ETH price; it is implied by its figures: 70,000 gas at 1 gwei is
//! 0.00007 ETH, and 0.00007 ETH = $0.02744 gives $392 per ETH, the default of
//! [`Parameters::eth_usd`].
//!
//! # Rounding
//!
//! Every quantity is an exact rational ([`BigRational`]); inputs are decimals, so every money
//! result is an exact, terminating decimal (only a margin derived from a given minimum price can
//! be a repeating one). There are exactly three roundings, each the paper's:
//!
//! - **Requests per node: down to a whole request.** The paper writes 16,000,000 / 19,000 = 842,
//!   truncating 842.105…; a node is paid for the requests it serves, and a fraction of a request
//!   is not served. The unrounded value is kept in [`Economics::requests_per_node_unrounded`].
//! - **Staking interest: up to a multiple of a step.** The paper rounds the 13,969,252.36 LINK of
//!   registered interest up to 14 million "for the purpose of this example"; the step
//!   ([`Parameters::round_stake_interest_up_to`], default 1,000,000) makes that explicit, and 0
//!   uses the interest as given.
//! - **Nodes: down to a whole node.** A node is only run for a full stake limit; the LINK left
//!   over ([`Economics::stake_left_over_link`]) runs no node.
//!
//! The owners' share is the pool profit minus the stakers' share, so the two always add up to
//! the pool profit exactly (no cent is created or lost by the split).

use std::fmt::Write as _;

pub use num_bigint::BigInt;
pub use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use crate::{Error, Result};

/// Fractional digits [`format_decimal`] shows of a decimal that does not terminate.
pub const REPEATING_DIGITS: usize = 12;

/// How the minimum price per request is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MinPrice {
    /// The operational cost per request plus this margin, in percent of that cost (the paper:
    /// 100%, which doubles the cost). Must not be negative: the minimum price is the operator's
    /// safeguard that every request is profitable.
    MarginPercent(BigRational),
    /// A fixed price in USD per request. It may be below the operational cost, and the model
    /// then shows the loss.
    Usd(BigRational),
}

/// The model's inputs. [`Default`] is the paper's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameters {
    /// Data requests on the whole network per month (paper: 4,000,000, 0.001% of RapidAPI's
    /// monthly calls).
    pub requests_per_month: u64,
    /// Oracles that serve each request (paper: 4).
    pub oracles_per_request: u64,
    /// Oracles on the network (paper: 19,000, the operators who registered interest).
    pub oracles: u64,
    /// Gas of one on-chain transaction of a request (paper: 35,000, an ERC-20 transfer + 30%).
    pub gas_per_transaction: u64,
    /// On-chain transactions an oracle pays for per request (paper: 2, the penalty transfer and
    /// writing the answer).
    pub transactions_per_request: u64,
    /// Gas price in gwei (paper: 1).
    pub gas_price_gwei: BigRational,
    /// ETH price in USD (paper: implied $392, see the module docs).
    pub eth_usd: BigRational,
    /// The minimum price per request (paper: a 100% margin, $0.05488).
    pub min_price: MinPrice,
    /// LINK that registrants would stake (paper: 13,969,252.36, Figure 2).
    pub stake_interest_link: BigRational,
    /// The stake interest is rounded up to a multiple of this many LINK (paper: 1,000,000, giving
    /// 14,000,000); 0 uses it as given.
    pub round_stake_interest_up_to: BigRational,
    /// LINK staked on each node the pool runs (paper: 20,000).
    pub stake_limit_link: BigRational,
    /// Stakers' share of the pool profit, in percent; the owners get the rest (paper: 75).
    pub stakers_share_percent: BigRational,
}

impl Default for Parameters {
    fn default() -> Self {
        Self {
            requests_per_month: 4_000_000,
            oracles_per_request: 4,
            oracles: 19_000,
            gas_per_transaction: 35_000,
            transactions_per_request: 2,
            gas_price_gwei: int(1),
            eth_usd: int(392),
            min_price: MinPrice::MarginPercent(int(100)),
            stake_interest_link: BigRational::new(BigInt::from(1_396_925_236u64), BigInt::from(100)),
            round_stake_interest_up_to: int(1_000_000),
            stake_limit_link: int(20_000),
            stakers_share_percent: int(75),
        }
    }
}

/// Every quantity of the model, from [`compute`]. Money is in USD unless the name says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Economics {
    /// Gas an oracle pays per request: transactions per request × gas per transaction.
    pub gas_per_request: BigInt,
    /// That gas in ETH at the gas price.
    pub gas_cost_per_request_eth: BigRational,
    /// That gas in USD: the operational cost of one request (paper: $0.02744).
    pub op_cost_per_request: BigRational,
    /// The minimum price per request (paper: $0.05488).
    pub min_price: BigRational,
    /// The margin of the minimum price over the operational cost, in percent; `None` when the
    /// operational cost is 0 and a price was given.
    pub margin_percent: Option<BigRational>,
    /// Requests × oracles per request: the oracle-requests the network serves per month.
    pub oracle_requests_per_month: BigInt,
    /// Oracle-requests per month / oracles, before rounding (paper: 842.105…).
    pub requests_per_node_unrounded: BigRational,
    /// The requests one node serves per month, rounded down (paper: 842, Figure 1).
    pub requests_per_node: BigInt,
    /// Requests per node × minimum price (paper: $46.20896).
    pub revenue_per_node: BigRational,
    /// Requests per node × operational cost per request (paper: $23.10448).
    pub op_cost_per_node: BigRational,
    /// Revenue − operational cost per node and month; negative for a loss (paper: $23.10448).
    pub profit_per_node: BigRational,
    /// The stake interest after rounding, in LINK (paper: 14,000,000, Figure 2).
    pub stake_interest_link: BigRational,
    /// Nodes the pool runs: the stake interest / stake limit, rounded down (paper: 700, Figure 3).
    pub nodes: BigInt,
    /// LINK the nodes hold: nodes × stake limit.
    pub stake_used_link: BigRational,
    /// LINK of the interest that fills no node: stake interest − stake used (< the stake limit).
    pub stake_left_over_link: BigRational,
    /// Nodes × profit per node (paper: $16,173.136, Figure 4).
    pub pool_profit: BigRational,
    /// The stakers' share in percent.
    pub stakers_share_percent: BigRational,
    /// The owners' share in percent: 100 − the stakers'.
    pub owners_share_percent: BigRational,
    /// Pool profit × stakers' share / 100 (paper: $12,129.852).
    pub stakers_profit: BigRational,
    /// Pool profit − stakers' profit (paper: $4,043.284).
    pub owners_profit: BigRational,
}

/// Computes the model; refuses parameters that make no sense (see [`Parameters`]).
pub fn compute(p: &Parameters) -> Result<Economics> {
    validate(p)?;
    let hundred = int(100);

    // §4.1 operational cost.
    let gas_per_request = BigInt::from(p.transactions_per_request) * BigInt::from(p.gas_per_transaction);
    let gwei_per_eth = int(1_000_000_000);
    let gas_cost_per_request_eth = BigRational::from(gas_per_request.clone()) * &p.gas_price_gwei / gwei_per_eth;
    let op_cost_per_request = &gas_cost_per_request_eth * &p.eth_usd;
    let (min_price, margin_percent) = match &p.min_price {
        MinPrice::MarginPercent(m) => (&op_cost_per_request * (BigRational::one() + m / &hundred), Some(m.clone())),
        MinPrice::Usd(price) => {
            let margin = (!op_cost_per_request.is_zero())
                .then(|| (price / &op_cost_per_request - BigRational::one()) * &hundred);
            (price.clone(), margin)
        }
    };

    // §4.2 revenue and profit per node.
    let oracle_requests_per_month = BigInt::from(p.requests_per_month) * BigInt::from(p.oracles_per_request);
    let requests_per_node_unrounded = BigRational::new(oracle_requests_per_month.clone(), BigInt::from(p.oracles));
    let requests_per_node = requests_per_node_unrounded.floor().to_integer();
    let served = BigRational::from(requests_per_node.clone());
    let revenue_per_node = &served * &min_price;
    let op_cost_per_node = &served * &op_cost_per_request;
    let profit_per_node = &revenue_per_node - &op_cost_per_node;

    // §5 the pool.
    let stake_interest_link = round_up_to(&p.stake_interest_link, &p.round_stake_interest_up_to);
    let nodes = (&stake_interest_link / &p.stake_limit_link).floor().to_integer();
    let stake_used_link = BigRational::from(nodes.clone()) * &p.stake_limit_link;
    let stake_left_over_link = &stake_interest_link - &stake_used_link;
    let pool_profit = BigRational::from(nodes.clone()) * &profit_per_node;
    let stakers_profit = &pool_profit * &p.stakers_share_percent / &hundred;
    let owners_profit = &pool_profit - &stakers_profit;

    Ok(Economics {
        gas_per_request,
        gas_cost_per_request_eth,
        op_cost_per_request,
        min_price,
        margin_percent,
        oracle_requests_per_month,
        requests_per_node_unrounded,
        requests_per_node,
        revenue_per_node,
        op_cost_per_node,
        profit_per_node,
        stake_interest_link,
        nodes,
        stake_used_link,
        stake_left_over_link,
        pool_profit,
        stakers_share_percent: p.stakers_share_percent.clone(),
        owners_share_percent: &hundred - &p.stakers_share_percent,
        stakers_profit,
        owners_profit,
    })
}

fn validate(p: &Parameters) -> Result<()> {
    let invalid = |name: &'static str, reason: String| Err(Error::InvalidParameter { name, reason });
    if p.oracles == 0 {
        return invalid("--oracles", "the network needs at least 1 oracle to serve requests".into());
    }
    if p.oracles_per_request == 0 {
        return invalid("--oracles-per-request", "every request is served by at least 1 oracle".into());
    }
    if p.oracles_per_request > p.oracles {
        return invalid(
            "--oracles-per-request",
            format!("{} oracles per request, but the network has only {}", p.oracles_per_request, p.oracles),
        );
    }
    let non_negative = [
        ("--gas-price-gwei", &p.gas_price_gwei),
        ("--eth-usd", &p.eth_usd),
        ("--stake-interest", &p.stake_interest_link),
        ("--round-stake-interest-up-to", &p.round_stake_interest_up_to),
    ];
    for (name, v) in non_negative {
        if v.is_negative() {
            return invalid(name, format!("must not be negative (got {})", format_decimal(v)));
        }
    }
    match &p.min_price {
        MinPrice::MarginPercent(m) if m.is_negative() => {
            return invalid(
                "--margin",
                format!(
                    "must not be negative (got {}): the minimum price guarantees a profit; \
                     give --min-price to model a price below cost",
                    format_decimal(m)
                ),
            );
        }
        MinPrice::Usd(price) if price.is_negative() => {
            return invalid("--min-price", format!("must not be negative (got {})", format_decimal(price)));
        }
        _ => {}
    }
    if !p.stake_limit_link.is_positive() {
        return invalid(
            "--stake-limit",
            format!("must be more than 0 LINK per node (got {})", format_decimal(&p.stake_limit_link)),
        );
    }
    let share = &p.stakers_share_percent;
    if share.is_negative() || *share > int(100) {
        return invalid(
            "--stakers-share",
            format!("must be between 0 and 100 percent (got {})", format_decimal(share)),
        );
    }
    Ok(())
}

/// `value` rounded up to a multiple of `step`; `value` itself when `step` is 0.
fn round_up_to(value: &BigRational, step: &BigRational) -> BigRational {
    if step.is_zero() {
        return value.clone();
    }
    (value / step).ceil() * step
}

fn int(v: u64) -> BigRational {
    BigRational::from(BigInt::from(v))
}

/// Parses a decimal like `392`, `0.05488`, `13969252.36` or `4_000_000` (underscores separate
/// digits; a leading `-` is allowed and left to [`compute`] to judge). No exponents, no commas.
pub fn parse_decimal(input: &str) -> Result<BigRational> {
    let refuse = |reason: &'static str| Error::NotADecimal { input: input.to_owned(), reason };
    let cleaned = input.trim().replace('_', "");
    let (negative, unsigned) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(refuse("no digits"));
    }
    if !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(refuse("only digits, one '.', '_' separators and a leading '-' are allowed"));
    }
    let digits: BigInt = format!("0{whole}{fraction}").parse().map_err(|_| refuse("not a number"))?;
    let scale = BigInt::from(10u8).pow(u32::try_from(fraction.len()).map_err(|_| refuse("too many decimals"))?);
    let value = BigRational::new(digits, scale);
    Ok(if negative { -value } else { value })
}

/// The exact decimal of `value` without trailing zeros (`23.10448`, `16173.136`, `700`), or
/// `None` when it does not terminate (its reduced denominator has a prime factor other than 2
/// and 5, like 16,000,000 / 19,000).
pub fn exact_decimal(value: &BigRational) -> Option<String> {
    let denom = value.denom();
    let mut rest = denom.clone();
    let (two, five) = (BigInt::from(2u8), BigInt::from(5u8));
    let mut twos = 0u32;
    while (&rest % &two).is_zero() {
        rest /= &two;
        twos += 1;
    }
    let mut fives = 0u32;
    while (&rest % &five).is_zero() {
        rest /= &five;
        fives += 1;
    }
    if !rest.is_one() {
        return None;
    }
    let places = twos.max(fives);
    let scaled = value.numer() * BigInt::from(10u8).pow(places) / denom;
    Some(place_point(value.is_negative(), &scaled, places as usize, true))
}

/// [`exact_decimal`], or for a decimal that does not terminate its first
/// [`REPEATING_DIGITS`] fractional digits (truncated) followed by `…`: `842.105263157894…`.
pub fn format_decimal(value: &BigRational) -> String {
    exact_decimal(value).unwrap_or_else(|| {
        let places = REPEATING_DIGITS;
        let scaled = (value * BigRational::from(BigInt::from(10u8).pow(places as u32))).trunc().to_integer();
        let mut s = place_point(value.is_negative(), &scaled, places, false);
        s.push('…');
        s
    })
}

/// [`format_decimal`] with `,` between thousands of the whole part: `16,173.136`.
pub fn format_decimal_grouped(value: &BigRational) -> String {
    let plain = format_decimal(value);
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let split = unsigned.find('.').unwrap_or(unsigned.len());
    let (whole, tail) = unsigned.split_at(split);
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{tail}")
}

/// `|scaled| / 10^places` written out, with a `-` when `negative`; trailing fractional zeros
/// dropped when `trim`.
fn place_point(negative: bool, scaled: &BigInt, places: usize, trim: bool) -> String {
    let digits = scaled.abs().to_string();
    let digits = format!("{digits:0>width$}", width = places + 1);
    let (whole, fraction) = digits.split_at(digits.len() - places);
    let fraction = if trim { fraction.trim_end_matches('0') } else { fraction };
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(whole);
    if !fraction.is_empty() {
        let _ = write!(out, ".{fraction}");
    }
    out
}
