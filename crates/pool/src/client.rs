//! A client of a deployed pool, addressed by its pool storage (the registry).
//!
//! Every logic contract (`LinkPool`, `Node`, `NodeStaking`, …) is looked up in the registry at
//! each use, never remembered, so an executed upgrade is picked up by the next call. Reads need
//! any provider; writes need a provider whose wallet signs for the account given to
//! [`Pool::with_sender`]. Every write waits for its receipt. A revert of the suite's custom errors
//! (during gas estimation, where it almost always shows) becomes [`Error::Revert`], which names
//! the error with its fields and explains it, e.g.
//! `stake reverted with StakeLimitExceeded { node: 0x…, limit: …, wouldBe: … }: …`.

use std::collections::BTreeSet;

use alloy::{
    network::TransactionBuilder,
    primitives::{utils::format_units, Address, B256, U256},
    providers::{DynProvider, Provider},
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol_types::{SolEvent, SolValue},
};
use linkpool_bindings::{
    link_pool::{self, ILinkPool},
    node, stack, LinkPool, LinkToken, NodeFactory, NodeStaking, PoolStorage, PoolStorageFactory,
};
use serde::Serialize;

use crate::{
    deploy::{name_key, names},
    Error, Result,
};

/// Serde helper: integers as decimal strings (JSON numbers lose precision beyond 2^53).
mod dec {
    pub(super) fn serialize<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}

/// Every registry name this client knows (the logic contracts, then `PoolOwners`).
pub const KNOWN_NAMES: [&str; 6] = [
    names::LINK_POOL,
    names::NODE,
    names::NODE_STAKING,
    names::NODE_FACTORY,
    names::POOL_STORAGE_FACTORY,
    names::POOL_OWNERS,
];

/// The known registry name spelled `input` in any case (`node` → `Node`). Registry keys are
/// `keccak256(name)` of the exact spelling, so a miscased name would silently be another entry.
pub fn canonical_name(input: &str) -> Option<&'static str> {
    KNOWN_NAMES.iter().copied().find(|n| n.eq_ignore_ascii_case(input.trim()))
}

/// The name whose registry key is `key`, if it is a known one.
pub fn name_of_key(key: B256) -> Option<&'static str> {
    KNOWN_NAMES.iter().copied().find(|n| name_key(n) == key)
}

/// Juels as LINK with trailing zeros trimmed: `12500000000000000000` → `12.5`.
pub fn format_link(juels: U256) -> String {
    let s = format_units(juels, 18).unwrap_or_default();
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// Seconds as `6d 23h 59m 10s` (largest units first, zero parts left out; `0s` for 0).
pub fn format_duration(seconds: u64) -> String {
    let parts = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut rest = seconds;
    let mut out = Vec::new();
    for (unit, suffix) in parts {
        if rest >= unit {
            out.push(format!("{}{suffix}", rest / unit));
            rest %= unit;
        }
    }
    if out.is_empty() {
        "0s".to_owned()
    } else {
        out.join(" ")
    }
}

/// Unix seconds as a UTC time, `2023-11-14T22:13:20Z`.
pub fn format_unix(secs: u64) -> String {
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3_600, rem % 3_600 / 60, rem % 60)
}

pub use linkpool_bindings::stack::SentTx;

/// A registry entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredContract {
    /// Its name, or the key in hex when it is not a known name.
    pub name: String,
    /// `keccak256(name)`.
    pub key: B256,
    /// The current contract.
    pub address: Address,
}

/// A pending contract proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractProposal {
    /// The name, or the key in hex when it is not a known name.
    pub name: String,
    /// `keccak256(name)`.
    pub key: B256,
    /// The contract registered so far (zero for a new name).
    pub current: Address,
    /// The proposed contract.
    pub new_contract: Address,
    /// When it can be executed (unix seconds).
    pub ready_at: u64,
    /// Seconds from the latest block to `ready_at` (0: it can be executed now).
    pub seconds_left: u64,
}

/// A pending whitelist proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhitelistProposal {
    /// The proposed network contract.
    pub target: Address,
    /// When it can be executed (unix seconds).
    pub ready_at: u64,
    /// Seconds from the latest block to `ready_at` (0: it can be executed now).
    pub seconds_left: u64,
}

/// The pool's own state: identity, registry, proposals and whitelist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolOverview {
    /// The pool's storage (the address the pool is known by).
    pub storage: Address,
    /// The LINK token.
    pub link: Address,
    /// The admin, who may only propose.
    pub admin: Address,
    /// Seconds between a proposal and its effect.
    pub upgrade_delay: u64,
    /// The latest block's timestamp, against which `secondsLeft` are counted.
    pub now: u64,
    /// The registry, in registration order.
    pub contracts: Vec<RegisteredContract>,
    /// Pending contract proposals.
    pub proposals: Vec<ContractProposal>,
    /// Whitelisted network contracts (penalty deposits may go to them).
    pub whitelist: Vec<Address>,
}

/// A node's state (`ILinkPool.NodeInfo`), amounts in juels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeReport {
    /// The node (its operator's address).
    pub node: Address,
    /// Its storage, which holds its stakers' LINK.
    pub storage: Address,
    /// `active`, `paused`, `closed` (or `none`: not a node).
    pub status: &'static str,
    /// LINK staked, forfeits deducted; includes what is out as penalty deposits.
    #[serde(with = "dec")]
    pub total_stake: U256,
    /// Shares behind the stake.
    #[serde(with = "dec")]
    pub total_shares: U256,
    /// Stakers with shares.
    #[serde(with = "dec")]
    pub stakers: U256,
    /// Stake out as penalty deposits with whitelisted network contracts.
    #[serde(with = "dec")]
    pub penalties_at_risk: U256,
    /// The most it takes in stake.
    #[serde(with = "dec")]
    pub stake_limit: U256,
    /// Operational cost taken from earnings first, in basis points.
    #[serde(with = "dec")]
    pub operational_cost_bps: U256,
    /// Makers' percentage of the rest, in basis points.
    #[serde(with = "dec")]
    pub makers_bps: U256,
    /// Distributed to stakers and not yet claimed.
    #[serde(with = "dec")]
    pub rewards_outstanding: U256,
    /// Earnings in the storage not yet distributed.
    #[serde(with = "dec")]
    pub undistributed: U256,
    /// Everything distributed so far.
    #[serde(with = "dec")]
    pub total_earnings: U256,
    /// What of it went to the owners.
    #[serde(with = "dec")]
    pub total_to_owners: U256,
    /// Stake lost to forfeited penalties.
    #[serde(with = "dec")]
    pub total_forfeited: U256,
    /// LINK the storage holds.
    #[serde(with = "dec")]
    pub link_held: U256,
}

impl NodeReport {
    fn new(node: Address, i: ILinkPool::NodeInfo) -> Self {
        Self {
            node,
            storage: i.nodeStorage,
            status: status_name(i.status),
            total_stake: i.totalStake,
            total_shares: i.totalShares,
            stakers: i.stakers,
            penalties_at_risk: i.penaltiesAtRisk,
            stake_limit: i.stakeLimit,
            operational_cost_bps: i.operationalCostBps,
            makers_bps: i.makersBps,
            rewards_outstanding: i.rewardsOutstanding,
            undistributed: i.undistributed,
            total_earnings: i.totalEarnings,
            total_to_owners: i.totalToOwners,
            total_forfeited: i.totalForfeited,
            link_held: i.linkHeld,
        }
    }
}

/// `INode.NodeStatus` by its ABI value.
fn status_name(s: u8) -> &'static str {
    match s {
        0 => "none",
        1 => "active",
        2 => "paused",
        3 => "closed",
        _ => "invalid",
    }
}

/// A staker's position on a node (`ILinkPool.StakerInfo`), amounts in juels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StakerReport {
    /// The node.
    pub node: Address,
    /// The staker.
    pub staker: Address,
    /// Its shares.
    #[serde(with = "dec")]
    pub shares: U256,
    /// What they are worth now (rounded down).
    #[serde(with = "dec")]
    pub stake: U256,
    /// Earnings it can claim now (rounded down).
    #[serde(with = "dec")]
    pub claimable: U256,
}

/// How a stake reaches `NodeStaking`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StakeVia {
    /// One transaction: `LINK.transferAndCall(nodeStaking, amount, abi.encode(node))`.
    TransferAndCall,
    /// Two: `LINK.approve(nodeStaking, amount)`, then `NodeStaking.stake(node, amount)`.
    Approve,
}

/// What a stake did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Staked {
    /// Juels staked.
    #[serde(with = "dec")]
    pub amount: U256,
    /// Shares minted.
    #[serde(with = "dec")]
    pub shares: U256,
    /// The transactions.
    pub transactions: Vec<SentTx>,
}

/// What a withdrawal did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawn {
    /// Juels paid out.
    #[serde(with = "dec")]
    pub amount: U256,
    /// Shares burned.
    #[serde(with = "dec")]
    pub shares: U256,
    /// The transaction.
    pub transaction: SentTx,
}

/// What a claim did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claimed {
    /// Juels paid out.
    #[serde(with = "dec")]
    pub amount: U256,
    /// The transaction.
    pub transaction: SentTx,
}

/// What a distribution did (all zero when there were no earnings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Distributed {
    /// Earnings split.
    #[serde(with = "dec")]
    pub earnings: U256,
    /// To `PoolOwners` (operational cost and makers' percentage).
    #[serde(with = "dec")]
    pub to_owners: U256,
    /// To the stakers, pro rata.
    #[serde(with = "dec")]
    pub to_stakers: U256,
    /// The transaction.
    pub transaction: SentTx,
}

/// A created node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedNode {
    /// The node (the sender).
    pub node: Address,
    /// Its new storage.
    pub storage: Address,
    /// The transaction.
    pub transaction: SentTx,
}

/// A proposal sent (contract or whitelist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposed {
    /// When it can be executed (unix seconds).
    pub ready_at: u64,
    /// The transaction.
    pub transaction: SentTx,
}

/// An executed contract upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Upgraded {
    /// The registry name.
    pub name: String,
    /// The contract that lost its access (zero for a new name).
    pub old_contract: Address,
    /// The contract now registered.
    pub new_contract: Address,
    /// The transaction.
    pub transaction: SentTx,
}

/// A deployed pool, addressed by its pool storage.
#[derive(Debug, Clone)]
pub struct Pool {
    provider: DynProvider,
    storage: Address,
    sender: Option<Address>,
}

impl Pool {
    /// The pool whose storage is at `storage`.
    pub fn new(storage: Address, provider: DynProvider) -> Self {
        Self { provider, storage, sender: None }
    }

    /// Sends transactions from `sender` (the provider's wallet must sign for it).
    pub fn with_sender(mut self, sender: Address) -> Self {
        self.sender = Some(sender);
        self
    }

    /// The pool's storage.
    pub fn address(&self) -> Address {
        self.storage
    }

    /// The provider.
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The account transactions are sent from, if any.
    pub fn sender_address(&self) -> Option<Address> {
        self.sender
    }

    fn pool_storage(&self) -> PoolStorage::PoolStorageInstance<DynProvider> {
        PoolStorage::new(self.storage, self.provider.clone())
    }

    /// Fails unless a pool's storage is at the address (not nothing, not another contract, not a
    /// node's storage).
    ///
    /// # Errors
    /// [`Error::NoContract`], [`Error::NotAPool`], [`Error::NodeStorageNotPool`], RPC errors.
    pub async fn ensure_pool(&self) -> Result<()> {
        let code = self.provider.get_code_at(self.storage).await.map_err(rpc("eth_getCode"))?;
        if code.is_empty() {
            return Err(Error::NoContract(self.storage));
        }
        match self.pool_storage().POOL().call().await {
            Ok(pool) if pool == self.storage => Ok(()),
            Ok(pool) => Err(Error::NodeStorageNotPool { address: self.storage, pool }),
            Err(_) => Err(Error::NotAPool(self.storage)),
        }
    }

    /// The contract registered under `name` (e.g. `"Node"`).
    ///
    /// # Errors
    /// [`Error::MissingContract`] if none is, RPC errors.
    pub async fn contract(&self, name: &str) -> Result<Address> {
        let address =
            self.pool_storage().contractAddress(name_key(name)).call().await.map_err(call("contractAddress"))?;
        if address.is_zero() {
            return Err(Error::MissingContract(name.to_owned()));
        }
        Ok(address)
    }

    fn link_pool_at(&self, a: Address) -> LinkPool::LinkPoolInstance<DynProvider> {
        LinkPool::new(a, self.provider.clone())
    }

    async fn link_pool(&self) -> Result<LinkPool::LinkPoolInstance<DynProvider>> {
        Ok(self.link_pool_at(self.contract(names::LINK_POOL).await?))
    }

    async fn node_logic(&self) -> Result<node::Node::NodeInstance<DynProvider>> {
        Ok(node::Node::new(self.contract(names::NODE).await?, self.provider.clone()))
    }

    /// The LINK token.
    ///
    /// # Errors
    /// RPC errors.
    pub async fn link(&self) -> Result<Address> {
        self.pool_storage().LINK().call().await.map_err(call("LINK"))
    }

    /// The admin.
    ///
    /// # Errors
    /// RPC errors.
    pub async fn admin(&self) -> Result<Address> {
        self.pool_storage().admin().call().await.map_err(call("admin"))
    }

    /// The latest block's timestamp.
    ///
    /// # Errors
    /// RPC errors.
    pub async fn now(&self) -> Result<u64> {
        let block = self
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .map_err(rpc("eth_getBlockByNumber"))?
            .ok_or(Error::NoLatestBlock)?;
        Ok(block.header.timestamp)
    }

    /// The registry, in registration order.
    ///
    /// # Errors
    /// RPC errors.
    pub async fn contracts(&self) -> Result<Vec<RegisteredContract>> {
        let ps = self.pool_storage();
        let keys = ps.contractNames().call().await.map_err(call("contractNames"))?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let address = ps.contractAddress(key).call().await.map_err(call("contractAddress"))?;
            out.push(RegisteredContract { name: display_name(key), key, address });
        }
        Ok(out)
    }

    /// Pending contract proposals, for registered and known names.
    ///
    /// # Errors
    /// RPC errors.
    pub async fn proposals(&self) -> Result<Vec<ContractProposal>> {
        let now = self.now().await?;
        let contracts = self.contracts().await?;
        let mut keys: Vec<B256> = contracts.iter().map(|c| c.key).collect();
        for n in KNOWN_NAMES {
            if !keys.contains(&name_key(n)) {
                keys.push(name_key(n));
            }
        }
        let ps = self.pool_storage();
        let mut out = Vec::new();
        for key in keys {
            let p = ps.proposedContract(key).call().await.map_err(call("proposedContract"))?;
            if p._0.is_zero() {
                continue;
            }
            let ready_at = to_u64(p._1);
            out.push(ContractProposal {
                name: display_name(key),
                key,
                current: contracts.iter().find(|c| c.key == key).map_or(Address::ZERO, |c| c.address),
                new_contract: p._0,
                ready_at,
                seconds_left: ready_at.saturating_sub(now),
            });
        }
        Ok(out)
    }

    /// Whitelisted network contracts.
    ///
    /// # Errors
    /// RPC errors.
    pub async fn whitelist(&self) -> Result<Vec<Address>> {
        self.pool_storage().whitelist().call().await.map_err(call("whitelist"))
    }

    /// Pending whitelist proposals: targets of `WhitelistProposed` logs since `from_block` that
    /// are still proposed (public RPC endpoints limit log ranges: pass the pool's deployment
    /// block).
    ///
    /// # Errors
    /// RPC errors.
    pub async fn pending_whitelist(&self, from_block: u64) -> Result<Vec<WhitelistProposal>> {
        let ps = self.pool_storage();
        let logs = ps
            .WhitelistProposed_filter()
            .from_block(from_block)
            .query()
            .await
            .map_err(call("WhitelistProposed logs"))?;
        let targets: BTreeSet<Address> = logs.into_iter().map(|(e, _)| e.target).collect();
        let now = self.now().await?;
        let mut out = Vec::new();
        for target in targets {
            let ready_at = to_u64(ps.whitelistReadyAt(target).call().await.map_err(call("whitelistReadyAt"))?);
            if ready_at != 0 {
                out.push(WhitelistProposal { target, ready_at, seconds_left: ready_at.saturating_sub(now) });
            }
        }
        out.sort_by_key(|p| p.ready_at);
        Ok(out)
    }

    /// The pool's own state.
    ///
    /// # Errors
    /// [`Self::ensure_pool`]'s errors, RPC errors.
    pub async fn overview(&self) -> Result<PoolOverview> {
        self.ensure_pool().await?;
        let ps = self.pool_storage();
        Ok(PoolOverview {
            storage: self.storage,
            link: self.link().await?,
            admin: self.admin().await?,
            upgrade_delay: to_u64(ps.UPGRADE_DELAY().call().await.map_err(call("UPGRADE_DELAY"))?),
            now: self.now().await?,
            contracts: self.contracts().await?,
            proposals: self.proposals().await?,
            whitelist: self.whitelist().await?,
        })
    }

    /// Every node, in creation order.
    ///
    /// # Errors
    /// [`Error::MissingContract`], RPC errors.
    pub async fn nodes(&self) -> Result<Vec<Address>> {
        self.link_pool().await?.nodes().call().await.map_err(call("nodes"))
    }

    /// `node`'s state.
    ///
    /// # Errors
    /// `UnknownNode` as [`Error::Revert`], RPC errors.
    pub async fn node(&self, node: Address) -> Result<NodeReport> {
        let info =
            self.link_pool().await?.nodeInfo(node).call().await.map_err(call_dyn(format!("nodeInfo({node})")))?;
        Ok(NodeReport::new(node, info))
    }

    /// The positions of `stakers` on `node`, in order.
    ///
    /// # Errors
    /// `UnknownNode` as [`Error::Revert`], RPC errors.
    pub async fn stakers(&self, node: Address, stakers: &[Address]) -> Result<Vec<StakerReport>> {
        let infos = self
            .link_pool()
            .await?
            .stakerInfos(node, stakers.to_vec())
            .call()
            .await
            .map_err(call_dyn(format!("stakerInfos({node})")))?;
        Ok(stakers
            .iter()
            .zip(infos)
            .map(|(&staker, i)| StakerReport { node, staker, shares: i.shares, stake: i.stake, claimable: i.claimable })
            .collect())
    }

    fn sender(&self, what: &'static str) -> Result<Address> {
        self.sender.ok_or(Error::NoSender(what))
    }

    /// Sends `tx` from the sender; `action` names it in errors and in the [`SentTx`].
    async fn send(&self, action: String, tx: TransactionRequest) -> Result<(SentTx, TransactionReceipt)> {
        let from = self.sender.ok_or(Error::NoSender("a transaction"))?;
        let receipt = stack::send(&self.provider, tx.with_from(from)).await.map_err(|e| failure(action.clone(), e))?;
        Ok((SentTx::new(action, &receipt), receipt))
    }

    /// Makes the sender a pool node (`LinkPool.createNode`).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`StorageExists` when it already is one), RPC errors.
    pub async fn create_node(&self) -> Result<CreatedNode> {
        let node = self.sender("create-node")?;
        let lp = self.link_pool().await?;
        let (transaction, _) = self.send("createNode".into(), lp.createNode().into_transaction_request()).await?;
        let storage = lp.storageOf(node).call().await.map_err(call("storageOf"))?;
        Ok(CreatedNode { node, storage, transaction })
    }

    /// Stakes `amount` juels of the sender's LINK behind `node`.
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`StakeLimitExceeded`, `NodeNotActive`, `UnknownNode`,
    /// `InsufficientFunds`, …), RPC errors.
    pub async fn stake(&self, node: Address, amount: U256, via: StakeVia) -> Result<Staked> {
        self.sender("stake")?;
        let staking = self.contract(names::NODE_STAKING).await?;
        let link = LinkToken::new(self.link().await?, self.provider.clone());
        let mut transactions = Vec::new();
        let receipt = match via {
            StakeVia::TransferAndCall => {
                let tx = link.transferAndCall(staking, amount, node.abi_encode().into()).into_transaction_request();
                let (sent, receipt) = self.send(format!("stake({node}, {amount}) via transferAndCall"), tx).await?;
                transactions.push(sent);
                receipt
            }
            StakeVia::Approve => {
                let (sent, _) = self
                    .send(
                        format!("approve(NodeStaking, {amount})"),
                        link.approve(staking, amount).into_transaction_request(),
                    )
                    .await?;
                transactions.push(sent);
                let tx =
                    NodeStaking::new(staking, self.provider.clone()).stake(node, amount).into_transaction_request();
                let (sent, receipt) = self.send(format!("stake({node}, {amount})"), tx).await?;
                transactions.push(sent);
                receipt
            }
        };
        let e = event::<NodeStaking::Staked>(&receipt, staking).ok_or(Error::MissingEvent("Staked"))?;
        Ok(Staked { amount: e.amount, shares: e.shares, transactions })
    }

    /// Withdraws `amount` juels of the sender's stake on `node` (`None`: all of it).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`InsufficientStake`, `StakeAtRisk`, …), RPC errors.
    pub async fn withdraw(&self, node: Address, amount: Option<U256>) -> Result<Withdrawn> {
        self.sender("withdraw")?;
        let logic = self.node_logic().await?;
        let arg = amount.unwrap_or(U256::MAX);
        let action = match amount {
            Some(a) => format!("withdraw({node}, {a})"),
            None => format!("withdraw({node}, all)"),
        };
        let (transaction, receipt) = self.send(action, logic.withdraw(node, arg).into_transaction_request()).await?;
        let e = event::<node::Node::Withdrawn>(&receipt, *logic.address()).ok_or(Error::MissingEvent("Withdrawn"))?;
        Ok(Withdrawn { amount: e.amount, shares: e.shares, transaction })
    }

    /// Sends the sender its earnings on `node`.
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`NothingToClaim`, …), RPC errors.
    pub async fn claim(&self, node: Address) -> Result<Claimed> {
        self.sender("claim")?;
        let logic = self.node_logic().await?;
        let (transaction, receipt) =
            self.send(format!("claim({node})"), logic.claim(node).into_transaction_request()).await?;
        let e = event::<node::Node::Claimed>(&receipt, *logic.address()).ok_or(Error::MissingEvent("Claimed"))?;
        Ok(Claimed { amount: e.amount, transaction })
    }

    /// Splits the earnings that arrived at `node`'s storage (anyone may).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`UnknownNode`, `NoPoolOwners`, …), RPC errors.
    pub async fn distribute(&self, node: Address) -> Result<Distributed> {
        self.sender("distribute")?;
        let logic = self.node_logic().await?;
        let (transaction, receipt) =
            self.send(format!("distribute({node})"), logic.distribute(node).into_transaction_request()).await?;
        Ok(match event::<node::Node::Distributed>(&receipt, *logic.address()) {
            Some(e) => {
                Distributed { earnings: e.earnings, to_owners: e.toOwners, to_stakers: e.toStakers, transaction }
            }
            None => Distributed { earnings: U256::ZERO, to_owners: U256::ZERO, to_stakers: U256::ZERO, transaction },
        })
    }

    /// Sets `node`'s status (admin only): 1 active, 2 paused, 3 closed (final).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`NotAdmin`, `NodeClosed`, `UnknownNode`, …), RPC errors.
    pub async fn set_status(&self, node: Address, status: u8) -> Result<SentTx> {
        self.sender("setStatus")?;
        let logic = self.node_logic().await?;
        let tx = logic.setStatus(node, status).into_transaction_request();
        Ok(self.send(format!("setStatus({node}, {status})"), tx).await?.0)
    }

    /// Sets `node`'s stake limit in juels (admin only).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`NotAdmin`, `UnknownNode`), RPC errors.
    pub async fn set_stake_limit(&self, node: Address, limit: U256) -> Result<SentTx> {
        self.sender("setStakeLimit")?;
        let logic = self.node_logic().await?;
        let tx = logic.setStakeLimit(node, limit).into_transaction_request();
        Ok(self.send(format!("setStakeLimit({node}, {limit})"), tx).await?.0)
    }

    /// Sets `node`'s operational cost and makers' percentage in basis points (admin only).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`NotAdmin`, `FeeTooHigh`, `UnknownNode`), RPC errors.
    pub async fn set_fees(&self, node: Address, operational_cost_bps: u64, makers_bps: u64) -> Result<SentTx> {
        self.sender("setFees")?;
        let logic = self.node_logic().await?;
        let tx =
            logic.setFees(node, U256::from(operational_cost_bps), U256::from(makers_bps)).into_transaction_request();
        Ok(self.send(format!("setFees({node}, {operational_cost_bps}, {makers_bps})"), tx).await?.0)
    }

    /// The pool `contract` was built for (`POOL()` of a logic contract), if it has one.
    ///
    /// # Errors
    /// RPC errors other than a failing call.
    pub async fn pool_of(&self, contract: Address) -> Result<Option<Address>> {
        let code = self.provider.get_code_at(contract).await.map_err(rpc("eth_getCode"))?;
        if code.is_empty() {
            return Ok(None);
        }
        Ok(node::Node::new(contract, self.provider.clone()).POOL().call().await.ok())
    }

    /// Proposes `new_contract` for `name` (admin only). For a logic contract name, `new_contract`
    /// must have been built for this pool.
    ///
    /// # Errors
    /// [`Error::NoSender`], [`Error::NotThisPool`], reverts (`NotAdmin`, `NotAContract`), RPC
    /// errors.
    pub async fn propose_contract(&self, name: &str, new_contract: Address) -> Result<Proposed> {
        self.sender("upgrade propose")?;
        if name != names::POOL_OWNERS {
            match self.pool_of(new_contract).await? {
                Some(p) if p == self.storage => {}
                found => {
                    return Err(Error::NotThisPool { contract: new_contract, its_pool: found, pool: self.storage })
                }
            }
        }
        let tx = self.pool_storage().proposeContract(name_key(name), new_contract).into_transaction_request();
        let (transaction, receipt) = self.send(format!("proposeContract({name}, {new_contract})"), tx).await?;
        let e = event::<PoolStorage::ContractProposed>(&receipt, self.storage)
            .ok_or(Error::MissingEvent("ContractProposed"))?;
        Ok(Proposed { ready_at: to_u64(e.readyAt), transaction })
    }

    /// Executes the proposal for `name` once its delay has passed (anyone).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`NothingProposed`, `DelayNotElapsed`), RPC errors.
    pub async fn execute_contract(&self, name: &str) -> Result<Upgraded> {
        self.sender("upgrade execute")?;
        let tx = self.pool_storage().executeContract(name_key(name)).into_transaction_request();
        let (transaction, receipt) = self.send(format!("executeContract({name})"), tx).await?;
        let e = event::<PoolStorage::ContractUpgraded>(&receipt, self.storage)
            .ok_or(Error::MissingEvent("ContractUpgraded"))?;
        Ok(Upgraded { name: name.to_owned(), old_contract: e.oldContract, new_contract: e.newContract, transaction })
    }

    /// Withdraws the pending proposal for `name` (admin only).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`NotAdmin`, `NothingProposed`), RPC errors.
    pub async fn cancel_contract(&self, name: &str) -> Result<SentTx> {
        self.sender("upgrade cancel")?;
        let tx = self.pool_storage().cancelProposal(name_key(name)).into_transaction_request();
        Ok(self.send(format!("cancelProposal({name})"), tx).await?.0)
    }

    /// Deploys a fresh logic contract `name` (one of [`names::LOGIC`]) for this pool.
    ///
    /// # Errors
    /// [`Error::NotDeployable`], [`Error::NoSender`], RPC errors.
    pub async fn deploy_logic(&self, name: &str) -> Result<(Address, SentTx)> {
        self.sender("upgrade deploy")?;
        let (p, s) = (self.provider.clone(), self.storage);
        let tx = match name {
            names::LINK_POOL => LinkPool::deploy_builder(p, s).into_transaction_request(),
            names::NODE => node::Node::deploy_builder(p, s).into_transaction_request(),
            names::NODE_STAKING => NodeStaking::deploy_builder(p, s).into_transaction_request(),
            names::NODE_FACTORY => NodeFactory::deploy_builder(p, s).into_transaction_request(),
            names::POOL_STORAGE_FACTORY => PoolStorageFactory::deploy_builder(p, s).into_transaction_request(),
            other => return Err(Error::NotDeployable(other.to_owned())),
        };
        let (sent, receipt) = self.send(format!("deploy {name}"), tx).await?;
        let address = receipt.contract_address.ok_or(Error::NoContractAddress { what: "upgrade deploy" })?;
        Ok((address, sent))
    }

    /// Proposes `target` for the whitelist (admin only).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`NotAdmin`, `NotAContract`, `AlreadyWhitelisted`), RPC
    /// errors.
    pub async fn propose_whitelist(&self, target: Address) -> Result<Proposed> {
        self.sender("whitelist propose")?;
        let tx = self.pool_storage().proposeWhitelist(target).into_transaction_request();
        let (transaction, receipt) = self.send(format!("proposeWhitelist({target})"), tx).await?;
        let e = event::<PoolStorage::WhitelistProposed>(&receipt, self.storage)
            .ok_or(Error::MissingEvent("WhitelistProposed"))?;
        Ok(Proposed { ready_at: to_u64(e.readyAt), transaction })
    }

    /// Whitelists a proposed `target` once the delay has passed (anyone).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`NothingProposed`, `DelayNotElapsed`), RPC errors.
    pub async fn execute_whitelist(&self, target: Address) -> Result<SentTx> {
        self.sender("whitelist execute")?;
        let tx = self.pool_storage().executeWhitelist(target).into_transaction_request();
        Ok(self.send(format!("executeWhitelist({target})"), tx).await?.0)
    }

    /// Removes `target` from the whitelist at once (admin only).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`NotAdmin`, `NotWhitelisted`), RPC errors.
    pub async fn remove_whitelist(&self, target: Address) -> Result<SentTx> {
        self.sender("whitelist remove")?;
        let tx = self.pool_storage().removeWhitelist(target).into_transaction_request();
        Ok(self.send(format!("removeWhitelist({target})"), tx).await?.0)
    }

    /// Withdraws the pending whitelist proposal of `target` (admin only).
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`NotAdmin`, `NothingProposed`), RPC errors.
    pub async fn cancel_whitelist(&self, target: Address) -> Result<SentTx> {
        self.sender("whitelist cancel")?;
        let key = B256::left_padding_from(target.as_slice());
        let tx = self.pool_storage().cancelProposal(key).into_transaction_request();
        Ok(self.send(format!("cancelProposal({target})"), tx).await?.0)
    }
}

fn display_name(key: B256) -> String {
    name_of_key(key).map_or_else(|| key.to_string(), str::to_owned)
}

fn to_u64(v: U256) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// The first `E` emitted by `emitter` in `receipt`.
fn event<E: SolEvent>(receipt: &TransactionReceipt, emitter: Address) -> Option<E> {
    receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.address() == emitter)
        .find_map(|l| l.log_decode::<E>().ok())
        .map(|l| l.inner.data)
}

fn rpc(what: &'static str) -> impl Fn(alloy::transports::TransportError) -> Error {
    move |e| Error::Contract { call: what, source: Box::new(e.into()) }
}

fn call(what: &'static str) -> impl Fn(alloy::contract::Error) -> Error {
    move |e| failure(what.to_owned(), e.into())
}

fn call_dyn(what: String) -> impl FnOnce(alloy::contract::Error) -> Error {
    move |e| failure(what, e.into())
}

/// `e` as [`Error::Revert`] when it carries one of the suite's custom errors, else as
/// [`Error::Call`].
fn failure(call: String, e: linkpool_bindings::Error) -> Error {
    match describe_revert(&e) {
        Some((error, explanation)) => Error::Revert { call, error, explanation },
        None => Error::Call { call, source: Box::new(e) },
    }
}

fn not_admin(caller: Address) -> String {
    format!("{caller} is not the pool's admin; only the admin proposes upgrades and whitelist entries and sets node settings")
}

/// The suite's custom error in `e`: `Name { field: value, … }` and, for the errors a user runs
/// into, a sentence saying what it means.
pub fn describe_revert(e: &linkpool_bindings::Error) -> Option<(String, Option<String>)> {
    use link_pool::LinkPool::LinkPoolErrors as L;
    use node::Node::NodeErrors as N;
    use LinkToken::LinkTokenErrors as T;
    use NodeStaking::NodeStakingErrors as S;
    use PoolStorage::PoolStorageErrors as P;
    let lk = |v: U256| format!("{} LINK", format_link(v));
    if let Some(d) = e.decode_revert::<N>() {
        let why = match &d {
            N::StakeLimitExceeded(x) => Some(format!(
                "node {} takes at most {} in total, and this would bring it to {}",
                x.node,
                lk(x.limit),
                lk(x.wouldBe)
            )),
            N::InsufficientStake(x) => Some(format!(
                "{} has {} staked on this node, less than the {} asked",
                x.staker,
                lk(x.available),
                lk(x.requested)
            )),
            N::StakeAtRisk(x) => Some(format!(
                "part of node {}'s stake is out as penalty deposits: only {} is at home now",
                x.node,
                lk(x.liquid)
            )),
            N::NothingToClaim(x) => Some(format!("{} has no earnings to claim on this node", x.staker)),
            N::UnknownNode(x) => {
                Some(format!("{} is not a pool node (its operator runs `linkpool pool create-node`)", x.node))
            }
            N::NodeNotActive(x) => {
                Some(format!("node {} takes no stake in its status ({})", x.node, status_name(x.status)))
            }
            N::NotAdmin(x) => Some(not_admin(x.caller)),
            _ => None,
        };
        return Some((linkpool_bindings::custom_error_text(&d), why));
    }
    if let Some(d) = e.decode_revert::<S>() {
        let why = match &d {
            S::StakeLimitExceeded(x) => Some(format!(
                "node {} takes at most {} in total, and this would bring it to {}",
                x.node,
                lk(x.limit),
                lk(x.wouldBe)
            )),
            S::UnknownNode(x) => {
                Some(format!("{} is not a pool node (its operator runs `linkpool pool create-node`)", x.node))
            }
            S::NodeNotActive(x) => {
                Some(format!("node {} takes no stake in its status ({})", x.node, status_name(x.status)))
            }
            _ => None,
        };
        return Some((linkpool_bindings::custom_error_text(&d), why));
    }
    if let Some(d) = e.decode_revert::<P>() {
        let why = match &d {
            P::DelayNotElapsed(x) => Some(format!(
                "the upgrade delay has not passed: it can be executed at {} ({}), in {}",
                format_unix(to_u64(x.readyAt)),
                x.readyAt,
                format_duration(to_u64(x.readyAt.saturating_sub(x.now_)))
            )),
            P::NotAdmin(x) => Some(not_admin(x.caller)),
            P::NothingProposed(_) => Some("there is no pending proposal for it".to_owned()),
            P::NotAContract(x) => Some(format!("{} has no code", x.target)),
            P::AlreadyWhitelisted(x) => Some(format!("{} is already whitelisted or proposed", x.target)),
            P::NotWhitelisted(x) => Some(format!("{} is not whitelisted", x.target)),
            _ => None,
        };
        return Some((linkpool_bindings::custom_error_text(&d), why));
    }
    if let Some(d) = e.decode_revert::<L>() {
        return Some((linkpool_bindings::custom_error_text(&d), None));
    }
    if let Some(d) = e.decode_revert::<NodeFactory::NodeFactoryErrors>() {
        return Some((linkpool_bindings::custom_error_text(&d), None));
    }
    if let Some(d) = e.decode_revert::<PoolStorageFactory::PoolStorageFactoryErrors>() {
        let why = match &d {
            PoolStorageFactory::PoolStorageFactoryErrors::StorageExists(x) => {
                Some(format!("{} is already a pool node (storage {})", x.node, x.nodeStorage))
            }
            _ => None,
        };
        return Some((linkpool_bindings::custom_error_text(&d), why));
    }
    if let Some(d) = e.decode_revert::<T>() {
        let why = match &d {
            T::InsufficientFunds(_) => Some("the sender does not hold that much LINK".to_owned()),
            _ => None,
        };
        return Some((linkpool_bindings::custom_error_text(&d), why));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_canonicalised() {
        assert_eq!(canonical_name("node"), Some("Node"));
        assert_eq!(canonical_name("NODESTAKING"), Some("NodeStaking"));
        assert_eq!(canonical_name("Nodes"), None);
        assert_eq!(name_of_key(name_key("LinkPool")), Some("LinkPool"));
    }

    #[test]
    fn formats() {
        assert_eq!(format_link(U256::from(12_500_000_000_000_000_000u128)), "12.5");
        assert_eq!(format_link(U256::from(3_000_000_000_000_000_000u128)), "3");
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(7 * 86_400), "7d");
        assert_eq!(format_duration(90_061), "1d 1h 1m 1s");
        assert_eq!(format_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_unix(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_unix(4_107_542_399), "2100-02-28T23:59:59Z");
    }
}
