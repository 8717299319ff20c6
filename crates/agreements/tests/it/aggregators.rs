//! The standard aggregating contracts (`IAggregator`) on a real anvil: each rule's completion
//! threshold, its answer (negative values, even counts, rounding direction, `int256` extremes),
//! the tolerance of `isAccepted` at its exact boundary, the weight sources (a real LinkPool
//! deployment), gas, and a property test against exact big-integer reference computations.

use std::str::FromStr;

use alloy::{
    network::TransactionBuilder,
    node_bindings::AnvilInstance,
    primitives::{Address, Bytes, I256, U256},
    providers::{DynProvider, Provider},
    sol_types::SolValue,
};
use linkpool_bindings::{
    aggregation::{
        IAggregator, IWeightSource, LinkPoolStakeWeights, MedianAggregator, ModeAggregator, TrimmedMeanAggregator,
        WeightedMeanAggregator,
    },
    link_pool::LinkPool,
    stack, LinkToken, Node, PenaltyVault, PoolStorage,
};
use num_bigint::BigInt;
use num_traits::{Signed, Zero};
use proptest::{prelude::*, test_runner::TestCaseError};

// ------------------------------------------------------------------ chain and contracts

struct Chain {
    p: DynProvider,
    from: Address,
    accounts: Vec<Address>,
    _anvil: AnvilInstance,
}

fn chain() -> Chain {
    chain_with_accounts(10)
}

/// A chain whose anvil has `n` funded accounts.
fn chain_with_accounts(n: u32) -> Chain {
    let anvil =
        linkpool_devtools::anvil().expect("anvil (run `make tools`)").args(["--accounts", &n.to_string()]).spawn();
    let p = linkpool_devtools::test_provider(&anvil);
    let accounts = anvil.addresses().to_vec();
    Chain { p, from: accounts[0], accounts, _anvil: anvil }
}

/// Deploys a contract whose runtime code is `runtime` (a 12-byte constructor copies and returns it).
async fn deploy_runtime(c: &Chain, runtime: &[u8]) -> Address {
    let len = u8::try_from(runtime.len()).expect("short runtime");
    // PUSH1 len PUSH1 12 PUSH1 0 CODECOPY PUSH1 len PUSH1 0 RETURN
    let mut code = vec![0x60, len, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3];
    code.extend_from_slice(runtime);
    stack::deploy_code(&c.p, c.from, Bytes::from(code)).await.expect("deploy runtime")
}

/// A weight source whose `weightOf(oracle)` is `uint160(oracle)`: the tests choose each oracle's
/// weight by choosing its address. Runtime: `mstore(0, calldataload(4)) return(0, 32)`.
async fn address_weights(c: &Chain) -> Address {
    deploy_runtime(c, &[0x60, 0x04, 0x35, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3]).await
}

/// A weight source that reverts on every call. Runtime: `revert(0, 0)`.
async fn reverting_weights(c: &Chain) -> Address {
    deploy_runtime(c, &[0x60, 0x00, 0x80, 0xfd]).await
}

/// The oracle whose weight is `w` under [`address_weights`] (`w < 2^160`).
fn oracle_of_weight(w: U256) -> Address {
    Address::from_slice(&w.to_be_bytes::<32>()[12..])
}

/// One of each standard aggregator; the weighted mean reads [`address_weights`].
struct Aggregators {
    mode: IAggregator::IAggregatorInstance<DynProvider>,
    median: IAggregator::IAggregatorInstance<DynProvider>,
    trimmed: IAggregator::IAggregatorInstance<DynProvider>,
    weighted: IAggregator::IAggregatorInstance<DynProvider>,
    /// The weighted mean's [`address_weights`] source.
    source: Address,
    tolerance_bps: u64,
}

async fn deploy_all(c: &Chain, tolerance_bps: u64) -> Aggregators {
    let tol = U256::from(tolerance_bps);
    let mode = *ModeAggregator::deploy(c.p.clone()).await.expect("mode").address();
    let median = *MedianAggregator::deploy(c.p.clone(), tol).await.expect("median").address();
    let trimmed = *TrimmedMeanAggregator::deploy(c.p.clone(), tol).await.expect("trimmed").address();
    let source = address_weights(c).await;
    let weighted = *WeightedMeanAggregator::deploy(c.p.clone(), source, tol).await.expect("weighted").address();
    let at = |a| IAggregator::new(a, c.p.clone());
    Aggregators {
        mode: at(mode),
        median: at(median),
        trimmed: at(trimmed),
        weighted: at(weighted),
        source,
        tolerance_bps,
    }
}

/// `aggregate` as `Some(answer)` when complete, `None` otherwise (asserting the answer is 0 then).
async fn aggregate(
    agg: &IAggregator::IAggregatorInstance<DynProvider>,
    oracles: &[Address],
    answers: &[I256],
    f: u64,
) -> Option<I256> {
    let r = agg.aggregate(oracles.to_vec(), answers.to_vec(), U256::from(f)).call().await.expect("aggregate");
    if r.complete {
        Some(r.answer)
    } else {
        assert_eq!(r.answer, I256::ZERO, "an incomplete aggregate answers 0");
        None
    }
}

/// `aggregate` for the rules that ignore the oracles (passing distinct dummy oracles).
async fn agg(agg_: &IAggregator::IAggregatorInstance<DynProvider>, answers: &[I256], f: u64) -> Option<I256> {
    let oracles: Vec<Address> = (0..answers.len()).map(|i| oracle_of_weight(U256::from(i + 1))).collect();
    aggregate(agg_, &oracles, answers, f).await
}

async fn accepted(agg: &IAggregator::IAggregatorInstance<DynProvider>, answer: I256, final_answer: I256) -> bool {
    agg.isAccepted(answer, final_answer).call().await.expect("isAccepted")
}

fn i(x: i128) -> I256 {
    I256::try_from(x).expect("fits")
}

fn is(xs: &[i128]) -> Vec<I256> {
    xs.iter().map(|x| i(*x)).collect()
}

// ------------------------------------------------------------------ exact reference computations

fn big(x: I256) -> BigInt {
    BigInt::from_str(&x.to_string()).expect("decimal")
}

fn big_u(x: U256) -> BigInt {
    BigInt::from_str(&x.to_string()).expect("decimal")
}

fn from_big(x: &BigInt) -> I256 {
    I256::from_dec_str(&x.to_string()).expect("the reference result fits in int256")
}

/// Floor division by a positive divisor (BigInt's `/` truncates toward zero).
fn div_floor(a: &BigInt, d: &BigInt) -> BigInt {
    let q = a / d;
    if (a % d).is_negative() {
        q - 1
    } else {
        q
    }
}

fn quorum(n: usize, f: u64) -> bool {
    n as u128 > 2 * f as u128 // n >= 2f + 1
}

/// The value whose (f + 1)-th occurrence comes first in reveal order.
fn ref_mode(answers: &[I256], f: u64) -> Option<I256> {
    (0..answers.len())
        .find(|&j| answers[..=j].iter().filter(|a| **a == answers[j]).count() as u64 > f)
        .map(|j| answers[j])
}

fn ref_median(answers: &[I256], f: u64) -> Option<I256> {
    if !quorum(answers.len(), f) {
        return None;
    }
    let mut s: Vec<BigInt> = answers.iter().map(|a| big(*a)).collect();
    s.sort();
    let n = s.len();
    Some(if n % 2 == 1 {
        from_big(&s[n / 2])
    } else {
        from_big(&div_floor(&(&s[n / 2 - 1] + &s[n / 2]), &BigInt::from(2)))
    })
}

fn ref_trimmed(answers: &[I256], f: u64) -> Option<I256> {
    if !quorum(answers.len(), f) {
        return None;
    }
    let mut s: Vec<BigInt> = answers.iter().map(|a| big(*a)).collect();
    s.sort();
    let f = f as usize;
    let kept = &s[f..s.len() - f];
    let sum: BigInt = kept.iter().sum();
    Some(from_big(&(sum / BigInt::from(kept.len())))) // truncates toward zero
}

/// `WeightedMeanAggregator.MAX_WEIGHT`.
fn max_weight() -> U256 {
    U256::from(1) << 122
}

fn ref_weighted(weights: &[U256], answers: &[I256], f: u64) -> Option<I256> {
    if !quorum(answers.len(), f) {
        return None;
    }
    let mut w: Vec<BigInt> = weights.iter().map(|w| big_u((*w).min(max_weight()))).collect();
    if w.iter().all(Zero::is_zero) {
        w = vec![BigInt::from(1); answers.len()];
    }
    let total: BigInt = w.iter().sum();
    let sum: BigInt = w.iter().zip(answers).map(|(w, a)| w * big(*a)).sum();
    Some(from_big(&(sum / total))) // truncates toward zero
}

fn ref_accepted(answer: I256, final_answer: I256, tolerance_bps: u64) -> bool {
    let (a, f) = (big(answer), big(final_answer));
    (a - &f).abs() * 10_000 <= BigInt::from(tolerance_bps) * f.abs()
}

// ------------------------------------------------------------------ completion thresholds and answers

#[tokio::test]
async fn aggregators_name_their_rules_and_validate_their_configuration() {
    let c = chain();
    let a = deploy_all(&c, 250).await;
    assert_eq!(a.mode.rule().call().await.unwrap(), "mode");
    assert_eq!(a.median.rule().call().await.unwrap(), "median");
    assert_eq!(a.trimmed.rule().call().await.unwrap(), "trimmed-mean");
    assert_eq!(a.weighted.rule().call().await.unwrap(), "weighted-mean");
    let median = MedianAggregator::new(*a.median.address(), c.p.clone());
    assert_eq!(median.toleranceBps().call().await.unwrap(), U256::from(250));
    let weighted = WeightedMeanAggregator::new(*a.weighted.address(), c.p.clone());
    assert_eq!(weighted.MAX_WEIGHT().call().await.unwrap(), max_weight());
    assert_eq!(weighted.toleranceBps().call().await.unwrap(), U256::from(250));
    assert_eq!(weighted.weightSource().call().await.unwrap(), a.source);
    // The test source weighs an oracle by its address.
    let source = IWeightSource::new(a.source, c.p.clone());
    assert_eq!(source.weightOf(oracle_of_weight(U256::from(123_456))).call().await.unwrap(), U256::from(123_456));

    // 100 % is the highest tolerance; one basis point more is refused by each rule.
    MedianAggregator::deploy(c.p.clone(), U256::from(10_000)).await.expect("100 % is allowed");
    let too_high = |e: alloy::contract::Error| -> (U256, U256) {
        match e.as_decoded_interface_error::<MedianAggregator::MedianAggregatorErrors>() {
            Some(MedianAggregator::MedianAggregatorErrors::ToleranceTooHigh(t)) => (t.toleranceBps, t.max),
            other => panic!("not ToleranceTooHigh: {other:?} ({e})"),
        }
    };
    let expected = (U256::from(10_001), U256::from(10_000));
    let e = MedianAggregator::deploy(c.p.clone(), U256::from(10_001)).await.expect_err("10_001 bps");
    assert_eq!(too_high(e), expected);
    // The three rules share the error (same selector and fields), so one decoder serves.
    let e = TrimmedMeanAggregator::deploy(c.p.clone(), U256::from(10_001)).await.expect_err("10_001 bps");
    assert_eq!(too_high(e), expected);
    let source = address_weights(&c).await;
    let e = WeightedMeanAggregator::deploy(c.p.clone(), source, U256::from(10_001)).await.expect_err("10_001 bps");
    assert_eq!(too_high(e), expected);

    // A weight source must be a contract.
    let eoa = c.accounts[5];
    let e = WeightedMeanAggregator::deploy(c.p.clone(), eoa, U256::from(100)).await.expect_err("EOA source");
    match e.as_decoded_interface_error::<WeightedMeanAggregator::WeightedMeanAggregatorErrors>() {
        Some(WeightedMeanAggregator::WeightedMeanAggregatorErrors::NotAContract(n)) => assert_eq!(n.account, eoa),
        other => panic!("not NotAContract: {other:?}"),
    }
}

#[tokio::test]
async fn mode_completes_when_a_value_reaches_f_plus_one_answers() {
    let c = chain();
    let a = deploy_all(&c, 0).await;
    let m = &a.mode;
    assert_eq!(agg(m, &[], 0).await, None, "no answers");
    assert_eq!(agg(m, &[], 3).await, None, "no answers");
    assert_eq!(agg(m, &is(&[-42]), 0).await, Some(i(-42)), "f = 0: any answer decides");
    // f = 2: two equal answers are not enough, the third decides, whatever else arrived.
    assert_eq!(agg(m, &is(&[-5, 7, -5, 9, 7]), 2).await, None);
    assert_eq!(agg(m, &is(&[-5, 7, -5, 9, 7, -5]), 2).await, Some(i(-5)));
    assert_eq!(agg(m, &is(&[1, 2, 3, 4, 5, 6, 7, 8, 9]), 2).await, None, "all different");
    // Two values reach f + 1: the one that got there first in reveal order wins (as if
    // aggregate had been called after every reveal).
    assert_eq!(agg(m, &is(&[1, 2, 2, 1]), 1).await, Some(i(2)));
    assert_eq!(agg(m, &is(&[1, 2, 1, 2]), 1).await, Some(i(1)));
    // Completion needs no quorum of 2f + 1 answers: f + 1 equal answers suffice.
    assert_eq!(agg(m, &is(&[8, 8, 8]), 2).await, Some(i(8)));
    // Extremes.
    let v = vec![I256::MIN, I256::MAX, I256::MIN, I256::MAX, I256::MAX];
    assert_eq!(agg(m, &v, 2).await, Some(I256::MAX));
    // Accepted means equal.
    assert!(accepted(m, i(5), i(5)).await);
    assert!(!accepted(m, i(6), i(5)).await);
    assert!(!accepted(m, i(-5), i(5)).await);
    assert!(accepted(m, I256::MIN, I256::MIN).await);
    assert!(!accepted(m, I256::MAX, I256::MIN).await);
}

#[tokio::test]
async fn median_needs_two_f_plus_one_answers_and_rounds_even_counts_toward_negative_infinity() {
    let c = chain();
    let a = deploy_all(&c, 0).await;
    let m = &a.median;
    assert_eq!(agg(m, &[], 0).await, None);
    assert_eq!(agg(m, &is(&[-7]), 0).await, Some(i(-7)));
    // f = 2: 4 answers are not enough, 5 are.
    assert_eq!(agg(m, &is(&[50, -10, 30, 20]), 2).await, None);
    assert_eq!(agg(m, &is(&[50, -10, 30, 20, -40]), 2).await, Some(i(20)));
    assert_eq!(agg(m, &is(&[-50, -10, -30, -20, -40]), 2).await, Some(i(-30)));
    // Even counts: the mean of the two middle values, rounded down.
    assert_eq!(agg(m, &is(&[3, 100, -100, 2]), 1).await, Some(i(2)), "2.5 -> 2");
    assert_eq!(agg(m, &is(&[-3, 100, -100, -2]), 1).await, Some(i(-3)), "-2.5 -> -3");
    assert_eq!(agg(m, &is(&[0, -1]), 0).await, Some(i(-1)), "-0.5 -> -1");
    assert_eq!(agg(m, &is(&[4, 9, 1, 6]), 1).await, Some(i(5)), "5 exactly");
    assert_eq!(agg(m, &is(&[-4, -9, -1, -6]), 1).await, Some(i(-5)), "-5 exactly");
    // Extremes: no overflow in the middle mean.
    assert_eq!(agg(m, &[I256::MIN, I256::MAX], 0).await, Some(i(-1)), "-0.5 -> -1");
    assert_eq!(agg(m, &[I256::MAX, I256::MAX], 0).await, Some(I256::MAX));
    assert_eq!(agg(m, &[I256::MIN, I256::MIN], 0).await, Some(I256::MIN));
    let below_max = I256::MAX - i(1);
    assert_eq!(agg(m, &[I256::MAX, below_max], 0).await, Some(below_max));
    let above_min = I256::MIN + i(1);
    assert_eq!(agg(m, &[I256::MIN, above_min], 0).await, Some(I256::MIN));
    // Absurd f never reverts.
    assert_eq!(agg(m, &is(&[1, 2, 3]), u64::MAX).await, None);
    let huge = m.aggregate(vec![Address::ZERO], vec![i(1)], U256::MAX).call().await.expect("f = 2^256 - 1");
    assert!(!huge.complete);
}

#[tokio::test]
async fn trimmed_mean_drops_f_answers_on_each_side_and_rounds_toward_zero() {
    let c = chain();
    let a = deploy_all(&c, 0).await;
    let t = &a.trimmed;
    assert_eq!(agg(t, &[], 0).await, None);
    // f = 1: 2 answers are not enough; 3 keep the middle one.
    assert_eq!(agg(t, &is(&[7, 1_000_000]), 1).await, None);
    assert_eq!(agg(t, &is(&[7, 1_000_000, -1_000]), 1).await, Some(i(7)));
    // 7 + 9 + 100 = 116, / 3 = 38.67 -> 38; the outliers -1000 and 10^6 are dropped.
    assert_eq!(agg(t, &is(&[100, -1_000, 7, 9, 1_000_000]), 1).await, Some(i(38)));
    // Negative: -116 / 3 = -38.67 -> -38 (toward zero, not -39).
    assert_eq!(agg(t, &is(&[-100, 1_000, -7, -9, -1_000_000]), 1).await, Some(i(-38)));
    // -5 / 2 = -2.5 -> -2; 5 / 2 -> 2.
    assert_eq!(agg(t, &is(&[-3, -2]), 0).await, Some(i(-2)));
    assert_eq!(agg(t, &is(&[3, 2]), 0).await, Some(i(2)));
    // Mixed signs, where the per-value quotients and remainders pull different ways:
    // (3 - 4) / 2 = -0.5 -> 0 and (-3 + 4) / 2 = 0.5 -> 0; (5 - 8 - 8) / 3 = -3.67 -> -3.
    assert_eq!(agg(t, &is(&[3, -4]), 0).await, Some(i(0)));
    assert_eq!(agg(t, &is(&[-3, 4]), 0).await, Some(i(0)));
    assert_eq!(agg(t, &is(&[5, -8, -8]), 0).await, Some(i(-3)));
    // f = 0 keeps everything.
    assert_eq!(agg(t, &is(&[-10, 0, 10, 40]), 0).await, Some(i(10)));
    // Extremes: sums far outside int256 are exact.
    assert_eq!(agg(t, &vec![I256::MIN; 31], 0).await, Some(I256::MIN));
    assert_eq!(agg(t, &vec![I256::MAX; 31], 0).await, Some(I256::MAX));
    // (3 max + min) / 4 = (2^256 - 3) / 4 = 2^254 - 0.75 -> 2^254 - 1.
    let v = vec![I256::MAX, I256::MAX, I256::MAX, I256::MIN];
    let expected = I256::from_raw((U256::from(1) << 254) - U256::from(1));
    assert_eq!(agg(t, &v, 0).await, Some(expected));
    assert_eq!(agg(t, &v, 0).await, ref_trimmed(&v, 0));
    // (max + 3 min) / 4 = (-2^256 - 1) / 4 = -2^254 - 0.25 -> -2^254.
    let v = vec![I256::MIN, I256::MAX, I256::MIN, I256::MIN];
    assert_eq!(agg(t, &v, 0).await, Some(-I256::from_raw(U256::from(1) << 254)));
    assert_eq!(agg(t, &v, 0).await, ref_trimmed(&v, 0));
}

#[tokio::test]
async fn weighted_mean_weighs_answers_and_rounds_toward_zero() {
    let c = chain();
    let a = deploy_all(&c, 0).await;
    let w = &a.weighted;
    let o = |ws: &[u64]| -> Vec<Address> { ws.iter().map(|x| oracle_of_weight(U256::from(*x))).collect() };
    assert_eq!(aggregate(w, &[], &[], 0).await, None);
    // f = 1: 2 answers are not enough, 3 are. (1 * 10 + 2 * 20 + 7 * 30) / 10 = 26.
    assert_eq!(aggregate(w, &o(&[1, 2]), &is(&[10, 20]), 1).await, None);
    assert_eq!(aggregate(w, &o(&[1, 2, 7]), &is(&[10, 20, 30]), 1).await, Some(i(26)));
    // Rounding toward zero: (1 * 1 + 2 * 2) / 3 = 5/3 -> 1, and -5/3 -> -1 (not -2).
    assert_eq!(aggregate(w, &o(&[1, 2]), &is(&[1, 2]), 0).await, Some(i(1)));
    assert_eq!(aggregate(w, &o(&[1, 2]), &is(&[-1, -2]), 0).await, Some(i(-1)));
    // Mixed signs: (3 * 3 - 2 * 5) / 5 = -0.2 -> 0; (-3 * 3 + 2 * 5) / 5 = 0.2 -> 0;
    // (2 * 7 - 1 * 30) / 3 = -5.33 -> -5.
    assert_eq!(aggregate(w, &o(&[3, 2]), &is(&[3, -5]), 0).await, Some(i(0)));
    assert_eq!(aggregate(w, &o(&[3, 2]), &is(&[-3, 5]), 0).await, Some(i(0)));
    assert_eq!(aggregate(w, &o(&[2, 1]), &is(&[7, -30]), 0).await, Some(i(-5)));
    // Weight 0 is ignored: the -1000 of a weightless oracle does not count.
    assert_eq!(aggregate(w, &o(&[0, 3, 1]), &is(&[-1_000, 10, 20]), 1).await, Some(i(12)));
    // All weights 0: every answer counts once. (-1000 + 10 + 20) / 3 = -323.3 -> -323.
    assert_eq!(aggregate(w, &o(&[0, 0, 0]), &is(&[-1_000, 10, 20]), 1).await, Some(i(-323)));
    // Weights above MAX_WEIGHT count as MAX_WEIGHT: 2^122 vs 2^159 weigh the same.
    let heavy = [oracle_of_weight(max_weight()), oracle_of_weight(U256::from(1) << 159)];
    assert_eq!(aggregate(w, &heavy, &is(&[-7, 8]), 0).await, Some(i(0)), "0.5 -> 0");
    assert_eq!(aggregate(w, &heavy, &is(&[-9, 8]), 0).await, Some(i(0)), "-0.5 -> 0");
    // Extremes with the largest weights: exact.
    let big_w = [U256::MAX >> 96, U256::from(3), max_weight() - U256::from(1)];
    let oracles: Vec<Address> = big_w.iter().map(|x| oracle_of_weight(*x)).collect();
    for answers in [
        vec![I256::MIN, I256::MAX, I256::MIN],
        vec![I256::MAX, I256::MIN, I256::MAX],
        vec![I256::MAX; 3],
        vec![I256::MIN; 3],
    ] {
        assert_eq!(aggregate(w, &oracles, &answers, 1).await, ref_weighted(&big_w, &answers, 1), "{answers:?}");
    }
    // The oracles must be parallel to the answers.
    let r = w.aggregate(o(&[1, 2]), is(&[1, 2, 3]), U256::ZERO).call().await.expect_err("length mismatch");
    match r.as_decoded_interface_error::<WeightedMeanAggregator::WeightedMeanAggregatorErrors>() {
        Some(WeightedMeanAggregator::WeightedMeanAggregatorErrors::LengthMismatch(e)) => {
            assert_eq!((e.oracles, e.answers), (U256::from(2), U256::from(3)))
        }
        other => panic!("not LengthMismatch: {other:?}"),
    }

    // A source that reverts gives weight 0 to everyone, hence equal weights: no revert.
    let broken = reverting_weights(&c).await;
    let wb = WeightedMeanAggregator::deploy(c.p.clone(), broken, U256::ZERO).await.expect("deploy");
    let r = wb.aggregate(o(&[1, 5, 9]), is(&[-1_000, 10, 20]), U256::from(1)).call().await.expect("no revert");
    assert!(r.complete);
    assert_eq!(r.answer, i(-323));
}

#[tokio::test]
async fn extreme_answers_never_revert_and_are_exact() {
    let c = chain();
    let a = deploy_all(&c, 10_000).await;
    // 31 answers alternating between the extremes (16 min, 15 max), f = 10, with weights up to
    // 2^160 - 1 (capped by the aggregator).
    let answers: Vec<I256> = (0..31).map(|k| if k % 2 == 0 { I256::MIN } else { I256::MAX }).collect();
    let weights: Vec<U256> = (0..31u32).map(|k| (U256::MAX >> 96) - U256::from(k)).collect();
    let oracles: Vec<Address> = weights.iter().map(|w| oracle_of_weight(*w)).collect();
    let f = 10;
    assert_eq!(aggregate(&a.mode, &oracles, &answers, f).await, Some(I256::MIN), "11th min at index 20");
    assert_eq!(aggregate(&a.median, &oracles, &answers, f).await, Some(I256::MIN), "16 of 31 are min");
    let trimmed = aggregate(&a.trimmed, &oracles, &answers, f).await;
    assert_eq!(trimmed, ref_trimmed(&answers, f));
    // 6 min and 5 max kept: (6 min + 5 max) / 11 = (-2^255 - 5) / 11, toward zero.
    assert_eq!(trimmed, Some(from_big(&((-(BigInt::from(1) << 255u32) - 5) / 11))));
    let weighted = aggregate(&a.weighted, &oracles, &answers, f).await;
    assert_eq!(weighted, ref_weighted(&weights, &answers, f));
    // Every weight is capped to 2^122: the plain mean (16 min + 15 max) / 31, toward zero.
    assert_eq!(weighted, Some(from_big(&((-(BigInt::from(1) << 255u32) - 15) / 31))));
    // Even count of extremes for the median: 15 min and 15 max.
    let even = &answers[1..];
    assert_eq!(aggregate(&a.median, &oracles[1..], even, f).await, Some(i(-1)), "floor(-1/2)");
    for agg_ in [&a.median, &a.trimmed, &a.weighted] {
        assert!(accepted(agg_, I256::MIN, I256::MIN).await);
        assert!(accepted(agg_, i(0), I256::MIN).await, "100 % of |min|");
        assert!(!accepted(agg_, I256::MAX, I256::MIN).await);
    }
}

// ------------------------------------------------------------------ tolerance

#[tokio::test]
async fn is_accepted_holds_exactly_up_to_the_tolerance() {
    let c = chain();
    // 1 % on the three numeric rules (they share the rule).
    let a = deploy_all(&c, 100).await;
    for agg_ in [&a.median, &a.trimmed, &a.weighted] {
        for (answer, final_answer, expected) in [
            (10_100, 10_000, true),
            (10_101, 10_000, false),
            (9_900, 10_000, true),
            (9_899, 10_000, false),
            (-10_100, -10_000, true),
            (-10_101, -10_000, false),
            (-9_900, -10_000, true),
            (-9_899, -10_000, false),
            // 1 % of 12_345 is 123.45: 123 is within, 124 is not.
            (12_468, 12_345, true),
            (12_469, 12_345, false),
            (12_222, 12_345, true),
            (12_221, 12_345, false),
            // Sign matters: 1 % of 100 does not reach -100.
            (-100, 100, false),
            // A final answer of 0 accepts only 0.
            (0, 0, true),
            (1, 0, false),
            (-1, 0, false),
            // Small finals: 1 % of 99 is 0.99, so only 99 itself.
            (99, 99, true),
            (100, 99, false),
            (100, 100, true),
            (101, 100, true),
            (102, 100, false),
        ] {
            assert_eq!(accepted(agg_, i(answer), i(final_answer)).await, expected, "{answer} vs {final_answer}");
            assert_eq!(expected, ref_accepted(i(answer), i(final_answer), 100));
        }
    }

    // Extremes, 1 bps: allowed = floor(|final| / 10_000).
    let m = &a.median;
    let m1 = MedianAggregator::deploy(c.p.clone(), U256::from(1)).await.expect("1 bps");
    let m1 = IAggregator::new(*m1.address(), c.p.clone());
    let allowed_min = I256::from_raw((U256::from(1) << 255) / U256::from(10_000));
    assert!(accepted(&m1, I256::MIN + allowed_min, I256::MIN).await);
    assert!(!accepted(&m1, I256::MIN + allowed_min + i(1), I256::MIN).await);
    let allowed_max = I256::from_raw(I256::MAX.into_raw() / U256::from(10_000));
    assert!(accepted(&m1, I256::MAX - allowed_max, I256::MAX).await);
    assert!(!accepted(&m1, I256::MAX - allowed_max - i(1), I256::MAX).await);
    // Differences of 2^256 - 1 do not overflow.
    assert!(!accepted(m, I256::MAX, I256::MIN).await);
    assert!(!accepted(m, I256::MIN, I256::MAX).await);
    assert!(!accepted(m, I256::MIN, i(0)).await);

    // 100 %: everything from 0 to twice the final answer.
    let full = MedianAggregator::deploy(c.p.clone(), U256::from(10_000)).await.expect("100 %");
    let full = IAggregator::new(*full.address(), c.p.clone());
    for (answer, final_answer, expected) in
        [(0, 5, true), (10, 5, true), (-1, 5, false), (11, 5, false), (-10, -5, true)]
    {
        assert_eq!(accepted(&full, i(answer), i(final_answer)).await, expected, "{answer} vs {final_answer}");
    }
    assert!(accepted(&full, i(0), I256::MIN).await, "|0 - min| = 2^255 = 100 % of |min|");
    assert!(!accepted(&full, i(1), I256::MIN).await);
    assert!(accepted(&full, i(0), I256::MAX).await);
    assert!(accepted(&full, I256::MAX, I256::MAX).await);
    assert!(!accepted(&full, I256::MIN, I256::MAX).await, "2^256 - 1 > max");

    // 0 bps: only the final answer itself.
    let zero = deploy_all(&c, 0).await;
    assert!(accepted(&zero.median, i(-3), i(-3)).await);
    assert!(!accepted(&zero.median, i(-3), i(-4)).await);
    assert!(!accepted(&zero.trimmed, I256::MAX - i(1), I256::MAX).await);
}

// ------------------------------------------------------------------ LinkPool stake as weight

#[tokio::test]
async fn link_pool_stake_weights_weigh_each_node_by_its_stake() {
    const LINK: u128 = 1_000_000_000_000_000_000;
    let c = chain();
    let admin = c.from;
    let link = stack::deploy_link(&c.p, admin, stack::Flavor::Linkpool).await.expect("LINK");
    let pool = linkpool_pool::deploy::deploy(&c.p, link, admin, 60, Address::ZERO).await.expect("pool");
    let lp = LinkPool::new(pool.link_pool, c.p.clone());
    let token = LinkToken::new(link, c.p.clone());
    let nodes = [c.accounts[1], c.accounts[2], c.accounts[3]];
    let (staker, stranger) = (c.accounts[4], c.accounts[5]);
    for n in nodes {
        stack::send(&c.p, lp.createNode().into_transaction_request().with_from(n)).await.expect("createNode");
    }
    let stake = |node: Address, amount: u128| {
        let (p, token) = (c.p.clone(), token.clone());
        async move {
            let fund = token.transfer(staker, U256::from(amount)).into_transaction_request().with_from(admin);
            stack::send(&p, fund).await.expect("fund");
            let tx = token
                .transferAndCall(pool.node_staking, U256::from(amount), node.abi_encode().into())
                .into_transaction_request()
                .with_from(staker);
            stack::send(&p, tx).await.expect("stake");
        }
    };
    stake(nodes[0], 1_000 * LINK).await;
    stake(nodes[1], 3_000 * LINK + 1).await;
    // nodes[2] has no stake.

    // The weight source holds the pool's storage and finds LinkPool in its registry.
    let weights = LinkPoolStakeWeights::deploy(c.p.clone(), pool.pool_storage).await.expect("weights");
    assert_eq!(weights.poolStorage().call().await.unwrap(), pool.pool_storage);
    assert_eq!(weights.linkPool().call().await.unwrap(), pool.link_pool);
    let weight = |who: Address| {
        let weights = weights.clone();
        async move { weights.weightOf(who).call().await.expect("weightOf never reverts") }
    };
    let total_stake = |who: Address| {
        let lp = lp.clone();
        async move { lp.nodeInfo(who).call().await.expect("nodeInfo").totalStake }
    };
    for n in nodes {
        assert_eq!(weight(n).await, total_stake(n).await, "{n}");
    }
    assert_eq!(weight(nodes[0]).await, U256::from(1_000 * LINK));
    assert_eq!(weight(nodes[1]).await, U256::from(3_000 * LINK + 1));
    assert_eq!(weight(nodes[2]).await, U256::ZERO, "a node without stake");
    assert_eq!(weight(stranger).await, U256::ZERO, "not a node: 0, no UnknownNode revert");
    assert_eq!(weight(Address::ZERO).await, U256::ZERO);
    // nodeInfo itself reverts for the stranger; totalStakeOf answers 0.
    assert!(lp.nodeInfo(stranger).call().await.is_err());

    let agg_ = WeightedMeanAggregator::deploy(c.p.clone(), *weights.address(), U256::from(50)).await.expect("agg");
    assert_eq!(agg_.weightSource().call().await.unwrap(), *weights.address());
    let agg_ = IAggregator::new(*agg_.address(), c.p.clone());
    let oracles = [nodes[0], nodes[1], nodes[2], stranger];
    let answers = is(&[-1_000, 2_000, 1_000_000, -1_000_000]);
    // Only the staked nodes count: (1000 L * -1000 + (3000 L + 1) * 2000) / (4000 L + 1).
    let ws = [U256::from(1_000 * LINK), U256::from(3_000 * LINK + 1), U256::ZERO, U256::ZERO];
    let expected = ref_weighted(&ws, &answers, 1).unwrap();
    assert_eq!(expected, i(1_250)); // 1250 + 750 / (4000 L + 1), rounded toward zero
    assert_eq!(aggregate(&agg_, &oracles, &answers, 1).await, Some(expected));
    assert_eq!(aggregate(&agg_, &oracles[..2], &answers[..2], 1).await, None, "2 < 2f + 1");

    // More stake behind nodes[0] moves the answer toward its answer: with equal stakes (3000 L + 1
    // each) the answer is the plain mean, rounded toward zero: 1001 / 2 -> 500, -1001 / 2 -> -500.
    stake(nodes[0], 2_000 * LINK + 1).await;
    assert_eq!(weight(nodes[0]).await, U256::from(3_000 * LINK + 1));
    let answers = is(&[-1_000, 2_001, 1_000_000, -1_000_000]);
    assert_eq!(aggregate(&agg_, &oracles, &answers, 1).await, Some(i(500)));
    let neg = is(&[1_000, -2_001, 7, 7]);
    assert_eq!(aggregate(&agg_, &oracles, &neg, 1).await, Some(i(-500)));
    let tx = agg_.aggregate(oracles.to_vec(), answers.clone(), U256::from(1)).into_transaction_request();
    let gas = c.p.estimate_gas(tx).await.expect("estimate");
    println!("weighted-mean over LinkPool stakes, 4 answers (3 nodes, 1 stranger): {gas} gas");
    assert!(gas < 120_000, "{gas}");
    // Nothing staked behind the answering oracles: all count equally.
    let unstaked = [nodes[2], stranger, c.accounts[6]];
    assert_eq!(aggregate(&agg_, &unstaked, &is(&[-1, -2, -4]), 1).await, Some(i(-2)), "-7/3 -> -2");

    // The weight follows the node's total stake: a withdrawal lowers it...
    let node_logic = Node::new(pool.node, c.p.clone());
    let withdraw = node_logic.withdraw(nodes[1], U256::from(500 * LINK)).into_transaction_request();
    stack::send(&c.p, withdraw.with_from(staker)).await.expect("withdraw");
    assert_eq!(weight(nodes[1]).await, U256::from(2_500 * LINK + 1));
    assert_eq!(weight(nodes[1]).await, total_stake(nodes[1]).await);
    // ...a penalty deposit out does not (it is still stake)...
    let registry = PoolStorage::new(pool.pool_storage, c.p.clone());
    let vault = *PenaltyVault::deploy(c.p.clone(), link).await.expect("vault").address();
    stack::send(&c.p, registry.proposeWhitelist(vault).into_transaction_request().with_from(admin))
        .await
        .expect("propose");
    increase_time(&c, 60).await;
    stack::send(&c.p, registry.executeWhitelist(vault).into_transaction_request().with_from(admin))
        .await
        .expect("execute");
    let deposit = node_logic.depositPenalty(nodes[1], vault, U256::from(700 * LINK), Default::default());
    stack::send(&c.p, deposit.into_transaction_request().with_from(nodes[1])).await.expect("deposit");
    assert_eq!(weight(nodes[1]).await, U256::from(2_500 * LINK + 1));
    // ...and a forfeit lowers it.
    let v = PenaltyVault::new(vault, c.p.clone());
    let forfeit = v.forfeit(pool.node, nodes[1], U256::from(700 * LINK)).into_transaction_request();
    stack::send(&c.p, forfeit.with_from(stranger)).await.expect("forfeit");
    assert_eq!(weight(nodes[1]).await, U256::from(1_800 * LINK + 1));
    assert_eq!(weight(nodes[1]).await, total_stake(nodes[1]).await);
    // ((3000 L + 1) * -1000 + (1800 L + 1) * 2001) / (4800 L + 2) = 125.37..., toward zero: 125.
    let w2 = [U256::from(3_000 * LINK + 1), U256::from(1_800 * LINK + 1), U256::ZERO, U256::ZERO];
    let expected = ref_weighted(&w2, &answers, 1).unwrap();
    assert_eq!(expected, i(125));
    assert_eq!(aggregate(&agg_, &oracles, &answers, 1).await, Some(expected));

    // A LinkPool upgrade through the registry needs no new weight source.
    let new_lp = *LinkPool::deploy(c.p.clone(), pool.pool_storage).await.expect("new LinkPool").address();
    let name = alloy::primitives::keccak256("LinkPool");
    stack::send(&c.p, registry.proposeContract(name, new_lp).into_transaction_request().with_from(admin))
        .await
        .expect("propose LinkPool");
    increase_time(&c, 60).await;
    stack::send(&c.p, registry.executeContract(name).into_transaction_request().with_from(admin))
        .await
        .expect("execute LinkPool");
    assert_eq!(weights.linkPool().call().await.unwrap(), new_lp);
    for n in nodes {
        assert_eq!(weight(n).await, total_stake(n).await, "{n} after the upgrade");
    }
    assert_eq!(weight(nodes[1]).await, U256::from(1_800 * LINK + 1));
    assert_eq!(aggregate(&agg_, &oracles, &answers, 1).await, Some(expected));

    // A pool storage without a LinkPool registered: weightOf reverts LinkPoolNotRegistered, which
    // the aggregator counts as weight 0 (all answers then count equally).
    let bare = *PoolStorage::deploy(c.p.clone(), link, Address::ZERO, admin, U256::from(60))
        .await
        .expect("bare pool storage")
        .address();
    let orphan = LinkPoolStakeWeights::deploy(c.p.clone(), bare).await.expect("orphan weights");
    let e = orphan.weightOf(nodes[0]).call().await.expect_err("no LinkPool");
    match e.as_decoded_interface_error::<LinkPoolStakeWeights::LinkPoolStakeWeightsErrors>() {
        Some(LinkPoolStakeWeights::LinkPoolStakeWeightsErrors::LinkPoolNotRegistered(x)) => {
            assert_eq!(x.poolStorage, bare)
        }
        other => panic!("not LinkPoolNotRegistered: {other:?}"),
    }
    let orphan_agg = WeightedMeanAggregator::deploy(c.p.clone(), *orphan.address(), U256::from(50)).await.expect("agg");
    let orphan_agg = IAggregator::new(*orphan_agg.address(), c.p.clone());
    assert_eq!(aggregate(&orphan_agg, &unstaked, &is(&[-1, -2, -4]), 1).await, Some(i(-2)));

    // The constructor takes only a pool's storage: not an account, not LinkPool, not a node's
    // storage, not a contract without `POOL()`.
    let node_storage = lp.storageOf(nodes[0]).call().await.unwrap();
    let e = LinkPoolStakeWeights::deploy(c.p.clone(), stranger).await.expect_err("EOA pool");
    match e.as_decoded_interface_error::<LinkPoolStakeWeights::LinkPoolStakeWeightsErrors>() {
        Some(LinkPoolStakeWeights::LinkPoolStakeWeightsErrors::NotAContract(n)) => assert_eq!(n.account, stranger),
        other => panic!("not NotAContract: {other:?}"),
    }
    for wrong in [pool.link_pool, node_storage, link] {
        let e = LinkPoolStakeWeights::deploy(c.p.clone(), wrong).await.expect_err("not a pool storage");
        match e.as_decoded_interface_error::<LinkPoolStakeWeights::LinkPoolStakeWeightsErrors>() {
            Some(LinkPoolStakeWeights::LinkPoolStakeWeightsErrors::NotPoolStorage(n)) => assert_eq!(n.account, wrong),
            other => panic!("{wrong}: not NotPoolStorage: {other:?}"),
        }
    }
}

async fn increase_time(c: &Chain, seconds: u64) {
    let _: serde_json::Value = c.p.raw_request("evm_increaseTime".into(), (seconds,)).await.expect("evm_increaseTime");
    let _: serde_json::Value = c.p.raw_request("evm_mine".into(), ()).await.expect("evm_mine");
}

// ------------------------------------------------------------------ gas

#[tokio::test]
async fn aggregate_gas_with_31_answers_stays_modest() {
    let c = chain();
    let a = deploy_all(&c, 100).await;
    // Worst cases for the sort (descending input) and the mode (no repeated value).
    let answers: Vec<I256> = (0..31).map(|k| i(1_000_000_000 - 12_345 * k)).collect();
    let oracles: Vec<Address> = (0..31u64).map(|k| oracle_of_weight(U256::from(k * 1_000 + 1))).collect();
    // The same calldata without a quorum (f = 16) returns at once: the call's fixed cost.
    let tx = a.median.aggregate(oracles.clone(), answers.clone(), U256::from(16)).into_transaction_request();
    let base = c.p.estimate_gas(tx).await.expect("estimate");
    let mut figures = vec![format!("no quorum: {base}")];
    for (name, agg_, bound) in [
        ("mode", &a.mode, 120_000u64),
        ("median", &a.median, 120_000),
        ("trimmed-mean", &a.trimmed, 120_000),
        ("weighted-mean", &a.weighted, 200_000),
    ] {
        let tx = agg_.aggregate(oracles.clone(), answers.clone(), U256::from(10)).into_transaction_request();
        let gas = c.p.estimate_gas(tx).await.expect("estimate");
        figures.push(format!("{name}: {gas}"));
        assert!(gas < bound, "{name} uses {gas} gas (bound {bound})");
    }
    println!("aggregate gas with 31 answers (f = 10, including the 21k base): {}", figures.join(", "));
}

/// The weighted mean over 31 LinkPool nodes, each weighed by `LinkPoolStakeWeights`: one
/// `weightOf` alone, and what the weight source adds per oracle to a 31-answer aggregate
/// (compared with the same aggregate over a source that reads no storage).
///
/// Through `nodeInfo` (13 storage reads and a LINK balance per oracle) this was 79.6k gas for one
/// `weightOf`, 51k per oracle and 1.67M for the 31-node aggregate. `totalStakeOf` reads the node's
/// storage address and one uint; looking `LinkPool` up in the registry at each call (so a LinkPool
/// upgrade needs no new weight source) adds about 3k to a lone call (two cold accesses) and about
/// 1.2k per oracle in an aggregate (warm). A lone call cannot go below about 14k above the base:
/// three cold contracts (registry, LinkPool, node storage) and three cold slots.
#[tokio::test]
async fn link_pool_stake_weights_gas_with_31_pool_nodes() {
    const LINK: u128 = 1_000_000_000_000_000_000;
    let c = chain_with_accounts(34);
    let admin = c.from;
    let link = stack::deploy_link(&c.p, admin, stack::Flavor::Linkpool).await.expect("LINK");
    let pool = linkpool_pool::deploy::deploy(&c.p, link, admin, 60, Address::ZERO).await.expect("pool");
    let lp = LinkPool::new(pool.link_pool, c.p.clone());
    let token = LinkToken::new(link, c.p.clone());
    let nodes: Vec<Address> = c.accounts[1..32].to_vec();
    let staker = c.accounts[32];
    // Node k has (k + 1) * 10 LINK + k juels behind it.
    let stakes: Vec<U256> = (0..31u128).map(|k| U256::from((k + 1) * 10 * LINK + k)).collect();
    let total: U256 = stakes.iter().sum();
    stack::send(&c.p, token.transfer(staker, total).into_transaction_request().with_from(admin)).await.expect("fund");
    for (n, amount) in nodes.iter().zip(&stakes) {
        stack::send(&c.p, lp.createNode().into_transaction_request().with_from(*n)).await.expect("createNode");
        let tx = token.transferAndCall(pool.node_staking, *amount, n.abi_encode().into()).into_transaction_request();
        stack::send(&c.p, tx.with_from(staker)).await.expect("stake");
    }
    let weights = LinkPoolStakeWeights::deploy(c.p.clone(), pool.pool_storage).await.expect("weights");
    for (n, amount) in nodes.iter().zip(&stakes) {
        assert_eq!(weights.weightOf(*n).call().await.unwrap(), *amount);
    }

    // One weightOf in a transaction of its own (every account and slot it touches is cold).
    let tx = weights.weightOf(nodes[0]).into_transaction_request();
    let one = c.p.estimate_gas(tx).await.expect("estimate weightOf");
    let tx = weights.weightOf(staker).into_transaction_request();
    let not_node = c.p.estimate_gas(tx).await.expect("estimate weightOf (not a node)");
    println!(
        "LinkPoolStakeWeights.weightOf: {one} gas for a pool node, {not_node} for an address that is not a \
         node (including the 21k base)"
    );
    assert!(one - 21_000 < 20_000, "weightOf of a pool node: {one} gas");
    assert!(not_node < one, "a non-node stops after the storage lookup: {not_node} vs {one}");

    let agg_ = WeightedMeanAggregator::deploy(c.p.clone(), *weights.address(), U256::from(100)).await.expect("agg");
    let agg_ = IAggregator::new(*agg_.address(), c.p.clone());
    let cheap = deploy_all(&c, 100).await.weighted;
    let answers: Vec<I256> = (0..31).map(|k| i(1_000_000_000 - 12_345 * k)).collect();
    let tx = agg_.aggregate(nodes.clone(), answers.clone(), U256::from(10)).into_transaction_request();
    let staked = c.p.estimate_gas(tx).await.expect("estimate");
    let tx = cheap.aggregate(nodes.clone(), answers.clone(), U256::from(10)).into_transaction_request();
    let plain = c.p.estimate_gas(tx).await.expect("estimate");
    let per_oracle = (staked - plain) / 31;
    println!(
        "weighted mean over 31 LinkPool nodes: {staked} gas ({plain} with a storage-free weight source: \
         {per_oracle} gas per oracle for the stake lookup)"
    );
    assert!(per_oracle < 13_000, "{per_oracle} gas per oracle");
    assert!(staked < 500_000, "{staked} gas");
    // The answer is the stake-weighted mean (not the plain mean).
    let expected = ref_weighted(&stakes, &answers, 10).unwrap();
    assert_ne!(Some(expected), ref_trimmed(&answers, 0));
    assert_eq!(aggregate(&agg_, &nodes, &answers, 10).await, Some(expected));
}

// ------------------------------------------------------------------ property test

/// An answer: mostly small (so that values repeat, for the mode), sometimes anywhere in int256,
/// sometimes next to its extremes.
fn answer() -> impl Strategy<Value = I256> {
    prop_oneof![
        3 => (-3i64..=3).prop_map(|x| i(x.into())),
        2 => any::<i64>().prop_map(|x| i(x.into())),
        2 => any::<[u8; 32]>().prop_map(|b| I256::from_raw(U256::from_be_bytes(b))),
        1 => (0u8..3).prop_map(|k| I256::MIN + i(k.into())),
        1 => (0u8..3).prop_map(|k| I256::MAX - i(k.into())),
    ]
}

/// A weight below 2^160 (it is the oracle's address): often 0, small, up to a stake in juels,
/// or beyond the aggregator's cap.
fn weight() -> impl Strategy<Value = U256> {
    prop_oneof![
        2 => Just(U256::ZERO),
        3 => (1u64..1_000).prop_map(U256::from),
        2 => any::<u128>().prop_map(U256::from),
        1 => any::<[u8; 20]>().prop_map(|b| U256::from_be_slice(&b)),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    answers: Vec<I256>,
    weights: Vec<U256>,
    f: u64,
    /// Which answer `isAccepted` is asked about, and a nudge around the tolerance boundary.
    probe: usize,
    nudge: i8,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=31)
        .prop_flat_map(|n| {
            (
                proptest::collection::vec(answer(), n),
                proptest::collection::vec(weight(), n),
                // Mostly valid fault bounds (2f + 1 <= n), sometimes too large (incomplete).
                prop_oneof![4 => 0..=((n as u64 - 1) / 2), 1 => 0u64..=16],
                0..n,
                -2i8..=2,
            )
        })
        .prop_map(|(answers, weights, f, probe, nudge)| Case { answers, weights, f, probe, nudge })
}

async fn check(a: &Aggregators, case: &Case) -> Result<(), TestCaseError> {
    let Case { answers, weights, f, probe, nudge } = case;
    let f = *f;
    let oracles: Vec<Address> = weights.iter().map(|w| oracle_of_weight(*w)).collect();
    let mode = aggregate(&a.mode, &oracles, answers, f).await;
    prop_assert_eq!(mode, ref_mode(answers, f), "mode");
    let median = aggregate(&a.median, &oracles, answers, f).await;
    prop_assert_eq!(median, ref_median(answers, f), "median");
    let trimmed = aggregate(&a.trimmed, &oracles, answers, f).await;
    prop_assert_eq!(trimmed, ref_trimmed(answers, f), "trimmed mean");
    let weighted = aggregate(&a.weighted, &oracles, answers, f).await;
    prop_assert_eq!(weighted, ref_weighted(weights, answers, f), "weighted mean");

    // isAccepted of one revealed answer against the median, and of a value `nudge` away from
    // the tolerance boundary (clamped to int256).
    if let Some(final_answer) = median {
        let tol = a.tolerance_bps;
        let got = accepted(&a.median, answers[*probe], final_answer).await;
        prop_assert_eq!(got, ref_accepted(answers[*probe], final_answer, tol), "isAccepted of a revealed answer");
        let allowed = big(final_answer).abs() * tol / 10_000;
        for side in [1, -1] {
            let edge: BigInt = big(final_answer) + BigInt::from(side) * (&allowed + BigInt::from(*nudge));
            let edge = edge.clamp(big(I256::MIN), big(I256::MAX));
            let edge = from_big(&edge);
            let got = accepted(&a.median, edge, final_answer).await;
            prop_assert_eq!(got, ref_accepted(edge, final_answer, tol), "isAccepted at the boundary {}", edge);
            let got = accepted(&a.trimmed, edge, final_answer).await;
            prop_assert_eq!(got, ref_accepted(edge, final_answer, tol), "trimmed isAccepted at {}", edge);
        }
    }
    let got = accepted(&a.mode, answers[*probe], answers[0]).await;
    prop_assert_eq!(got, answers[*probe] == answers[0], "mode isAccepted");
    Ok(())
}

#[test]
fn aggregators_match_exact_reference_computations() {
    const CASES: u32 = 64;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // One chain for the whole run; the aggregators are views, so cases do not interfere. A
    // tolerance that is not a round number exercises the rounding of the tolerance bound.
    let c = chain();
    let a = runtime.block_on(deploy_all(&c, 137));
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: CASES,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let complete = std::sync::atomic::AtomicU32::new(0);
    runner
        .run(&case(), |case| {
            if quorum(case.answers.len(), case.f) {
                complete.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            runtime.block_on(check(&a, &case))
        })
        .unwrap();
    let complete = complete.into_inner();
    println!("{CASES} cases, {complete} with a quorum");
    assert!(complete >= CASES / 2, "most cases must reach the quorum ({complete})");
}
