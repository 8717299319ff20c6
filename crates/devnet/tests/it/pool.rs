//! A node with `[pool]` configured (issue 5 point 6): it registers itself as a pool node at
//! start, and its earnings cron job withdraws the Operator's LINK into the node's storage and
//! distributes it; a restart registers nothing twice and keeps one job.

use std::time::{Duration, Instant};

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    sol_types::SolValue,
};
use linkpool_bindings::{stack, LinkPool, LinkToken};
use linkpool_pool::deploy;

use crate::harness::devnet;

const LINK: u128 = 1_000_000_000_000_000_000;

#[tokio::test]
async fn a_pool_node_registers_itself_and_distributes_its_operator_earnings() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = devnet(&dir).await;
    let p = d.provider.clone();
    let accounts = d.anvil.addresses().to_vec();
    let (admin, node, owners) = (accounts[0], accounts[1], accounts[5]);
    let link = d.contracts.link;

    // The node's key owns its Operator (so it can withdraw the Operator's earnings).
    let node_signer = PrivateKeySigner::from(d.anvil.keys()[1].clone());
    let node_provider =
        ProviderBuilder::new().wallet(EthereumWallet::new(node_signer)).connect_http(d.anvil.endpoint_url()).erased();
    let operator = stack::deploy_operator(&node_provider, node, link, stack::Flavor::Linkpool).await.expect("operator");
    let pool = deploy::deploy(&p, link, admin, 60, owners).await.expect("pool");
    let link_pool = LinkPool::new(pool.link_pool, p.clone());
    assert_eq!(link_pool.storageOf(node).call().await.unwrap(), Address::ZERO);

    d.node_config.pool.storage = Some(pool.pool_storage);
    d.node_config.pool.operator = Some(operator);
    d.node_config.pool.earnings_schedule = Some("* * * * * *".into());
    d.restart_node().await.expect("restart with [pool]");

    let node_storage = wait_until(Duration::from_secs(20), || async {
        let s = link_pool.storageOf(node).call().await.unwrap();
        (s != Address::ZERO).then_some(s)
    })
    .await
    .expect("the node registered itself");

    // A staker, then earnings at the Operator (as fulfilled requests would leave them).
    let token = LinkToken::new(link, p.clone());
    let stake = token.transferAndCall(pool.node_staking, U256::from(1_000 * LINK), node.abi_encode().into());
    stack::send(&p, stake.into_transaction_request().with_from(admin)).await.expect("stake");
    stack::send(&p, token.transfer(operator, U256::from(40 * LINK)).into_transaction_request().with_from(admin))
        .await
        .expect("earnings");
    let owners_before = token.balanceOf(owners).call().await.unwrap();

    let info = wait_until(Duration::from_secs(30), || async {
        let i = link_pool.nodeInfo(node).call().await.unwrap();
        (i.totalEarnings >= U256::from(40 * LINK)).then_some(i)
    })
    .await;
    let Some(info) = info else {
        let runs = d.api().get("/v2/runs?limit=3").await.unwrap();
        let jobs = d.api().get("/v2/jobs").await.unwrap();
        eprintln!("jobs: {jobs:#}");
        panic!("the earnings job did not withdraw and distribute: {runs:#}");
    };
    assert_eq!(info.nodeStorage, node_storage);
    assert_eq!(token.balanceOf(operator).call().await.unwrap(), U256::ZERO, "withdrawn to the pool");
    assert_eq!(
        token.balanceOf(owners).call().await.unwrap() - owners_before,
        U256::from(10 * LINK),
        "25 % to the owners"
    );
    assert_eq!(link_pool.stakerInfo(node, admin).call().await.unwrap().claimable, U256::from(30 * LINK));

    // A restart finds the node registered and the job present: nothing twice.
    let jobs_before = d.api().get("/v2/jobs").await.unwrap();
    let nonce_before = p.get_transaction_count(node).await.unwrap();
    d.restart_node().await.expect("restart");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(link_pool.storageOf(node).call().await.unwrap(), node_storage);
    let jobs_after = d.api().get("/v2/jobs").await.unwrap();
    let earnings_jobs = |v: &serde_json::Value| {
        v["jobs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|j| j["name"] == "pool earnings: withdraw and distribute")
            .count()
    };
    assert_eq!((earnings_jobs(&jobs_before), earnings_jobs(&jobs_after)), (1, 1), "{jobs_after}");
    // The job keeps running (withdrawing 0 and distributing nothing), but no createNode again.
    let nonce_after = p.get_transaction_count(node).await.unwrap();
    assert!(nonce_after >= nonce_before);
    d.shutdown().await;
}

async fn wait_until<T, F, Fut>(timeout: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(v) = f().await {
            return Some(v);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}
