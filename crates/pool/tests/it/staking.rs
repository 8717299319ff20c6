//! Stakes in (both ways), earnings split 75/25 and pulled by stakers, withdrawals, penalties
//! refunded and forfeited, stake limit and status, on a real anvil.

use alloy::primitives::{Address, U256};
use linkpool_bindings::{Node, NodeStaking, PenaltyVault};

use crate::common::{revert, World, ACTIVE, CLOSED, LINK, PAUSED};

/// floor(a * b / c) in exact integer arithmetic (U256 is wide enough for these amounts).
fn mul_div(a: U256, b: U256, c: U256) -> U256 {
    a * b / c
}

#[tokio::test]
async fn earnings_split_between_owners_and_stakers_in_proportion_to_stakes() {
    let w = World::new().await;
    let node = w.accounts[0];
    let storage = w.create_node(node).await;
    let stakers = [w.accounts[1], w.accounts[2], w.accounts[3]];
    let stakes = [1_000 * LINK, 2_000 * LINK + 1, 3_000 * LINK + 7];
    w.stake_677(node, stakers[0], stakes[0]).await.expect("stake by transferAndCall");
    w.stake_approved(node, stakers[1], stakes[1]).await.expect("stake by approve");
    w.stake_677(node, stakers[2], stakes[2]).await.expect("stake by transferAndCall");
    let info = w.node_info(node).await;
    assert_eq!(info.nodeStorage, storage);
    assert_eq!(info.totalStake, U256::from(stakes.iter().sum::<u128>()));
    assert_eq!(info.stakers, U256::from(3));
    assert_eq!(w.balance(storage).await, info.totalStake, "the LINK is in the node's storage");

    // Earnings arrive (an Operator withdrawal) and anyone distributes them.
    let earnings = 600 * LINK + 123_456_789;
    w.earn(node, earnings).await;
    assert_eq!(w.node_info(node).await.undistributed, U256::from(earnings));
    let owners_before = w.balance(w.owners).await;
    w.send(w.accounts[9], w.node().distribute(node).into_transaction_request()).await.expect("distribute");
    let to_owners = earnings / 4; // default: 0 % operational cost, 25 % makers (rounded down)
    let to_stakers = earnings - to_owners;
    assert_eq!(w.balance(w.owners).await - owners_before, U256::from(to_owners));
    let total = U256::from(stakes.iter().sum::<u128>());
    for (s, stake) in stakers.iter().zip(stakes) {
        let exact_floor = mul_div(U256::from(stake), U256::from(to_stakers), total);
        let got = w.staker_info(node, *s).await.claimable;
        assert!(got <= exact_floor && exact_floor - got <= U256::from(1), "{got} vs {exact_floor}");
    }
    w.assert_node_accounts(node).await;

    // Claims pay exactly what was claimable; a second claim has nothing.
    for s in stakers {
        let claimable = w.staker_info(node, s).await.claimable;
        let before = w.balance(s).await;
        w.send(s, w.node().claim(node).into_transaction_request()).await.expect("claim");
        assert_eq!(w.balance(s).await - before, claimable);
        let e: Node::NodeErrors = revert(w.send(s, w.node().claim(node).into_transaction_request()).await);
        assert!(matches!(e, Node::NodeErrors::NothingToClaim(_)), "{e:?}");
    }
    w.assert_node_accounts(node).await;
    // Nothing new: distributing again does nothing.
    w.send(w.accounts[9], w.node().distribute(node).into_transaction_request()).await.expect("no-op distribute");
    assert_eq!(w.node_info(node).await.totalEarnings, U256::from(earnings));

    // Withdrawals: part, then all; the stake comes back in full.
    let s0 = stakers[0];
    let before = w.balance(s0).await;
    w.send(s0, w.node().withdraw(node, U256::from(400 * LINK)).into_transaction_request())
        .await
        .expect("withdraw part");
    assert_eq!(w.staker_info(node, s0).await.stake, U256::from(600 * LINK));
    let e: Node::NodeErrors =
        revert(w.send(s0, w.node().withdraw(node, U256::from(601 * LINK)).into_transaction_request()).await);
    assert!(matches!(e, Node::NodeErrors::InsufficientStake(_)), "{e:?}");
    w.send(s0, w.node().withdraw(node, U256::MAX).into_transaction_request()).await.expect("withdraw all");
    assert_eq!(w.balance(s0).await - before, U256::from(stakes[0]));
    assert_eq!(w.node_info(node).await.stakers, U256::from(2));
    for s in &stakers[1..] {
        w.send(*s, w.node().withdraw(node, U256::MAX).into_transaction_request()).await.expect("withdraw all");
    }
    let info = w.node_info(node).await;
    assert_eq!((info.totalStake, info.totalShares, info.stakers), (U256::ZERO, U256::ZERO, U256::ZERO));
    w.assert_node_accounts(node).await;
}

#[tokio::test]
async fn fees_are_operational_cost_then_makers_and_no_staker_means_all_to_owners() {
    let w = World::new().await;
    let node = w.accounts[0];
    w.create_node(node).await;
    // No staker yet: the earnings all go to the owners.
    w.earn(node, 10 * LINK).await;
    let owners_before = w.balance(w.owners).await;
    w.send(node, w.node().distribute(node).into_transaction_request()).await.expect("distribute");
    assert_eq!(w.balance(w.owners).await - owners_before, U256::from(10 * LINK));

    // 50 % operational cost, then 20 % makers of the rest: owners 60 %, stakers 40 %.
    w.send(w.admin, w.node().setFees(node, U256::from(5_000), U256::from(2_000)).into_transaction_request())
        .await
        .expect("fees");
    let e: Node::NodeErrors =
        revert(w.send(w.admin, w.node().setFees(node, U256::from(5_001), U256::ZERO).into_transaction_request()).await);
    assert!(matches!(e, Node::NodeErrors::FeeTooHigh(_)), "{e:?}");
    w.stake_677(node, w.accounts[1], 100 * LINK).await.expect("stake");
    let earnings = 1_000 * LINK + 3;
    w.earn(node, earnings).await;
    let owners_before = w.balance(w.owners).await;
    w.send(node, w.node().distribute(node).into_transaction_request()).await.expect("distribute");
    let op = earnings / 2;
    let makers = (earnings - op) / 5;
    assert_eq!(w.balance(w.owners).await - owners_before, U256::from(op + makers));
    assert_eq!(w.staker_info(node, w.accounts[1]).await.claimable, U256::from(earnings - op - makers));
}

#[tokio::test]
async fn stake_limit_status_and_unknown_nodes() {
    let w = World::new().await;
    let node = w.accounts[0];
    w.create_node(node).await;
    let info = w.node_info(node).await;
    assert_eq!(info.stakeLimit, U256::from(20_000 * LINK), "the paper's default limit");
    w.stake_677(node, w.accounts[1], 20_000 * LINK).await.expect("up to the limit");
    let e: Node::NodeErrors = revert(w.stake_677(node, w.accounts[2], 1).await);
    assert!(matches!(e, Node::NodeErrors::StakeLimitExceeded(_)), "{e:?}");
    // A node registers once.
    assert!(w.send(node, w.pool().createNode().into_transaction_request()).await.is_err());
    // Paused: no stakes; withdrawals still work. Closed is final.
    w.send(w.admin, w.node().setStakeLimit(node, U256::from(30_000 * LINK)).into_transaction_request())
        .await
        .expect("limit");
    w.send(w.admin, w.node().setStatus(node, PAUSED).into_transaction_request()).await.expect("pause");
    let e: Node::NodeErrors = revert(w.stake_677(node, w.accounts[2], LINK).await);
    assert!(matches!(e, Node::NodeErrors::NodeNotActive(_)), "{e:?}");
    w.send(w.accounts[1], w.node().withdraw(node, U256::from(LINK)).into_transaction_request())
        .await
        .expect("withdraw while paused");
    w.send(w.admin, w.node().setStatus(node, CLOSED).into_transaction_request()).await.expect("close");
    let e: Node::NodeErrors =
        revert(w.send(w.admin, w.node().setStatus(node, ACTIVE).into_transaction_request()).await);
    assert!(matches!(e, Node::NodeErrors::NodeClosed(_)), "{e:?}");
    // Unknown node; bad transferAndCall data.
    let e: Node::NodeErrors = revert(w.stake_677(w.accounts[5], w.accounts[2], LINK).await);
    assert!(matches!(e, Node::NodeErrors::UnknownNode(_)), "{e:?}");
    w.fund(w.accounts[2], LINK).await;
    let bad = w.send(
        w.accounts[2],
        w.link().transferAndCall(w.c.node_staking, U256::from(LINK), vec![1u8, 2, 3].into()).into_transaction_request(),
    );
    let e: NodeStaking::NodeStakingErrors = revert(bad.await);
    assert!(matches!(e, NodeStaking::NodeStakingErrors::InvalidStakeData(_)), "{e:?}");
}

#[tokio::test]
async fn penalties_are_deposited_refunded_and_forfeits_cut_every_stake_pro_rata() {
    let w = World::new().await;
    let node = w.accounts[0];
    let storage = w.create_node(node).await;
    let (a, b) = (w.accounts[1], w.accounts[2]);
    w.stake_677(node, a, 1_000 * LINK).await.expect("stake a");
    w.stake_677(node, b, 3_000 * LINK).await.expect("stake b");
    let vault = w.whitelisted_vault().await;
    let v = PenaltyVault::new(vault, w.p.clone());

    // Only the node's operator deposits, only to whitelisted contracts, only stake at home.
    let deposit = |amount: u128| {
        w.node().depositPenalty(node, vault, U256::from(amount), Default::default()).into_transaction_request()
    };
    let e: Node::NodeErrors = revert(w.send(a, deposit(LINK)).await);
    assert!(matches!(e, Node::NodeErrors::NotNodeOperator(_)), "{e:?}");
    let e: Node::NodeErrors = revert(w.send(node, deposit(4_001 * LINK)).await);
    assert!(matches!(e, Node::NodeErrors::StakeAtRisk(_)), "{e:?}");
    w.send(node, deposit(2_000 * LINK)).await.expect("deposit");
    assert_eq!(v.received(storage).call().await.unwrap(), U256::from(2_000 * LINK));
    let info = w.node_info(node).await;
    assert_eq!(info.penaltiesAtRisk, U256::from(2_000 * LINK));
    w.assert_node_accounts(node).await;
    // Stake out as a deposit cannot be withdrawn: b (3,000) finds only 2,000 at home.
    let e: Node::NodeErrors = revert(w.send(b, w.node().withdraw(node, U256::MAX).into_transaction_request()).await);
    assert!(matches!(e, Node::NodeErrors::StakeAtRisk(_)), "{e:?}");

    // 1,200 come back: not earnings.
    w.send(w.accounts[9], v.refund(w.c.node, node, U256::from(1_200 * LINK)).into_transaction_request())
        .await
        .expect("refund");
    let info = w.node_info(node).await;
    assert_eq!((info.penaltiesAtRisk, info.undistributed), (U256::from(800 * LINK), U256::ZERO));
    w.assert_node_accounts(node).await;
    // The vault cannot refund or forfeit more than it holds of this node.
    assert!(w
        .send(w.accounts[9], v.forfeit(w.c.node, node, U256::from(801 * LINK)).into_transaction_request())
        .await
        .is_err());
    // Nobody else can forfeit.
    let e: Node::NodeErrors =
        revert(w.send(a, w.node().forfeitPenalty(node, U256::from(LINK)).into_transaction_request()).await);
    assert!(matches!(e, Node::NodeErrors::PenaltyNotHeld(_)), "{e:?}");

    // 800 forfeited: a loses 200, b loses 600.
    w.send(w.accounts[9], v.forfeit(w.c.node, node, U256::from(800 * LINK)).into_transaction_request())
        .await
        .expect("forfeit");
    let info = w.node_info(node).await;
    assert_eq!(
        (info.totalStake, info.penaltiesAtRisk, info.totalForfeited),
        (U256::from(3_200 * LINK), U256::ZERO, U256::from(800 * LINK))
    );
    assert_eq!(w.staker_info(node, a).await.stake, U256::from(800 * LINK));
    assert_eq!(w.staker_info(node, b).await.stake, U256::from(2_400 * LINK));
    w.assert_node_accounts(node).await;
    // Earnings after the forfeit split by the new stakes; new stakes buy cheaper shares.
    w.stake_677(node, w.accounts[3], 800 * LINK).await.expect("stake after forfeit");
    assert_eq!(w.staker_info(node, w.accounts[3]).await.stake, U256::from(800 * LINK));
    for s in [a, b, w.accounts[3]] {
        let before = w.balance(s).await;
        let stake = w.staker_info(node, s).await.stake;
        w.send(s, w.node().withdraw(node, U256::MAX).into_transaction_request()).await.expect("withdraw all");
        assert_eq!(w.balance(s).await - before, stake);
    }
    w.assert_node_accounts(node).await;
}

#[tokio::test]
async fn total_stake_of_follows_node_info_and_is_zero_for_non_nodes() {
    let w = World::new().await;
    let (node, other) = (w.accounts[0], w.accounts[1]);
    let (a, b) = (w.accounts[2], w.accounts[3]);
    let stranger = w.accounts[4];
    let total_stake_of = |who| total_stake_of(&w, who);
    let check = |who| check_total_stake(&w, who);
    // Not a node (yet): 0 where nodeInfo reverts UnknownNode.
    assert_eq!(total_stake_of(node).await, U256::ZERO);
    let e = w.pool().nodeInfo(node).call().await.expect_err("nodeInfo of a non-node");
    let e = e.as_decoded_interface_error::<Node::NodeErrors>();
    assert!(matches!(e, Some(Node::NodeErrors::UnknownNode(_))), "{e:?}");
    w.create_node(node).await;
    w.create_node(other).await;
    assert_eq!(check(node).await, U256::ZERO, "a node without stake");

    w.stake_677(node, a, 1_000 * LINK).await.expect("stake a");
    w.stake_approved(node, b, 2_500 * LINK + 7).await.expect("stake b");
    w.stake_677(other, a, 40 * LINK).await.expect("stake a on other");
    assert_eq!(check(node).await, U256::from(3_500 * LINK + 7));
    assert_eq!(check(other).await, U256::from(40 * LINK), "each node its own stake");
    // Earnings are not stake.
    w.earn(node, 300 * LINK).await;
    w.send(node, w.node().distribute(node).into_transaction_request()).await.expect("distribute");
    assert_eq!(check(node).await, U256::from(3_500 * LINK + 7));

    w.send(a, w.node().withdraw(node, U256::from(400 * LINK)).into_transaction_request()).await.expect("withdraw");
    assert_eq!(check(node).await, U256::from(3_100 * LINK + 7));
    // A deposit out is still stake; a forfeit is not.
    let vault = w.whitelisted_vault().await;
    let deposit =
        w.node().depositPenalty(node, vault, U256::from(600 * LINK), Default::default()).into_transaction_request();
    w.send(node, deposit).await.expect("deposit");
    assert_eq!(check(node).await, U256::from(3_100 * LINK + 7));
    let v = PenaltyVault::new(vault, w.p.clone());
    w.send(stranger, v.forfeit(w.c.node, node, U256::from(250 * LINK)).into_transaction_request())
        .await
        .expect("forfeit");
    assert_eq!(check(node).await, U256::from(2_850 * LINK + 7));
    let before = w.balance(b).await;
    w.send(b, w.node().withdraw(node, U256::MAX).into_transaction_request()).await.expect("b leaves");
    let withdrawn = w.balance(b).await - before;
    assert!(withdrawn > U256::ZERO);
    assert_eq!(check(node).await, U256::from(2_850 * LINK + 7) - withdrawn);
    assert_eq!(check(other).await, U256::from(40 * LINK), "the other node is untouched");

    assert_eq!(total_stake_of(stranger).await, U256::ZERO);
    assert_eq!(total_stake_of(Address::ZERO).await, U256::ZERO);
}

async fn total_stake_of(w: &World, who: Address) -> U256 {
    w.pool().totalStakeOf(who).call().await.expect("totalStakeOf never reverts")
}

/// `totalStakeOf(node)`, checked against `nodeInfo(node).totalStake`.
async fn check_total_stake(w: &World, node: Address) -> U256 {
    let total = total_stake_of(w, node).await;
    assert_eq!(total, w.node_info(node).await.totalStake, "{node}");
    total
}
