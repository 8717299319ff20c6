//! The economics model: the paper's Figures 1–4 exactly, parameter variations, refused
//! parameters, the decimal helpers, and properties of the roundings and the split.

use linkpool_pool::{
    economics::{self, exact_decimal, format_decimal, format_decimal_grouped, parse_decimal, MinPrice, Parameters},
    Error,
};
use num_bigint::BigInt;
use num_rational::BigRational;
use proptest::prelude::*;

fn dec(s: &str) -> BigRational {
    parse_decimal(s).unwrap()
}

fn int(v: u64) -> BigInt {
    BigInt::from(v)
}

fn show(v: &BigRational) -> String {
    exact_decimal(v).unwrap_or_else(|| panic!("{v} does not terminate"))
}

fn refused(p: &Parameters) -> (&'static str, String) {
    match economics::compute(p) {
        Err(Error::InvalidParameter { name, reason }) => (name, reason),
        other => panic!("expected InvalidParameter, got {other:?}"),
    }
}

#[test]
fn paper_figures_1_to_4() {
    let e = economics::compute(&Parameters::default()).unwrap();
    // §4.1: 2 × 35,000 gas at 1 gwei and $392/ETH.
    assert_eq!(e.gas_per_request, int(70_000));
    assert_eq!(show(&e.gas_cost_per_request_eth), "0.00007");
    assert_eq!(show(&e.op_cost_per_request), "0.02744");
    assert_eq!(show(&e.min_price), "0.05488");
    assert_eq!(e.margin_percent, Some(dec("100")));
    // Figure 1.
    assert_eq!(e.oracle_requests_per_month, int(16_000_000));
    assert_eq!(e.requests_per_node_unrounded, BigRational::new(int(16_000), int(19)));
    assert_eq!(e.requests_per_node, int(842));
    assert_eq!(show(&e.revenue_per_node), "46.20896");
    assert_eq!(show(&e.op_cost_per_node), "23.10448");
    assert_eq!(show(&e.profit_per_node), "23.10448");
    // Figure 2: 13,969,252.36 rounded up to the next million.
    assert_eq!(show(&e.stake_interest_link), "14000000");
    // Figure 3.
    assert_eq!(e.nodes, int(700));
    assert_eq!(show(&e.stake_used_link), "14000000");
    assert_eq!(show(&e.stake_left_over_link), "0");
    // Figure 4.
    assert_eq!(show(&e.pool_profit), "16173.136");
    assert_eq!(show(&e.stakers_share_percent), "75");
    assert_eq!(show(&e.owners_share_percent), "25");
    assert_eq!(show(&e.stakers_profit), "12129.852");
    assert_eq!(show(&e.owners_profit), "4043.284");
    // Exact values, not just their printed form.
    assert_eq!(e.pool_profit, dec("16173.136"));
    assert_eq!(e.stakers_profit, dec("12129.852"));
    assert_eq!(e.owners_profit, dec("4043.284"));
}

#[test]
fn defaults_are_the_papers_inputs() {
    let p = Parameters::default();
    assert_eq!(p.requests_per_month, 4_000_000);
    assert_eq!(p.oracles_per_request, 4);
    assert_eq!(p.oracles, 19_000);
    assert_eq!((p.transactions_per_request, p.gas_per_transaction), (2, 35_000));
    assert_eq!(p.gas_price_gwei, dec("1"));
    assert_eq!(p.eth_usd, dec("392"));
    assert_eq!(p.min_price, MinPrice::MarginPercent(dec("100")));
    assert_eq!(p.stake_interest_link, dec("13969252.36"));
    assert_eq!(p.round_stake_interest_up_to, dec("1000000"));
    assert_eq!(p.stake_limit_link, dec("20000"));
    assert_eq!(p.stakers_share_percent, dec("75"));
}

#[test]
fn requests_per_node_round_down_to_whole_requests() {
    // 16,000,000 / 19,001 = 842.06…: still 842.
    let e = economics::compute(&Parameters { oracles: 19_001, ..Parameters::default() }).unwrap();
    assert_eq!(e.requests_per_node, int(842));
    // 16,000,000 / 16,000,001 < 1: a node serves no whole request and earns nothing.
    let e = economics::compute(&Parameters { oracles: 16_000_001, ..Parameters::default() }).unwrap();
    assert_eq!(e.requests_per_node, int(0));
    assert_eq!(show(&e.revenue_per_node), "0");
    assert_eq!(show(&e.pool_profit), "0");
    // Exact division: 16,000,000 / 16,000 = 1,000, no rounding.
    let e = economics::compute(&Parameters { oracles: 16_000, ..Parameters::default() }).unwrap();
    assert_eq!(e.requests_per_node, int(1_000));
    assert_eq!(show(&e.profit_per_node), "27.44");
}

#[test]
fn stake_interest_rounds_up_to_the_step_or_not_at_all() {
    // Without rounding: 13,969,252.36 / 20,000 = 698.46…, 698 nodes and 9,252.36 LINK left over.
    let raw = Parameters { round_stake_interest_up_to: dec("0"), ..Parameters::default() };
    let e = economics::compute(&raw).unwrap();
    assert_eq!(show(&e.stake_interest_link), "13969252.36");
    assert_eq!(e.nodes, int(698));
    assert_eq!(show(&e.stake_used_link), "13960000");
    assert_eq!(show(&e.stake_left_over_link), "9252.36");
    assert_eq!(show(&e.pool_profit), "16126.92704");
    // Up to whole LINK: 13,969,253.
    let e = economics::compute(&Parameters { round_stake_interest_up_to: dec("1"), ..Parameters::default() }).unwrap();
    assert_eq!(show(&e.stake_interest_link), "13969253");
    // An amount already on the step stays.
    let on_step = Parameters { stake_interest_link: dec("14000000"), ..Parameters::default() };
    assert_eq!(show(&economics::compute(&on_step).unwrap().stake_interest_link), "14000000");
    // A fractional step: up to 0.5 LINK.
    let half = Parameters { round_stake_interest_up_to: dec("0.5"), ..Parameters::default() };
    assert_eq!(show(&economics::compute(&half).unwrap().stake_interest_link), "13969252.5");
}

#[test]
fn nodes_round_down_to_full_stake_limits() {
    // 14,000,000 / 30,000 = 466.67: 466 nodes, 20,000 LINK left over.
    let e = economics::compute(&Parameters { stake_limit_link: dec("30000"), ..Parameters::default() }).unwrap();
    assert_eq!(e.nodes, int(466));
    assert_eq!(show(&e.stake_left_over_link), "20000");
    assert_eq!(show(&e.pool_profit), "10766.68768");
    // More stake limit than stake: no node.
    let e = economics::compute(&Parameters { stake_limit_link: dec("14000000.01"), ..Parameters::default() }).unwrap();
    assert_eq!(e.nodes, int(0));
    assert_eq!(show(&e.pool_profit), "0");
    assert_eq!(show(&e.stakers_profit), "0");
}

#[test]
fn gas_and_eth_prices_scale_the_operational_cost() {
    // 25 gwei and $2,000/ETH: 70,000 × 25e-9 × 2,000 = $3.5 per request, $7 minimum price.
    let p = Parameters { gas_price_gwei: dec("25"), eth_usd: dec("2000"), ..Parameters::default() };
    let e = economics::compute(&p).unwrap();
    assert_eq!(show(&e.gas_cost_per_request_eth), "0.00175");
    assert_eq!(show(&e.op_cost_per_request), "3.5");
    assert_eq!(show(&e.min_price), "7");
    assert_eq!(show(&e.profit_per_node), "2947");
    assert_eq!(show(&e.pool_profit), "2062900");
    // Fractional gwei.
    let p = Parameters { gas_price_gwei: dec("0.5"), ..Parameters::default() };
    assert_eq!(show(&economics::compute(&p).unwrap().op_cost_per_request), "0.01372");
    // One transaction per request (no penalty transfer) halves the cost.
    let p = Parameters { transactions_per_request: 1, ..Parameters::default() };
    let e = economics::compute(&p).unwrap();
    assert_eq!(e.gas_per_request, int(35_000));
    assert_eq!(show(&e.op_cost_per_request), "0.01372");
}

#[test]
fn margin_and_given_minimum_price() {
    // A 50% margin: $0.04116 per request, profit half the cost.
    let p = Parameters { min_price: MinPrice::MarginPercent(dec("50")), ..Parameters::default() };
    let e = economics::compute(&p).unwrap();
    assert_eq!(show(&e.min_price), "0.04116");
    assert_eq!(show(&e.profit_per_node), "11.55224");
    // No margin: break even.
    let p = Parameters { min_price: MinPrice::MarginPercent(dec("0")), ..Parameters::default() };
    assert_eq!(show(&economics::compute(&p).unwrap().pool_profit), "0");
    // The paper's price given directly is the 100% margin.
    let p = Parameters { min_price: MinPrice::Usd(dec("0.05488")), ..Parameters::default() };
    let e = economics::compute(&p).unwrap();
    assert_eq!(e.margin_percent, Some(dec("100")));
    assert_eq!(show(&e.pool_profit), "16173.136");
    // A price below cost is a loss, split like a profit.
    let p = Parameters { min_price: MinPrice::Usd(dec("0.02")), ..Parameters::default() };
    let e = economics::compute(&p).unwrap();
    assert_eq!(show(&e.profit_per_node), "-6.26448");
    assert_eq!(show(&e.pool_profit), "-4385.136");
    assert_eq!(show(&e.stakers_profit), "-3288.852");
    assert_eq!(show(&e.owners_profit), "-1096.284");
    // $0.05 over $0.02744 is a repeating margin: 82.215743440233…%.
    let p = Parameters { min_price: MinPrice::Usd(dec("0.05")), ..Parameters::default() };
    let margin = economics::compute(&p).unwrap().margin_percent.unwrap();
    assert_eq!(exact_decimal(&margin), None);
    assert_eq!(format_decimal(&margin), "82.215743440233…");
    // Free gas and a given price: no margin can be stated.
    let p = Parameters { gas_price_gwei: dec("0"), min_price: MinPrice::Usd(dec("0.01")), ..Parameters::default() };
    let e = economics::compute(&p).unwrap();
    assert_eq!(e.margin_percent, None);
    assert_eq!(show(&e.profit_per_node), "8.42");
}

#[test]
fn split_variations() {
    let split = |share: &str| {
        let p = Parameters { stakers_share_percent: dec(share), ..Parameters::default() };
        let e = economics::compute(&p).unwrap();
        (show(&e.stakers_profit), show(&e.owners_profit), show(&e.owners_share_percent))
    };
    assert_eq!(split("100"), ("16173.136".into(), "0".into(), "0".into()));
    assert_eq!(split("0"), ("0".into(), "16173.136".into(), "100".into()));
    assert_eq!(split("50"), ("8086.568".into(), "8086.568".into(), "50".into()));
    assert_eq!(split("62.5"), ("10108.21".into(), "6064.926".into(), "37.5".into()));
}

#[test]
fn zero_requests_earn_nothing() {
    let e = economics::compute(&Parameters { requests_per_month: 0, ..Parameters::default() }).unwrap();
    assert_eq!(e.requests_per_node, int(0));
    assert_eq!(show(&e.pool_profit), "0");
    assert_eq!(e.nodes, int(700));
}

#[test]
fn refused_parameters_name_the_flag() {
    let d = Parameters::default;
    let (name, reason) = refused(&Parameters { oracles: 0, ..d() });
    assert_eq!(name, "--oracles");
    assert!(reason.contains("at least 1 oracle"), "{reason}");
    assert_eq!(refused(&Parameters { oracles_per_request: 0, ..d() }).0, "--oracles-per-request");
    let (name, reason) = refused(&Parameters { oracles_per_request: 5, oracles: 4, ..d() });
    assert_eq!(name, "--oracles-per-request");
    assert!(reason.contains("only 4"), "{reason}");
    let (name, reason) = refused(&Parameters { stake_limit_link: dec("0"), ..d() });
    assert_eq!(name, "--stake-limit");
    assert!(reason.contains("more than 0"), "{reason}");
    assert_eq!(refused(&Parameters { stake_limit_link: dec("-1"), ..d() }).0, "--stake-limit");
    let (name, reason) = refused(&Parameters { stakers_share_percent: dec("100.01"), ..d() });
    assert_eq!(name, "--stakers-share");
    assert!(reason.contains("between 0 and 100") && reason.contains("100.01"), "{reason}");
    assert_eq!(refused(&Parameters { stakers_share_percent: dec("-1"), ..d() }).0, "--stakers-share");
    let (name, reason) = refused(&Parameters { min_price: MinPrice::MarginPercent(dec("-10")), ..d() });
    assert_eq!(name, "--margin");
    assert!(reason.contains("--min-price"), "{reason}");
    assert_eq!(refused(&Parameters { min_price: MinPrice::Usd(dec("-0.01")), ..d() }).0, "--min-price");
    assert_eq!(refused(&Parameters { gas_price_gwei: dec("-1"), ..d() }).0, "--gas-price-gwei");
    assert_eq!(refused(&Parameters { eth_usd: dec("-392"), ..d() }).0, "--eth-usd");
    assert_eq!(refused(&Parameters { stake_interest_link: dec("-1"), ..d() }).0, "--stake-interest");
    assert_eq!(refused(&Parameters { round_stake_interest_up_to: dec("-1"), ..d() }).0, "--round-stake-interest-up-to");
    // The boundaries themselves are accepted.
    for p in [
        Parameters { oracles_per_request: 19_000, ..d() },
        Parameters { stakers_share_percent: dec("100"), ..d() },
        Parameters { stake_limit_link: dec("0.000001"), ..d() },
    ] {
        economics::compute(&p).unwrap();
    }
}

#[test]
fn parses_decimals() {
    assert_eq!(dec("13969252.36"), BigRational::new(int(1_396_925_236), int(100)));
    assert_eq!(dec("4_000_000"), BigRational::from(int(4_000_000)));
    assert_eq!(dec(".5"), BigRational::new(int(1), int(2)));
    assert_eq!(dec("5."), BigRational::from(int(5)));
    assert_eq!(dec(" 0.05488 "), BigRational::new(int(343), int(6250)));
    assert_eq!(dec("-2.5"), -BigRational::new(int(5), int(2)));
    for bad in ["", ".", "-", "1e6", "1,000", "12.3.4", "$5", "0x10", "+1", "one"] {
        assert!(matches!(parse_decimal(bad), Err(Error::NotADecimal { .. })), "{bad:?} accepted");
    }
    let err = parse_decimal("1,000").unwrap_err().to_string();
    assert!(err.contains("\"1,000\" is not a decimal"), "{err}");
}

#[test]
fn formats_decimals() {
    assert_eq!(format_decimal(&dec("23.104480")), "23.10448");
    assert_eq!(format_decimal(&dec("700.000")), "700");
    assert_eq!(format_decimal(&dec("0.00007")), "0.00007");
    assert_eq!(format_decimal(&dec("-0.5")), "-0.5");
    assert_eq!(format_decimal(&dec("0")), "0");
    assert_eq!(format_decimal(&BigRational::new(int(16_000), int(19))), "842.105263157894…");
    assert_eq!(format_decimal(&-BigRational::new(int(1), int(3))), "-0.333333333333…");
    assert_eq!(format_decimal_grouped(&dec("16173.136")), "16,173.136");
    assert_eq!(format_decimal_grouped(&dec("14000000")), "14,000,000");
    assert_eq!(format_decimal_grouped(&dec("-4385.136")), "-4,385.136");
    assert_eq!(format_decimal_grouped(&dec("999")), "999");
    assert_eq!(format_decimal_grouped(&dec("100000")), "100,000");
    assert_eq!(format_decimal_grouped(&BigRational::new(int(16_000_000), int(3))), "5,333,333.333333333333…");
}

fn ratio(v: u64) -> BigRational {
    BigRational::from(int(v))
}

/// A decimal with up to `places` fractional digits, from 0 to `max` whole units.
fn decimal(max: u64, places: u32) -> impl Strategy<Value = BigRational> {
    let scale = 10u64.pow(places);
    (0..=max * scale).prop_map(move |n| BigRational::new(BigInt::from(n), BigInt::from(scale)))
}

fn parameters() -> impl Strategy<Value = Parameters> {
    let counts = (0..=10_000_000_000u64, 1..=50u64, 0..=1_000_000u64, 0..=500_000u64, 0..=4u64);
    let prices = (
        decimal(1_000, 3),
        decimal(10_000, 2),
        prop_oneof![decimal(500, 2).prop_map(MinPrice::MarginPercent), decimal(10, 6).prop_map(MinPrice::Usd)],
    );
    let pool =
        (decimal(100_000_000, 2), prop_oneof![Just(0u64), 1..=1_000_000u64], decimal(100_000, 3), decimal(100, 2));
    (counts, prices, pool).prop_map(
        |(
            (requests, per_request, extra_oracles, gas, transactions),
            (gwei, eth, min_price),
            (stake, step, limit, share),
        )| Parameters {
            requests_per_month: requests,
            oracles_per_request: per_request,
            oracles: per_request + extra_oracles,
            gas_per_transaction: gas,
            transactions_per_request: transactions,
            gas_price_gwei: gwei,
            eth_usd: eth,
            min_price,
            stake_interest_link: stake,
            round_stake_interest_up_to: BigRational::from(BigInt::from(step)),
            // A positive stake limit.
            stake_limit_link: limit + BigRational::new(BigInt::from(1), BigInt::from(1000)),
            stakers_share_percent: share,
        },
    )
}

proptest! {
    #[test]
    fn model_invariants(p in parameters()) {
        let e = economics::compute(&p).unwrap();
        let (zero, one, hundred) = (ratio(0), ratio(1), ratio(100));
        // The split neither creates nor loses money, and follows the percentages.
        prop_assert_eq!(&e.stakers_profit + &e.owners_profit, e.pool_profit.clone());
        prop_assert_eq!(&e.owners_profit * &hundred, &e.pool_profit * &e.owners_share_percent);
        prop_assert_eq!(&e.profit_per_node, &(&e.revenue_per_node - &e.op_cost_per_node));
        prop_assert_eq!(&e.pool_profit, &(BigRational::from(e.nodes.clone()) * &e.profit_per_node));
        // Requests per node: the floor of the share, a whole number of requests.
        let served = &e.requests_per_node * BigInt::from(p.oracles);
        prop_assert!(served <= e.oracle_requests_per_month);
        prop_assert!(served + BigInt::from(p.oracles) > e.oracle_requests_per_month);
        // Nodes: only full stake limits, what is left over is less than one.
        prop_assert!(e.stake_left_over_link >= zero && e.stake_left_over_link < p.stake_limit_link);
        prop_assert_eq!(&e.stake_used_link + &e.stake_left_over_link, e.stake_interest_link.clone());
        // The stake interest is rounded up, by less than one step, onto a multiple of the step.
        prop_assert!(e.stake_interest_link >= p.stake_interest_link);
        if p.round_stake_interest_up_to == zero {
            prop_assert_eq!(&e.stake_interest_link, &p.stake_interest_link);
        } else {
            prop_assert!(&e.stake_interest_link - &p.stake_interest_link < p.round_stake_interest_up_to);
            prop_assert!((&e.stake_interest_link / &p.round_stake_interest_up_to).is_integer());
        }
        // A margin is never a loss; a given price states the margin it implies.
        match &p.min_price {
            MinPrice::MarginPercent(m) => {
                prop_assert!(e.profit_per_node >= zero);
                prop_assert_eq!(&e.profit_per_node * &hundred, &e.op_cost_per_node * m);
            }
            MinPrice::Usd(price) => {
                if let Some(m) = &e.margin_percent {
                    let implied = &e.op_cost_per_request * (&one + m / &hundred);
                    prop_assert_eq!(&implied, price);
                }
            }
        }
        // Decimal inputs give terminating money results, which print and parse back exactly.
        for v in [&e.op_cost_per_request, &e.min_price, &e.pool_profit, &e.stakers_profit, &e.owners_profit] {
            let text = exact_decimal(v);
            prop_assert!(text.is_some(), "{} does not terminate", v);
            prop_assert_eq!(&parse_decimal(&text.unwrap()).unwrap(), v);
        }
    }
}
