//! The staking scenario on the devnet (issue 5 point 8): three nodes, 20 stakers, real request
//! fees, distribution, claims, withdrawals and a forfeited penalty, every invariant checked.

use linkpool_devnet::staking::{table, StakingScenario, STAKERS};

use crate::harness::devnet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_and_twenty_stakers_keep_every_invariant() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = devnet(&dir).await;
    let outcome = StakingScenario::run(&mut d).await.expect("the scenario runs");
    println!("{}", table(&outcome));
    let failed: Vec<_> = outcome.checks.iter().filter(|c| !c.ok).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}");
    assert!(outcome.ok());
    // The scenario did what it says: real fees, 10 claims, 5 withdrawals, one forfeit.
    assert_eq!(outcome.stakers.len(), STAKERS);
    assert!(outcome.requests_fulfilled >= 6 && !outcome.operator_earnings.is_zero());
    assert_eq!(outcome.stakers.iter().filter(|s| !s.claimed.is_zero()).count(), 10);
    assert_eq!(outcome.stakers.iter().filter(|s| !s.withdrawn.is_zero()).count(), 5);
    assert_eq!(outcome.stakers.iter().filter(|s| s.stake.is_zero()).count(), 2, "two withdrew everything");
    assert!(!outcome.nodes[2].info.totalForfeited.is_zero());
    assert!(outcome.nodes.iter().all(|n| !n.info.totalEarnings.is_zero() && !n.info.totalToOwners.is_zero()));
    assert!(outcome.founders.iter().all(|f| !f.claimed.is_zero()));
    // The node still serves requests after its restart.
    let report = d.run_scenarios().await.expect("scenarios");
    assert!(report.all_ok(), "{}", report.table());
    d.shutdown().await;
}
