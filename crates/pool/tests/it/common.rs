//! A pool on a fresh anvil: LINK, the pool contracts, nodes and funded stakers.

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, U256},
    providers::{DynProvider, Provider},
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol_types::{SolInterface, SolValue},
};
use linkpool_bindings::{
    link_pool::ILinkPool, stack, LinkPool, LinkToken, Node, NodeStaking, PenaltyVault, PoolOwners, PoolStorage,
};
use linkpool_pool::deploy::{self, PoolContracts};

pub(crate) const LINK: u128 = 1_000_000_000_000_000_000;
/// The delay the test pools are deployed with: the production 7 days.
pub(crate) const DELAY: u64 = deploy::DEFAULT_UPGRADE_DELAY_SECS;

pub(crate) struct World {
    pub(crate) p: DynProvider,
    pub(crate) admin: Address,
    /// `PoolOwners`, which receives the owners' share.
    pub(crate) owners: Address,
    /// Its three founders (holding [`FOUNDER_SHARES`]).
    pub(crate) founders: Vec<Address>,
    pub(crate) c: PoolContracts,
    /// anvil's accounts but the admin and the founders: nodes and stakers pick from these.
    pub(crate) accounts: Vec<Address>,
    _anvil: alloy::node_bindings::AnvilInstance,
}

/// The founders' owner shares.
pub(crate) const FOUNDER_SHARES: [u64; 3] = [500, 300, 200];

/// The accounts anvil is started with (enough for the property test's 50 stakers and 3 nodes).
pub(crate) const ACCOUNTS: u32 = 60;

impl World {
    pub(crate) async fn new() -> Self {
        let anvil = linkpool_devtools::anvil()
            .expect("anvil (run `make tools`)")
            .args(["--accounts", &ACCOUNTS.to_string()])
            .spawn();
        let p = linkpool_devtools::test_provider(&anvil);
        let a = anvil.addresses().to_vec();
        let admin = a[0];
        let link = stack::deploy_link(&p, admin, stack::Flavor::Linkpool).await.expect("LINK");
        // The owners' share goes to a real PoolOwners whose founders are the last three accounts.
        let owners = *PoolOwners::deploy(p.clone(), link, admin).await.expect("PoolOwners").address();
        let founders = a[a.len() - 3..].to_vec();
        let shares = FOUNDER_SHARES.iter().map(|s| U256::from(*s)).collect();
        let po = PoolOwners::new(owners, p.clone());
        let issue = po.issueFounderShares(founders.clone(), shares).into_transaction_request().with_from(admin);
        stack::send(&p, issue).await.expect("founders' shares");
        let c = deploy::deploy(&p, link, admin, DELAY, owners).await.expect("deploy the pool");
        Self { p, admin, owners, founders, c, accounts: a[1..a.len() - 3].to_vec(), _anvil: anvil }
    }

    pub(crate) async fn send(
        &self,
        from: Address,
        tx: TransactionRequest,
    ) -> Result<TransactionReceipt, linkpool_bindings::Error> {
        stack::send(&self.p, tx.with_from(from)).await
    }

    pub(crate) fn link(&self) -> LinkToken::LinkTokenInstance<DynProvider> {
        LinkToken::new(self.c.link, self.p.clone())
    }
    pub(crate) fn pool(&self) -> LinkPool::LinkPoolInstance<DynProvider> {
        LinkPool::new(self.c.link_pool, self.p.clone())
    }
    pub(crate) fn node(&self) -> Node::NodeInstance<DynProvider> {
        Node::new(self.c.node, self.p.clone())
    }
    pub(crate) fn staking(&self) -> NodeStaking::NodeStakingInstance<DynProvider> {
        NodeStaking::new(self.c.node_staking, self.p.clone())
    }
    pub(crate) fn pool_storage(&self) -> PoolStorage::PoolStorageInstance<DynProvider> {
        PoolStorage::new(self.c.pool_storage, self.p.clone())
    }

    /// Gives `to` `amount` juels from the admin's supply.
    pub(crate) async fn fund(&self, to: Address, amount: u128) {
        self.send(self.admin, self.link().transfer(to, U256::from(amount)).into_transaction_request())
            .await
            .expect("fund");
    }

    pub(crate) async fn balance(&self, who: Address) -> U256 {
        self.link().balanceOf(who).call().await.expect("balanceOf")
    }

    /// `node` registers itself; returns its storage.
    pub(crate) async fn create_node(&self, node: Address) -> Address {
        self.send(node, self.pool().createNode().into_transaction_request()).await.expect("createNode");
        self.pool().storageOf(node).call().await.expect("storageOf")
    }

    /// Stakes through `transferAndCall` (funding the staker first).
    pub(crate) async fn stake_677(
        &self,
        node: Address,
        staker: Address,
        amount: u128,
    ) -> Result<TransactionReceipt, linkpool_bindings::Error> {
        self.fund(staker, amount).await;
        let data = node.abi_encode();
        self.send(
            staker,
            self.link()
                .transferAndCall(self.c.node_staking, U256::from(amount), data.into())
                .into_transaction_request(),
        )
        .await
    }

    /// Stakes through approve + `stake` (funding the staker first).
    pub(crate) async fn stake_approved(
        &self,
        node: Address,
        staker: Address,
        amount: u128,
    ) -> Result<TransactionReceipt, linkpool_bindings::Error> {
        self.fund(staker, amount).await;
        self.send(staker, self.link().approve(self.c.node_staking, U256::from(amount)).into_transaction_request())
            .await?;
        self.send(staker, self.staking().stake(node, U256::from(amount)).into_transaction_request()).await
    }

    /// Sends `amount` juels of earnings to `node`'s storage, as an Operator withdrawal would.
    pub(crate) async fn earn(&self, node: Address, amount: u128) {
        let storage = self.pool().storageOf(node).call().await.expect("storageOf");
        self.fund(storage, amount).await;
    }

    pub(crate) async fn node_info(&self, node: Address) -> ILinkPool::NodeInfo {
        self.pool().nodeInfo(node).call().await.expect("nodeInfo")
    }

    pub(crate) async fn staker_info(&self, node: Address, staker: Address) -> ILinkPool::StakerInfo {
        self.pool().stakerInfo(node, staker).call().await.expect("stakerInfo")
    }

    pub(crate) async fn increase_time(&self, seconds: u64) {
        let _: serde_json::Value =
            self.p.raw_request("evm_increaseTime".into(), (seconds,)).await.expect("evm_increaseTime");
        let _: serde_json::Value = self.p.raw_request("evm_mine".into(), ()).await.expect("evm_mine");
    }

    /// Deploys a `PenaltyVault` (test network contract) and whitelists it through the delay.
    pub(crate) async fn whitelisted_vault(&self) -> Address {
        let vault = *PenaltyVault::deploy(self.p.clone(), self.c.link).await.expect("vault").address();
        self.send(self.admin, self.pool_storage().proposeWhitelist(vault).into_transaction_request())
            .await
            .expect("propose");
        self.increase_time(DELAY).await;
        self.send(self.admin, self.pool_storage().executeWhitelist(vault).into_transaction_request())
            .await
            .expect("execute");
        vault
    }

    /// The custody invariant of one node: the LINK its storage holds is exactly its stake at home,
    /// its outstanding rewards and its undistributed earnings.
    pub(crate) async fn assert_node_accounts(&self, node: Address) {
        let i = self.node_info(node).await;
        assert_eq!(
            i.linkHeld,
            i.totalStake - i.penaltiesAtRisk + i.rewardsOutstanding + i.undistributed,
            "{node}: {i:?}"
        );
    }
}

/// The custom error of a failed call, decoded as `E`; panics with the real error otherwise.
pub(crate) fn revert<E: SolInterface + std::fmt::Debug, T: std::fmt::Debug>(
    result: Result<T, linkpool_bindings::Error>,
) -> E {
    let err = result.expect_err("expected a revert");
    err.decode_revert::<E>().unwrap_or_else(|| panic!("not a {} revert: {err}", std::any::type_name::<E>()))
}

/// `INode.NodeStatus` values (the ABI passes the enum as a uint8).
pub(crate) const ACTIVE: u8 = 1;
pub(crate) const PAUSED: u8 = 2;
pub(crate) const CLOSED: u8 = 3;
