//! The pricing model: worked examples, and properties that tie the formulas to each other and to
//! exact rational arithmetic (in 512 bits).

use alloy::primitives::{aliases::U96, uint, I256, U256, U512};
use linkpool_drc::pricing::{
    self, FeeType, FeedAnswer, FeedRole, PaymentType, PriceFeeds, PricingError, GAS_AFTER_PAYMENT_CALCULATION,
    JUELS_PER_LINK, PERMYRIAD,
};
use proptest::prelude::*;

const GWEI: u64 = 1_000_000_000;

fn feed(answer: i128, decimals: u8) -> FeedAnswer {
    FeedAnswer::new(I256::try_from(answer).unwrap(), decimals)
}

fn wide(v: U256) -> U512 {
    U512::from(v)
}

#[test]
fn link_price_from_one_feed_or_two() {
    // 0.005 ETH per LINK, as an 18-decimal and an 8-decimal LINK/ETH feed.
    let direct =
        |answer, decimals| pricing::wei_per_unit_link(&PriceFeeds::Direct { link_tkn: feed(answer, decimals) });
    assert_eq!(direct(5_000_000_000_000_000, 18), Ok(U256::from(5_000_000_000_000_000u64)));
    assert_eq!(direct(500_000, 8), Ok(U256::from(5_000_000_000_000_000u64)));
    // More decimals than wei are refused, as the contract's setConfig does.
    assert_eq!(
        direct(5_000_000_000_000_000_999, 19),
        Err(PricingError::DecimalsTooLarge { feed: FeedRole::LinkTkn, decimals: 19 })
    );
    // LINK $7.50 and ETH $1,500 (8 decimals each) → 0.005 ETH.
    let via =
        |l, ld, t, td| pricing::wei_per_unit_link(&PriceFeeds::ViaUsd { link_usd: feed(l, ld), tkn_usd: feed(t, td) });
    assert_eq!(via(750_000_000, 8, 150_000_000_000, 8), Ok(U256::from(5_000_000_000_000_000u64)));
    // Mixed decimals: LINK/USD with 18, TKN/USD with 6.
    assert_eq!(via(7_500_000_000_000_000_000, 18, 1_500_000_000, 6), Ok(U256::from(5_000_000_000_000_000u64)));
    // 1/3 ETH per LINK: floor of the exact ratio, no intermediate rounding.
    assert_eq!(via(100_000_000, 8, 300_000_000, 8), Ok(U256::from(333_333_333_333_333_333u64)));
}

#[test]
fn non_positive_answers_and_zero_prices_are_errors() {
    let e = pricing::wei_per_unit_link(&PriceFeeds::Direct { link_tkn: feed(0, 18) });
    assert_eq!(e, Err(PricingError::AnswerNotPositive { feed: FeedRole::LinkTkn, answer: I256::ZERO }));
    let e = pricing::wei_per_unit_link(&PriceFeeds::ViaUsd { link_usd: feed(1, 8), tkn_usd: feed(-5, 8) });
    assert!(matches!(e, Err(PricingError::AnswerNotPositive { feed: FeedRole::TknUsd, .. })));
    // A ratio below 1 wei per LINK: the contract reverts (PriceUnavailable).
    let e = pricing::wei_per_unit_link(&PriceFeeds::ViaUsd {
        link_usd: feed(1, 18),
        tkn_usd: feed(1_000_000_000_000_000_000_000_000_000_000, 0),
    });
    assert_eq!(e, Err(PricingError::ZeroPrice));
    let e = pricing::wei_per_unit_link(&PriceFeeds::ViaUsd { link_usd: feed(1, 8), tkn_usd: feed(1, 19) });
    assert_eq!(e, Err(PricingError::DecimalsTooLarge { feed: FeedRole::TknUsd, decimals: 19 }));
    // The checked multiplication overflows where the contract's would.
    let huge = FeedAnswer::new(I256::MAX, 0);
    let e = pricing::wei_per_unit_link(&PriceFeeds::Direct { link_tkn: huge });
    assert!(matches!(e, Err(PricingError::Overflow(_))));
}

#[test]
fn max_and_spot_worked_example() {
    // 25 gwei, 500k gas, 0.005 ETH per LINK: 2.5 LINK of gas; 10 % fee; 0.1 LINK in escrow.
    let wpul = U256::from(5_000_000_000_000_000u64);
    let q = pricing::max_payment(
        U256::from(25 * GWEI),
        wpul,
        500_000,
        U96::from(1000),
        FeeType::Permyriad,
        U96::from(100_000_000_000_000_000u64),
    )
    .unwrap();
    assert_eq!(q.gas_cost, uint!(2_500_000_000_000_000_000_U256));
    assert_eq!(q.fee, uint!(250_000_000_000_000_000_U256));
    assert_eq!(q.payment, uint!(2_750_000_000_000_000_000_U256));
    assert_eq!(q.amount, I256::try_from(2_650_000_000_000_000_000u128).unwrap());

    // SPOT: startGas 500,000, gasleft 450,000 → 50,000 used + GAS_AFTER_PAYMENT_CALCULATION.
    let s = pricing::spot_payment(
        500_000,
        450_000,
        U256::from(25 * GWEI),
        wpul,
        U96::from(1_000_000),
        FeeType::Flat,
        U96::from(600_000_000_000_000_000u64),
    )
    .unwrap();
    let gas = 50_000 + u64::from(GAS_AFTER_PAYMENT_CALCULATION);
    assert_eq!(s.gas, gas);
    // 25 gwei × gas at 0.005 ETH per LINK = gas × 5e12 juels.
    let cost = U256::from(gas) * U256::from(5_000_000_000_000u64);
    assert_eq!(s.gas_cost, cost);
    assert_eq!(s.payment, cost + U256::from(1_000_000));
    // Below the escrow: negative (a refund).
    assert_eq!(
        s.amount,
        I256::from_raw(cost + U256::from(1_000_000)) - I256::from_raw(U256::from(600_000_000_000_000_000u64))
    );
    assert!(s.amount.is_negative());

    // gasleft() above startGas + GAS_AFTER_PAYMENT_CALCULATION is clamped to 0 gas, as the
    // contract's view does.
    let after = u64::from(GAS_AFTER_PAYMENT_CALCULATION);
    assert_eq!(pricing::spot_gas(1, after), 1);
    assert_eq!(pricing::spot_gas(1, after + 2), 0);
    assert!(matches!(
        pricing::max_payment(U256::MAX, wpul, 1, U96::ZERO, FeeType::Flat, U96::ZERO),
        Err(PricingError::Overflow(_))
    ));
    assert_eq!(
        pricing::max_payment(U256::from(1), U256::ZERO, 1, U96::ZERO, FeeType::Flat, U96::ZERO),
        Err(PricingError::ZeroPrice)
    );
}

#[test]
fn operator_payment_by_type() {
    let max_gas_cost = uint!(2_500_000_000_000_000_000_U256);
    assert_eq!(pricing::operator_payment(U96::from(7), PaymentType::Flat, max_gas_cost), Ok(U256::from(7)));
    // 1 % of the MAX gas cost.
    assert_eq!(
        pricing::operator_payment(U96::from(100), PaymentType::Permyriad, max_gas_cost),
        Ok(uint!(25_000_000_000_000_000_U256))
    );
}

fn fee_type() -> impl Strategy<Value = FeeType> {
    prop_oneof![Just(FeeType::Flat), Just(FeeType::Permyriad)]
}

/// Realistic-to-extreme inputs: gas prices up to 100,000 gwei, any u32 gas limit, prices from
/// 1 wei to 1e24 wei per LINK, any u96 fee and escrow.
fn inputs() -> impl Strategy<Value = (U256, U256, u32, U96, FeeType, U96)> {
    (
        0u64..100_000 * GWEI,
        1u128..1_000_000_000_000_000_000_000_000,
        any::<u32>(),
        any::<u128>().prop_map(|f| U96::from(f >> 32)),
        fee_type(),
        any::<u128>().prop_map(|e| U96::from(e >> 32)),
    )
        .prop_map(|(g, l, gl, f, ft, e)| (U256::from(g), U256::from(l), gl, f, ft, e))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The gas cost is the floor of the exact rational, the fee follows its type, and the amount is
    /// the payment minus the escrow.
    #[test]
    fn max_payment_is_floor_of_the_exact_value((g, wpul, gas_limit, fee, fee_type, escrow) in inputs()) {
        let q = pricing::max_payment(g, wpul, gas_limit, fee, fee_type, escrow).unwrap();
        let exact = wide(JUELS_PER_LINK) * wide(g) * U512::from(gas_limit);
        prop_assert!(wide(q.gas_cost) * wide(wpul) <= exact);
        prop_assert!(exact < (wide(q.gas_cost) + U512::from(1)) * wide(wpul));
        match fee_type {
            FeeType::Flat => prop_assert_eq!(q.fee, U256::from(fee)),
            FeeType::Permyriad => {
                let scaled = wide(q.gas_cost) * wide(U256::from(fee));
                prop_assert!(wide(q.fee) * U512::from(PERMYRIAD) <= scaled);
                prop_assert!(scaled < (wide(q.fee) + U512::from(1)) * U512::from(PERMYRIAD));
            }
        }
        prop_assert_eq!(q.payment, q.gas_cost + q.fee);
        prop_assert_eq!(q.amount, I256::from_raw(q.payment) - I256::from_raw(U256::from(escrow)));
    }

    /// SPOT for `used` gas is MAX for a gas limit of `GAS_AFTER_PAYMENT_CALCULATION + used`.
    #[test]
    fn spot_is_max_of_the_gas_used(
        (g, wpul, _, fee, fee_type, escrow) in inputs(),
        start_gas in 0u64..u32::MAX as u64,
        used_share in 0u64..=1000,
    ) {
        let used = start_gas * used_share / 1000;
        let spot = pricing::spot_payment(start_gas, start_gas - used, g, wpul, fee, fee_type, escrow).unwrap();
        let gas = u64::from(GAS_AFTER_PAYMENT_CALCULATION) + used;
        prop_assert_eq!(spot.gas, gas);
        if let Ok(gas_limit) = u32::try_from(gas) {
            let max = pricing::max_payment(g, wpul, gas_limit, fee, fee_type, escrow).unwrap();
            prop_assert_eq!(spot, max);
        }
    }

    /// More gas or a higher gas price never costs less; a dearer LINK never costs more.
    #[test]
    fn payments_are_monotonic(
        (g, wpul, gas_limit, fee, fee_type, escrow) in inputs(),
        dg in 0u64..1_000 * GWEI,
        dl in 0u32..1_000_000,
        dp in 0u128..1_000_000_000_000_000_000,
    ) {
        let base = pricing::max_payment(g, wpul, gas_limit, fee, fee_type, escrow).unwrap();
        let more_gas = pricing::max_payment(g, wpul, gas_limit.saturating_add(dl), fee, fee_type, escrow).unwrap();
        let pricier_gas = pricing::max_payment(g + U256::from(dg), wpul, gas_limit, fee, fee_type, escrow).unwrap();
        let dearer_link = pricing::max_payment(g, wpul + U256::from(dp), gas_limit, fee, fee_type, escrow).unwrap();
        prop_assert!(more_gas.amount >= base.amount);
        prop_assert!(pricier_gas.amount >= base.amount);
        prop_assert!(dearer_link.amount <= base.amount);
    }

    /// A single feed is exact up to 18 decimals: the same price written with more decimals gives
    /// the same wei per LINK.
    #[test]
    fn direct_price_is_exact_up_to_18_decimals(answer in 1u64..u64::MAX, decimals in 0u8..=9, extra in 0u8..=9) {
        let a = pricing::wei_per_unit_link(&PriceFeeds::Direct { link_tkn: feed(answer.into(), decimals) }).unwrap();
        let scaled = i128::from(answer) * 10i128.pow(u32::from(extra));
        let b = pricing::wei_per_unit_link(&PriceFeeds::Direct { link_tkn: feed(scaled, decimals + extra) }).unwrap();
        prop_assert_eq!(a, b);
        prop_assert_eq!(a, U256::from(answer) * U256::from(10u8).pow(U256::from(18 - decimals)));
    }

    /// Two feeds: the floor of the exact ratio; with TKN/USD at exactly 1.0 it equals LINK/USD read
    /// as a LINK/TKN feed.
    #[test]
    fn usd_price_is_floor_of_the_exact_ratio(
        link in 1u128..1_000_000_000_000_000_000_000,
        ld in 0u8..=18,
        tkn in 1u128..1_000_000_000_000_000_000_000,
        td in 0u8..=18,
    ) {
        let feeds = PriceFeeds::ViaUsd { link_usd: feed(link as i128, ld), tkn_usd: feed(tkn as i128, td) };
        match pricing::wei_per_unit_link(&feeds) {
            Ok(p) => {
                let ten = |d: u8| U512::from(10u8).pow(U512::from(d));
                let num = U512::from(link) * ten(td) * wide(JUELS_PER_LINK);
                let den = U512::from(tkn) * ten(ld);
                prop_assert!(wide(p) * den <= num && num < (wide(p) + U512::from(1)) * den);
            }
            Err(e) => prop_assert_eq!(e, PricingError::ZeroPrice),
        }
        let one = 10i128.pow(u32::from(td));
        let via = PriceFeeds::ViaUsd { link_usd: feed(link as i128, ld), tkn_usd: feed(one, td) };
        let direct = PriceFeeds::Direct { link_tkn: feed(link as i128, ld) };
        prop_assert_eq!(pricing::wei_per_unit_link(&via), pricing::wei_per_unit_link(&direct));
    }

    /// Huge inputs fail with an error, never a panic or a wrapped value.
    #[test]
    fn extreme_inputs_error_instead_of_wrapping(g in any::<[u64; 4]>(), wpul in 1u64.., gas_limit in any::<u32>(), fee in any::<u128>()) {
        let g = U256::from_limbs(g);
        match pricing::max_payment(g, U256::from(wpul), gas_limit, U96::from(fee >> 32), FeeType::Permyriad, U96::ZERO) {
            Ok(q) => {
                prop_assert!(wide(JUELS_PER_LINK) * wide(g) * U512::from(gas_limit) <= wide(U256::MAX));
                prop_assert!(q.amount >= I256::ZERO);
            }
            Err(e) => prop_assert!(matches!(e, PricingError::Overflow(_)), "{e}"),
        }
    }
}

mod resolution {
    //! `getWeiPerUnitLink`'s decisions: sequencer, staleness, limits, fallback.

    use super::*;
    use pricing::{Fallback, FeedReading, FeedReadings, PriceInputs, ResolvedPrice, SequencerReading};

    const NOW: u64 = 1_700_000_000;
    const FALLBACK: u64 = 7_000_000_000_000_000;

    fn reading(answer: i128, decimals: u8, age: u64) -> FeedReading {
        FeedReading { feed: feed(answer, decimals), updated_at: NOW - age, limits: None }
    }

    fn inputs(feeds: FeedReadings) -> PriceInputs {
        PriceInputs {
            now: NOW,
            staleness_seconds: 3600,
            sequencer_grace_period_seconds: 600,
            fallback_wei_per_unit_link: U256::from(FALLBACK),
            sequencer: None,
            feeds,
        }
    }

    fn fell_back(why: Fallback) -> Result<ResolvedPrice, PricingError> {
        Ok(ResolvedPrice { wei_per_unit_link: U256::from(FALLBACK), fallback: Some(why) })
    }

    fn no_fallback(mut i: PriceInputs) -> PriceInputs {
        i.fallback_wei_per_unit_link = U256::ZERO;
        i
    }

    #[test]
    fn fresh_feeds_give_their_price() {
        let i = inputs(FeedReadings::Direct(reading(500_000, 8, 10)));
        let p = pricing::resolve_wei_per_unit_link(&i).unwrap();
        assert_eq!(p, ResolvedPrice { wei_per_unit_link: U256::from(5_000_000_000_000_000u64), fallback: None });
        // Exactly stalenessSeconds old is still fresh; a timestamp in the future too.
        assert!(pricing::resolve_wei_per_unit_link(&inputs(FeedReadings::Direct(reading(1, 0, 3600))))
            .unwrap()
            .fallback
            .is_none());
        let mut future = reading(1, 0, 0);
        future.updated_at = NOW + 100;
        assert!(pricing::resolve_wei_per_unit_link(&inputs(FeedReadings::Direct(future))).unwrap().fallback.is_none());
    }

    #[test]
    fn stale_feeds_fall_back_or_revert() {
        let stale = inputs(FeedReadings::Direct(reading(500_000, 8, 3601)));
        assert_eq!(pricing::resolve_wei_per_unit_link(&stale), fell_back(Fallback::Stale { feed: FeedRole::LinkTkn }));
        assert_eq!(
            pricing::resolve_wei_per_unit_link(&no_fallback(stale)),
            Err(PricingError::FeedStale { feed: FeedRole::LinkTkn, updated_at: NOW - 3601 })
        );
        // stalenessSeconds 0: never stale.
        let mut never = stale;
        never.staleness_seconds = 0;
        assert!(pricing::resolve_wei_per_unit_link(&never).unwrap().fallback.is_none());
    }

    /// The original used the fallback of a stale first feed as the divisor of the second; here
    /// either stale feed makes the whole price the fallback.
    #[test]
    fn one_stale_feed_of_two_makes_the_whole_price_the_fallback() {
        let two = |link_age, tkn_age| {
            inputs(FeedReadings::ViaUsd {
                link_usd: reading(750_000_000, 8, link_age),
                tkn_usd: reading(150_000_000_000, 8, tkn_age),
            })
        };
        assert_eq!(
            pricing::resolve_wei_per_unit_link(&two(10, 10)).unwrap().wei_per_unit_link,
            U256::from(5_000_000_000_000_000u64)
        );
        assert_eq!(
            pricing::resolve_wei_per_unit_link(&two(9999, 10)),
            fell_back(Fallback::Stale { feed: FeedRole::LinkUsd })
        );
        assert_eq!(
            pricing::resolve_wei_per_unit_link(&two(10, 9999)),
            fell_back(Fallback::Stale { feed: FeedRole::TknUsd })
        );
        // Non-positive answers revert even when stale and a fallback exists.
        let mut bad = two(9999, 10);
        if let FeedReadings::ViaUsd { tkn_usd, .. } = &mut bad.feeds {
            tkn_usd.feed.answer = I256::ZERO;
        }
        assert!(matches!(
            pricing::resolve_wei_per_unit_link(&bad),
            Err(PricingError::AnswerNotPositive { feed: FeedRole::TknUsd, .. })
        ));
        // Without a fallback, the stale first feed reverts before the second is read.
        assert_eq!(
            pricing::resolve_wei_per_unit_link(&no_fallback(bad)),
            Err(PricingError::FeedStale { feed: FeedRole::LinkUsd, updated_at: NOW - 9999 })
        );
    }

    #[test]
    fn answers_at_the_feed_limits_fall_back() {
        let with_limits = |answer: i128| {
            let mut r = reading(answer, 8, 10);
            r.limits = Some((I256::try_from(100).unwrap(), I256::try_from(1_000_000).unwrap()));
            inputs(FeedReadings::Direct(r))
        };
        assert!(pricing::resolve_wei_per_unit_link(&with_limits(101)).unwrap().fallback.is_none());
        assert!(pricing::resolve_wei_per_unit_link(&with_limits(999_999)).unwrap().fallback.is_none());
        for at in [100, 1_000_000] {
            assert_eq!(
                pricing::resolve_wei_per_unit_link(&with_limits(at)),
                fell_back(Fallback::AtLimit { feed: FeedRole::LinkTkn })
            );
            assert!(matches!(
                pricing::resolve_wei_per_unit_link(&no_fallback(with_limits(at))),
                Err(PricingError::AnswerAtLimit { .. })
            ));
        }
        // Unordered limits (after clamping to int128) are ignored, as the contract does.
        let mut r = reading(5, 8, 10);
        r.limits = Some((I256::MAX, I256::MAX - I256::ONE));
        assert!(pricing::resolve_wei_per_unit_link(&inputs(FeedReadings::Direct(r))).unwrap().fallback.is_none());
    }

    #[test]
    fn the_sequencer_is_checked_first() {
        let mut i = inputs(FeedReadings::Direct(reading(500_000, 8, 10)));
        i.sequencer = Some(SequencerReading { status: I256::ONE, started_at: NOW - 10_000 });
        assert_eq!(pricing::resolve_wei_per_unit_link(&i), fell_back(Fallback::SequencerDown));
        assert_eq!(pricing::resolve_wei_per_unit_link(&no_fallback(i)), Err(PricingError::SequencerDown));
        // Up, but within the grace period (600 s inclusive).
        i.sequencer = Some(SequencerReading { status: I256::ZERO, started_at: NOW - 600 });
        assert_eq!(pricing::resolve_wei_per_unit_link(&i), fell_back(Fallback::SequencerGracePeriod));
        assert_eq!(
            pricing::resolve_wei_per_unit_link(&no_fallback(i)),
            Err(PricingError::SequencerGracePeriod { started_at: NOW - 600 })
        );
        i.sequencer = Some(SequencerReading { status: I256::ZERO, started_at: NOW - 601 });
        assert!(pricing::resolve_wei_per_unit_link(&i).unwrap().fallback.is_none());
        // Even a non-positive answer is not read while the sequencer is down.
        i.sequencer = Some(SequencerReading { status: I256::ONE, started_at: NOW - 10_000 });
        i.feeds = FeedReadings::Direct(reading(0, 8, 10));
        assert_eq!(pricing::resolve_wei_per_unit_link(&i), fell_back(Fallback::SequencerDown));
    }

    #[test]
    fn no_feeds_means_the_fallback_or_nothing() {
        let i = inputs(FeedReadings::None);
        assert_eq!(pricing::resolve_wei_per_unit_link(&i), fell_back(Fallback::NoFeeds));
        assert_eq!(pricing::resolve_wei_per_unit_link(&no_fallback(i)), Err(PricingError::PriceUnavailable));
    }
}

mod money {
    //! `requestData`'s debit and `fulfillData`'s settlement.

    use super::*;
    use pricing::{SpecPricing, FULFILL_GAS_OVERHEAD};

    #[test]
    fn request_debit_worked_example() {
        // 25 gwei, callback 500k minus the overhead (500k gas in all), 0.005 ETH/LINK: 2.5 LINK.
        let callback = 500_000 - FULFILL_GAS_OVERHEAD;
        let spec = SpecPricing {
            payment: U96::from(100),
            payment_type: PaymentType::Permyriad,
            fee: U96::from(1000),
            fee_type: FeeType::Permyriad,
        };
        let d = pricing::request_debit(U256::from(25 * GWEI), U256::from(5_000_000_000_000_000u64), callback, &spec)
            .unwrap();
        assert_eq!(d.max.gas, 500_000);
        assert_eq!(d.max.payment, uint!(2_750_000_000_000_000_000_U256));
        // 1 % of the MAX gas cost goes to the Operator; the rest stays in escrow.
        assert_eq!(d.operator_payment, uint!(25_000_000_000_000_000_U256));
        assert_eq!(d.debit, d.max.payment);
        assert_eq!(d.escrow, uint!(2_725_000_000_000_000_000_U256));

        // A FLAT Operator payment above MAX is what the payer is debited.
        let flat = SpecPricing { payment: U96::from(10u128.pow(21)), payment_type: PaymentType::Flat, ..spec };
        let d = pricing::request_debit(U256::from(1), U256::from(5_000_000_000_000_000u64), callback, &flat).unwrap();
        assert_eq!((d.debit, d.escrow), (U256::from(10u128.pow(21)), U256::ZERO));
    }

    fn spec_pricing() -> impl Strategy<Value = SpecPricing> {
        (any::<u64>(), any::<bool>(), 1u64..=1_000_000_000_000_000_000, fee_type()).prop_map(
            |(payment, flat, fee, fee_type)| SpecPricing {
                payment: U96::from(if flat { payment } else { payment % 10_001 }),
                payment_type: if flat { PaymentType::Flat } else { PaymentType::Permyriad },
                fee: U96::from(if fee_type == FeeType::Permyriad { fee % 10_001 } else { fee }),
                fee_type,
            },
        )
    }

    proptest! {
        /// Whatever the gas used, the payer pays `max(SPOT, operator payment)` in total, the owner
        /// earns `max(SPOT - operator payment, 0)`, and nothing is created or lost.
        #[test]
        fn settlement_conserves_link(
            g in 1u64..1_000 * GWEI,
            g_fulfil in 1u64..1_000 * GWEI,
            wpul in 1_000_000_000_000u64..1_000_000_000_000_000_000,
            callback in 10_000u32..5_000_000,
            used in 0u64..6_000_000,
            spec in spec_pricing(),
        ) {
            let (g, g_fulfil, wpul) = (U256::from(g), U256::from(g_fulfil), U256::from(wpul));
            let d = pricing::request_debit(g, wpul, callback, &spec).unwrap();
            prop_assert_eq!(d.debit, d.escrow + d.operator_payment);
            prop_assert!(d.debit >= d.max.payment && d.debit >= d.operator_payment);
            prop_assert_eq!(d.max.gas, u64::from(callback) + u64::from(FULFILL_GAS_OVERHEAD));

            let spot = pricing::spot_payment(used, 0, g_fulfil, wpul, spec.fee, spec.fee_type, U96::ZERO).unwrap();
            let s = pricing::settle(spot, d.operator_payment, d.escrow);
            let payer_total = d.debit - s.refund + s.extra;
            prop_assert_eq!(payer_total, spot.payment.max(d.operator_payment));
            prop_assert_eq!(payer_total, d.operator_payment + s.charged);
            prop_assert!(s.refund.is_zero() || s.extra.is_zero());
            // At the request's gas price and within the priced gas, SPOT never exceeds the escrow.
            if g_fulfil <= g && spot.gas <= d.max.gas {
                prop_assert!(s.extra.is_zero());
            }
        }
    }
}
