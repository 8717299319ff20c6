//! LinkPool membership (LinkPool whitepaper §6.3.1, issue 5): with `[pool] storage` set, the node
//!
//! 1. registers itself as a pool node if its address has none yet (`LinkPool.createNode()`, sent
//!    through the transaction manager under a fixed idempotency key, so a restart never sends it
//!    twice), and
//! 2. with `[pool] earnings_schedule` and `operator` set, keeps a `cron` job that withdraws the
//!    Operator's earnings into the node's storage and calls `Node.distribute` for it. The job is
//!    an ordinary pipeline (visible in `linkpool jobs list`, its runs in `linkpool runs list`);
//!    it looks the current `Node` contract up in the pool's registry on every run, so logic
//!    upgrades need no job change.
//!
//! Both happen in a background task: the node serves while the registration is being mined.

use std::sync::Arc;

use alloy::{
    primitives::{keccak256, Address, Bytes, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use linkpool_bindings::{link_pool::LinkPool, PoolStorage};
use linkpool_chain::{ChainClient, TxManager, TxRequest};
use linkpool_job::JobSpec;
use linkpool_store::NewJob;

use crate::{config::PoolConfig, Error, NodeState, Result};

/// What the node found or did at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolMembership {
    /// The pool's storage.
    pub pool_storage: Address,
    /// `LinkPool` (resolved from the registry).
    pub link_pool: Address,
    /// The node's storage.
    pub node_storage: Address,
}

async fn call(client: &ChainClient, to: Address, data: Vec<u8>, what: &str) -> Result<Bytes> {
    let tx = TransactionRequest::default().to(to).input(data.into());
    client.provider().call(tx).await.map_err(|e| Error::Config(format!("pool: {what} failed: {e}")))
}

async fn contract_address(client: &ChainClient, pool_storage: Address, name: &str) -> Result<Address> {
    let data = PoolStorage::contractAddressCall { name: keccak256(name.as_bytes()) }.abi_encode();
    let out =
        call(client, pool_storage, data, &format!("reading {name} from the pool registry {pool_storage}")).await?;
    let address = PoolStorage::contractAddressCall::abi_decode_returns(&out)
        .map_err(|e| Error::Config(format!("pool: {pool_storage} is not a pool storage: {e}")))?;
    if address == Address::ZERO {
        return Err(Error::Config(format!("pool: {pool_storage} has no {name} registered")));
    }
    Ok(address)
}

async fn storage_of(client: &ChainClient, link_pool: Address, node: Address) -> Result<Address> {
    let out = call(client, link_pool, LinkPool::storageOfCall { node }.abi_encode(), "LinkPool.storageOf").await?;
    LinkPool::storageOfCall::abi_decode_returns(&out)
        .map_err(|e| Error::Config(format!("pool: LinkPool.storageOf: {e}")))
}

/// Registers the node if needed, then creates the earnings job if configured. Runs until done;
/// the caller spawns it.
pub async fn join(
    config: &PoolConfig,
    state: Arc<NodeState>,
    client: ChainClient,
    txm: Arc<TxManager>,
    node: Address,
) -> Result<Option<PoolMembership>> {
    let Some(pool_storage) = config.storage else { return Ok(None) };
    let link_pool = contract_address(&client, pool_storage, "LinkPool").await?;
    let mut node_storage = storage_of(&client, link_pool, node).await?;
    if node_storage == Address::ZERO {
        if config.no_register {
            tracing::warn!(%node, %pool_storage, "not a pool node, and [pool] no_register is set");
            return Ok(None);
        }
        tracing::info!(%node, %pool_storage, "registering as a pool node");
        let id = txm
            .enqueue(TxRequest {
                idempotency_key: format!("pool:{pool_storage}:create-node:{node}"),
                from: node,
                to: link_pool,
                data: LinkPool::createNodeCall {}.abi_encode().into(),
                value: U256::ZERO,
                gas_limit: None,
                run_id: None,
            })
            .await?;
        let outcome = txm.wait(id).await?;
        node_storage = storage_of(&client, link_pool, node).await?;
        if outcome.reverted || node_storage == Address::ZERO {
            return Err(Error::Config(format!("pool: createNode reverted (tx {})", outcome.hash)));
        }
        tracing::info!(%node, %node_storage, tx = %outcome.hash, "registered as a pool node");
    } else {
        tracing::info!(%node, %node_storage, "pool node");
    }
    let membership = PoolMembership { pool_storage, link_pool, node_storage };
    if let Some(schedule) = &config.earnings_schedule {
        let operator =
            config.operator.ok_or_else(|| Error::Config("pool: earnings_schedule needs [pool] operator".into()))?;
        ensure_earnings_job(&state, &membership, operator, node, schedule).await?;
    }
    Ok(Some(membership))
}

/// The earnings job's external id: the same for the same pool, node and Operator, so a restart
/// finds the job it created.
pub fn earnings_job_id(pool_storage: Address, node: Address, operator: Address) -> uuid::Uuid {
    let h = keccak256([pool_storage.as_slice(), node.as_slice(), operator.as_slice(), b"earnings"].concat());
    uuid::Builder::from_custom_bytes(h[..16].try_into().expect("16 bytes")).into_uuid()
}

/// The earnings job: read the Operator's withdrawable LINK, withdraw it to the node's storage,
/// then distribute through the `Node` contract the registry names now.
pub fn earnings_job_toml(m: &PoolMembership, operator: Address, node: Address, schedule: &str) -> String {
    let id = earnings_job_id(m.pool_storage, node, operator);
    let node_name_call = Bytes::from(PoolStorage::contractAddressCall { name: keccak256(b"Node") }.abi_encode());
    let withdrawable = Bytes::from(linkpool_bindings::Operator::withdrawableCall {}.abi_encode());
    format!(
        r#"type = "cron"
schemaVersion = 1
name = "pool earnings: withdraw and distribute"
externalJobID = "{id}"
schedule = "CRON_TZ=UTC {schedule}"
observationSource = """
    registry    [type="ethcall" contract="{pool}" data="{node_name_call}"]
    node_logic  [type="ethabidecode" abi="address logic" data="$(registry)"]
    available   [type="ethcall" contract="{operator}" data="{withdrawable}"]
    amount      [type="ethabidecode" abi="uint256 amount" data="$(available)"]
    encode_w    [type="ethabiencode" abi="withdraw(address recipient, uint256 amount)" data="{{ \\"recipient\\": \\"{storage}\\", \\"amount\\": $(amount.amount) }}"]
    withdraw    [type="ethtx" to="{operator}" data="$(encode_w)"]
    encode_d    [type="ethabiencode" abi="distribute(address node)" data="{{ \\"node\\": \\"{node}\\" }}"]
    distribute  [type="ethtx" to="$(node_logic.logic)" data="$(encode_d)"]
    registry -> node_logic -> available -> amount -> encode_w -> withdraw -> encode_d -> distribute
"""
"#,
        pool = m.pool_storage,
        storage = m.node_storage,
    )
}

async fn ensure_earnings_job(
    state: &NodeState,
    m: &PoolMembership,
    operator: Address,
    node: Address,
    schedule: &str,
) -> Result<()> {
    let toml = earnings_job_toml(m, operator, node, schedule);
    let spec = JobSpec::from_toml(&toml).map_err(|e| Error::Config(format!("pool: earnings job: {e}")))?;
    let external_job_id = spec.common().external_job_id;
    let existing = state.store.list_jobs().await?.into_iter().find(|j| j.external_job_id == external_job_id);
    if let Some(job) = existing {
        tracing::info!(job = job.id, %external_job_id, "pool earnings job present");
        return Ok(());
    }
    let rec = state
        .store
        .insert_job(&NewJob {
            external_job_id,
            name: spec.common().name.clone(),
            job_type: spec.job_type().to_owned(),
            spec_toml: toml,
        })
        .await?;
    state.jobs.add(rec.id, spec);
    tracing::info!(job = rec.id, %external_job_id, schedule, "pool earnings job created");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_earnings_job_is_a_valid_cron_spec_with_a_stable_id() {
        let m = PoolMembership {
            pool_storage: Address::repeat_byte(1),
            link_pool: Address::repeat_byte(2),
            node_storage: Address::repeat_byte(3),
        };
        let (operator, node) = (Address::repeat_byte(4), Address::repeat_byte(5));
        let toml = earnings_job_toml(&m, operator, node, "0 */6 * * *");
        let spec = JobSpec::from_toml(&toml).expect("valid spec");
        assert!(matches!(spec, JobSpec::Cron(_)), "{toml}");
        assert_eq!(spec.common().external_job_id, earnings_job_id(m.pool_storage, node, operator));
        assert_ne!(earnings_job_id(m.pool_storage, node, operator), earnings_job_id(m.pool_storage, operator, node));
    }
}
