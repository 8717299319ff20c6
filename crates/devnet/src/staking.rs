//! The staking scenario (issue 5 point 8): a LinkPool pool on the devnet with three nodes and 20
//! stakers. Requests earn fees, earnings are distributed, stakers claim and withdraw, one penalty
//! is forfeited, the owners' share reaches the founders through `PoolOwners`, and every number is
//! checked against the exact-rational model of `linkpool_pool::model`.
//!
//! [`StakingScenario::run`]:
//! 1. deploys `PoolOwners` (two founders: anvil accounts 4 and 5), a pool with the devnet's
//!    upgrade delay of 60 s registering it as the owners' receiver, and a `PenaltyVault` (a test
//!    network contract) whitelisted through the delay (anvil's clock is moved past it);
//! 2. registers three pool nodes, each with `createNode` from its own key: the devnet's real node
//!    (anvil account 1; it is stopped for that one transaction, as its transaction manager owns the
//!    key's nonces, then restarted) and anvil accounts 2 and 3;
//! 3. 20 stakers (keys derived from a fixed phrase, given gas ETH with `anvil_setBalance` and
//!    LINK by the deployer) stake varied, odd amounts over the three nodes, half through
//!    `LINK.transferAndCall`, half through approve + `stake`;
//! 4. earnings: the real node fulfils real price requests; their payments accrue in the devnet's
//!    Operator, whose owner (the deployer) withdraws them into the node's storage. The two other
//!    nodes serve no requests, so their earnings are LINK sent to their storages ("simulated");
//! 5. every node distributes; 10 stakers claim; node 3's operator deposits a tenth of its liquid
//!    stake with the vault, which forfeits it; 5 stakers withdraw (2 all, 3 a third); a second
//!    round of earnings is distributed; `PoolOwners` distributes and the founders claim.
//!
//! The checks (each an ok/FAILED line of [`table`]):
//! - each node's LINK is its stake at home + outstanding rewards + undistributed earnings, and its
//!   owners' total, forfeits and penalties at risk are the model's;
//! - each staker's claimed + claimable earnings are within one juel of the exact `S/T·R`, its
//!   stake within the node's share roundings of the exact stake, and its LINK balance is exactly
//!   what it withdrew plus what it claimed;
//! - each staker of the penalised node lost its pro-rata part of the forfeit (within 2 juels);
//! - every founder got exactly `⌊shares·D/T⌋` of the owners' LINK `D`;
//! - LINK in (stakes + earnings) = payouts (withdrawals, claims, owners, forfeits) + LINK the
//!   nodes hold, and what they hold is stakes at home + claimable + undistributed + dust, with
//!   dust at most two juels per staker.

use std::time::{Duration, Instant};

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{keccak256, Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{Filter, TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::{SolEvent, SolValue},
};
use linkpool_bindings::{
    link_pool::ILinkPool, ConsumerUint256, LinkPool, LinkToken, Node, NodeStaking, Operator, PenaltyVault, PoolOwners,
    PoolStorage,
};
use linkpool_pool::{
    deploy::{self, PoolContracts},
    model::{big, NodeModel},
};
use num_bigint::BigInt;
use num_rational::BigRational;

use crate::{
    clock::{increase_time, short},
    contracts::REQUEST_PAYMENT,
    scenario, Devnet, DevnetError, Result,
};

/// One LINK in juels.
pub const LINK: u128 = 1_000_000_000_000_000_000;
/// The pool's upgrade delay on the devnet (the contracts' minimum).
pub const UPGRADE_DELAY_SECS: u64 = 60;
/// Number of stakers.
pub const STAKERS: usize = 20;
/// Price requests the real node fulfils per earnings round.
pub const REQUESTS_PER_ROUND: usize = 3;
/// Founders' shares of `PoolOwners` (anvil accounts 4 and 5).
pub const FOUNDER_SHARES: [u64; 2] = [2_000_000, 1_000_000];
/// Simulated earnings of the two other nodes, per round (juels; odd on purpose).
const SIMULATED_EARNINGS: [[u128; 2]; 2] =
    [[12 * LINK + 345_678_901_234_567, 7 * LINK + 777], [5 * LINK + 1, 3 * LINK]];
/// ETH given to each staker for gas.
const GAS_MONEY_WEI: u128 = LINK;
/// How long to wait for the node's fulfilments.
const FULFILMENT_TIMEOUT: Duration = Duration::from_secs(60);

/// A node's row of the table.
#[derive(Debug, Clone)]
pub struct NodeRow {
    /// The node's address (its operator's key).
    pub node: Address,
    /// Where its earnings come from: `requests` or `simulated`.
    pub earnings_source: &'static str,
    /// Its state after the scenario.
    pub info: ILinkPool::NodeInfo,
}

/// A staker's row of the table.
#[derive(Debug, Clone)]
pub struct StakerRow {
    /// The staker.
    pub staker: Address,
    /// Index of its node in [`StakingOutcome::nodes`].
    pub node: usize,
    /// `677` (transferAndCall) or `approve`.
    pub path: &'static str,
    /// LINK staked (juels).
    pub staked: U256,
    /// Its stake now.
    pub stake: U256,
    /// Earnings claimed.
    pub claimed: U256,
    /// Earnings claimable now.
    pub claimable: U256,
    /// Stake withdrawn.
    pub withdrawn: U256,
}

/// A founder's row.
#[derive(Debug, Clone)]
pub struct FounderRow {
    /// The founder.
    pub founder: Address,
    /// Its `PoolOwners` shares.
    pub shares: u64,
    /// LINK it claimed.
    pub claimed: U256,
}

/// One invariant check.
#[derive(Debug, Clone)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Whether it held.
    pub ok: bool,
    /// The numbers (or what went wrong).
    pub detail: String,
}

/// What the staking scenario did and found.
#[derive(Debug, Clone)]
pub struct StakingOutcome {
    /// The pool.
    pub pool: PoolContracts,
    /// The whitelisted penalty vault.
    pub vault: Address,
    /// Price requests the real node fulfilled.
    pub requests_fulfilled: usize,
    /// LINK withdrawn from the Operator into the real node's storage.
    pub operator_earnings: U256,
    /// The three nodes.
    pub nodes: Vec<NodeRow>,
    /// The 20 stakers.
    pub stakers: Vec<StakerRow>,
    /// LINK `PoolOwners` received.
    pub owners_received: U256,
    /// The founders.
    pub founders: Vec<FounderRow>,
    /// Every check.
    pub checks: Vec<Check>,
}

impl StakingOutcome {
    /// True when every check held.
    pub fn ok(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }
}

/// The scenario; see the module docs.
pub struct StakingScenario {
    p: DynProvider,
    /// Signs as the deployer (the devnet's own provider).
    admin_p: DynProvider,
    admin: Address,
    pool: PoolContracts,
    vault: Address,
    nodes: [Address; 3],
    founders: [Address; 2],
    stakers: Vec<Address>,
    models: Vec<NodeModel>,
    checks: Vec<Check>,
    staked: Vec<U256>,
    claimed: Vec<U256>,
    withdrawn: Vec<U256>,
    /// Every juel that went into the node storages: stakes and earnings.
    link_in: BigInt,
    /// Every juel paid out to stakers (withdrawals and claims).
    paid_out: BigInt,
    forfeited: BigInt,
}

/// The node of staker `i`.
fn node_of(i: usize) -> usize {
    i % 3
}

/// What staker `i` stakes: 50 + 23·i LINK and an odd number of juels.
fn stake_of(i: usize) -> U256 {
    U256::from((50 + 23 * i as u128) * LINK + 1_234_567 * i as u128 + 1)
}

fn failed<E: std::fmt::Display>(what: impl Into<String>) -> impl FnOnce(E) -> DevnetError {
    DevnetError::contract(what)
}

impl StakingScenario {
    /// Runs the scenario on `devnet`. The devnet's node is stopped for its `createNode` and
    /// restarted (same data dir and jobs).
    pub async fn run(devnet: &mut Devnet) -> Result<StakingOutcome> {
        let keys: Vec<PrivateKeySigner> = devnet.anvil.keys().iter().map(|k| k.clone().into()).collect();
        if keys.len() < 6 {
            return Err(DevnetError::Anvil(format!("{} accounts; the staking scenario needs 6", keys.len())));
        }
        let staker_keys: Vec<PrivateKeySigner> = (0..STAKERS)
            .map(|i| {
                PrivateKeySigner::from_bytes(&keccak256(format!("linkpool devnet staker {i}")))
                    .map_err(|e| DevnetError::Anvil(format!("staker key: {e}")))
            })
            .collect::<Result<_>>()?;
        // The deployer's transactions go through the devnet's provider, which keeps its nonces.
        let admin_p = devnet.provider.clone();
        let mut wallet = EthereumWallet::new(keys[1].clone());
        for k in keys[2..6].iter().chain(&staker_keys) {
            wallet.register_signer(k.clone());
        }
        let p = ProviderBuilder::new().wallet(wallet).connect_http(devnet.anvil.endpoint_url()).erased();
        let admin = keys[0].address();
        let nodes = [keys[1].address(), keys[2].address(), keys[3].address()];
        let founders = [keys[4].address(), keys[5].address()];
        let stakers: Vec<Address> = staker_keys.iter().map(PrivateKeySigner::address).collect();
        let link = devnet.contracts.link;

        // PoolOwners with the founders' shares, the pool, the vault through the delay.
        let owners = PoolOwners::deploy(admin_p.clone(), link, admin).await.map_err(failed("deploying PoolOwners"))?;
        let shares = FOUNDER_SHARES.iter().map(|s| U256::from(*s)).collect();
        send(
            &admin_p,
            admin,
            owners.issueFounderShares(founders.to_vec(), shares).into_transaction_request(),
            "issueFounderShares",
        )
        .await?;
        let pool = deploy::deploy(&admin_p, link, admin, UPGRADE_DELAY_SECS, *owners.address())
            .await
            .map_err(failed("deploying the pool"))?;
        let vault =
            *PenaltyVault::deploy(admin_p.clone(), link).await.map_err(failed("deploying PenaltyVault"))?.address();
        let pool_storage = PoolStorage::new(pool.pool_storage, p.clone());
        send(&admin_p, admin, pool_storage.proposeWhitelist(vault).into_transaction_request(), "proposeWhitelist")
            .await?;
        increase_time(&p, UPGRADE_DELAY_SECS).await?;
        send(&admin_p, admin, pool_storage.executeWhitelist(vault).into_transaction_request(), "executeWhitelist")
            .await?;

        let mut s = Self {
            p,
            admin_p,
            admin,
            pool,
            vault,
            nodes,
            founders,
            stakers,
            models: (0..3).map(|_| NodeModel::new()).collect(),
            checks: Vec::new(),
            staked: vec![U256::ZERO; STAKERS],
            claimed: vec![U256::ZERO; STAKERS],
            withdrawn: vec![U256::ZERO; STAKERS],
            link_in: BigInt::from(0),
            paid_out: BigInt::from(0),
            forfeited: BigInt::from(0),
        };

        // The real node's key sends only from its node while that runs: stop it for createNode.
        devnet.stop_node().await;
        let registered = s.create_node(nodes[0]).await;
        devnet.restart_node().await?;
        registered?;
        s.create_node(nodes[1]).await?;
        s.create_node(nodes[2]).await?;

        for i in 0..STAKERS {
            s.stake(i).await?;
        }

        // Round 1: earnings, distribution, 10 claims.
        let mut requests_fulfilled = 0;
        let mut operator_earnings = U256::ZERO;
        let (n, e) = s.earn_from_requests(devnet).await?;
        requests_fulfilled += n;
        operator_earnings += e;
        s.earn_simulated(0).await?;
        for node in 0..3 {
            s.distribute(node).await?;
        }
        for i in 0..10 {
            s.claim(i).await?;
        }

        // One penalty: node 3 deposits a tenth of its liquid stake with the vault, which keeps it.
        s.penalty(2).await?;

        // 5 withdrawals: two of everything, three of a third.
        for i in 10..15 {
            s.withdraw(i, i < 12).await?;
        }

        // Round 2.
        let (n, e) = s.earn_from_requests(devnet).await?;
        requests_fulfilled += n;
        operator_earnings += e;
        s.earn_simulated(1).await?;
        for node in 0..3 {
            s.distribute(node).await?;
        }

        let (owners_received, founders) = s.owners(*owners.address()).await?;
        s.finish(requests_fulfilled, operator_earnings, owners_received, founders).await
    }

    fn check(&mut self, name: impl Into<String>, ok: bool, detail: impl Into<String>) {
        self.checks.push(Check { name: name.into(), ok, detail: detail.into() });
    }

    fn link(&self) -> LinkToken::LinkTokenInstance<DynProvider> {
        LinkToken::new(self.pool.link, self.p.clone())
    }

    fn link_pool(&self) -> LinkPool::LinkPoolInstance<DynProvider> {
        LinkPool::new(self.pool.link_pool, self.p.clone())
    }

    fn node_contract(&self) -> Node::NodeInstance<DynProvider> {
        Node::new(self.pool.node, self.p.clone())
    }

    async fn balance(&self, who: Address) -> Result<U256> {
        self.link().balanceOf(who).call().await.map_err(failed("LINK.balanceOf"))
    }

    async fn node_info(&self, node: usize) -> Result<ILinkPool::NodeInfo> {
        self.link_pool().nodeInfo(self.nodes[node]).call().await.map_err(failed("LinkPool.nodeInfo"))
    }

    async fn staker_info(&self, i: usize) -> Result<ILinkPool::StakerInfo> {
        let node = self.nodes[node_of(i)];
        self.link_pool().stakerInfo(node, self.stakers[i]).call().await.map_err(failed("LinkPool.stakerInfo"))
    }

    async fn storage_of(&self, node: usize) -> Result<Address> {
        self.link_pool().storageOf(self.nodes[node]).call().await.map_err(failed("LinkPool.storageOf"))
    }

    async fn create_node(&self, node: Address) -> Result<()> {
        send(&self.p, node, self.link_pool().createNode().into_transaction_request(), "LinkPool.createNode").await?;
        Ok(())
    }

    /// Funds staker `i` (gas ETH and exactly its stake in LINK) and stakes it all.
    async fn stake(&mut self, i: usize) -> Result<()> {
        let (staker, node, amount) = (self.stakers[i], self.nodes[node_of(i)], stake_of(i));
        let _: serde_json::Value = self
            .p
            .raw_request("anvil_setBalance".into(), (staker, U256::from(GAS_MONEY_WEI)))
            .await
            .map_err(failed("anvil_setBalance"))?;
        send(
            &self.admin_p,
            self.admin,
            self.link().transfer(staker, amount).into_transaction_request(),
            "LINK.transfer",
        )
        .await?;
        if i % 2 == 0 {
            let tx = self
                .link()
                .transferAndCall(self.pool.node_staking, amount, node.abi_encode().into())
                .into_transaction_request();
            send(&self.p, staker, tx, "stake (transferAndCall)").await?;
        } else {
            let approve = self.link().approve(self.pool.node_staking, amount).into_transaction_request();
            send(&self.p, staker, approve, "LINK.approve").await?;
            let stake =
                NodeStaking::new(self.pool.node_staking, self.p.clone()).stake(node, amount).into_transaction_request();
            send(&self.p, staker, stake, "NodeStaking.stake").await?;
        }
        self.models[node_of(i)].stake(staker, amount);
        self.staked[i] = amount;
        self.link_in += big(amount);
        Ok(())
    }

    /// Sends [`REQUESTS_PER_ROUND`] price requests to the real node, waits for their fulfilment,
    /// and has the Operator's owner withdraw everything it may into the node's storage.
    async fn earn_from_requests(&mut self, devnet: &Devnet) -> Result<(usize, U256)> {
        let url = format!("{}/data/pricemultifull?fsyms=ETH&tsyms=USD", devnet.source.url());
        let mut ids = Vec::new();
        for _ in 0..REQUESTS_PER_ROUND {
            let id = scenario::send_price_request(
                devnet,
                devnet.uint256_job.spec_id,
                &url,
                "RAW,ETH,USD,VOLUME24HOUR",
                1_000_000_000_000_000_000,
            )
            .await?;
            ids.push(id);
        }
        let filter = Filter::new()
            .address(devnet.contracts.consumer_uint256)
            .event_signature(ConsumerUint256::ValueFulfilled::SIGNATURE_HASH)
            .from_block(0);
        let deadline = Instant::now() + FULFILMENT_TIMEOUT;
        loop {
            let logs = self.p.get_logs(&filter).await.map_err(failed("eth_getLogs"))?;
            let done = ids.iter().filter(|id| logs.iter().any(|l| l.topics().get(1) == Some(*id))).count();
            if done == ids.len() {
                break;
            }
            if Instant::now() > deadline {
                return Err(DevnetError::Scenario {
                    name: "staking".into(),
                    message: format!("{done} of {} price requests fulfilled in {FULFILMENT_TIMEOUT:?}", ids.len()),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let operator = Operator::new(devnet.contracts.operator, self.p.clone());
        let amount = operator.withdrawable().call().await.map_err(failed("Operator.withdrawable"))?;
        let wanted = U256::from(REQUEST_PAYMENT * REQUESTS_PER_ROUND as u128);
        self.check(
            "the Operator earned the requests' fees",
            amount >= wanted,
            format!(
                "withdrawable {} ≥ {} × {}",
                link_str(amount),
                REQUESTS_PER_ROUND,
                link_str(U256::from(REQUEST_PAYMENT))
            ),
        );
        let storage = self.storage_of(0).await?;
        let before = self.balance(storage).await?;
        send(
            &self.admin_p,
            self.admin,
            operator.withdraw(storage, amount).into_transaction_request(),
            "Operator.withdraw",
        )
        .await?;
        let arrived = self.balance(storage).await? - before;
        self.check(
            "Operator withdrawal arrived in the node's storage",
            arrived == amount,
            format!("{} arrived of {}", link_str(arrived), link_str(amount)),
        );
        self.link_in += big(arrived);
        Ok((ids.len(), arrived))
    }

    /// Sends round `round`'s simulated earnings to nodes 2 and 3.
    async fn earn_simulated(&mut self, round: usize) -> Result<()> {
        for (k, amount) in SIMULATED_EARNINGS[round].iter().enumerate() {
            let storage = self.storage_of(k + 1).await?;
            let tx = self.link().transfer(storage, U256::from(*amount)).into_transaction_request();
            send(&self.admin_p, self.admin, tx, "LINK.transfer (simulated earnings)").await?;
            self.link_in += BigInt::from(*amount);
        }
        Ok(())
    }

    async fn distribute(&mut self, node: usize) -> Result<()> {
        let undistributed = self.node_info(node).await?.undistributed;
        let owners_before = self.balance(self.pool.pool_owners).await?;
        let tx = self.node_contract().distribute(self.nodes[node]).into_transaction_request();
        send(&self.admin_p, self.admin, tx, "Node.distribute").await?;
        let split = self.models[node].distribute(&big(undistributed));
        let to_owners = big(self.balance(self.pool.pool_owners).await? - owners_before);
        self.check(
            format!("node {} distribution: owners' cut", node + 1),
            to_owners == split.to_owners,
            format!("owners got {to_owners} juels of {undistributed}, model {}", split.to_owners),
        );
        Ok(())
    }

    async fn claim(&mut self, i: usize) -> Result<()> {
        let claimable = self.staker_info(i).await?.claimable;
        let before = self.balance(self.stakers[i]).await?;
        let tx = self.node_contract().claim(self.nodes[node_of(i)]).into_transaction_request();
        send(&self.p, self.stakers[i], tx, "Node.claim").await?;
        let paid = self.balance(self.stakers[i]).await? - before;
        self.check(
            format!("staker {i:>2} claim pays its claimable"),
            paid == claimable && !paid.is_zero(),
            format!("paid {}, claimable {}", link_str(paid), link_str(claimable)),
        );
        self.models[node_of(i)].claim(self.stakers[i], paid);
        self.claimed[i] += paid;
        self.paid_out += big(paid);
        Ok(())
    }

    async fn withdraw(&mut self, i: usize, all: bool) -> Result<()> {
        let stake = self.staker_info(i).await?.stake;
        let amount = if all { stake } else { stake / U256::from(3) };
        let before = self.balance(self.stakers[i]).await?;
        let node = self.nodes[node_of(i)];
        let arg = if all { U256::MAX } else { amount };
        let tx = self.node_contract().withdraw(node, arg).into_transaction_request();
        send(&self.p, self.stakers[i], tx, "Node.withdraw").await?;
        let paid = self.balance(self.stakers[i]).await? - before;
        self.check(
            format!("staker {i:>2} withdraws {}", if all { "all" } else { "a third" }),
            paid == amount,
            format!("paid {}, asked {}", link_str(paid), link_str(amount)),
        );
        if all {
            self.models[node_of(i)].withdraw_all(self.stakers[i]);
        } else {
            self.models[node_of(i)].withdraw(self.stakers[i], amount);
        }
        self.withdrawn[i] += paid;
        self.paid_out += big(paid);
        Ok(())
    }

    /// The operator of `node` deposits a tenth of its liquid stake with the vault; the vault
    /// forfeits it. Each staker of the node must lose its pro-rata part.
    async fn penalty(&mut self, node: usize) -> Result<()> {
        let info = self.node_info(node).await?;
        let amount = (info.totalStake - info.penaltiesAtRisk) / U256::from(10);
        let of_node: Vec<usize> = (0..STAKERS).filter(|i| node_of(*i) == node).collect();
        let mut before = Vec::new();
        for i in &of_node {
            before.push(self.staker_info(*i).await?.stake);
        }
        let exact_before: Vec<BigRational> =
            of_node.iter().map(|i| self.models[node].stakers[&self.stakers[*i]].stake.clone()).collect();
        let n = self.nodes[node];
        let tx =
            self.node_contract().depositPenalty(n, self.vault, amount, Default::default()).into_transaction_request();
        send(&self.p, n, tx, "Node.depositPenalty").await?;
        self.models[node].at_risk += big(amount);
        let v = PenaltyVault::new(self.vault, self.p.clone());
        send(
            &self.admin_p,
            self.admin,
            v.forfeit(self.pool.node, n, amount).into_transaction_request(),
            "PenaltyVault.forfeit",
        )
        .await?;
        self.models[node].forfeit(amount);
        self.forfeited += big(amount);
        let mut worst = BigRational::from_integer(BigInt::from(0));
        let mut lost_total = U256::ZERO;
        for (k, i) in of_node.iter().enumerate() {
            let after = self.staker_info(*i).await?.stake;
            let lost = BigRational::from_integer(big(before[k] - after));
            lost_total += before[k] - after;
            let exact = &exact_before[k] - &self.models[node].stakers[&self.stakers[*i]].stake;
            let off = if lost > exact { &lost - &exact } else { &exact - &lost };
            if off > worst {
                worst = off;
            }
        }
        let ok = worst <= BigRational::from_integer(BigInt::from(2));
        self.check(
            format!("node {} forfeit: each staker lost S/T of it", node + 1),
            ok,
            format!(
                "{} forfeited, stakes fell by {} in all; worst staker off by {:.3} juel",
                link_str(amount),
                link_str(lost_total),
                linkpool_pool::model::approx(&worst)
            ),
        );
        Ok(())
    }

    /// `PoolOwners` distributes and the founders claim; each must get `⌊shares·D/T⌋`.
    async fn owners(&mut self, owners: Address) -> Result<(U256, Vec<FounderRow>)> {
        let po = PoolOwners::new(owners, self.p.clone());
        let mut received = U256::ZERO;
        for node in 0..3 {
            received += self.node_info(node).await?.totalToOwners;
        }
        let held = self.balance(owners).await?;
        self.check("PoolOwners holds the owners' share", held == received, format!("holds {}", link_str(held)));
        send(&self.admin_p, self.admin, po.distribute().into_transaction_request(), "PoolOwners.distribute").await?;
        let total: u64 = FOUNDER_SHARES.iter().sum();
        let mut rows = Vec::new();
        for (k, founder) in self.founders.into_iter().enumerate() {
            let before = self.balance(founder).await?;
            send(&self.p, founder, po.claim().into_transaction_request(), "PoolOwners.claim").await?;
            let claimed = self.balance(founder).await? - before;
            let exact = received * U256::from(FOUNDER_SHARES[k]) / U256::from(total);
            self.check(
                format!("founder {} got ⌊shares·D/T⌋", k + 1),
                claimed == exact,
                format!("claimed {}, exact floor {}", link_str(claimed), link_str(exact)),
            );
            rows.push(FounderRow { founder, shares: FOUNDER_SHARES[k], claimed });
        }
        Ok((received, rows))
    }

    async fn finish(
        mut self,
        requests_fulfilled: usize,
        operator_earnings: U256,
        owners_received: U256,
        founders: Vec<FounderRow>,
    ) -> Result<StakingOutcome> {
        let mut nodes = Vec::new();
        let (mut held, mut stakes_at_risk, mut claimable_total, mut undistributed, mut to_owners) =
            (BigInt::from(0), BigInt::from(0), BigInt::from(0), BigInt::from(0), BigInt::from(0));
        for node in 0..3 {
            let info = self.node_info(node).await?;
            let at_risk_model = self.models[node].at_risk.clone();
            let custody =
                info.linkHeld == info.totalStake - info.penaltiesAtRisk + info.rewardsOutstanding + info.undistributed;
            self.check(
                format!("node {} LINK held = stake at home + outstanding + undistributed", node + 1),
                custody,
                format!(
                    "{} = {} − {} + {} + {}",
                    link_str(info.linkHeld),
                    link_str(info.totalStake),
                    link_str(info.penaltiesAtRisk),
                    link_str(info.rewardsOutstanding),
                    link_str(info.undistributed)
                ),
            );
            let books = big(info.totalToOwners) == self.models[node].to_owners
                && big(info.penaltiesAtRisk) == at_risk_model
                && (node != 2 || big(info.totalForfeited) == self.forfeited)
                && (node == 2 || info.totalForfeited.is_zero());
            self.check(
                format!("node {} owners' total, forfeits and penalties at risk match the model", node + 1),
                books,
                format!(
                    "to owners {} (model {}), forfeited {}, at risk {}",
                    info.totalToOwners, self.models[node].to_owners, info.totalForfeited, info.penaltiesAtRisk
                ),
            );
            held += big(info.linkHeld);
            stakes_at_risk += big(info.penaltiesAtRisk);
            undistributed += big(info.undistributed);
            to_owners += big(info.totalToOwners);
            nodes.push(NodeRow {
                node: self.nodes[node],
                earnings_source: if node == 0 { "requests" } else { "simulated" },
                info,
            });
        }

        let mut stakers = Vec::new();
        let mut stakes_total = BigInt::from(0);
        for i in 0..STAKERS {
            let info = self.staker_info(i).await?;
            let node = node_of(i);
            let m = self.models[node].stakers.get(&self.stakers[i]).cloned().unwrap_or_default();
            let paid = BigRational::from_integer(&m.claimed + big(info.claimable));
            let off = if paid > m.earned { &paid - &m.earned } else { &m.earned - &paid };
            let stake = BigRational::from_integer(big(info.stake));
            let slack = BigRational::from_integer(BigInt::from(self.models[node].roundings + 1));
            let stake_off = if stake > m.stake { &stake - &m.stake } else { &m.stake - &stake };
            let balance = self.balance(self.stakers[i]).await?;
            let ok = off <= BigRational::from_integer(BigInt::from(1))
                && stake_off <= slack
                && balance == self.withdrawn[i] + self.claimed[i];
            self.check(
                format!("staker {i:>2} earnings within 1 juel of S/T·R, stake and balance exact"),
                ok,
                format!(
                    "earnings off {:.3} juel, stake off {:.3} juel (≤ {}), balance {}",
                    linkpool_pool::model::approx(&off),
                    linkpool_pool::model::approx(&stake_off),
                    self.models[node].roundings + 1,
                    link_str(balance)
                ),
            );
            stakes_total += big(info.stake);
            claimable_total += big(info.claimable);
            stakers.push(StakerRow {
                staker: self.stakers[i],
                node,
                path: if i % 2 == 0 { "677" } else { "approve" },
                staked: self.staked[i],
                stake: info.stake,
                claimed: self.claimed[i],
                claimable: info.claimable,
                withdrawn: self.withdrawn[i],
            });
        }

        // Conservation: what went in is what went out plus what the nodes hold.
        let out = &self.paid_out + &to_owners + &self.forfeited;
        self.check(
            "LINK in = payouts + held",
            self.link_in == &out + &held,
            format!(
                "in {} = out {} (stakers {}, owners {}, forfeited {}) + held {}",
                self.link_in, out, self.paid_out, to_owners, self.forfeited, held
            ),
        );
        // Stakes include what is out as penalty deposits; the storages hold only the rest.
        let at_risk = &stakes_at_risk;
        let dust = &held - (&stakes_total - at_risk + &claimable_total + &undistributed);
        let limit = BigInt::from(2 * STAKERS as u64);
        self.check(
            "held = stakes + claimable + undistributed + dust, dust ≤ 2 juels per staker",
            dust >= BigInt::from(0) && dust <= limit,
            format!("dust {dust} juels"),
        );
        Ok(StakingOutcome {
            pool: self.pool,
            vault: self.vault,
            requests_fulfilled,
            operator_earnings,
            nodes,
            stakers,
            owners_received,
            founders,
            checks: self.checks,
        })
    }
}

/// Sends `tx` from `from` and waits for a successful receipt (anvil mines at once, so the receipt
/// is polled every 10 ms rather than alloy's 250 ms).
async fn send(p: &DynProvider, from: Address, tx: TransactionRequest, what: &str) -> Result<TransactionReceipt> {
    let mut tx = tx.with_from(from);
    let estimate = p.estimate_gas(tx.clone()).await.map_err(failed(format!("{what} (estimate)")))?;
    tx.gas = Some(estimate + estimate * linkpool_bindings::stack::GAS_ESTIMATE_MARGIN_PERCENT / 100);
    let pending = p.send_transaction(tx).await.map_err(failed(what))?;
    let hash = *pending.tx_hash();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(r) = p.get_transaction_receipt(hash).await.map_err(failed(what))? {
            if !r.status() {
                return Err(DevnetError::Contract { what: what.into(), message: format!("reverted ({hash})") });
            }
            return Ok(r);
        }
        if Instant::now() > deadline {
            return Err(DevnetError::Contract { what: what.into(), message: format!("{hash} not mined in 30 s") });
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Juels as LINK with all 18 decimals.
fn link_str(v: U256) -> String {
    let s = format!("{v:0>19}");
    let (int, frac) = s.split_at(s.len() - 18);
    format!("{int}.{frac}")
}

/// Renders the outcome: nodes, stakers, owners, then every check.
pub fn table(o: &StakingOutcome) -> String {
    let mut out = format!(
        "LinkPool  PoolStorage {}  LinkPool {}  PoolOwners {}  vault {}\n",
        o.pool.pool_storage, o.pool.link_pool, o.pool.pool_owners, o.vault
    );
    out.push_str(&format!(
        "node 1 earned from {} fulfilled price requests ({} LINK withdrawn from the Operator); nodes 2 and 3: simulated earnings\n\n",
        o.requests_fulfilled,
        link_str(o.operator_earnings)
    ));
    out.push_str(&format!(
        "{:<6} {:<13} {:<9} {:>24} {:>7} {:>24} {:>24} {:>24} {:>24}\n",
        "node",
        "address",
        "earnings",
        "stake (LINK)",
        "stakers",
        "earnings (LINK)",
        "to owners (LINK)",
        "forfeited (LINK)",
        "LINK held"
    ));
    for (k, n) in o.nodes.iter().enumerate() {
        out.push_str(&format!(
            "{:<6} {:<13} {:<9} {:>24} {:>7} {:>24} {:>24} {:>24} {:>24}\n",
            k + 1,
            short(n.node),
            n.earnings_source,
            link_str(n.info.totalStake),
            n.info.stakers,
            link_str(n.info.totalEarnings),
            link_str(n.info.totalToOwners),
            link_str(n.info.totalForfeited),
            link_str(n.info.linkHeld)
        ));
    }
    out.push_str(&format!(
        "\n{:<7} {:<13} {:>4} {:<7} {:>24} {:>24} {:>24} {:>24} {:>24}\n",
        "staker", "address", "node", "path", "staked (LINK)", "stake now", "claimed", "claimable", "withdrawn"
    ));
    for (i, s) in o.stakers.iter().enumerate() {
        out.push_str(&format!(
            "{:<7} {:<13} {:>4} {:<7} {:>24} {:>24} {:>24} {:>24} {:>24}\n",
            i,
            short(s.staker),
            s.node + 1,
            s.path,
            link_str(s.staked),
            link_str(s.stake),
            link_str(s.claimed),
            link_str(s.claimable),
            link_str(s.withdrawn)
        ));
    }
    out.push_str(&format!("\nowners: PoolOwners received {} LINK\n", link_str(o.owners_received)));
    for (k, f) in o.founders.iter().enumerate() {
        out.push_str(&format!(
            "  founder {} {} {:>9} shares  claimed {} LINK\n",
            k + 1,
            short(f.founder),
            f.shares,
            link_str(f.claimed)
        ));
    }
    out.push('\n');
    for c in &o.checks {
        out.push_str(&format!("{:<6} {:<80} {}\n", if c.ok { "ok" } else { "FAILED" }, c.name, c.detail));
    }
    out
}
