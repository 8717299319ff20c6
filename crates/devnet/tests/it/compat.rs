//! Compatibility with the real Chainlink contracts from `@chainlink/contracts`:
//! consumers built on the real `ChainlinkClient`, and the real `Operator`.

use linkpool_devnet::{Flavor, Flavors};

use crate::harness::devnet_with;

async fn scenarios_pass_with(flavors: Flavors) {
    linkpool_bindings::reference::ensure_built().expect("reference contracts build (npm ci in contracts/)");
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet_with(&dir, |c| c.flavors = flavors).await;
    let report = devnet.run_scenarios().await.expect("scenarios run");
    print!("{}", report.table());
    assert!(report.all_ok(), "{flavors:?}\n{}", report.table());
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_jobs_fulfil_consumers_built_on_the_real_chainlink_client() {
    scenarios_pass_with(Flavors { link: Flavor::Linkpool, operator: Flavor::Linkpool, consumer: Flavor::Chainlink })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_node_fulfils_through_the_real_chainlink_operator() {
    scenarios_pass_with(Flavors { link: Flavor::Linkpool, operator: Flavor::Chainlink, consumer: Flavor::Chainlink })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_chainlink_but_the_node() {
    scenarios_pass_with(Flavors::CHAINLINK).await;
}
