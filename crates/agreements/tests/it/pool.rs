//! Bids backed by LinkPool stake (issue 6 × issue 5): a pool node deposits its penalty from its
//! pool storage through the pool's whitelist; refunds and releases go back to the node's storage
//! through the `Node` contract, and a forfeit comes off the node's stake.

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, U256},
    sol_types::SolValue,
};
use linkpool_agreements::{client::bid_data, BidState};
use linkpool_bindings::{link_pool::LinkPool, node::Node, stack, PoolStorage};

use crate::common::{revert_name, Answer, Net, LINK};

const STAKE: u128 = 100 * LINK;

#[tokio::test(flavor = "multi_thread")]
async fn pool_nodes_bid_with_stake_and_forfeit_from_it() {
    let pool_slot = std::sync::Arc::new(std::sync::Mutex::new(None));
    let slot = pool_slot.clone();
    let net = Net::with_pool(5, move |(p, link, admin)| async move {
        let c = linkpool_pool::deploy::deploy(&p, link, admin, 60, Address::ZERO).await.expect("pool");
        *slot.lock().unwrap() = Some(c);
        Some(c.pool_storage)
    })
    .await;
    let pc = pool_slot.lock().unwrap().expect("pool deployed");
    let send = |from: Address, tx: alloy::rpc::types::TransactionRequest| {
        let p = net.p.clone();
        async move { stack::send(&p, tx.with_from(from)).await }
    };
    // The pool whitelists OrderMatching (after its delay).
    let registry = PoolStorage::new(pc.pool_storage, net.p.clone());
    send(net.admin, registry.proposeWhitelist(net.c.order_matching).into_transaction_request()).await.unwrap();
    net.advance(61).await;
    send(net.admin, registry.executeWhitelist(net.c.order_matching).into_transaction_request()).await.unwrap();

    let o = net.oracles.clone();
    let pool_nodes = [o[0], o[1], o[3], o[4]];
    let lp = LinkPool::new(pc.link_pool, net.p.clone());
    let node_c = Node::new(pc.node, net.p.clone());
    for n in pool_nodes {
        send(n, lp.createNode().into_transaction_request()).await.expect("createNode");
        let stake = net
            .link()
            .transferAndCall(pc.node_staking, U256::from(STAKE), n.abi_encode().into())
            .into_transaction_request();
        send(net.admin, stake).await.expect("stake");
    }
    let info = |n: Address| {
        let lp = lp.clone();
        async move { lp.nodeInfo(n).call().await.expect("nodeInfo") }
    };

    let mut t = net.terms(4);
    // Node 3's commitment comes after "committed" once: one miss in a row is allowed.
    t.max_misses = 1;
    let sla = net.propose(&t).await;
    // A node cannot bid in another oracle's name with its stake.
    let wrong = node_c.depositPenalty(o[0], net.c.order_matching, U256::from(t.penalty), bid_data(sla, o[2]));
    assert!(send(o[0], wrong.into_transaction_request()).await.is_err());
    assert_eq!(info(o[0]).await.penaltiesAtRisk, U256::ZERO);
    // Bids in order: 0 (pool), 1 (pool), 2 (own LINK), 3 (pool), 4 (pool).
    for (i, who) in o.iter().enumerate() {
        if i == 2 {
            net.om(*who).bid(sla).await.expect("own bid");
        } else {
            net.om(*who).bid_from_pool(pc.node, sla).await.expect("pool bid");
        }
    }
    assert_eq!(info(o[0]).await.penaltiesAtRisk, U256::from(t.penalty));
    let bids = net.om(net.admin).bids(sla).await.unwrap();
    assert_eq!(bids.iter().filter(|b| b.poolBacked).count(), 4);
    net.advance(t.bidding_window + 1).await;
    net.om(net.admin).finalize(sla).await.unwrap();
    // All without history (5000 bps): the first four bids win; node 4's deposit comes home.
    assert_eq!(net.om(net.admin).sla(sla).await.unwrap().selected, vec![o[0], o[1], o[2], o[3]]);
    let n4 = info(o[4]).await;
    assert_eq!((n4.penaltiesAtRisk, n4.totalStake), (U256::ZERO, U256::from(STAKE)));
    assert_eq!(net.balance(n4.nodeStorage).await, U256::from(STAKE));

    // Node 0 lies; 1, 2, 3 agree.
    let s = net.request(sla).await;
    let lie = Answer::new(1);
    let truth: Vec<Answer> = (0..3).map(|_| Answer::new(2)).collect();
    lie.commit(&net, o[0], s).await.unwrap();
    truth[0].commit(&net, o[1], s).await.unwrap();
    truth[1].commit(&net, o[2], s).await.unwrap();
    assert_eq!(revert_name(&truth[2].commit(&net, o[3], s).await.unwrap_err()), "CommitPhaseClosed");
    lie.reveal(&net, o[0], s).await.unwrap();
    truth[0].reveal(&net, o[1], s).await.unwrap();
    truth[1].reveal(&net, o[2], s).await.unwrap();
    let bid0 = net.om(net.admin).bids(sla).await.unwrap().into_iter().find(|b| b.oracle == o[0]).unwrap();
    assert_eq!(BidState::of(bid0.state), BidState::Forfeited);
    let n0 = info(o[0]).await;
    assert_eq!(n0.totalStake, U256::from(STAKE - t.penalty), "the stakers lose the forfeit");
    assert_eq!(n0.penaltiesAtRisk, U256::ZERO);
    assert_eq!(net.balance(n0.nodeStorage).await, U256::from(STAKE - t.penalty));

    // After the service period the others' deposits come home.
    net.advance(t.service_period).await;
    net.om(net.admin).close(sla).await.unwrap();
    for n in [o[1], o[3]] {
        let i = info(n).await;
        assert_eq!((i.penaltiesAtRisk, i.totalStake), (U256::ZERO, U256::from(STAKE)));
        assert_eq!(net.balance(i.nodeStorage).await, U256::from(STAKE));
    }
    assert_eq!(net.balance(net.c.order_matching).await, U256::ZERO);
}
