//! Deploying a direct-request stack (LINK, Operator, consumers) in either flavour, driving one
//! request/fulfilment round, and measuring its gas.
//!
//! Every function takes a [`DynProvider`] whose wallet (or node) can sign for the `from` accounts
//! given. Mixed stacks (our Operator with Chainlink's consumer, and so on) are how compatibility is
//! proved; [`measure_uint256`] is the gas scenario of `shared/REFERENCE.md` §9 (the docs' "Get >
//! Uint256" request: `get`, `path`, `times`, 125 bytes of CBOR, 0.1 LINK).

mod deploy;
mod gas;
mod request;

use alloy::{
    primitives::{uint, Address, U256},
    providers::{DynProvider, Provider},
    rpc::types::{TransactionReceipt, TransactionRequest},
};

pub use deploy::{
    deploy_code, deploy_consumer_multi_word, deploy_consumer_uint256, deploy_link, deploy_operator,
    deploy_request_encoder,
};
pub use gas::{measure_uint256, sample, GasSample, RequestVersion};
pub use request::{fulfil, fulfil_tx, oracle_request, oracle_requests, Answer, FULFIL_GAS_LIMIT};

use crate::{Error, LinkToken, Operator, Result};

/// A mined transaction a management client sent, as its CLI reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentTx {
    /// What it did, e.g. `setSpecs(3)` or `proposeContract(Node, 0x…)`.
    pub action: String,
    /// Its hash.
    pub hash: alloy::primitives::B256,
    /// Its block.
    pub block: Option<u64>,
    /// Gas it used.
    pub gas_used: u64,
}

impl SentTx {
    /// `action`, as mined in `receipt`.
    pub fn new(action: impl Into<String>, receipt: &alloy::rpc::types::TransactionReceipt) -> Self {
        Self {
            action: action.into(),
            hash: receipt.transaction_hash,
            block: receipt.block_number,
            gas_used: receipt.gas_used,
        }
    }
}

/// Which implementation of a contract to deploy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// Ours, from `contracts/out` (compiled into this crate).
    Linkpool,
    /// Chainlink's, from `contracts/reference-out` (see [`crate::reference`]).
    Chainlink,
}

/// The flavour of each contract of a stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StackConfig {
    /// The LINK token.
    pub link: Flavor,
    /// The Operator.
    pub operator: Flavor,
    /// The consumers (ChainlinkClient).
    pub consumer: Flavor,
}

impl StackConfig {
    /// Everything ours.
    pub const LINKPOOL: Self = Self { link: Flavor::Linkpool, operator: Flavor::Linkpool, consumer: Flavor::Linkpool };
    /// Everything Chainlink's.
    pub const CHAINLINK: Self =
        Self { link: Flavor::Chainlink, operator: Flavor::Chainlink, consumer: Flavor::Chainlink };
}

/// LINK total supply, minted to the owner by [`deploy_link`] whatever the flavour.
pub const LINK_TOTAL_SUPPLY: U256 = uint!(1_000_000_000_000_000_000_000_000_000_U256);
/// LINK given to each consumer by [`DirectRequestStack::deploy`]: 1,000 LINK.
pub const CONSUMER_FUNDING: U256 = uint!(1_000_000_000_000_000_000_000_U256);

/// Addresses of a deployed stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectRequestStack {
    /// The flavours deployed.
    pub config: StackConfig,
    /// LINK token.
    pub link: Address,
    /// Operator.
    pub operator: Address,
    /// `ConsumerUint256` (or its reference twin).
    pub consumer: Address,
    /// `ConsumerMultiWord` (or its reference twin).
    pub multi_word_consumer: Address,
    /// Owner of the Operator and holder of the LINK supply; deploys everything.
    pub owner: Address,
    /// The node account: the Operator's only authorized sender.
    pub node: Address,
}

impl DirectRequestStack {
    /// Deploys LINK, an Operator owned by `owner` with `node` as its only authorized sender, and
    /// both consumers, each funded with [`CONSUMER_FUNDING`].
    ///
    /// # Errors
    /// Any deployment or transaction failure; [`Error::ReferenceMissing`] for a Chainlink flavour
    /// whose artifacts are not built.
    pub async fn deploy(provider: &DynProvider, owner: Address, node: Address, config: StackConfig) -> Result<Self> {
        let link = deploy_link(provider, owner, config.link).await?;
        let operator = deploy_operator(provider, owner, link, config.operator).await?;
        let consumer = deploy_consumer_uint256(provider, owner, link, config.consumer).await?;
        let multi_word_consumer = deploy_consumer_multi_word(provider, owner, link, config.consumer).await?;
        let op = Operator::new(operator, provider.clone());
        send(provider, op.setAuthorizedSenders(vec![node]).from(owner).into_transaction_request()).await?;
        let token = LinkToken::new(link, provider.clone());
        for to in [consumer, multi_word_consumer] {
            send(provider, token.transfer(to, CONSUMER_FUNDING).from(owner).into_transaction_request()).await?;
        }
        Ok(Self { config, link, operator, consumer, multi_word_consumer, owner, node })
    }
}

/// What [`send`] adds to a gas estimate.
pub const GAS_ESTIMATE_MARGIN_PERCENT: u64 = 20;

/// Sends a transaction and waits for its receipt. Without a gas limit, it gets the estimate plus
/// [`GAS_ESTIMATE_MARGIN_PERCENT`], as wallets do: an exact estimate runs out of gas when the
/// mined block differs from the estimated one in a way that costs a few gas (a later timestamp
/// takes another branch of a staleness check, say).
///
/// # Errors
/// [`Error::Reverted`] if it mined with status 0; RPC errors otherwise (a revert during gas
/// estimation surfaces as [`Error::Transport`] carrying the revert data).
pub async fn send(provider: &DynProvider, mut tx: TransactionRequest) -> Result<TransactionReceipt> {
    if tx.gas.is_none() {
        let estimate = provider.estimate_gas(tx.clone()).await?;
        tx.gas = Some(estimate + estimate * GAS_ESTIMATE_MARGIN_PERCENT / 100);
    }
    let receipt = provider.send_transaction(tx).await?.get_receipt().await?;
    if !receipt.status() {
        return Err(Error::Reverted { tx: receipt.transaction_hash });
    }
    Ok(receipt)
}
