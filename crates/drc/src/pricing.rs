//! The DRCoordinator pricing model, in integers: the LINK price from the feeds (with staleness,
//! sequencer and limit fallbacks), the MAX and SPOT payments of `IDRCoordinator`'s NatSpec, and
//! the money a request escrows and a fulfilment charges.
//!
//! This is an independent implementation used by `linkpool drc calc`, and as the oracle of the
//! contract-parity property test. Every quantity is an integer (`U256`, `I256`, `u32`/`u64` for
//! gas). Every division is a floor division and happens **once, last**, exactly where the
//! contract's formulas put it:
//!
//! | quantity | formula |
//! |---|---|
//! | LINK/TKN feed | `weiPerUnitLink = answer * 10^(18 - decimals)` (exact; decimals <= 18) |
//! | LINK/USD + TKN/USD | `weiPerUnitLink = linkUsd * 10^(18 + tknUsdDecimals) / (tknUsd * 10^linkUsdDecimals)` |
//! | MAX gas cost | `1e18 * weiPerUnitGas * gasLimit / weiPerUnitLink` |
//! | SPOT gas cost | `1e18 * weiPerUnitGas * (GAS_AFTER_PAYMENT_CALCULATION + startGas - gasleft()) / weiPerUnitLink` |
//! | fee, FLAT | `fee` |
//! | fee, PERMYRIAD | `gasCost * fee / PERMYRIAD` |
//! | payment | `gasCost + fee` |
//! | reported amount | `int256(payment) - int256(paymentInEscrow)` (negative when the escrow covers it) |
//!
//! Rounding therefore always goes down, by less than one unit per division: the gas cost by the
//! floor of the LINK conversion, the PERMYRIAD fee by the floor of `/ 10000` (so a FLAT payment is
//! at most 1 juel under the rational value and a PERMYRIAD one at most 2). The LINK price from
//! one feed is exact; from two feeds it is the floor of the exact ratio (no intermediate
//! rounding), at most 1 wei low. Rounding down favours the payer by under a juel per request;
//! the contract's NatSpec fixes it (floor divisions, as in the original).
//!
//! Where the contract's checked arithmetic would revert (a product above `2^256 - 1`, a zero
//! price, a payment above `int256` max), these functions return a [`PricingError`] instead of a
//! value, so a result is either the contract's result or an error. Feed decimals above 18 are an
//! error too: the contract refuses such feeds in `setConfig`.
//!
//! [`resolve_wei_per_unit_link`] adds `getWeiPerUnitLink`'s decisions: an L2 sequencer that is
//! down or in its grace period, a stale answer, or an answer at the feed's min/max limit makes the
//! whole price `fallbackWeiPerUnitLink` (or reverts with that reading's error when the fallback is
//! 0); an answer <= 0 always reverts. [`request_debit`] and [`settle`] model `requestData` (which
//! prices `callbackGasLimit + FULFILL_GAS_OVERHEAD` gas and debits `max(MAX, payment)`) and
//! `fulfillData` (which charges `max(SPOT - payment, 0)` and refunds the rest of the escrow).

use std::{fmt, str::FromStr};

use alloy::primitives::{aliases::U96, uint, I256, U256};
use serde::{Deserialize, Serialize};

/// 100 % in permyriad (1 = 0.01 %).
pub const PERMYRIAD: u32 = 10_000;
/// The smallest `Spec.gasLimit` the coordinator accepts (the Operator's `MINIMUM_CONSUMER_GAS_LIMIT`).
pub const MIN_SPEC_GAS_LIMIT: u32 = 400_000;
/// Gas the coordinator adds to the measured gas of a fulfilment for its work after the SPOT
/// calculation (settlement writes and the event). The original, with a heavier settlement, used
/// 50,000 (about 42.9k measured); our `DRCoordinator` does everything else before the measurement
/// and uses 10,000 (9,137 to 9,487 measured). The contract-parity test pins this value to the
/// deployed contract's `GAS_AFTER_PAYMENT_CALCULATION()`.
pub const GAS_AFTER_PAYMENT_CALCULATION: u32 = 10_000;
/// Gas `requestData` prices on top of `callbackGasLimit` for the MAX debit: the fulfilment's
/// work besides the callback, in the worst case the contract prices (pinned like the above).
pub const FULFILL_GAS_OVERHEAD: u32 = 100_000;
/// The most confirmations a request may ask for.
pub const MAX_REQUEST_CONFIRMATIONS: u8 = 200;
/// All LINK that exists, in juels (1e27): the upper bound of FLAT payments and fees.
pub const LINK_TOTAL_SUPPLY: U256 = uint!(1_000_000_000_000_000_000_000_000_000_U256);
/// Juels per LINK (LINK has 18 decimals).
pub const JUELS_PER_LINK: U256 = uint!(1_000_000_000_000_000_000_U256);
/// Wei per unit of the chain's native token (TKN has 18 decimals).
pub const WEI_PER_UNIT_TKN: U256 = uint!(1_000_000_000_000_000_000_U256);
/// The most decimals a price feed may have (the contract refuses others in `setConfig`).
pub const MAX_FEED_DECIMALS: u8 = 18;
/// The largest PERMYRIAD fee the spec files accept (100 %). The contract only requires `fee > 0`;
/// this limit is the management tools' guard against a fee typed in juels by mistake.
pub const MAX_PERMYRIAD_FEE: u32 = PERMYRIAD;

/// Why a price or payment cannot be computed: where the contract reverts, with the name of its
/// custom error in each variant's docs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// A feed answered 0 or less (`FeedAnswerNotPositive`).
    #[error("the {feed} feed answered {answer}, which is not positive")]
    AnswerNotPositive {
        /// Which feed.
        feed: FeedRole,
        /// Its answer.
        answer: I256,
    },
    /// A feed has more than 18 decimals (`FeedDecimalsTooLarge`, at `setConfig`).
    #[error("the {feed} feed has {decimals} decimals; at most {MAX_FEED_DECIMALS} are supported")]
    DecimalsTooLarge {
        /// Which feed.
        feed: FeedRole,
        /// Its decimals.
        decimals: u8,
    },
    /// A feed is stale and there is no fallback price (`FeedStale`).
    #[error("the {feed} feed is stale (updated at {updated_at}) and no fallback price is set")]
    FeedStale {
        /// Which feed.
        feed: FeedRole,
        /// Its `updatedAt`.
        updated_at: u64,
    },
    /// A feed answer sits at the feed's min or max answer and there is no fallback price
    /// (`FeedAnswerAtLimit`).
    #[error("the {feed} feed answer {answer} is at its min/max limit and no fallback price is set")]
    AnswerAtLimit {
        /// Which feed.
        feed: FeedRole,
        /// Its answer.
        answer: I256,
    },
    /// The L2 sequencer is down and there is no fallback price (`SequencerDown`).
    #[error("the L2 sequencer is down and no fallback price is set")]
    SequencerDown,
    /// The L2 sequencer is in its grace period and there is no fallback price
    /// (`SequencerGracePeriod`).
    #[error("the L2 sequencer is in its grace period (up since {started_at}) and no fallback price is set")]
    SequencerGracePeriod {
        /// When it came back up.
        started_at: u64,
    },
    /// No feed is configured and no fallback price either (`PriceUnavailable`).
    #[error("no price feed and no fallback price are configured")]
    PriceUnavailable,
    /// The price came out as 0 wei per LINK, which the payment formulas would divide by
    /// (`PriceUnavailable` for two feeds).
    #[error("the LINK price rounds down to 0 wei per LINK")]
    ZeroPrice,
    /// A step exceeds 256 bits (or a payment exceeds `int256` max): the contract reverts.
    #[error("arithmetic overflow computing {0}")]
    Overflow(&'static str),
}

/// The role of a price feed, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedRole {
    /// LINK priced in the native token.
    LinkTkn,
    /// LINK priced in USD.
    LinkUsd,
    /// The native token priced in USD.
    TknUsd,
}

impl fmt::Display for FeedRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::LinkTkn => "LINK/TKN",
            Self::LinkUsd => "LINK/USD",
            Self::TknUsd => "TKN/USD",
        })
    }
}

/// How the operator's fee is added to a payment (`IDRCoordinator.FeeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum FeeType {
    /// `fee` juels are added.
    Flat = 0,
    /// `gasCost * fee / 10000` juels are added.
    Permyriad = 1,
}

/// How the Operator escrow `Spec.payment` is read (`IDRCoordinator.PaymentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum PaymentType {
    /// `payment` juels.
    Flat = 0,
    /// `maxGasCost * payment / 10000` juels.
    Permyriad = 1,
}

/// An unknown enum discriminant or name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`: expected 0 (flat) or 1 (permyriad)")]
pub struct UnknownVariant {
    /// `fee type` or `payment type`.
    pub kind: &'static str,
    /// What was given.
    pub value: String,
}

macro_rules! flat_permyriad_enum {
    ($ty:ident, $kind:literal) => {
        impl TryFrom<u8> for $ty {
            type Error = UnknownVariant;
            fn try_from(v: u8) -> Result<Self, UnknownVariant> {
                match v {
                    0 => Ok(Self::Flat),
                    1 => Ok(Self::Permyriad),
                    _ => Err(UnknownVariant { kind: $kind, value: v.to_string() }),
                }
            }
        }

        impl From<$ty> for u8 {
            fn from(v: $ty) -> u8 {
                v as u8
            }
        }

        impl FromStr for $ty {
            type Err = UnknownVariant;
            /// `flat` / `0` or `permyriad` / `1` (case-insensitive).
            fn from_str(s: &str) -> Result<Self, UnknownVariant> {
                match s.to_ascii_lowercase().as_str() {
                    "flat" | "0" => Ok(Self::Flat),
                    "permyriad" | "1" => Ok(Self::Permyriad),
                    _ => Err(UnknownVariant { kind: $kind, value: s.to_owned() }),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(match self {
                    Self::Flat => "flat",
                    Self::Permyriad => "permyriad",
                })
            }
        }
    };
}

flat_permyriad_enum!(FeeType, "fee type");
flat_permyriad_enum!(PaymentType, "payment type");

/// One price feed reading: `latestRoundData().answer` and the feed's `decimals()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedAnswer {
    /// The answer, scaled by `10^decimals`.
    pub answer: I256,
    /// The feed's decimals.
    pub decimals: u8,
}

impl FeedAnswer {
    /// A reading.
    pub fn new(answer: I256, decimals: u8) -> Self {
        Self { answer, decimals }
    }

    /// The answer as unsigned; errors if it is not positive.
    fn positive(&self, feed: FeedRole) -> Result<U256, PricingError> {
        if self.answer <= I256::ZERO {
            return Err(PricingError::AnswerNotPositive { feed, answer: self.answer });
        }
        Ok(self.answer.into_raw())
    }

    /// `10^decimals`; errors above 18 decimals.
    fn scale(&self, feed: FeedRole) -> Result<U256, PricingError> {
        if self.decimals > MAX_FEED_DECIMALS {
            return Err(PricingError::DecimalsTooLarge { feed, decimals: self.decimals });
        }
        Ok(pow10(self.decimals))
    }
}

fn pow10(exponent: u8) -> U256 {
    // Callers keep the exponent at most 36: no overflow.
    U256::from(10u8).pow(U256::from(exponent))
}

/// Where the LINK price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceFeeds {
    /// A LINK/TKN feed.
    Direct {
        /// The LINK/TKN reading.
        link_tkn: FeedAnswer,
    },
    /// LINK/USD and TKN/USD, on networks without a LINK/TKN feed.
    ViaUsd {
        /// The LINK/USD reading.
        link_usd: FeedAnswer,
        /// The TKN/USD reading.
        tkn_usd: FeedAnswer,
    },
}

/// The price of 1 LINK in TKN wei from trusted readings (no staleness, sequencer or limit
/// handling; see [`resolve_wei_per_unit_link`]). Floors as the module docs say.
///
/// # Errors
/// [`PricingError::AnswerNotPositive`] for an answer <= 0 (the LINK/USD feed is checked first),
/// [`PricingError::DecimalsTooLarge`] above 18 decimals, [`PricingError::ZeroPrice`] when two
/// feeds' ratio rounds to 0, [`PricingError::Overflow`] beyond 256 bits.
pub fn wei_per_unit_link(feeds: &PriceFeeds) -> Result<U256, PricingError> {
    match feeds {
        PriceFeeds::Direct { link_tkn } => {
            let answer = link_tkn.positive(FeedRole::LinkTkn)?;
            let scale = link_tkn.scale(FeedRole::LinkTkn)?;
            // answer * 10^(18 - decimals), exact.
            answer.checked_mul(WEI_PER_UNIT_TKN / scale).ok_or(PricingError::Overflow("answer * 10^(18 - decimals)"))
        }
        PriceFeeds::ViaUsd { link_usd, tkn_usd } => {
            let link = link_usd.positive(FeedRole::LinkUsd)?;
            let tkn = tkn_usd.positive(FeedRole::TknUsd)?;
            let link_scale = link_usd.scale(FeedRole::LinkUsd)?;
            tkn_usd.scale(FeedRole::TknUsd)?;
            let num = link
                .checked_mul(pow10(18 + tkn_usd.decimals))
                .ok_or(PricingError::Overflow("linkUsd * 10^(18 + tknUsdDecimals)"))?;
            let den = tkn.checked_mul(link_scale).ok_or(PricingError::Overflow("tknUsd * 10^linkUsdDecimals"))?;
            let price = num / den;
            if price.is_zero() {
                return Err(PricingError::ZeroPrice);
            }
            Ok(price)
        }
    }
}

/// A feed's full reading, for [`resolve_wei_per_unit_link`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedReading {
    /// Answer and decimals.
    pub feed: FeedAnswer,
    /// `latestRoundData().updatedAt`.
    pub updated_at: u64,
    /// The feed's `minAnswer()`/`maxAnswer()`, if it exposes them (as read: they are clamped to
    /// `int128` and ignored unless `min < max`, as the contract does).
    pub limits: Option<(I256, I256)>,
}

/// The L2 sequencer uptime feed's reading: `answer` 0 = up, else down; `startedAt` = when the
/// status last changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequencerReading {
    /// The status answer.
    pub status: I256,
    /// When it last changed.
    pub started_at: u64,
}

/// The configured feeds' readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedReadings {
    /// No feed: the fallback price only.
    None,
    /// A LINK/TKN feed.
    Direct(FeedReading),
    /// LINK/USD and TKN/USD.
    ViaUsd {
        /// LINK/USD.
        link_usd: FeedReading,
        /// TKN/USD.
        tkn_usd: FeedReading,
    },
}

/// Everything `getWeiPerUnitLink` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceInputs {
    /// `block.timestamp`.
    pub now: u64,
    /// `Config.stalenessSeconds` (0: never stale).
    pub staleness_seconds: u32,
    /// `Config.sequencerGracePeriodSeconds`.
    pub sequencer_grace_period_seconds: u32,
    /// `Config.fallbackWeiPerUnitLink` (0: no fallback).
    pub fallback_wei_per_unit_link: U256,
    /// The sequencer uptime feed's reading, if one is configured.
    pub sequencer: Option<SequencerReading>,
    /// The price feeds' readings.
    pub feeds: FeedReadings,
}

/// Why the fallback price was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "reason")]
pub enum Fallback {
    /// No feed is configured.
    NoFeeds,
    /// The L2 sequencer is down.
    SequencerDown,
    /// The L2 sequencer came back up less than the grace period ago.
    SequencerGracePeriod,
    /// A feed is stale.
    Stale {
        /// Which.
        feed: FeedRole,
    },
    /// A feed's answer is at its min or max limit.
    AtLimit {
        /// Which.
        feed: FeedRole,
    },
}

/// A resolved LINK price and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedPrice {
    /// TKN wei per LINK.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub wei_per_unit_link: U256,
    /// `None` when the feeds gave it, else why the fallback was used.
    pub fallback: Option<Fallback>,
}

fn clamp_int128(v: I256) -> I256 {
    let max = I256::try_from(i128::MAX).expect("fits");
    let min = I256::try_from(i128::MIN).expect("fits");
    v.clamp(min, max)
}

/// Why a reading cannot be trusted, if it cannot.
fn unreliable(role: FeedRole, r: &FeedReading, inputs: &PriceInputs) -> Option<(Fallback, PricingError)> {
    let staleness = u64::from(inputs.staleness_seconds);
    if staleness != 0 && inputs.now > r.updated_at && inputs.now - r.updated_at > staleness {
        return Some((
            Fallback::Stale { feed: role },
            PricingError::FeedStale { feed: role, updated_at: r.updated_at },
        ));
    }
    if let Some((min, max)) = r.limits {
        let (min, max) = (clamp_int128(min), clamp_int128(max));
        if min < max && (r.feed.answer <= min || r.feed.answer >= max) {
            return Some((
                Fallback::AtLimit { feed: role },
                PricingError::AnswerAtLimit { feed: role, answer: r.feed.answer },
            ));
        }
    }
    None
}

/// `getWeiPerUnitLink`: the LINK price in TKN wei, or the fallback price when a reading cannot be
/// trusted. The checks run in the contract's order: the sequencer (down, then grace period), then
/// feed by feed, its answer must be positive (always an error) and fresh and within its limits
/// (else the fallback, or that reading's error without one). With two feeds, one untrusted
/// reading makes the whole price the fallback (the original divided by the fallback instead:
/// fixed).
///
/// # Errors
/// The [`PricingError`] the contract reverts with: an untrusted reading without fallback, a
/// non-positive answer, no feed and no fallback, or the conversion errors of [`wei_per_unit_link`].
pub fn resolve_wei_per_unit_link(inputs: &PriceInputs) -> Result<ResolvedPrice, PricingError> {
    let fallback = |why: Fallback, err: PricingError| {
        if inputs.fallback_wei_per_unit_link.is_zero() {
            Err(err)
        } else {
            Ok(ResolvedPrice { wei_per_unit_link: inputs.fallback_wei_per_unit_link, fallback: Some(why) })
        }
    };
    if let Some(seq) = inputs.sequencer {
        if !seq.status.is_zero() {
            return fallback(Fallback::SequencerDown, PricingError::SequencerDown);
        }
        let grace = u64::from(inputs.sequencer_grace_period_seconds);
        if seq.started_at >= inputs.now || inputs.now - seq.started_at <= grace {
            return fallback(
                Fallback::SequencerGracePeriod,
                PricingError::SequencerGracePeriod { started_at: seq.started_at },
            );
        }
    }
    let feeds = match inputs.feeds {
        FeedReadings::None => return fallback(Fallback::NoFeeds, PricingError::PriceUnavailable),
        FeedReadings::Direct(r) => {
            r.feed.positive(FeedRole::LinkTkn)?;
            if let Some((why, err)) = unreliable(FeedRole::LinkTkn, &r, inputs) {
                return fallback(why, err);
            }
            PriceFeeds::Direct { link_tkn: r.feed }
        }
        FeedReadings::ViaUsd { link_usd, tkn_usd } => {
            // Feed by feed: positive, then trusted (an untrusted first feed without fallback
            // reverts before the second is read; with a fallback, the second is still checked).
            let mut first_untrusted = None;
            for (role, r) in [(FeedRole::LinkUsd, &link_usd), (FeedRole::TknUsd, &tkn_usd)] {
                r.feed.positive(role)?;
                if let Some((why, err)) = unreliable(role, r, inputs) {
                    fallback(why, err.clone())?;
                    first_untrusted.get_or_insert((why, err));
                }
            }
            if let Some((why, err)) = first_untrusted {
                return fallback(why, err);
            }
            PriceFeeds::ViaUsd { link_usd: link_usd.feed, tkn_usd: tkn_usd.feed }
        }
    };
    Ok(ResolvedPrice { wei_per_unit_link: wei_per_unit_link(&feeds)?, fallback: None })
}

/// The fee on top of a gas cost: `fee` (FLAT) or `gasCost * fee / 10000` (PERMYRIAD).
///
/// # Errors
/// [`PricingError::Overflow`] if `gasCost * fee` exceeds 256 bits.
pub fn fee_amount(gas_cost: U256, fee: U256, fee_type: FeeType) -> Result<U256, PricingError> {
    match fee_type {
        FeeType::Flat => Ok(fee),
        FeeType::Permyriad => {
            Ok(gas_cost.checked_mul(fee).ok_or(PricingError::Overflow("gasCost * fee"))? / U256::from(PERMYRIAD))
        }
    }
}

/// `1e18 * weiPerUnitGas * gas / weiPerUnitLink`: the juels that pay `gas` gas, multiplied in
/// the contract's order so that it overflows exactly where the contract does.
///
/// # Errors
/// [`PricingError::ZeroPrice`] for a zero price, [`PricingError::Overflow`] beyond 256 bits.
pub fn gas_cost(wei_per_unit_gas: U256, gas: u64, wei_per_unit_link: U256) -> Result<U256, PricingError> {
    if wei_per_unit_link.is_zero() {
        return Err(PricingError::ZeroPrice);
    }
    let wei = JUELS_PER_LINK
        .checked_mul(wei_per_unit_gas)
        .and_then(|v| v.checked_mul(U256::from(gas)))
        .ok_or(PricingError::Overflow("1e18 * weiPerUnitGas * gas"))?;
    Ok(wei / wei_per_unit_link)
}

/// The gas the SPOT payment charges for: `GAS_AFTER_PAYMENT_CALCULATION + startGas - gasleft()`,
/// clamped at 0 (as `calculateSpotPaymentAmount` does when `gasleft()` exceeds the sum).
pub fn spot_gas(start_gas: u64, gas_left: u64) -> u64 {
    (u64::from(GAS_AFTER_PAYMENT_CALCULATION) + start_gas).saturating_sub(gas_left)
}

/// One priced payment, broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    /// The LINK price used, in TKN wei.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub wei_per_unit_link: U256,
    /// The gas price used, in wei.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub wei_per_unit_gas: U256,
    /// Gas units paid for.
    pub gas: u64,
    /// The gas cost in juels, before the fee.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub gas_cost: U256,
    /// The fee in juels.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub fee: U256,
    /// `gasCost + fee`.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub payment: U256,
    /// The payment already in escrow (the Operator's `Spec.payment`).
    #[serde(serialize_with = "crate::dec::serialize")]
    pub payment_in_escrow: U96,
    /// `payment - paymentInEscrow`: what the contract's `calculate…PaymentAmount` returns.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub amount: I256,
}

/// Prices `gas` gas: the common part of MAX and SPOT.
///
/// # Errors
/// As [`gas_cost`] and [`fee_amount`]; [`PricingError::Overflow`] if the payment exceeds
/// `int256` max.
pub fn quote(
    wei_per_unit_gas: U256,
    wei_per_unit_link: U256,
    gas: u64,
    fee: U96,
    fee_type: FeeType,
    payment_in_escrow: U96,
) -> Result<Quote, PricingError> {
    let gas_cost = gas_cost(wei_per_unit_gas, gas, wei_per_unit_link)?;
    let fee_juels = fee_amount(gas_cost, U256::from(fee), fee_type)?;
    let payment = gas_cost.checked_add(fee_juels).ok_or(PricingError::Overflow("gasCost + fee"))?;
    let signed = I256::try_from(payment).map_err(|_| PricingError::Overflow("int256(payment)"))?;
    let amount = signed - I256::from_raw(U256::from(payment_in_escrow));
    Ok(Quote { wei_per_unit_link, wei_per_unit_gas, gas, gas_cost, fee: fee_juels, payment, payment_in_escrow, amount })
}

/// `calculateMaxPaymentAmount(weiPerUnitGas, paymentInEscrow, gasLimit, fee, feeType)` at price
/// `wei_per_unit_link`: the MAX payment (all of `gasLimit` used) minus the escrow.
///
/// # Errors
/// As [`quote`].
pub fn max_payment(
    wei_per_unit_gas: U256,
    wei_per_unit_link: U256,
    gas_limit: u32,
    fee: U96,
    fee_type: FeeType,
    payment_in_escrow: U96,
) -> Result<Quote, PricingError> {
    quote(wei_per_unit_gas, wei_per_unit_link, u64::from(gas_limit), fee, fee_type, payment_in_escrow)
}

/// `calculateSpotPaymentAmount(startGas, weiPerUnitGas, paymentInEscrow, fee, feeType)` at price
/// `wei_per_unit_link`, when `gasleft()` at the calculation is `gas_left`.
///
/// # Errors
/// As [`quote`].
pub fn spot_payment(
    start_gas: u64,
    gas_left: u64,
    wei_per_unit_gas: U256,
    wei_per_unit_link: U256,
    fee: U96,
    fee_type: FeeType,
    payment_in_escrow: U96,
) -> Result<Quote, PricingError> {
    quote(wei_per_unit_gas, wei_per_unit_link, spot_gas(start_gas, gas_left), fee, fee_type, payment_in_escrow)
}

/// The Operator escrow a request sends: `payment` (FLAT) or `maxGasCost * payment / 10000`
/// (PERMYRIAD), `maxGasCost` being the MAX gas cost before the fee.
///
/// # Errors
/// [`PricingError::Overflow`] beyond 256 bits.
pub fn operator_payment(payment: U96, payment_type: PaymentType, max_gas_cost: U256) -> Result<U256, PricingError> {
    match payment_type {
        PaymentType::Flat => Ok(U256::from(payment)),
        PaymentType::Permyriad => {
            Ok(max_gas_cost.checked_mul(U256::from(payment)).ok_or(PricingError::Overflow("maxGasCost * payment"))?
                / U256::from(PERMYRIAD))
        }
    }
}

/// What `requestData` takes from the payer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestDebit {
    /// The MAX payment: `callbackGasLimit + FULFILL_GAS_OVERHEAD` gas plus the fee.
    pub max: Quote,
    /// Juels sent to the Operator with the request (the spec's payment).
    #[serde(serialize_with = "crate::dec::serialize")]
    pub operator_payment: U256,
    /// Juels taken from the payer: `max(MAX, operatorPayment)` (`RequestSent.maxPayment`).
    #[serde(serialize_with = "crate::dec::serialize")]
    pub debit: U256,
    /// Juels the coordinator keeps in escrow for the request: `debit - operatorPayment`.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub escrow: U256,
}

/// A spec's pricing fields (`payment`, `paymentType`, `fee`, `feeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecPricing {
    /// `Spec.payment`.
    pub payment: U96,
    /// `Spec.paymentType`.
    pub payment_type: PaymentType,
    /// `Spec.fee`.
    pub fee: U96,
    /// `Spec.feeType`.
    pub fee_type: FeeType,
}

/// `requestData`'s debit for a request of `callback_gas_limit` at gas price `wei_per_unit_gas`
/// (the request transaction's `tx.gasprice`).
///
/// # Errors
/// As [`quote`] and [`operator_payment`].
pub fn request_debit(
    wei_per_unit_gas: U256,
    wei_per_unit_link: U256,
    callback_gas_limit: u32,
    spec: &SpecPricing,
) -> Result<RequestDebit, PricingError> {
    let gas = u64::from(callback_gas_limit) + u64::from(FULFILL_GAS_OVERHEAD);
    let max = quote(wei_per_unit_gas, wei_per_unit_link, gas, spec.fee, spec.fee_type, U96::ZERO)?;
    let operator_payment = operator_payment(spec.payment, spec.payment_type, max.gas_cost)?;
    let debit = max.payment.max(operator_payment);
    Ok(RequestDebit { max, operator_payment, debit, escrow: debit - operator_payment })
}

/// What `fulfillData` does with a request's money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settlement {
    /// The SPOT payment (gas used plus the fee).
    pub spot: Quote,
    /// `max(SPOT - operatorPayment, 0)`: to the owner's earnings (`RequestFulfilled.charged`).
    #[serde(serialize_with = "crate::dec::serialize")]
    pub charged: U256,
    /// The escrow not needed, back to the payer (`RequestFulfilled.refund`).
    #[serde(serialize_with = "crate::dec::serialize")]
    pub refund: U256,
    /// What the escrow does not cover, taken from the payer's funds (else `InsufficientFunds`).
    #[serde(serialize_with = "crate::dec::serialize")]
    pub extra: U256,
}

/// `fulfillData`'s settlement of a request whose SPOT payment is `spot` (see [`spot_payment`]),
/// which sent `operator_payment` to the Operator and holds `escrow`.
pub fn settle(spot: Quote, operator_payment: U256, escrow: U256) -> Settlement {
    let charged = spot.payment.saturating_sub(operator_payment);
    let (refund, extra) =
        if charged <= escrow { (escrow - charged, U256::ZERO) } else { (U256::ZERO, charged - escrow) };
    Settlement { spot, charged, refund, extra }
}
