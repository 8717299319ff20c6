//! Deploys a staking pool: the pool's `PoolStorage` (registry, whitelist, upgrade delay) and the
//! five logic contracts, then registers them (and `PoolOwners`) with `initialize`.

use alloy::{
    network::TransactionBuilder,
    primitives::{keccak256, Address, B256},
    providers::DynProvider,
    rpc::types::TransactionRequest,
};
use linkpool_bindings::{stack, LinkPool, Node, NodeFactory, NodeStaking, PoolStorage, PoolStorageFactory};
use serde::Serialize;

use crate::{Error, Result};

/// The production upgrade delay: 7 days (issue 5; the devnet uses less).
pub const DEFAULT_UPGRADE_DELAY_SECS: u64 = 7 * 24 * 60 * 60;

/// Registry names of the logic contracts (and `PoolOwners`), as `keccak256(name)` keys.
pub mod names {
    /// The entry point.
    pub const LINK_POOL: &str = "LinkPool";
    /// Withdrawals, claims, distribution, penalties.
    pub const NODE: &str = "Node";
    /// The stakers' entry point.
    pub const NODE_STAKING: &str = "NodeStaking";
    /// Creates nodes.
    pub const NODE_FACTORY: &str = "NodeFactory";
    /// Creates node storages.
    pub const POOL_STORAGE_FACTORY: &str = "PoolStorageFactory";
    /// Receives the owners' share (never a logic contract).
    pub const POOL_OWNERS: &str = "PoolOwners";
    /// Every logic contract name, in deployment order.
    pub const LOGIC: [&str; 5] = [LINK_POOL, NODE, NODE_STAKING, NODE_FACTORY, POOL_STORAGE_FACTORY];
}

/// The registry key of `name`.
pub fn name_key(name: &str) -> B256 {
    keccak256(name.as_bytes())
}

/// A deployed pool's addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolContracts {
    /// The LINK token.
    pub link: Address,
    /// The pool's storage: registry, whitelist, upgrade delay, node list.
    pub pool_storage: Address,
    /// `LinkPool`.
    pub link_pool: Address,
    /// `Node`.
    pub node: Address,
    /// `NodeStaking`.
    pub node_staking: Address,
    /// `NodeFactory`.
    pub node_factory: Address,
    /// `PoolStorageFactory`.
    pub pool_storage_factory: Address,
    /// `PoolOwners` (zero if none was registered).
    pub pool_owners: Address,
}

fn failed(call: &'static str) -> impl Fn(linkpool_bindings::Error) -> Error {
    move |e| Error::Contract { call, source: Box::new(e) }
}

async fn deploy_tx(provider: &DynProvider, what: &'static str, tx: TransactionRequest) -> Result<Address> {
    let receipt = stack::send(provider, tx).await.map_err(failed(what))?;
    receipt.contract_address.ok_or(Error::NoContractAddress { what })
}

/// Deploys a pool whose admin (and deployer) is `admin`, with `upgrade_delay` seconds between a
/// proposal and its effect, and registers `pool_owners` (if not zero) as the receiver of the
/// owners' share.
pub async fn deploy(
    provider: &DynProvider,
    link: Address,
    admin: Address,
    upgrade_delay: u64,
    pool_owners: Address,
) -> Result<PoolContracts> {
    let p = provider.clone();
    let storage_tx = PoolStorage::deploy_builder(
        p.clone(),
        link,
        Address::ZERO,
        admin,
        alloy::primitives::U256::from(upgrade_delay),
    )
    .into_transaction_request()
    .with_from(admin);
    let pool_storage = deploy_tx(provider, "deploying the pool's PoolStorage", storage_tx).await?;
    let link_pool = deploy_tx(
        provider,
        "deploying LinkPool",
        LinkPool::deploy_builder(p.clone(), pool_storage).into_transaction_request().with_from(admin),
    )
    .await?;
    let node = deploy_tx(
        provider,
        "deploying Node",
        Node::deploy_builder(p.clone(), pool_storage).into_transaction_request().with_from(admin),
    )
    .await?;
    let node_staking = deploy_tx(
        provider,
        "deploying NodeStaking",
        NodeStaking::deploy_builder(p.clone(), pool_storage).into_transaction_request().with_from(admin),
    )
    .await?;
    let node_factory = deploy_tx(
        provider,
        "deploying NodeFactory",
        NodeFactory::deploy_builder(p.clone(), pool_storage).into_transaction_request().with_from(admin),
    )
    .await?;
    let pool_storage_factory = deploy_tx(
        provider,
        "deploying PoolStorageFactory",
        PoolStorageFactory::deploy_builder(p.clone(), pool_storage).into_transaction_request().with_from(admin),
    )
    .await?;
    let logic = [link_pool, node, node_staking, node_factory, pool_storage_factory];
    let mut keys: Vec<B256> = names::LOGIC.iter().map(|n| name_key(n)).collect();
    let mut addresses = logic.to_vec();
    if pool_owners != Address::ZERO {
        keys.push(name_key(names::POOL_OWNERS));
        addresses.push(pool_owners);
    }
    let init =
        PoolStorage::new(pool_storage, p).initialize(keys, addresses).into_transaction_request().with_from(admin);
    stack::send(provider, init).await.map_err(failed("PoolStorage.initialize"))?;
    Ok(PoolContracts {
        link,
        pool_storage,
        link_pool,
        node,
        node_staking,
        node_factory,
        pool_storage_factory,
        pool_owners,
    })
}
