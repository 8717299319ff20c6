//! DRCoordinator gas (issue 4's acceptance scenario): whole-transaction `gasUsed` of a consumer's
//! `requestData` and of the node's fulfilment that stores one uint256, with a 500k callback gas
//! limit, PERMYRIAD payment of 1 % and PERMYRIAD fee of 10 % (REFERENCE §9's settings for the
//! original). Prints a table (`--nocapture`); gas is deterministic, so the bounds are
//! asserted. Also checks that `FULFILL_GAS_OVERHEAD` and `GAS_AFTER_PAYMENT_CALCULATION` cover the
//! most expensive fulfilment this contract prices.

use alloy::{
    primitives::{aliases::U96, Address, U256},
    sol_types::SolCall,
};
use linkpool_bindings::{
    coordinator::IDRCoordinator as T, stack::sample, DRCConsumerPrice, DRCTestConsumer, TestFeedProxy,
};

use crate::{
    common::{chain, Chain},
    drc_common::*,
};

/// The original DRCoordinator's published figures (Goerli, 500k callback gas limit, one uint256).
const ORIGINAL_REQUEST: u64 = 264_169;
const ORIGINAL_FULFIL: u64 = 112_748;
const ROUNDS: usize = 4;
const CALLBACK_GAS: u32 = 500_000;

#[derive(Clone, Copy, Debug)]
struct Sample {
    request: u64,
    fulfil: u64,
}

/// Which consumer sends the requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Consumer {
    /// `DRCTestConsumer.requestUint256` (this crate's harness).
    Test,
    /// `DRCConsumerPrice.requestPrice` (the example consumer on `DRCoordinatorConsumer`).
    Example,
}

async fn measure(c: &Chain, d: &Drc, consumer: Consumer, sub_id: u64) -> Vec<Sample> {
    let target = match consumer {
        Consumer::Test => d.consumer,
        Consumer::Example => {
            let example = *DRCConsumerPrice::deploy(c.provider.clone(), d.link, d.coordinator).await.unwrap().address();
            d.fund(c, example, CONSUMER_FUNDS).await;
            if sub_id != 0 {
                let drc = d.drc(c);
                c.send(drc.addConsumer(sub_id, example).from(c.stranger).into_transaction_request()).await.unwrap();
            }
            example
        }
    };
    let mut samples = Vec::new();
    for round in 0..ROUNDS {
        let tx = match consumer {
            Consumer::Test => d.request_tx(c, target, CALLBACK_GAS, sub_id, 0),
            Consumer::Example => {
                use alloy::network::TransactionBuilder;
                DRCConsumerPrice::new(target, c.provider.clone())
                    .requestPrice(
                        d.operator,
                        SPEC_ID,
                        sample::URL.into(),
                        sample::PATH.into(),
                        sample::TIMES,
                        CALLBACK_GAS,
                        3,
                        sub_id,
                        U96::ZERO,
                    )
                    .from(c.requester)
                    .into_transaction_request()
                    .with_max_fee_per_gas(MAX_FEE_PER_GAS)
                    .with_max_priority_fee_per_gas(PRIORITY_FEE_PER_GAS)
            }
        };
        let s = d.sent(c.send(tx).await.expect("request"));
        let value = 1_000 + round as u64;
        let r = d.fulfil(c, &s.request, value).await;
        assert!(d.fulfilled(&r).expect("settled").callbackSucceeded);
        let stored = match consumer {
            Consumer::Test => d.consumer_at(c, target).value().call().await.unwrap(),
            Consumer::Example => DRCConsumerPrice::new(target, c.provider.clone()).price().call().await.unwrap(),
        };
        assert_eq!(stored, U256::from(value), "the callback stored the answer");
        samples.push(Sample { request: s.receipt.gas_used, fulfil: r.gas_used });
    }
    samples
}

fn below(ours: u64, original: u64) -> f64 {
    // Display only.
    100.0 * (original as f64 - ours as f64) / original as f64
}

#[tokio::test]
async fn request_and_fulfilment_gas_beat_the_original_by_a_quarter() {
    let c = chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let sub_id = {
        let drc = d.drc(&c);
        c.send(drc.createSubscription().from(c.stranger).into_transaction_request()).await.unwrap();
        c.send(drc.addConsumer(1, d.consumer).from(c.stranger).into_transaction_request()).await.unwrap();
        d.fund_sub(&c, 1, CONSUMER_FUNDS).await;
        1u64
    };
    println!(
        "DRCoordinator gasUsed per transaction, {CALLBACK_GAS} callback gas, one uint256 stored ({ROUNDS} rounds)"
    );
    println!("{:<36} {:>9} {:>9} {:>9} {:>9}", "consumer / payer", "req first", "req", "ful first", "ful");
    let mut steady = Vec::new();
    for (consumer, sub) in
        [(Consumer::Test, 0), (Consumer::Example, 0), (Consumer::Test, sub_id), (Consumer::Example, sub_id)]
    {
        let samples = measure(&c, &d, consumer, sub).await;
        let (first, last) = (samples[0], samples[ROUNDS - 1]);
        // Later rounds differ by a few gas only (zero bytes in ids and amounts).
        for s in &samples[1..] {
            assert!(s.request.abs_diff(last.request) < 300 && s.fulfil.abs_diff(last.fulfil) < 300, "{samples:?}");
        }
        let name = format!("{consumer:?} / {}", if sub == 0 { "balance" } else { "subscription" });
        println!("{name:<36} {:>9} {:>9} {:>9} {:>9}", first.request, last.request, first.fulfil, last.fulfil);
        steady.push((consumer, sub, last));
    }
    for (consumer, sub, s) in &steady {
        println!(
            "{consumer:?}/{}: request {} ({:.1}% below {ORIGINAL_REQUEST}), fulfil {} ({:.1}% below {ORIGINAL_FULFIL})",
            if *sub == 0 { "balance" } else { "subscription" },
            s.request,
            below(s.request, ORIGINAL_REQUEST),
            s.fulfil,
            below(s.fulfil, ORIGINAL_FULFIL)
        );
        // Issue 4: below the original (acceptance); the goal is at least 25 % below, asserted for
        // this crate's consumer (the example consumer belongs to another part of the project).
        assert!(s.request < ORIGINAL_REQUEST && s.fulfil < ORIGINAL_FULFIL, "{s:?}");
        if *consumer == Consumer::Test {
            assert!(s.request * 4 <= ORIGINAL_REQUEST * 3, "request {} is not 25% below {ORIGINAL_REQUEST}", s.request);
            assert!(s.fulfil * 4 <= ORIGINAL_FULFIL * 3, "fulfil {} is not 25% below {ORIGINAL_FULFIL}", s.fulfil);
        }
    }
}

/// The most expensive fulfilment to price: two feeds behind proxies (limits read from their
/// aggregators), a sequencer feed, a split consumer, a subscription, and a callback that burns all
/// of its gas. SPOT's gas beyond the callback must stay within `FULFILL_GAS_OVERHEAD` (so MAX,
/// which adds it, covers SPOT at unchanged prices) and the settlement within
/// `GAS_AFTER_PAYMENT_CALCULATION`.
#[tokio::test]
async fn spot_overheads_are_covered_by_the_constants() {
    let c = traced_chain();
    let d = deploy(&c, Terms::REFERENCE).await;
    let link_usd = deploy_feed(&c, 8, "LINK / USD", 1_500_000_000).await;
    let eth_usd = deploy_feed(&c, 8, "ETH / USD", 300_000_000_000).await;
    let sequencer = deploy_feed(&c, 0, "sequencer", 0).await;
    let proxy = |feed: Address| {
        let c = &c;
        async move { *TestFeedProxy::deploy(c.provider.clone(), feed).await.unwrap().address() }
    };
    let (link_proxy, eth_proxy, sequencer_proxy) =
        (proxy(link_usd).await, proxy(eth_usd).await, proxy(sequencer).await);
    let block = {
        use alloy::providers::Provider;
        c.provider.get_block_number().await.unwrap()
    };
    let t = c.timestamp(block).await;
    d.set_round(&c, sequencer, 0, t - 7_200, t - 7_200).await;
    let worst = T::Config {
        fallbackWeiPerUnitLink: U256::from(1u64),
        stalenessSeconds: STALENESS,
        sequencerGracePeriodSeconds: 3_600,
        linkTknFeed: Address::ZERO,
        linkUsdFeed: link_proxy,
        tknUsdFeed: eth_proxy,
        sequencerUptimeFeed: sequencer_proxy,
    };
    d.set_config(&c, worst).await.unwrap();
    assert!(d.drc(&c).getFeedLimits().call().await.unwrap().hasSecondary);
    let drc = d.drc(&c);
    c.send(drc.createSubscription().from(c.stranger).into_transaction_request()).await.unwrap();
    c.send(drc.addConsumer(1, d.consumer).from(c.stranger).into_transaction_request()).await.unwrap();
    d.fund_sub(&c, 1, CONSUMER_FUNDS).await;

    let mut worst_overhead = 0;
    let mut worst_after = 0;
    // 1M callback gas: the request's CBOR gasLimit (not MIN_FULFILL_TX_GAS) must be enough.
    let gas = 1_000_000u32;
    for (callback, sub) in [(d.other, 1u64), (d.other, 0), (d.consumer, 1), (d.consumer, 0)] {
        let s = d.request_raw(&c, d.consumer, callback, DRCTestConsumer::fulfillBurnCall::SELECTOR, gas, sub).await;
        assert!(tx_gas_limit(&s.request) > MIN_FULFILL_TX_GAS);
        let r = d.fulfil(&c, &s.request, 1).await;
        let event = d.fulfilled(&r).expect("settled with the request's own gas limit");
        assert!(!event.callbackSucceeded);
        let (units, after) = traced_spot_gas(&c, r.transaction_hash).await;
        let overhead = units - u64::from(gas);
        println!(
            "split {} sub {sub}: SPOT gas beyond the callback {overhead}, settlement {after}, tx {} of {}",
            callback != d.consumer,
            r.gas_used,
            tx_gas_limit(&s.request)
        );
        worst_overhead = worst_overhead.max(overhead);
        worst_after = worst_after.max(after);
        assert!(event.refund > U96::ZERO, "MAX covered SPOT");
    }
    println!("worst: overhead {worst_overhead} (FULFILL_GAS_OVERHEAD {FULFILL_GAS_OVERHEAD}), settlement {worst_after} (GAS_AFTER_PAYMENT_CALCULATION {GAS_AFTER_PAYMENT_CALCULATION})");
    assert!(worst_overhead <= FULFILL_GAS_OVERHEAD);
    assert!(worst_after <= GAS_AFTER_PAYMENT_CALCULATION);
}
