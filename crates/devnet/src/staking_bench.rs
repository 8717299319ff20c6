//! `linkpool bench staking`: the gas of a LinkPool node's stake, withdraw, distribute and claim,
//! on nodes with few and with many stakers (issue 5).
//!
//! [`run`] starts its own anvil, deploys LINK and a pool, and creates one node per entry of
//! [`StakingBenchOptions::stakers`], all in the same pool. Each node is filled with that many
//! distinct stakers of [`BULK_STAKE`] each, staked with `LINK.transferAndCall` by the staker
//! itself: the stakers are generated addresses that anvil impersonates (`eth_sendTransaction`
//! without keys), funded by one LINK `transfer` from the deployer each. The fill runs with
//! automine off, in chunks: send a chunk's transfers (explicit nonces) and stakes concurrently,
//! then mine them into a few large blocks.
//!
//! Then every node goes through the same sequence, one transaction per block, and the gas is
//! each receipt's `gasUsed` (whole transaction):
//! 1. earnings arrive at the node's storage and are distributed (the node's first distribution);
//! 2. again (steady state: **distribute**);
//! 3. staker #0 claims (its first claim, which also moves its snapshot off zero);
//! 4. earnings, distribution, and staker #0 claims again (steady state: **claim**);
//! 5. a new staker stakes with `transferAndCall` (**stake**), staker #0 tops up (**stake top-up**:
//!    its record has no zero slot left after its claims), and another new staker stakes with
//!    approve + `stake` (the `stake` call);
//! 6. staker #1, which has never claimed, withdraws half its stake (**withdraw**, partial; it also
//!    settles the staker's rewards of the three distributions).
//!
//! The sequence is identical on every node, so the numbers differ only by what depends on the
//! number of stakers, which the O(1) accounting says is nothing. Earnings are round numbers and
//! stakes all equal so that no node gets a zero where another gets a non-zero leftover (dust) in
//! a storage slot, which would move the cost of an `SSTORE` by thousands of gas for reasons that
//! have nothing to do with the staker count.

use std::time::{Duration, Instant};

use alloy::{
    network::TransactionBuilder,
    node_bindings::AnvilInstance,
    primitives::{keccak256, Address, U256, U64},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    sol_types::SolValue,
};
use futures::{stream, StreamExt, TryStreamExt};
use linkpool_bindings::{stack, LinkPool, LinkToken, Node, NodeStaking};
use serde_json::{json, Map, Value};

use crate::{DevnetError, Result};

/// One LINK in juels.
pub const LINK: u128 = 1_000_000_000_000_000_000;
/// What each staker of the fill stakes: 1 LINK (10,000 of them fit under the default limit).
pub const BULK_STAKE: u128 = LINK;
/// Earnings per distribution: 10 LINK (a round number; see the module docs).
pub const EARNINGS: u128 = 10 * LINK;
/// The largest spread allowed between the distribute (and claim) gas of two nodes.
pub const MAX_SPREAD_PCT: f64 = 5.0;
/// The gas limit of each fill transaction (set explicitly: the fill does not estimate).
const FILL_STAKE_GAS: u64 = 500_000;
const FILL_TRANSFER_GAS: u64 = 100_000;
/// ETH given to each impersonated account for gas.
const GAS_MONEY_WEI: u128 = LINK;
/// anvil's block gas limit in this bench: a fill chunk goes in one or two blocks.
const BLOCK_GAS_LIMIT: u64 = 1_000_000_000;

/// Settings of [`run`].
#[derive(Debug, Clone)]
pub struct StakingBenchOptions {
    /// One node per entry, with that many stakers (at least 2: the sequence uses stakers #0 and #1).
    pub stakers: Vec<usize>,
    /// Requests in flight during the fill.
    pub concurrency: usize,
    /// Stakers sent to the pool before mining them.
    pub chunk: usize,
}

impl Default for StakingBenchOptions {
    fn default() -> Self {
        Self { stakers: vec![10, 10_000], concurrency: 32, chunk: 1_000 }
    }
}

/// Gas (whole-transaction `gasUsed`) measured on one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeGas {
    /// Stakers on the node when distribute and claim were measured.
    pub stakers: usize,
    /// The node's first distribution.
    pub distribute_first: u64,
    /// A later distribution (steady state).
    pub distribute: u64,
    /// A staker's first claim.
    pub claim_first: u64,
    /// A later claim by the same staker (steady state).
    pub claim: u64,
    /// A new staker's `transferAndCall` stake.
    pub stake: u64,
    /// A `transferAndCall` top-up by a staker that has claimed before.
    pub stake_top_up: u64,
    /// A new staker's `stake` call, after its `approve`.
    pub stake_approved: u64,
    /// A withdrawal of half a stake, by a staker that has never claimed.
    pub withdraw: u64,
    /// Time to fill the node with its stakers.
    pub fill_time: Duration,
}

/// Picks one figure of a node.
type GasOf = fn(&NodeGas) -> u64;

/// What [`run`] measured.
#[derive(Debug, Clone)]
pub struct StakingBenchReport {
    /// One entry per node, in the order of [`StakingBenchOptions::stakers`].
    pub nodes: Vec<NodeGas>,
    /// Everything, anvil start to the last receipt.
    pub elapsed: Duration,
}

impl StakingBenchReport {
    /// The node with the most stakers (its stake and withdraw figures are the headline ones).
    pub fn largest(&self) -> &NodeGas {
        self.nodes.iter().max_by_key(|n| n.stakers).expect("at least one node")
    }

    /// How much the largest value of `gas` over the nodes exceeds the smallest, in percent of the
    /// smallest.
    pub fn spread_pct(&self, gas: impl Fn(&NodeGas) -> u64) -> f64 {
        let values = self.nodes.iter().map(gas);
        let (min, max) = values.fold((u64::MAX, 0), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if min == 0 {
            return f64::INFINITY;
        }
        (max - min) as f64 * 100.0 / min as f64
    }

    /// Whether distribute and claim (steady state) cost within [`MAX_SPREAD_PCT`] on every node.
    pub fn o1_holds(&self) -> bool {
        self.spread_pct(|n| n.distribute) < MAX_SPREAD_PCT && self.spread_pct(|n| n.claim) < MAX_SPREAD_PCT
    }

    /// `{"gas": {"stake", "withdraw", "distribute": {"<stakers>": …}, "claim": {…}, …}, …}`.
    pub fn to_json(&self) -> Value {
        let by_size = |gas: &dyn Fn(&NodeGas) -> u64| -> Value {
            Value::Object(self.nodes.iter().map(|n| (n.stakers.to_string(), json!(gas(n)))).collect::<Map<_, _>>())
        };
        let largest = self.largest();
        json!({
            "gas": {
                "stake": largest.stake,
                "withdraw": largest.withdraw,
                "distribute": by_size(&|n| n.distribute),
                "claim": by_size(&|n| n.claim),
                "stake_top_up": largest.stake_top_up,
                "stake_approved": largest.stake_approved,
                "by_stakers": {
                    "stake": by_size(&|n| n.stake),
                    "stake_top_up": by_size(&|n| n.stake_top_up),
                    "stake_approved": by_size(&|n| n.stake_approved),
                    "withdraw": by_size(&|n| n.withdraw),
                    "distribute_first": by_size(&|n| n.distribute_first),
                    "claim_first": by_size(&|n| n.claim_first),
                },
            },
            "spread_pct": {
                "distribute": self.spread_pct(|n| n.distribute),
                "claim": self.spread_pct(|n| n.claim),
                "limit": MAX_SPREAD_PCT,
            },
            "o1_holds": self.o1_holds(),
            "fill_s": Value::Object(
                self.nodes.iter().map(|n| (n.stakers.to_string(), json!(n.fill_time.as_secs_f64()))).collect()
            ),
            "elapsed_s": self.elapsed.as_secs_f64(),
        })
    }

    /// The gas table, one column per node, and the spread line.
    pub fn table(&self) -> String {
        let mut out = String::from("gas (whole transaction gasUsed), one node per column, same pool\n\n");
        let header: String = self.nodes.iter().map(|n| format!(" {:>14}", format!("{} stakers", n.stakers))).collect();
        out.push_str(&format!("{:<38}{header} {:>8}\n", "operation", "spread"));
        let rows: [(&str, GasOf); 8] = [
            ("stake (new staker, transferAndCall)", |n| n.stake),
            ("stake (top-up, transferAndCall)", |n| n.stake_top_up),
            ("stake (new staker, approve + stake)", |n| n.stake_approved),
            ("withdraw (half a stake)", |n| n.withdraw),
            ("distribute (steady)", |n| n.distribute),
            ("claim (steady)", |n| n.claim),
            ("distribute (node's first)", |n| n.distribute_first),
            ("claim (staker's first)", |n| n.claim_first),
        ];
        for (name, gas) in rows {
            let cells: String = self.nodes.iter().map(|n| format!(" {:>14}", gas(n))).collect();
            out.push_str(&format!("{name:<38}{cells} {:>7.2}%\n", self.spread_pct(gas)));
        }
        let fills: String = self.nodes.iter().map(|n| format!(" {:>13.1}s", n.fill_time.as_secs_f64())).collect();
        out.push_str(&format!("\n{:<38}{fills}\n", "fill time"));
        out.push_str(&format!(
            "\ndistribute and claim spread {:.2}% / {:.2}% (limit {MAX_SPREAD_PCT}%): {}; {:.1}s in all\n",
            self.spread_pct(|n| n.distribute),
            self.spread_pct(|n| n.claim),
            if self.o1_holds() { "O(1) holds" } else { "ABOVE THE LIMIT" },
            self.elapsed.as_secs_f64()
        ));
        out
    }
}

/// Runs the bench (see the module docs); `progress` receives a line now and then.
pub async fn run(opts: &StakingBenchOptions, progress: impl Fn(&str)) -> Result<StakingBenchReport> {
    if opts.stakers.is_empty() || opts.stakers.iter().any(|&n| n < 2) {
        return Err(DevnetError::Contract {
            what: "staking bench".into(),
            message: format!("every staker count must be at least 2, got {:?}", opts.stakers),
        });
    }
    let started = Instant::now();
    let bench = Bench::start().await?;
    progress(&format!("anvil and the pool are up ({:.1}s)", started.elapsed().as_secs_f64()));
    let mut nodes = Vec::with_capacity(opts.stakers.len());
    for (index, &count) in opts.stakers.iter().enumerate() {
        let node = bench.impersonated(&format!("node {index}")).await?;
        bench.send("createNode", node, bench.pool().createNode().into_transaction_request()).await?;
        // Room for the fill and the measured stakes, whatever the default limit.
        let limit = U256::from(count as u128 + 10) * U256::from(BULK_STAKE);
        bench
            .send(
                "setStakeLimit",
                bench.admin,
                bench.node_logic().setStakeLimit(node, limit).into_transaction_request(),
            )
            .await?;
        let stakers: Vec<Address> = (0..count).map(|i| generated(&format!("node {index} staker {i}"))).collect();
        let fill_started = Instant::now();
        bench.fill(node, &stakers, &|done| progress(&format!("node {index}: {done}/{count} stakers")), opts).await?;
        let fill_time = fill_started.elapsed();
        progress(&format!("node {index}: {count} stakers in {:.1}s; measuring", fill_time.as_secs_f64()));
        nodes.push(bench.measure(index, node, &stakers, fill_time).await?);
    }
    Ok(StakingBenchReport { nodes, elapsed: started.elapsed() })
}

/// A deterministic address no key is known for (anvil impersonates it).
fn generated(label: &str) -> Address {
    Address::from_word(keccak256(format!("linkpool bench staking: {label}")))
}

fn failed<E: std::fmt::Display>(what: impl Into<String>) -> impl FnOnce(E) -> DevnetError {
    DevnetError::contract(what)
}

struct Bench {
    /// Sends from unlocked or impersonated accounts (`eth_sendTransaction`), estimating gas.
    p: DynProvider,
    /// The same without fillers: the fill sets every field itself.
    raw: DynProvider,
    admin: Address,
    link: Address,
    pool: linkpool_pool::deploy::PoolContracts,
    _anvil: AnvilInstance,
}

impl Bench {
    async fn start() -> Result<Self> {
        let anvil = linkpool_devtools::anvil()?.args(["--gas-limit", &BLOCK_GAS_LIMIT.to_string()]).try_spawn()?;
        let p = ProviderBuilder::new()
            .disable_recommended_fillers()
            .with_gas_estimation()
            .with_simple_nonce_management()
            .fetch_chain_id()
            .connect_http(anvil.endpoint_url())
            .erased();
        let raw = ProviderBuilder::new().disable_recommended_fillers().connect_http(anvil.endpoint_url()).erased();
        let (admin, owners) = (anvil.addresses()[0], anvil.addresses()[1]);
        let link = stack::deploy_link(&p, admin, stack::Flavor::Linkpool).await.map_err(failed("deploying LINK"))?;
        let pool =
            linkpool_pool::deploy::deploy(&p, link, admin, linkpool_pool::deploy::DEFAULT_UPGRADE_DELAY_SECS, owners)
                .await
                .map_err(failed("deploying the pool"))?;
        // The owners' account already holds LINK (as a running pool's would): every node's first
        // distribution then pays the same, not the first node a zero-to-non-zero balance write.
        stack::send(
            &p,
            LinkToken::new(link, p.clone()).transfer(owners, U256::from(LINK)).from(admin).into_transaction_request(),
        )
        .await
        .map_err(failed("funding the owners"))?;
        let _: Value = p
            .raw_request("anvil_autoImpersonateAccount".into(), (true,))
            .await
            .map_err(failed("anvil_autoImpersonateAccount"))?;
        Ok(Self { p, raw, admin, link, pool, _anvil: anvil })
    }

    fn token(&self) -> LinkToken::LinkTokenInstance<DynProvider> {
        LinkToken::new(self.link, self.p.clone())
    }
    fn pool(&self) -> LinkPool::LinkPoolInstance<DynProvider> {
        LinkPool::new(self.pool.link_pool, self.p.clone())
    }
    fn node_logic(&self) -> Node::NodeInstance<DynProvider> {
        Node::new(self.pool.node, self.p.clone())
    }
    fn staking(&self) -> NodeStaking::NodeStakingInstance<DynProvider> {
        NodeStaking::new(self.pool.node_staking, self.p.clone())
    }

    /// A generated account with ETH for gas (anvil impersonates every address).
    async fn impersonated(&self, label: &str) -> Result<Address> {
        let a = generated(label);
        self.give_gas_money(a).await?;
        Ok(a)
    }

    async fn give_gas_money(&self, a: Address) -> Result<()> {
        let _: Value = self
            .raw
            .raw_request("anvil_setBalance".into(), (a, U256::from(GAS_MONEY_WEI)))
            .await
            .map_err(failed("anvil_setBalance"))?;
        Ok(())
    }

    /// Sends `tx` from `from` (automine on), fails on a revert, and returns the gas used.
    async fn send(&self, what: &str, from: Address, tx: TransactionRequest) -> Result<u64> {
        let receipt = stack::send(&self.p, tx.with_from(from)).await.map_err(failed(what))?;
        Ok(receipt.gas_used)
    }

    async fn fund(&self, to: Address, amount: u128) -> Result<()> {
        self.send("LINK transfer", self.admin, self.token().transfer(to, U256::from(amount)).into_transaction_request())
            .await
            .map(drop)
    }

    fn stake_677(&self, node: Address, amount: u128) -> TransactionRequest {
        self.token()
            .transferAndCall(self.pool.node_staking, U256::from(amount), node.abi_encode().into())
            .into_transaction_request()
    }

    async fn set_automine(&self, on: bool) -> Result<()> {
        let _: Value =
            self.raw.raw_request("evm_setAutomine".into(), (on,)).await.map_err(failed("evm_setAutomine"))?;
        Ok(())
    }

    /// Mines until the pool is empty; a transaction stuck behind a nonce gap is an error.
    async fn mine_all(&self) -> Result<()> {
        #[derive(Debug, serde::Deserialize)]
        struct PoolStatus {
            pending: U64,
            queued: U64,
        }
        for _ in 0..1_000 {
            let _: Value = self.raw.raw_request("evm_mine".into(), ()).await.map_err(failed("evm_mine"))?;
            let s: PoolStatus =
                self.raw.raw_request("txpool_status".into(), ()).await.map_err(failed("txpool_status"))?;
            match (s.pending.to::<u64>(), s.queued.to::<u64>()) {
                (0, 0) => return Ok(()),
                (0, queued) => {
                    return Err(DevnetError::Contract {
                        what: "filling the node".into(),
                        message: format!("{queued} transactions stuck in anvil's pool"),
                    })
                }
                _ => {}
            }
        }
        Err(DevnetError::Contract { what: "filling the node".into(), message: "the pool never emptied".into() })
    }

    /// Sends every request of `txs` without waiting for it to be mined, `concurrency` at a time.
    async fn send_all(&self, what: &str, txs: Vec<TransactionRequest>, concurrency: usize) -> Result<()> {
        stream::iter(txs)
            .map(|tx| async move { self.raw.send_transaction(tx).await.map(drop).map_err(failed(what.to_owned())) })
            .buffer_unordered(concurrency.max(1))
            .try_collect::<Vec<()>>()
            .await
            .map(drop)
    }

    /// Gives each of `stakers` [`BULK_STAKE`] LINK and has it stake that on `node`.
    async fn fill(
        &self,
        node: Address,
        stakers: &[Address],
        progress: &dyn Fn(usize),
        opts: &StakingBenchOptions,
    ) -> Result<()> {
        let gas_price = self.p.get_gas_price().await.map_err(failed("eth_gasPrice"))?.max(1_000_000_000) * 4;
        self.set_automine(false).await?;
        let filled = self.fill_chunks(node, stakers, progress, opts, gas_price).await;
        // Back to one block per transaction for the measurements, even after an error.
        self.set_automine(true).await?;
        filled?;
        let info = self.pool().nodeInfo(node).call().await.map_err(failed("nodeInfo"))?;
        let expected_stake = U256::from(stakers.len() as u128 * BULK_STAKE);
        if info.stakers != U256::from(stakers.len()) || info.totalStake != expected_stake {
            return Err(DevnetError::Contract {
                what: "filling the node".into(),
                message: format!(
                    "expected {} stakers and {expected_stake} juels staked, the node has {} and {}",
                    stakers.len(),
                    info.stakers,
                    info.totalStake
                ),
            });
        }
        Ok(())
    }

    async fn fill_chunks(
        &self,
        node: Address,
        stakers: &[Address],
        progress: &dyn Fn(usize),
        opts: &StakingBenchOptions,
        gas_price: u128,
    ) -> Result<()> {
        let concurrency = opts.concurrency.max(1);
        let mut done = 0;
        for chunk in stakers.chunks(opts.chunk.max(1)) {
            stream::iter(chunk)
                .map(|&a| self.give_gas_money(a))
                .buffer_unordered(concurrency)
                .try_collect::<Vec<()>>()
                .await?;
            let nonce = self.raw.get_transaction_count(self.admin).await.map_err(failed("eth_getTransactionCount"))?;
            let transfers = chunk
                .iter()
                .zip(nonce..)
                .map(|(&staker, nonce)| {
                    self.token()
                        .transfer(staker, U256::from(BULK_STAKE))
                        .into_transaction_request()
                        .with_from(self.admin)
                        .with_nonce(nonce)
                        .with_gas_limit(FILL_TRANSFER_GAS)
                        .with_gas_price(gas_price)
                })
                .collect();
            self.send_all("funding a staker", transfers, concurrency).await?;
            self.mine_all().await?;
            let stakes = chunk
                .iter()
                .map(|&staker| {
                    self.stake_677(node, BULK_STAKE)
                        .with_from(staker)
                        .with_nonce(0)
                        .with_gas_limit(FILL_STAKE_GAS)
                        .with_gas_price(gas_price)
                })
                .collect();
            self.send_all("staking", stakes, concurrency).await?;
            self.mine_all().await?;
            done += chunk.len();
            progress(done);
        }
        Ok(())
    }

    /// Earnings reach the node's storage (as an Operator withdrawal would send them) and are
    /// distributed; returns the distribution's gas.
    async fn earn_and_distribute(&self, node: Address, storage: Address) -> Result<u64> {
        self.fund(storage, EARNINGS).await?;
        self.send("distribute", self.admin, self.node_logic().distribute(node).into_transaction_request()).await
    }

    /// The measured sequence of the module docs.
    async fn measure(&self, index: usize, node: Address, stakers: &[Address], fill_time: Duration) -> Result<NodeGas> {
        let storage = self.pool().storageOf(node).call().await.map_err(failed("storageOf"))?;
        let claim_by = |who: Address| self.send("claim", who, self.node_logic().claim(node).into_transaction_request());

        let distribute_first = self.earn_and_distribute(node, storage).await?;
        let distribute = self.earn_and_distribute(node, storage).await?;
        let claim_first = claim_by(stakers[0]).await?;
        self.earn_and_distribute(node, storage).await?;
        let claim = claim_by(stakers[0]).await?;

        let newcomer = self.impersonated(&format!("node {index} newcomer")).await?;
        self.fund(newcomer, BULK_STAKE).await?;
        let stake = self.send("stake (transferAndCall)", newcomer, self.stake_677(node, BULK_STAKE)).await?;

        self.fund(stakers[0], BULK_STAKE).await?;
        let stake_top_up = self.send("stake top-up", stakers[0], self.stake_677(node, BULK_STAKE)).await?;

        let approver = self.impersonated(&format!("node {index} approver")).await?;
        self.fund(approver, BULK_STAKE).await?;
        let approve = self.token().approve(self.pool.node_staking, U256::from(BULK_STAKE)).into_transaction_request();
        self.send("approve", approver, approve).await?;
        let stake_call = self.staking().stake(node, U256::from(BULK_STAKE)).into_transaction_request();
        let stake_approved = self.send("stake (approved)", approver, stake_call).await?;

        let half = self.node_logic().withdraw(node, U256::from(BULK_STAKE / 2)).into_transaction_request();
        let withdraw = self.send("withdraw", stakers[1], half).await?;

        Ok(NodeGas {
            stakers: stakers.len(),
            distribute_first,
            distribute,
            claim_first,
            claim,
            stake,
            stake_top_up,
            stake_approved,
            withdraw,
            fill_time,
        })
    }
}
