//! DRCoordinator pricing: one LINK/TKN feed or LINK/USD + TKN/USD with their own decimals, the
//! fixed multi-feed fallback (a stale feed makes the whole price the fallback, never a divisor),
//! min/max answer limits (read from the feed or from a proxy's aggregator), configuration checks,
//! and a property test of the MAX formula against the Rust model.

use alloy::primitives::{Address, I256, U256};
use linkpool_bindings::{
    coordinator::IDRCoordinator as T, DRCoordinator, DRCoordinator::DRCoordinatorErrors as E, SettableAggregator,
    TestFeedProxy,
};
use proptest::prelude::*;

use crate::{
    common::{call_revert, chain, revert, Chain},
    drc_common::*,
};

/// 1 LINK = 15 USD (8 decimals), 1 ETH = 3,000 USD (8 decimals).
const LINK_USD: u128 = 1_500_000_000;
const ETH_USD: u128 = 300_000_000_000;

async fn now(c: &Chain) -> u64 {
    use alloy::providers::Provider;
    let block = c.provider.get_block_number().await.expect("block number");
    c.timestamp(block).await
}

fn two_feeds(link_usd: Address, tkn_usd: Address, fallback: u128) -> T::Config {
    T::Config {
        linkTknFeed: Address::ZERO,
        linkUsdFeed: link_usd,
        tknUsdFeed: tkn_usd,
        ..config(Address::ZERO, fallback)
    }
}

async fn price(c: &Chain, d: &Drc) -> Result<U256, linkpool_bindings::Error> {
    d.drc(c).getWeiPerUnitLink().call().await.map_err(Into::into)
}

#[tokio::test]
async fn two_feeds_with_their_own_decimals_give_the_exact_price() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    for (link_decimals, tkn_decimals) in [(8u8, 8u8), (8, 18), (18, 8), (0, 6)] {
        let link_usd = LINK_USD * 10u128.pow(u32::from(link_decimals)) / 100_000_000;
        let tkn_usd = ETH_USD * 10u128.pow(u32::from(tkn_decimals)) / 100_000_000;
        let link_feed = deploy_feed(&c, link_decimals, "LINK / USD", link_usd as i128).await;
        let tkn_feed = deploy_feed(&c, tkn_decimals, "ETH / USD", tkn_usd as i128).await;
        d.set_config(&c, two_feeds(link_feed, tkn_feed, 0)).await.unwrap();
        let expected = two_feed_price(link_usd, link_decimals, tkn_usd, tkn_decimals);
        assert_eq!(price(&c, &d).await.unwrap(), expected, "decimals {link_decimals}/{tkn_decimals}");
        if link_decimals == 8 && tkn_decimals == 8 {
            // 15 / 3000 ETH = 0.005 ETH.
            assert_eq!(expected, U256::from(5_000_000_000_000_000u128));
        }
    }
    // A request is priced with the last pair (0 and 6 decimals).
    let s = d.request(&c, d.consumer, 200_000, 0).await;
    let wpl = two_feed_price(15, 0, 3_000_000_000, 6);
    let (debit, _) = max_debit(&d.terms, s.receipt.effective_gas_price, 200_000, wpl);
    assert_eq!(U256::from(s.sent.maxPayment), debit);
}

#[tokio::test]
async fn a_stale_feed_of_two_makes_the_whole_price_the_fallback() {
    // The original used the fallback (a LINK price) as the divisor of the second feed when the
    // first was stale; here any unreliable feed makes the price exactly the fallback.
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let link_feed = deploy_feed(&c, 8, "LINK / USD", LINK_USD as i128).await;
    let tkn_feed = deploy_feed(&c, 8, "ETH / USD", ETH_USD as i128).await;
    let fallback = 7_000_000_000_000_000u128;
    d.set_config(&c, two_feeds(link_feed, tkn_feed, fallback)).await.unwrap();
    assert_eq!(price(&c, &d).await.unwrap(), two_feed_price(LINK_USD, 8, ETH_USD, 8));

    let stale = now(&c).await - u64::from(STALENESS) - 1;
    for (stale_feed, fresh_feed, fresh_answer) in [(link_feed, tkn_feed, ETH_USD), (tkn_feed, link_feed, LINK_USD)] {
        let answer = if stale_feed == link_feed { LINK_USD } else { ETH_USD };
        d.set_round(&c, stale_feed, answer as i128, stale, stale).await;
        assert_eq!(price(&c, &d).await.unwrap(), U256::from(fallback), "stale {stale_feed}");
        // Without a fallback, the stale feed is named.
        d.set_config(&c, two_feeds(link_feed, tkn_feed, 0)).await.unwrap();
        assert_eq!(
            revert::<E, _>(price(&c, &d).await),
            E::FeedStale(DRCoordinator::FeedStale { feed: stale_feed, updatedAt: U256::from(stale) })
        );
        d.set_config(&c, two_feeds(link_feed, tkn_feed, fallback)).await.unwrap();
        d.set_answer(&c, stale_feed, answer as i128).await;
        d.set_answer(&c, fresh_feed, fresh_answer as i128).await;
        assert_eq!(price(&c, &d).await.unwrap(), two_feed_price(LINK_USD, 8, ETH_USD, 8));
    }
    // A non-positive answer reverts even when the other feed is stale and a fallback exists.
    d.set_round(&c, link_feed, LINK_USD as i128, stale, stale).await;
    d.set_answer(&c, tkn_feed, 0).await;
    assert_eq!(
        revert::<E, _>(price(&c, &d).await),
        E::FeedAnswerNotPositive(DRCoordinator::FeedAnswerNotPositive { feed: tkn_feed, answer: I256::ZERO })
    );
}

#[tokio::test]
async fn answers_at_the_feed_limits_fall_back_or_revert() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let feed = SettableAggregator::new(d.feed, c.provider.clone());
    let (min, max) = (1_000_000_000_000_000i128, 10_000_000_000_000_000i128);
    let tx = feed.setLimits(min.try_into().unwrap(), max.try_into().unwrap()).from(c.owner);
    c.send(tx.into_transaction_request()).await.unwrap();
    d.set_config(&c, config(d.feed, 0)).await.unwrap();
    let limits = d.drc(&c).getFeedLimits().call().await.unwrap();
    assert!(limits.hasPrimary && !limits.hasSecondary);
    assert_eq!((limits.primary.minAnswer, limits.primary.maxAnswer), (min, max));
    for at in [min, max, min - 1, max + 1] {
        d.set_answer(&c, d.feed, at).await;
        assert_eq!(
            revert::<E, _>(price(&c, &d).await),
            E::FeedAnswerAtLimit(DRCoordinator::FeedAnswerAtLimit {
                feed: d.feed,
                answer: I256::try_from(at).unwrap()
            })
        );
    }
    d.set_answer(&c, d.feed, min + 1).await;
    assert_eq!(price(&c, &d).await.unwrap(), single_feed_price((min + 1) as u128, 18));
    let fallback = 3_000_000_000_000_000u128;
    d.set_config(&c, config(d.feed, fallback)).await.unwrap();
    d.set_answer(&c, d.feed, max).await;
    assert_eq!(price(&c, &d).await.unwrap(), U256::from(fallback));

    // Behind a proxy, the limits come from the proxy's aggregator().
    let proxy = *TestFeedProxy::deploy(c.provider.clone(), d.feed).await.unwrap().address();
    d.set_config(&c, config(proxy, 0)).await.unwrap();
    let limits = d.drc(&c).getFeedLimits().call().await.unwrap();
    assert!(limits.hasPrimary);
    assert_eq!((limits.primary.minAnswer, limits.primary.maxAnswer), (min, max));
    assert_eq!(
        revert::<E, _>(price(&c, &d).await),
        E::FeedAnswerAtLimit(DRCoordinator::FeedAnswerAtLimit { feed: proxy, answer: I256::try_from(max).unwrap() })
    );
    // A proxy whose aggregator exposes no limits: none are applied.
    let outer = *TestFeedProxy::deploy(c.provider.clone(), proxy).await.unwrap().address();
    d.set_config(&c, config(outer, 0)).await.unwrap();
    assert!(!d.drc(&c).getFeedLimits().call().await.unwrap().hasPrimary);
    assert_eq!(price(&c, &d).await.unwrap(), single_feed_price(max as u128, 18));
}

#[tokio::test]
async fn configuration_is_checked_and_fallback_only_works() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let drc = d.drc(&c);
    let feed19 = deploy_feed(&c, 19, "too precise", 1).await;
    let err = d.set_config(&c, config(feed19, 0)).await;
    assert_eq!(
        revert::<E, _>(err),
        E::FeedDecimalsTooLarge(DRCoordinator::FeedDecimalsTooLarge { feed: feed19, decimals: 19 })
    );
    let err = d.set_config(&c, config(c.stranger, 0)).await;
    assert_eq!(revert::<E, _>(err), E::FeedNotContract(DRCoordinator::FeedNotContract { feed: c.stranger }));
    let err = d.set_config(&c, two_feeds(d.feed, Address::ZERO, 0)).await;
    assert_eq!(
        revert::<E, _>(err),
        E::IncompleteFeedPair(DRCoordinator::IncompleteFeedPair { linkUsdFeed: d.feed, tknUsdFeed: Address::ZERO })
    );
    let err = d.set_config(&c, T::Config { sequencerUptimeFeed: c.stranger, ..config(d.feed, 0) }).await;
    assert_eq!(revert::<E, _>(err), E::FeedNotContract(DRCoordinator::FeedNotContract { feed: c.stranger }));

    // No feed at all: the fallback is the price, and without one there is none.
    d.set_config(&c, config(Address::ZERO, 0)).await.unwrap();
    assert_eq!(revert::<E, _>(price(&c, &d).await), E::PriceUnavailable(DRCoordinator::PriceUnavailable {}));
    let err = c.send(d.request_tx(&c, d.consumer, 200_000, 0, 0)).await;
    assert_eq!(revert::<E, _>(err), E::PriceUnavailable(DRCoordinator::PriceUnavailable {}));
    let cfg = config(Address::ZERO, 42);
    let r = d.set_config(&c, cfg.clone()).await.unwrap();
    let set = crate::operator::events::<DRCoordinator::ConfigSet>(&r, d.coordinator).pop().unwrap();
    assert_eq!(set.config.fallbackWeiPerUnitLink, U256::from(42));
    assert_eq!(price(&c, &d).await.unwrap(), U256::from(42));
    let stored = drc.getConfig().call().await.unwrap();
    assert_eq!(
        (stored.fallbackWeiPerUnitLink, stored.stalenessSeconds, stored.linkTknFeed),
        (U256::from(42), STALENESS, Address::ZERO)
    );
    // Pausing survives a config change.
    c.send(drc.pause().from(c.owner).into_transaction_request()).await.unwrap();
    d.set_config(&c, config(d.feed, 0)).await.unwrap();
    assert!(drc.paused().call().await.unwrap());
    let err = call_revert::<E, _>(drc.getSpec(alloy::primitives::B256::ZERO).call().await);
    assert_eq!(err, E::SpecNotFound(DRCoordinator::SpecNotFound { key: alloy::primitives::B256::ZERO }));
}

/// Feeds for the property test: for each of the decimals below, a LINK/TKN, a LINK/USD and a
/// TKN/USD feed.
const DECIMALS: [u8; 4] = [0, 6, 8, 18];

struct PriceBench {
    c: Chain,
    d: Drc,
    /// (decimals, LINK/TKN, LINK/USD, TKN/USD)
    feeds: Vec<(u8, Address, Address, Address)>,
}

#[derive(Clone, Debug)]
struct PriceCase {
    two_feeds: bool,
    first: usize,
    second: usize,
    /// Answers as mantissas scaled to each feed's decimals below.
    link_price_micro: u64,
    tkn_price_micro: u64,
    wei_per_unit_gas: u64,
    gas_limit: u32,
    fee: u64,
    permyriad: bool,
    payment_in_escrow: u64,
}

fn cases() -> impl Strategy<Value = PriceCase> {
    (
        any::<bool>(),
        0..DECIMALS.len(),
        0..DECIMALS.len(),
        1u64..=1_000_000_000_000,
        1u64..=1_000_000_000_000,
        0u64..=1_000_000_000_000,
        0u32..=30_000_000,
        1u64..=u64::MAX,
        any::<bool>(),
        0u64..=u64::MAX,
    )
        .prop_map(|(two_feeds, first, second, link, tkn, gas, limit, fee, permyriad, escrow)| PriceCase {
            two_feeds,
            first,
            second,
            link_price_micro: link,
            tkn_price_micro: tkn,
            wei_per_unit_gas: gas,
            gas_limit: limit,
            fee,
            permyriad,
            payment_in_escrow: escrow,
        })
}

/// `micro` millionths of a unit, scaled to `decimals` (at least 1).
fn scaled(micro: u64, decimals: u8) -> u128 {
    let v = u128::from(micro) * 10u128.pow(u32::from(decimals)) / 1_000_000;
    v.max(1)
}

async fn check_case(b: &PriceBench, case: &PriceCase) -> Result<(), TestCaseError> {
    let (c, d) = (&b.c, &b.d);
    let (first_decimals, link_tkn, link_usd, _) = b.feeds[case.first];
    let (second_decimals, _, _, tkn_usd) = b.feeds[case.second];
    let expected_price = if case.two_feeds {
        let (a, t) = (scaled(case.link_price_micro, first_decimals), scaled(case.tkn_price_micro, second_decimals));
        d.set_answer(c, link_usd, a as i128).await;
        d.set_answer(c, tkn_usd, t as i128).await;
        d.set_config(c, two_feeds(link_usd, tkn_usd, 0)).await.unwrap();
        two_feed_price(a, first_decimals, t, second_decimals)
    } else {
        let a = scaled(case.link_price_micro, first_decimals);
        d.set_answer(c, link_tkn, a as i128).await;
        d.set_config(c, config(link_tkn, 0)).await.unwrap();
        single_feed_price(a, first_decimals)
    };
    let drc = d.drc(c);
    if expected_price.is_zero() {
        prop_assert_eq!(revert::<E, _>(price(c, d).await), E::PriceUnavailable(DRCoordinator::PriceUnavailable {}));
        return Ok(());
    }
    prop_assert_eq!(price(c, d).await.unwrap(), expected_price);
    let fee_type = if case.permyriad { PERMYRIAD_TYPE } else { FLAT };
    // FLAT fees are juels up to 1e27 in practice; keep them in range of the model's u128.
    let fee = u128::from(case.fee);
    let got = drc
        .calculateMaxPaymentAmount(
            U256::from(case.wei_per_unit_gas),
            alloy::primitives::aliases::U96::from(case.payment_in_escrow),
            case.gas_limit,
            alloy::primitives::aliases::U96::from(fee),
            fee_type,
        )
        .call()
        .await
        .unwrap();
    let cost =
        U256::from(JUELS_PER_LINK) * U256::from(case.wei_per_unit_gas) * U256::from(case.gas_limit) / expected_price;
    let total = cost + fee_on(cost, fee, fee_type);
    let expected = I256::from_raw(total) - I256::from_raw(U256::from(case.payment_in_escrow));
    prop_assert_eq!(got, expected, "{:?}", case);
    Ok(())
}

#[test]
fn max_payment_matches_the_model_for_random_prices_decimals_and_fees() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let bench = runtime.block_on(async {
        let c = chain();
        let d = deploy(&c, Terms::REFERENCE).await;
        let mut feeds = Vec::new();
        for decimals in DECIMALS {
            feeds.push((
                decimals,
                deploy_feed(&c, decimals, "LINK / TKN", 1).await,
                deploy_feed(&c, decimals, "LINK / USD", 1).await,
                deploy_feed(&c, decimals, "TKN / USD", 1).await,
            ));
        }
        PriceBench { c, d, feeds }
    });
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 64,
        max_shrink_iters: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner.run(&cases(), |case| runtime.block_on(check_case(&bench, &case))).unwrap();
}
