//! The oracle-network scenario on the devnet (issue 6 point 7): seven oracles (f = 2), five of
//! them real nodes; one lies, one is offline, one freeloads. The requester still gets the right
//! answer; the liar and the offline oracle forfeit; the freeloader's late commitment is refused
//! and it gets nothing; reputation records all of it.

use linkpool_agreements::BidState;
use linkpool_devnet::network::{table, NetworkScenario, Role};

use crate::harness::devnet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seven_oracles_liar_offline_freeloader() {
    let dir = tempfile::tempdir().unwrap();
    let d = devnet(&dir).await;
    let outcome = NetworkScenario::run(&d).await.expect("the scenario runs");
    println!("{}", table(&outcome));
    let failed: Vec<_> = outcome.checks.iter().filter(|c| !c.ok).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}");
    assert_eq!(outcome.answer, Some(outcome.expected));
    assert_eq!(outcome.rows.iter().filter(|r| r.node).count(), 5, "five real nodes");
    let liar = outcome.rows.iter().find(|r| r.role == Role::Liar).unwrap();
    assert!(liar.revealed.is_some() && liar.revealed != Some(outcome.expected), "the liar revealed a wrong price");
    assert_eq!(liar.bid, BidState::Forfeited);
    // The nodes are stopped; the devnet's own node still serves direct requests.
    let report = d.run_scenarios().await.expect("scenarios");
    assert!(report.all_ok(), "{}", report.table());
    d.shutdown().await;
}
