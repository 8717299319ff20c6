//! Property test (issue 5 acceptance): random sequences of stake, withdraw, earn, distribute,
//! forfeit, refund, claim, fee changes, `Node` upgrades, and `PoolOwners` share transfers, claims
//! and distributions, across 50 stakers, 3 nodes and 5 owner holders, run
//! against anvil and checked after every step against the exact-rational model
//! (`linkpool_pool::model`):
//! - each node's LINK is exactly its stake at home + outstanding rewards + undistributed earnings;
//! - everyone's withdrawable LINK (stake + claimable) plus dust equals the LINK held, the dust
//!   being at most two juels per staker;
//! - every staker's claimed + claimable earnings are within one juel of its exact `S/T·R` earnings;
//! - every stake is within the node's share roundings of the exact stake;
//! - every owner holder's claimed + claimable earnings are within one juel of its exact share of
//!   the LINK the nodes sent to `PoolOwners`.
//!
//! `LINKPOOL_STAKING_CASES` (default 2) sequences of `LINKPOOL_STAKING_STEPS` (default 120) steps.

use alloy::primitives::{Address, U256};
use linkpool_bindings::{Node, PenaltyVault, PoolOwners, PoolStorage};
use linkpool_pool::{
    deploy::{name_key, names},
    model::{approx, big, floor, NodeModel},
};
use num_bigint::BigInt;
use num_rational::BigRational;
use proptest::{prelude::*, test_runner::TestRunner};

use crate::common::{World, DELAY, LINK};

const NODES: usize = 3;
const STAKERS: usize = 50;

#[derive(Debug, Clone)]
enum Op {
    Stake {
        node: usize,
        staker: usize,
        juels: u128,
        approve: bool,
    },
    Withdraw {
        node: usize,
        staker: usize,
        permille: u16,
    },
    Earn {
        node: usize,
        juels: u128,
    },
    Distribute {
        node: usize,
    },
    Claim {
        node: usize,
        staker: usize,
    },
    Deposit {
        node: usize,
        permille: u16,
    },
    Refund {
        node: usize,
        permille: u16,
    },
    Forfeit {
        node: usize,
        permille: u16,
    },
    Fees {
        node: usize,
        op_bps: u16,
        makers_bps: u16,
    },
    Upgrade,
    /// A `PoolOwners` share transfer between owner holders.
    OwnersTransfer {
        from: usize,
        to: usize,
        permille: u16,
    },
    OwnersClaim {
        holder: usize,
    },
    OwnersDistribute,
}

/// Owner holders: the three founders and two accounts that may receive shares.
const HOLDERS: usize = 5;

fn op() -> impl Strategy<Value = Op> {
    let node = 0..NODES;
    let staker = 0..STAKERS;
    prop_oneof![
        8 => (node.clone(), staker.clone(), 1u128..3_000 * LINK, any::<bool>())
            .prop_map(|(node, staker, juels, approve)| Op::Stake { node, staker, juels, approve }),
        5 => (node.clone(), staker.clone(), 1u16..=1000).prop_map(|(node, staker, permille)| Op::Withdraw { node, staker, permille }),
        4 => (node.clone(), 1u128..500 * LINK).prop_map(|(node, juels)| Op::Earn { node, juels }),
        4 => node.clone().prop_map(|node| Op::Distribute { node }),
        7 => (node.clone(), staker).prop_map(|(node, staker)| Op::Claim { node, staker }),
        1 => (node.clone(), 1u16..=500).prop_map(|(node, permille)| Op::Deposit { node, permille }),
        1 => (node.clone(), 1u16..=1000).prop_map(|(node, permille)| Op::Refund { node, permille }),
        1 => (node.clone(), 1u16..=1000).prop_map(|(node, permille)| Op::Forfeit { node, permille }),
        1 => (node, 0u16..=5000, 0u16..=5000).prop_map(|(node, op_bps, makers_bps)| Op::Fees { node, op_bps, makers_bps }),
        1 => Just(Op::Upgrade),
        2 => (0..HOLDERS, 0..HOLDERS, 1u16..=1000).prop_map(|(from, to, permille)| Op::OwnersTransfer { from, to, permille }),
        2 => (0..HOLDERS).prop_map(|holder| Op::OwnersClaim { holder }),
        1 => Just(Op::OwnersDistribute),
    ]
}

fn env_or(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn random_sequences_match_the_exact_model() {
    let steps = env_or("LINKPOOL_STAKING_STEPS", 120) as usize;
    let config = ProptestConfig {
        cases: env_or("LINKPOOL_STAKING_CASES", 2),
        max_shrink_iters: 20,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let result =
        runner.run(&prop::collection::vec(op(), steps), |ops| rt.block_on(run(ops)).map_err(TestCaseError::fail));
    if let Err(e) = result {
        panic!("{e}");
    }
}

struct Case {
    w: World,
    nodes: Vec<Address>,
    stakers: Vec<Address>,
    models: Vec<NodeModel>,
    vault: Address,
    node_contract: Address,
    /// Earnings sent to each node since its last distribution.
    earned_since: Vec<BigInt>,
    /// Stake dust the contract may have moved to earnings (last staker out).
    dust_allowance: Vec<BigInt>,
    /// Owner holders and the exact model of their earnings.
    holders: Vec<Address>,
    owners: OwnersModel,
    /// What happened, to show that a sequence did real work.
    stats: std::collections::BTreeMap<&'static str, u32>,
    /// The largest |paid + claimable − exact earnings| seen (juels).
    max_off: std::cell::RefCell<BigRational>,
}

async fn run(ops: Vec<Op>) -> Result<(), String> {
    let w = World::new().await;
    let nodes: Vec<Address> = w.accounts[..NODES].to_vec();
    let stakers: Vec<Address> = w.accounts[NODES..NODES + STAKERS].to_vec();
    for n in &nodes {
        w.create_node(*n).await;
    }
    let vault = w.whitelisted_vault().await;
    let holders: Vec<Address> = w
        .founders
        .iter()
        .copied()
        .chain(w.accounts[NODES + STAKERS + 1..NODES + STAKERS + 3].iter().copied())
        .collect();
    let owners = OwnersModel::new(&holders, &w.founders);
    let node_contract = w.c.node;
    let mut c = Case {
        w,
        nodes,
        stakers,
        models: (0..NODES).map(|_| NodeModel::new()).collect(),
        vault,
        node_contract,
        holders,
        owners,
        earned_since: vec![BigInt::from(0); NODES],
        dust_allowance: vec![BigInt::from(0); NODES],
        stats: Default::default(),
        max_off: Default::default(),
    };
    for (i, op) in ops.iter().enumerate() {
        c.apply(op).await.map_err(|e| format!("step {i} {op:?}: {e}"))?;
        for n in 0..NODES {
            c.check(n).await.map_err(|e| format!("after step {i} {op:?}, node {n}: {e}"))?;
        }
    }
    eprintln!(
        "{} steps: {:?}; largest claim deviation {:.6} juel",
        ops.len(),
        c.stats,
        linkpool_pool::model::approx(&c.max_off.borrow())
    );
    // A sequence of this length that staked nothing, or neither claimed nor withdrew, checked
    // little: the generator must not drift into such sequences.
    let took = c.stats.contains_key("claim") || c.stats.contains_key("withdraw");
    if ops.len() >= 60 && (!took || !c.stats.contains_key("stake")) {
        return Err(format!("a vacuous sequence: {:?}", c.stats));
    }
    Ok(())
}

impl Case {
    fn node(&self) -> Node::NodeInstance<alloy::providers::DynProvider> {
        Node::new(self.node_contract, self.w.p.clone())
    }

    /// The `index`-th (wrapping) of the stakers that ever staked on `node`, so that claims and
    /// withdrawals mostly hit someone with something to take; any staker while there is none.
    fn involved(&self, node: usize, index: usize) -> Address {
        let known: Vec<Address> = self.models[node].stakers.keys().copied().collect();
        if known.is_empty() {
            self.stakers[index]
        } else {
            known[index % known.len()]
        }
    }

    async fn apply(&mut self, op: &Op) -> Result<(), String> {
        let w = &self.w;
        match *op {
            Op::Stake { node, staker, juels, approve } => {
                let (n, s) = (self.nodes[node], self.stakers[staker]);
                let info = w.node_info(n).await;
                let fits = info.totalStake + U256::from(juels) <= info.stakeLimit;
                let result = if approve { w.stake_approved(n, s, juels).await } else { w.stake_677(n, s, juels).await };
                match (fits, result) {
                    (true, Ok(_)) => {
                        self.models[node].stake(s, U256::from(juels));
                        *self.stats.entry("stake").or_default() += 1;
                    }
                    (false, Err(_)) => {}
                    (fits, r) => return Err(format!("fits {fits}, got {r:?}")),
                }
            }
            Op::Withdraw { node, staker, permille } => {
                let (n, s) = (self.nodes[node], self.involved(node, staker));
                let i = w.staker_info(n, s).await;
                let info = w.node_info(n).await;
                let liquid = info.totalStake - info.penaltiesAtRisk;
                if permille == 1000 {
                    let r = w.send(s, self.node().withdraw(n, U256::MAX).into_transaction_request()).await;
                    match r {
                        Ok(_) if i.shares > U256::ZERO && i.stake <= liquid => {
                            let before_total_shares = info.totalShares;
                            self.models[node].withdraw_all(s);
                            if before_total_shares == i.shares {
                                // The last staker out: stake dust becomes earnings.
                                self.dust_allowance[node] += big(info.totalStake - i.stake);
                            }
                        }
                        Err(_) if i.shares.is_zero() || i.stake > liquid => {}
                        other => return Err(format!("withdraw all of {i:?} with {liquid} liquid: {other:?}")),
                    }
                } else {
                    let amount = i.stake * U256::from(permille) / U256::from(1000);
                    let r = w.send(s, self.node().withdraw(n, amount).into_transaction_request()).await;
                    match r {
                        Ok(_) if !amount.is_zero() && amount <= liquid => {
                            self.models[node].withdraw(s, amount);
                            *self.stats.entry("withdraw").or_default() += 1;
                        }
                        Err(_) if amount.is_zero() || amount > liquid => {}
                        other => return Err(format!("withdraw {amount} of {i:?} with {liquid} liquid: {other:?}")),
                    }
                }
            }
            Op::Earn { node, juels } => {
                w.earn(self.nodes[node], juels).await;
                self.earned_since[node] += BigInt::from(juels);
            }
            Op::Distribute { node } => {
                let n = self.nodes[node];
                let undistributed = w.node_info(n).await.undistributed;
                let allowed = &self.earned_since[node] + &self.dust_allowance[node];
                let got = big(undistributed);
                if got < self.earned_since[node] || got > allowed {
                    return Err(format!(
                        "undistributed {got}, earned {} (+ dust ≤ {})",
                        self.earned_since[node], self.dust_allowance[node]
                    ));
                }
                let owners_before = w.balance(w.owners).await;
                w.send(w.accounts[NODES + STAKERS], self.node().distribute(n).into_transaction_request())
                    .await
                    .map_err(|e| e.to_string())?;
                let split = self.models[node].distribute(&got);
                self.owners.pending += &split.to_owners;
                let to_owners = big(w.balance(w.owners).await - owners_before);
                if to_owners != split.to_owners {
                    return Err(format!("owners got {to_owners}, the model says {}", split.to_owners));
                }
                self.earned_since[node] = BigInt::from(0);
                self.dust_allowance[node] = BigInt::from(0);
                *self
                    .stats
                    .entry(if split.to_stakers > BigInt::from(0) { "distribute" } else { "distribute (owners only)" })
                    .or_default() += 1;
            }
            Op::Claim { node, staker } => {
                let (n, s) = (self.nodes[node], self.involved(node, staker));
                let claimable = w.staker_info(n, s).await.claimable;
                let before = w.balance(s).await;
                let r = w.send(s, self.node().claim(n).into_transaction_request()).await;
                match r {
                    Ok(_) => {
                        let paid = w.balance(s).await - before;
                        if paid != claimable || paid.is_zero() {
                            return Err(format!("claim paid {paid}, claimable was {claimable}"));
                        }
                        self.models[node].claim(s, paid);
                        *self.stats.entry("claim").or_default() += 1;
                    }
                    Err(_) if claimable.is_zero() => {}
                    Err(e) => return Err(format!("claim of {claimable} failed: {e}")),
                }
            }
            Op::Deposit { node, permille } => {
                let n = self.nodes[node];
                let info = w.node_info(n).await;
                let amount = (info.totalStake - info.penaltiesAtRisk) * U256::from(permille) / U256::from(1000);
                if amount.is_zero() {
                    return Ok(());
                }
                let tx =
                    self.node().depositPenalty(n, self.vault, amount, Default::default()).into_transaction_request();
                w.send(n, tx).await.map_err(|e| e.to_string())?;
                self.models[node].at_risk += big(amount);
            }
            Op::Refund { node, permille } | Op::Forfeit { node, permille } => {
                let n = self.nodes[node];
                let at_risk = w.node_info(n).await.penaltiesAtRisk;
                let amount = at_risk * U256::from(permille) / U256::from(1000);
                if amount.is_zero() {
                    return Ok(());
                }
                let v = PenaltyVault::new(self.vault, w.p.clone());
                if matches!(op, Op::Refund { .. }) {
                    let tx = v.refund(self.node_contract, n, amount).into_transaction_request();
                    w.send(w.admin, tx).await.map_err(|e| e.to_string())?;
                    self.models[node].at_risk -= big(amount);
                } else {
                    let tx = v.forfeit(self.node_contract, n, amount).into_transaction_request();
                    w.send(w.admin, tx).await.map_err(|e| e.to_string())?;
                    self.models[node].forfeit(amount);
                    *self.stats.entry("forfeit").or_default() += 1;
                }
            }
            Op::Fees { node, op_bps, makers_bps } => {
                let tx = self
                    .node()
                    .setFees(self.nodes[node], U256::from(op_bps), U256::from(makers_bps))
                    .into_transaction_request();
                w.send(w.admin, tx).await.map_err(|e| e.to_string())?;
                self.models[node].op_bps = u64::from(op_bps);
                self.models[node].makers_bps = u64::from(makers_bps);
            }
            Op::Upgrade => {
                let fresh = *Node::deploy(w.p.clone(), w.c.pool_storage).await.map_err(|e| e.to_string())?.address();
                let ps = PoolStorage::new(w.c.pool_storage, w.p.clone());
                w.send(w.admin, ps.proposeContract(name_key(names::NODE), fresh).into_transaction_request())
                    .await
                    .map_err(|e| e.to_string())?;
                w.increase_time(DELAY).await;
                w.send(w.admin, ps.executeContract(name_key(names::NODE)).into_transaction_request())
                    .await
                    .map_err(|e| e.to_string())?;
                self.node_contract = fresh;
                *self.stats.entry("upgrade").or_default() += 1;
            }
            Op::OwnersTransfer { from, to, permille } => {
                let (f, t) = (self.holders[from], self.holders[to]);
                let po = PoolOwners::new(w.owners, w.p.clone());
                let balance = po.balanceOf(f).call().await.map_err(|e| e.to_string())?;
                let amount = balance * U256::from(permille) / U256::from(1000);
                if amount.is_zero() || f == t {
                    return Ok(());
                }
                w.send(f, po.transfer(t, amount).into_transaction_request()).await.map_err(|e| e.to_string())?;
                // Pending LINK is shared out with the shares as they were before the transfer.
                self.owners.fold();
                *self.owners.shares.get_mut(&f).expect("holder") -= big(amount);
                *self.owners.shares.get_mut(&t).expect("holder") += big(amount);
                *self.stats.entry("owners transfer").or_default() += 1;
            }
            Op::OwnersClaim { holder } => {
                let h = self.holders[holder];
                let po = PoolOwners::new(w.owners, w.p.clone());
                let claimable = po.claimable(h).call().await.map_err(|e| e.to_string())?;
                let before = w.balance(h).await;
                let r = w.send(h, po.claim().into_transaction_request()).await;
                self.owners.fold();
                match r {
                    Ok(_) => {
                        let paid = w.balance(h).await - before;
                        if paid != claimable {
                            return Err(format!("owner claim paid {paid}, claimable was {claimable}"));
                        }
                        *self.owners.claimed.get_mut(&h).expect("holder") += big(paid);
                        *self.stats.entry("owners claim").or_default() += 1;
                    }
                    Err(_) if claimable.is_zero() => {}
                    Err(e) => return Err(format!("owner claim of {claimable} failed: {e}")),
                }
            }
            Op::OwnersDistribute => {
                let po = PoolOwners::new(w.owners, w.p.clone());
                w.send(w.admin, po.distribute().into_transaction_request()).await.map_err(|e| e.to_string())?;
                self.owners.fold();
            }
        }
        self.check_owners().await
    }

    /// Every owner holder's claimed + claimable is within one juel of its exact earnings.
    async fn check_owners(&self) -> Result<(), String> {
        let po = PoolOwners::new(self.w.owners, self.w.p.clone());
        for h in &self.holders {
            let claimable = po.claimable(*h).call().await.map_err(|e| e.to_string())?;
            let paid = BigRational::from_integer(&self.owners.claimed[h] + big(claimable));
            let exact = self.owners.exact(h);
            let off = if paid > exact { &paid - &exact } else { &exact - &paid };
            if off > BigRational::from_integer(BigInt::from(1)) {
                return Err(format!("owner {h}: paid + claimable {paid}, exact {}", approx(&exact)));
            }
        }
        Ok(())
    }

    async fn check(&self, node: usize) -> Result<(), String> {
        let w = &self.w;
        let n = self.nodes[node];
        let info = w.node_info(n).await;
        let held = big(info.linkHeld);
        let at_home = big(info.totalStake - info.penaltiesAtRisk);
        if held != &at_home + big(info.rewardsOutstanding) + big(info.undistributed) {
            return Err(format!("held {held} != stake at home + outstanding + undistributed: {info:?}"));
        }
        if big(info.penaltiesAtRisk) != self.models[node].at_risk {
            return Err(format!("at risk {} != model {}", info.penaltiesAtRisk, self.models[node].at_risk));
        }
        let infos = w.pool().stakerInfos(n, self.stakers.clone()).call().await.map_err(|e| e.to_string())?;
        let (mut stakes, mut claimables) = (BigInt::from(0), BigInt::from(0));
        for (s, i) in self.stakers.iter().zip(&infos) {
            stakes += big(i.stake);
            claimables += big(i.claimable);
            let m = self.models[node].stakers.get(s).cloned().unwrap_or_default();
            // Earnings: claimed + claimable is within one juel of the exact S/T·R earnings.
            let paid = BigRational::from_integer(&m.claimed + big(i.claimable));
            let off = if paid > m.earned { &paid - &m.earned } else { &m.earned - &paid };
            if off > BigRational::from_integer(BigInt::from(1)) {
                return Err(format!(
                    "{s}: earnings paid+claimable {paid}, exact {} (floor {})",
                    m.earned,
                    floor(&m.earned)
                ));
            }
            if off > *self.max_off.borrow() {
                *self.max_off.borrow_mut() = off;
            }
            // Stake: within the node's share roundings of the exact stake.
            let stake = BigRational::from_integer(big(i.stake));
            let slack = BigRational::from_integer(BigInt::from(self.models[node].roundings + 1));
            let diff = if stake > m.stake { &stake - &m.stake } else { &m.stake - &stake };
            if diff > slack {
                return Err(format!("{s}: stake {} vs exact {}", i.stake, m.stake));
            }
        }
        // Everyone's withdrawable LINK plus dust is the LINK held; dust is tiny.
        let stake_dust = big(info.totalStake) - &stakes;
        let reward_dust = big(info.rewardsOutstanding) - &claimables;
        let limit = BigInt::from(2 * STAKERS as u64);
        if stake_dust < BigInt::from(0) || reward_dust < BigInt::from(0) || &stake_dust + &reward_dust > limit {
            return Err(format!("dust out of bounds: stake {stake_dust}, rewards {reward_dust}"));
        }
        let withdrawable = &stakes - big(info.penaltiesAtRisk) + &claimables;
        if withdrawable + stake_dust + reward_dust + big(info.undistributed) != held {
            return Err("withdrawable + dust + undistributed != held".into());
        }
        Ok(())
    }
}

/// Exact owners' earnings: LINK reaching `PoolOwners` is shared by the shares held when it is
/// folded in (at the next transfer, claim or distribution).
struct OwnersModel {
    shares: std::collections::BTreeMap<Address, BigInt>,
    earned: std::collections::BTreeMap<Address, BigRational>,
    claimed: std::collections::BTreeMap<Address, BigInt>,
    /// LINK sent to `PoolOwners` and not folded yet.
    pending: BigInt,
}

impl OwnersModel {
    fn new(holders: &[Address], founders: &[Address]) -> Self {
        let mut shares = std::collections::BTreeMap::new();
        for h in holders {
            shares.insert(*h, BigInt::from(0));
        }
        for (f, s) in founders.iter().zip(crate::common::FOUNDER_SHARES) {
            shares.insert(*f, BigInt::from(s));
        }
        let zero = || holders.iter().map(|h| (*h, Default::default())).collect();
        Self {
            shares,
            earned: zero(),
            claimed: holders.iter().map(|h| (*h, BigInt::from(0))).collect(),
            pending: BigInt::from(0),
        }
    }

    fn total(&self) -> BigInt {
        self.shares.values().sum()
    }

    fn fold(&mut self) {
        let total = BigRational::from_integer(self.total());
        let pending = BigRational::from_integer(std::mem::take(&mut self.pending));
        for (h, s) in &self.shares {
            *self.earned.get_mut(h).expect("holder") += BigRational::from_integer(s.clone()) / &total * &pending;
        }
    }

    /// Exact earnings of `h`, pending LINK included.
    fn exact(&self, h: &Address) -> BigRational {
        let total = BigRational::from_integer(self.total());
        let pending = BigRational::from_integer(self.pending.clone());
        &self.earned[h] + BigRational::from_integer(self.shares[h].clone()) / total * pending
    }
}
