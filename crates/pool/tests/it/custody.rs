//! Trust-less custody (LinkPool whitepaper §6.1.3, issue 5 point 3): every privileged function and
//! every upgrade path tried without the delay, a malicious replacement logic before and after its
//! delay, and an upgrade of `Node` under live stakes.

use alloy::primitives::{Address, B256, U256};
use linkpool_bindings::{DrainingLogic, Node, PoolStorage};
use linkpool_pool::deploy::{name_key, names};

use crate::common::{revert, World, CLOSED, DELAY, LINK};

async fn staked_world() -> (World, Address, Address, [Address; 2]) {
    let w = World::new().await;
    let node = w.accounts[0];
    let storage = w.create_node(node).await;
    let stakers = [w.accounts[1], w.accounts[2]];
    w.stake_677(node, stakers[0], 1_000 * LINK).await.expect("stake");
    w.stake_approved(node, stakers[1], 2_500 * LINK).await.expect("stake");
    w.earn(node, 100 * LINK).await;
    w.send(node, w.node().distribute(node).into_transaction_request()).await.expect("distribute");
    (w, node, storage, stakers)
}

#[tokio::test]
async fn admin_and_strangers_cannot_write_storage_or_move_link() {
    let (w, node, storage, stakers) = staked_world().await;
    let held = w.balance(storage).await;
    let pool_storage = w.pool_storage();
    let node_storage = PoolStorage::new(storage, w.p.clone());
    let thief = w.accounts[20];
    for who in [w.admin, node, thief, stakers[0]] {
        for s in [&pool_storage, &node_storage] {
            let attempts = [
                s.payStaker(thief, U256::from(LINK)).into_transaction_request(),
                s.payOwners(U256::from(LINK)).into_transaction_request(),
                s.depositPenalty(thief, U256::from(LINK), Default::default()).into_transaction_request(),
                s.setUint(B256::ZERO, U256::from(1)).into_transaction_request(),
                s.setUints(vec![B256::ZERO], vec![U256::from(1)]).into_transaction_request(),
                s.setAddress(B256::ZERO, thief).into_transaction_request(),
                s.setBool(B256::ZERO, true).into_transaction_request(),
            ];
            for tx in attempts {
                let e: PoolStorage::PoolStorageErrors = revert(w.send(who, tx).await);
                assert!(matches!(e, PoolStorage::PoolStorageErrors::NotLogic(_)), "{who}: {e:?}");
            }
        }
    }
    // The registry is initialised once; registry and whitelist calls on a node's storage fail.
    let e: PoolStorage::PoolStorageErrors = revert(
        w.send(w.admin, pool_storage.initialize(vec![name_key("Thief")], vec![thief]).into_transaction_request()).await,
    );
    assert!(matches!(e, PoolStorage::PoolStorageErrors::AlreadyInitialized(_)), "{e:?}");
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(w.admin, node_storage.proposeWhitelist(w.c.node).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::NotPoolStorage(_)), "{e:?}");
    // Only the admin proposes; an account (no code) cannot be whitelisted.
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(thief, pool_storage.proposeWhitelist(w.c.node).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::NotAdmin(_)), "{e:?}");
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(w.admin, pool_storage.proposeWhitelist(thief).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::NotAContract(_)), "{e:?}");
    // The node's operator cannot deposit to a contract that is not whitelisted, nor to an account.
    for target in [w.c.link_pool, thief] {
        let tx = w.node().depositPenalty(node, target, U256::from(LINK), Default::default()).into_transaction_request();
        let e: PoolStorage::PoolStorageErrors = revert(w.send(node, tx).await);
        assert!(matches!(e, PoolStorage::PoolStorageErrors::NotWhitelisted(_)), "{e:?}");
    }
    // The admin's node settings move no LINK.
    w.send(w.admin, w.node().setFees(node, U256::from(5_000), U256::from(5_000)).into_transaction_request())
        .await
        .expect("fees");
    w.send(w.admin, w.node().setStakeLimit(node, U256::ZERO).into_transaction_request()).await.expect("limit");
    w.send(w.admin, w.node().setStatus(node, CLOSED).into_transaction_request()).await.expect("close");
    assert_eq!(w.balance(storage).await, held);
    // And every staker still gets all of its stake and earnings out.
    for s in stakers {
        let i = w.staker_info(node, s).await;
        let before = w.balance(s).await;
        w.send(s, w.node().claim(node).into_transaction_request()).await.expect("claim");
        w.send(s, w.node().withdraw(node, U256::MAX).into_transaction_request()).await.expect("withdraw");
        assert_eq!(w.balance(s).await - before, i.stake + i.claimable);
    }
    w.assert_node_accounts(node).await;
}

#[tokio::test]
async fn a_draining_logic_contract_waits_out_the_delay_while_stakers_leave() {
    let (w, node, storage, stakers) = staked_world().await;
    let thief = w.accounts[20];
    let drainer = *DrainingLogic::deploy(w.p.clone()).await.expect("deploy").address();
    let d = DrainingLogic::new(drainer, w.p.clone());
    let ps = w.pool_storage();
    // Proposed as the new Node, and under a new name: neither has any power yet.
    w.send(w.admin, ps.proposeContract(name_key(names::NODE), drainer).into_transaction_request())
        .await
        .expect("propose");
    let proposed = ps.proposedContract(name_key(names::NODE)).call().await.unwrap();
    assert_eq!(proposed._0, drainer);
    for attempt in [
        d.drain(storage, thief).into_transaction_request(),
        d.drainAsPenalty(storage, thief).into_transaction_request(),
    ] {
        let e: PoolStorage::PoolStorageErrors = revert(w.send(thief, attempt).await);
        assert!(matches!(e, PoolStorage::PoolStorageErrors::NotLogic(_)), "{e:?}");
    }
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(thief, ps.executeContract(name_key(names::NODE)).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::DelayNotElapsed(_)), "{e:?}");
    w.increase_time(DELAY / 2).await;
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(thief, ps.executeContract(name_key(names::NODE)).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::DelayNotElapsed(_)), "{e:?}");

    // During the delay every staker leaves with everything.
    for s in stakers {
        let i = w.staker_info(node, s).await;
        let before = w.balance(s).await;
        w.send(s, w.node().claim(node).into_transaction_request()).await.expect("claim");
        w.send(s, w.node().withdraw(node, U256::MAX).into_transaction_request()).await.expect("withdraw");
        assert_eq!(w.balance(s).await - before, i.stake + i.claimable);
    }
    let left = w.balance(storage).await;
    let info = w.node_info(node).await;
    assert!(left == info.rewardsOutstanding && left < U256::from(2), "only dust is left: {left}");

    // After the delay anyone executes it; the old Node loses its access at the same moment.
    w.increase_time(DELAY / 2).await;
    w.send(thief, ps.executeContract(name_key(names::NODE)).into_transaction_request()).await.expect("execute");
    // New earnings arrive; the old Node can no longer write to distribute them.
    w.earn(node, LINK).await;
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(node, w.node().distribute(node).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::NotLogic(_)), "{e:?}");
    // The drainer gets the new earnings and the dust nobody could claim: no staker's LINK.
    let before = w.balance(thief).await;
    w.send(thief, d.drain(storage, thief).into_transaction_request()).await.expect("drain");
    assert_eq!(w.balance(thief).await - before, left + U256::from(LINK));
}

#[tokio::test]
async fn upgrading_node_under_live_stakes_changes_nothing_for_stakers() {
    let (w, node, storage, stakers) = staked_world().await;
    let before: Vec<_> = futures_join(&w, node, &stakers).await;
    let info_before = w.node_info(node).await;
    let new_node = *Node::deploy(w.p.clone(), w.c.pool_storage).await.expect("deploy the new Node").address();
    let ps = w.pool_storage();
    w.send(w.admin, ps.proposeContract(name_key(names::NODE), new_node).into_transaction_request())
        .await
        .expect("propose");
    w.increase_time(DELAY).await;
    w.send(w.accounts[30], ps.executeContract(name_key(names::NODE)).into_transaction_request())
        .await
        .expect("execute");
    assert_eq!(w.pool().contractAddress(names::NODE.into()).call().await.unwrap(), new_node);
    // Same data, same positions, same LINK.
    assert_eq!(futures_join(&w, node, &stakers).await, before);
    let info_after = w.node_info(node).await;
    assert_eq!(format!("{info_before:?}"), format!("{info_after:?}"));
    assert_eq!(w.balance(storage).await, info_before.linkHeld);
    // The old Node cannot act; the new one serves the same stakers.
    let old = w.node();
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(stakers[0], old.withdraw(node, U256::from(LINK)).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::NotLogic(_)), "{e:?}");
    let upgraded = Node::new(new_node, w.p.clone());
    w.earn(node, 35 * LINK).await;
    w.send(node, upgraded.distribute(node).into_transaction_request()).await.expect("distribute through the new Node");
    for (s, (stake, claimable)) in stakers.iter().zip(&before) {
        let i = w.staker_info(node, *s).await;
        assert!(i.claimable > *claimable);
        let bal = w.balance(*s).await;
        w.send(*s, upgraded.claim(node).into_transaction_request()).await.expect("claim");
        w.send(*s, upgraded.withdraw(node, U256::MAX).into_transaction_request()).await.expect("withdraw");
        assert_eq!(w.balance(*s).await - bal, *stake + i.claimable);
    }
    w.assert_node_accounts(node).await;
}

async fn futures_join(w: &World, node: Address, stakers: &[Address]) -> Vec<(U256, U256)> {
    let mut out = Vec::new();
    for s in stakers {
        let i = w.staker_info(node, *s).await;
        out.push((i.stake, i.claimable));
    }
    out
}

#[tokio::test]
async fn every_upgrade_path_waits_for_the_delay_and_only_the_admin_proposes() {
    let (w, _, storage, _) = staked_world().await;
    let ps = w.pool_storage();
    let (stranger, next_admin) = (w.accounts[20], w.accounts[21]);
    let drainer = *DrainingLogic::deploy(w.p.clone()).await.expect("deploy").address();
    let held = w.balance(storage).await;

    // A new name, a replaced name, PoolOwners, and the whitelist: all wait for the delay.
    for name in [
        "Drainer",
        names::LINK_POOL,
        names::NODE_STAKING,
        names::NODE_FACTORY,
        names::POOL_STORAGE_FACTORY,
        names::POOL_OWNERS,
    ] {
        let e: PoolStorage::PoolStorageErrors =
            revert(w.send(stranger, ps.proposeContract(name_key(name), drainer).into_transaction_request()).await);
        assert!(matches!(e, PoolStorage::PoolStorageErrors::NotAdmin(_)), "{name}: {e:?}");
        w.send(w.admin, ps.proposeContract(name_key(name), drainer).into_transaction_request()).await.expect("propose");
        let e: PoolStorage::PoolStorageErrors =
            revert(w.send(stranger, ps.executeContract(name_key(name)).into_transaction_request()).await);
        assert!(matches!(e, PoolStorage::PoolStorageErrors::DelayNotElapsed(_)), "{name}: {e:?}");
    }
    w.send(w.admin, ps.proposeWhitelist(drainer).into_transaction_request()).await.expect("propose whitelist");
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(stranger, ps.executeWhitelist(drainer).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::DelayNotElapsed(_)), "{e:?}");
    let d = DrainingLogic::new(drainer, w.p.clone());
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(stranger, d.drain(storage, stranger).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::NotLogic(_)), "{e:?}");

    // Only the admin cancels; a cancelled proposal can never be executed.
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(stranger, ps.cancelProposal(name_key("Drainer")).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::NotAdmin(_)), "{e:?}");
    w.send(w.admin, ps.cancelProposal(name_key("Drainer")).into_transaction_request()).await.expect("cancel");
    w.increase_time(DELAY).await;
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(stranger, ps.executeContract(name_key("Drainer")).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::NothingProposed(_)), "{e:?}");

    // The admin role moves in two steps; the old admin loses it, the new one can only propose.
    w.send(w.admin, ps.transferAdmin(next_admin).into_transaction_request()).await.expect("transferAdmin");
    let e: PoolStorage::PoolStorageErrors = revert(w.send(stranger, ps.acceptAdmin().into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::NotProposedAdmin(_)), "{e:?}");
    w.send(next_admin, ps.acceptAdmin().into_transaction_request()).await.expect("acceptAdmin");
    let e: PoolStorage::PoolStorageErrors =
        revert(w.send(w.admin, ps.proposeWhitelist(w.c.node).into_transaction_request()).await);
    assert!(matches!(e, PoolStorage::PoolStorageErrors::NotAdmin(_)), "{e:?}");
    for who in [next_admin, w.admin] {
        let e: PoolStorage::PoolStorageErrors =
            revert(w.send(who, ps.payStaker(who, U256::from(1)).into_transaction_request()).await);
        assert!(matches!(e, PoolStorage::PoolStorageErrors::NotLogic(_)), "{e:?}");
    }
    assert_eq!(w.balance(storage).await, held, "no LINK moved");
}
