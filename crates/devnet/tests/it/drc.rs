//! DRCoordinator on the devnet (issue 4, item 7): a consumer funds a balance and a subscription,
//! requests a price with a chosen callback gas limit, the node fulfils through Operator →
//! coordinator → consumer, and MAX, SPOT, the fee and the refund match the formulas.

use linkpool_devnet::drc::{table, DrcSetup};

use crate::harness::devnet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_fulfils_pay_as_you_go_requests_billed_to_a_balance_and_a_subscription() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let setup = DrcSetup::deploy(&devnet).await.unwrap();
    let by_balance = setup.request(&devnet, 0, 500_000).await.unwrap();
    let by_subscription = setup.request(&devnet, setup.sub_id, 750_000).await.unwrap();
    let outcomes = [by_balance, by_subscription];
    println!("{}", table(&outcomes));
    for o in &outcomes {
        assert!(o.ok, "{}: {:?}", o.billing, o.problems);
        assert_eq!(o.answer, o.expected);
    }
    assert!(
        outcomes[1].max_payment > outcomes[0].max_payment,
        "a larger callback gas limit reserves more: {:?}",
        outcomes.iter().map(|o| o.max_payment).collect::<Vec<_>>()
    );
    devnet.shutdown().await;
}
