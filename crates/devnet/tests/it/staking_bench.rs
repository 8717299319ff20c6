//! `linkpool bench staking` on small nodes (issue 5): distribute and claim cost the same with 3
//! and with 60 stakers, and every measured transaction is a real one.

use linkpool_devnet::staking_bench::{self, StakingBenchOptions, MAX_SPREAD_PCT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distribute_and_claim_gas_does_not_grow_with_the_stakers() {
    // A chunk smaller than the big node exercises several fill rounds (nonces, mining).
    let opts = StakingBenchOptions { stakers: vec![3, 60], concurrency: 8, chunk: 25 };
    let report = staking_bench::run(&opts, |m| eprintln!("… {m}")).await.unwrap();
    println!("{}", report.table());

    assert_eq!(report.nodes.iter().map(|n| n.stakers).collect::<Vec<_>>(), [3, 60]);
    for n in &report.nodes {
        // More than a plain ETH transfer, less than a block: a contract call that moved LINK.
        for (what, gas) in [
            ("stake", n.stake),
            ("stake_top_up", n.stake_top_up),
            ("stake_approved", n.stake_approved),
            ("withdraw", n.withdraw),
            ("distribute_first", n.distribute_first),
            ("distribute", n.distribute),
            ("claim_first", n.claim_first),
            ("claim", n.claim),
        ] {
            assert!((21_000..1_000_000).contains(&gas), "{what} with {} stakers: {gas}", n.stakers);
        }
        // The first of each writes slots that were zero: dearer than the steady state.
        assert!(n.distribute_first > n.distribute, "{n:?}");
        assert!(n.claim_first > n.claim, "{n:?}");
        // A new staker pays for its record; a top-up by a staker with a full record does not.
        assert!(n.stake > n.stake_top_up + 20_000, "{n:?}");
    }
    let (d, c) = (report.spread_pct(|n| n.distribute), report.spread_pct(|n| n.claim));
    assert!(d < MAX_SPREAD_PCT && c < MAX_SPREAD_PCT, "distribute {d:.2}%, claim {c:.2}%");
    assert!(report.o1_holds());
    // Nothing else grows with the stakers either.
    assert!(report.spread_pct(|n| n.stake) < MAX_SPREAD_PCT, "{:?}", report.nodes);
    assert!(report.spread_pct(|n| n.withdraw) < MAX_SPREAD_PCT, "{:?}", report.nodes);
    assert!(report.spread_pct(|n| n.distribute_first) < MAX_SPREAD_PCT, "{:?}", report.nodes);

    let json = report.to_json();
    for key in ["stake", "withdraw"] {
        assert!(json["gas"][key].as_u64().is_some(), "gas.{key} in {json}");
    }
    for key in ["distribute", "claim"] {
        for size in ["3", "60"] {
            assert!(json["gas"][key][size].as_u64().is_some(), "gas.{key}.{size} in {json}");
        }
    }
}

#[tokio::test]
async fn refuses_a_node_too_small_for_the_sequence() {
    let opts = StakingBenchOptions { stakers: vec![1], ..StakingBenchOptions::default() };
    let err = staking_bench::run(&opts, |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("at least 2"), "{err}");
}
