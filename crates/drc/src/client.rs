//! A client of a deployed coordinator over the `IDRCoordinator` ABI: reads (config, specs,
//! balances, subscriptions, prices) and the owner's transactions (spec sync, config, pause,
//! ownership, withdrawal).
//!
//! Reads need any provider; writes need a provider whose wallet signs for the account given to
//! [`Coordinator::with_sender`] (see [`connect`]). Every write waits for its receipt and fails
//! with [`Error::Reverted`] on status 0; a revert during gas estimation fails with
//! [`Error::Revert`], naming the coordinator's custom error.

use std::collections::BTreeMap;

use alloy::{
    network::EthereumWallet,
    primitives::{aliases::U96, Address, B256, I256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
};
use linkpool_bindings::{
    DRCoordinator,
    IDRCoordinator::{self, IDRCoordinatorErrors, IDRCoordinatorInstance},
};
use serde::Serialize;

use crate::{
    pricing::{FeeType, PaymentType},
    specs::{Spec, SpecDiff, SpecSet},
    Error, Result,
};

/// Specs per `setSpecs` / `removeSpecs` transaction by default (as the original tools).
pub const DEFAULT_BATCH_SIZE: usize = 50;

/// Connects to `rpc_url`; with a signer, transactions are signed locally by it. When
/// `expected_chain_id` is given, the endpoint must serve that chain.
///
/// # Errors
/// [`Error::Transport`] if the endpoint does not answer, [`Error::ChainIdMismatch`].
pub async fn connect(
    rpc_url: &str,
    signer: Option<PrivateKeySigner>,
    expected_chain_id: Option<u64>,
) -> Result<DynProvider> {
    let url = rpc_url.parse().map_err(|e| {
        Error::Transport(Box::new(alloy::transports::TransportErrorKind::custom_str(&format!(
            "invalid RPC URL {rpc_url:?}: {e}"
        ))))
    })?;
    // Simple (uncached) nonces: a send that fails at gas estimation must not leave a nonce gap
    // that would stall every later transaction of this provider.
    let builder = ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id();
    let provider = match signer {
        Some(signer) => builder.wallet(EthereumWallet::new(signer)).connect_http(url).erased(),
        None => builder.connect_http(url).erased(),
    };
    let actual = provider.get_chain_id().await?;
    if let Some(expected) = expected_chain_id {
        if expected != actual {
            return Err(Error::ChainIdMismatch { expected, actual });
        }
    }
    Ok(provider)
}

/// The coordinator's pricing configuration (`IDRCoordinator.Config`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// LINK price in TKN wei used when the feeds cannot be trusted; 0 disables the fallback.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub fallback_wei_per_unit_link: U256,
    /// A feed answer older than this is stale.
    pub staleness_seconds: u32,
    /// Prices are not trusted for this long after the L2 sequencer comes back up.
    pub sequencer_grace_period_seconds: u32,
    /// The LINK/TKN feed (zero: use LINK/USD and TKN/USD).
    pub link_tkn_feed: Address,
    /// The LINK/USD feed.
    pub link_usd_feed: Address,
    /// The TKN/USD feed.
    pub tkn_usd_feed: Address,
    /// The L2 sequencer uptime feed (zero on L1).
    pub sequencer_uptime_feed: Address,
}

impl From<IDRCoordinator::Config> for Config {
    fn from(c: IDRCoordinator::Config) -> Self {
        Self {
            fallback_wei_per_unit_link: c.fallbackWeiPerUnitLink,
            staleness_seconds: c.stalenessSeconds,
            sequencer_grace_period_seconds: c.sequencerGracePeriodSeconds,
            link_tkn_feed: c.linkTknFeed,
            link_usd_feed: c.linkUsdFeed,
            tkn_usd_feed: c.tknUsdFeed,
            sequencer_uptime_feed: c.sequencerUptimeFeed,
        }
    }
}

impl From<Config> for IDRCoordinator::Config {
    fn from(c: Config) -> Self {
        Self {
            fallbackWeiPerUnitLink: c.fallback_wei_per_unit_link,
            stalenessSeconds: c.staleness_seconds,
            sequencerGracePeriodSeconds: c.sequencer_grace_period_seconds,
            linkTknFeed: c.link_tkn_feed,
            linkUsdFeed: c.link_usd_feed,
            tknUsdFeed: c.tkn_usd_feed,
            sequencerUptimeFeed: c.sequencer_uptime_feed,
        }
    }
}

impl From<Spec> for IDRCoordinator::Spec {
    fn from(s: Spec) -> Self {
        Self {
            specId: s.spec_id,
            operator: s.operator,
            payment: s.payment,
            paymentType: u8::from(s.payment_type),
            fee: s.fee,
            feeType: u8::from(s.fee_type),
            gasLimit: s.gas_limit,
        }
    }
}

impl TryFrom<IDRCoordinator::Spec> for Spec {
    type Error = Error;

    fn try_from(s: IDRCoordinator::Spec) -> Result<Self> {
        Ok(Self {
            spec_id: s.specId,
            operator: s.operator,
            payment: s.payment,
            payment_type: PaymentType::try_from(s.paymentType).map_err(|e| Error::Decode(e.to_string()))?,
            fee: s.fee,
            fee_type: FeeType::try_from(s.feeType).map_err(|e| Error::Decode(e.to_string()))?,
            gas_limit: s.gasLimit,
        })
    }
}

/// A subscription (`getSubscription`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Its id.
    pub id: u64,
    /// Its owner.
    pub owner: Address,
    /// Its LINK balance in juels.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub balance: U96,
    /// Requests billed to it and not yet fulfilled or cancelled.
    pub pending_requests: u64,
    /// The consumers that may bill it.
    pub consumers: Vec<Address>,
}

/// The coordinator's top-level state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    /// The coordinator.
    pub address: Address,
    /// Its owner.
    pub owner: Address,
    /// Whether requests are stopped.
    pub paused: bool,
    /// The LINK token.
    pub link: Address,
    /// The owner's withdrawable earnings, in juels.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub owner_earnings: U96,
    /// The coordinator's LINK balance (balances + subscriptions + escrow + earnings), in juels.
    #[serde(serialize_with = "crate::dec::serialize")]
    pub link_balance: U256,
    /// The pricing configuration.
    pub config: Config,
    /// The current LINK price in TKN wei, or why it cannot be read (e.g. a stale feed without
    /// fallback).
    pub wei_per_unit_link: std::result::Result<String, String>,
}

pub use linkpool_bindings::stack::SentTx;

/// Deploys a `DRCoordinator` for `link` owned by `owner` (who sends the deployment), then sets
/// `config` unless it is the default (no feeds, no fallback). Returns the address and the mined
/// transactions.
///
/// # Errors
/// [`Error::NotDeployed`], reverts (e.g. `FeedNotContract`, `FeedDecimalsTooLarge`), RPC errors.
pub async fn deploy(
    provider: &DynProvider,
    owner: Address,
    link: Address,
    config: &Config,
) -> Result<(Address, Vec<SentTx>)> {
    let builder = DRCoordinator::deploy_builder(provider.clone(), link, owner).from(owner);
    let receipt = builder.send().await.map_err(Error::contract("deploy DRCoordinator"))?.get_receipt().await?;
    if !receipt.status() {
        return Err(Error::Reverted { call: "deploy DRCoordinator", tx: receipt.transaction_hash });
    }
    let address = receipt.contract_address.ok_or(Error::NotDeployed { tx: receipt.transaction_hash })?;
    let mut sent = vec![SentTx::new("deploy DRCoordinator", &receipt)];
    if *config != Config::default() {
        let c = Coordinator::new(address, provider.clone()).with_sender(owner);
        sent.push(c.set_config(config).await?);
    }
    Ok((address, sent))
}

/// A deployed coordinator.
#[derive(Debug, Clone)]
pub struct Coordinator {
    instance: IDRCoordinatorInstance<DynProvider>,
    sender: Option<Address>,
}

alloy::sol! {
    /// The LINK balance of the coordinator.
    #[sol(rpc)]
    interface IErc20Balance {
        /// ERC-20 balance.
        function balanceOf(address owner) external view returns (uint256);
    }
}

impl Coordinator {
    /// The coordinator at `address`.
    pub fn new(address: Address, provider: DynProvider) -> Self {
        Self { instance: IDRCoordinatorInstance::new(address, provider), sender: None }
    }

    /// Sends transactions from `sender` (the provider's wallet must sign for it).
    pub fn with_sender(mut self, sender: Address) -> Self {
        self.sender = Some(sender);
        self
    }

    /// The coordinator's address.
    pub fn address(&self) -> Address {
        *self.instance.address()
    }

    /// The provider.
    pub fn provider(&self) -> &DynProvider {
        self.instance.provider()
    }

    /// Fails with [`Error::NoContract`] if nothing is deployed at the address.
    ///
    /// # Errors
    /// [`Error::NoContract`], [`Error::Transport`].
    pub async fn ensure_deployed(&self) -> Result<()> {
        if self.provider().get_code_at(self.address()).await?.is_empty() {
            return Err(Error::NoContract(self.address()));
        }
        Ok(())
    }

    /// The owner.
    ///
    /// # Errors
    /// RPC and revert errors.
    pub async fn owner(&self) -> Result<Address> {
        self.instance.owner().call().await.map_err(Error::contract("owner"))
    }

    /// Whether requests are stopped.
    ///
    /// # Errors
    /// RPC and revert errors.
    pub async fn paused(&self) -> Result<bool> {
        self.instance.paused().call().await.map_err(Error::contract("paused"))
    }

    /// The owner's withdrawable earnings.
    ///
    /// # Errors
    /// RPC and revert errors.
    pub async fn owner_earnings(&self) -> Result<U96> {
        self.instance.ownerEarnings().call().await.map_err(Error::contract("ownerEarnings"))
    }

    /// The pricing configuration.
    ///
    /// # Errors
    /// RPC and revert errors.
    pub async fn config(&self) -> Result<Config> {
        Ok(self.instance.getConfig().call().await.map_err(Error::contract("getConfig"))?.into())
    }

    /// Everything at the top level: owner, pause state, LINK, earnings, config, price.
    ///
    /// # Errors
    /// RPC and revert errors (a price that cannot be read is reported inside the overview).
    pub async fn overview(&self) -> Result<Overview> {
        self.ensure_deployed().await?;
        let link = self.instance.LINK().call().await.map_err(Error::contract("LINK"))?;
        let link_balance = IErc20Balance::new(link, self.provider().clone())
            .balanceOf(self.address())
            .call()
            .await
            .map_err(Error::contract("LINK.balanceOf"))?;
        let wei_per_unit_link = match self.wei_per_unit_link().await {
            Ok(p) => Ok(p.to_string()),
            Err(e @ Error::Revert { .. }) => Err(e.to_string()),
            Err(e) => return Err(e),
        };
        Ok(Overview {
            address: self.address(),
            owner: self.owner().await?,
            paused: self.paused().await?,
            link,
            owner_earnings: self.owner_earnings().await?,
            link_balance,
            config: self.config().await?,
            wei_per_unit_link,
        })
    }

    /// Every spec key on chain.
    ///
    /// # Errors
    /// RPC and revert errors.
    pub async fn spec_keys(&self) -> Result<Vec<B256>> {
        self.instance.getSpecKeys().call().await.map_err(Error::contract("getSpecKeys"))
    }

    /// The spec under `key`; `None` if there is none (`SpecNotFound`).
    ///
    /// # Errors
    /// RPC and other revert errors.
    pub async fn spec(&self, key: B256) -> Result<Option<Spec>> {
        match self.instance.getSpec(key).call().await {
            Ok(s) => Ok(Some(s.try_into()?)),
            Err(e) => match e.as_decoded_interface_error::<IDRCoordinatorErrors>() {
                Some(IDRCoordinatorErrors::SpecNotFound(_)) => Ok(None),
                _ => Err(Error::contract("getSpec")(e)),
            },
        }
    }

    /// Every spec on chain, by key.
    ///
    /// # Errors
    /// RPC and revert errors.
    pub async fn specs(&self) -> Result<BTreeMap<B256, Spec>> {
        let mut out = BTreeMap::new();
        for key in self.spec_keys().await? {
            // A key listed but gone means a concurrent removal: skip it.
            if let Some(spec) = self.spec(key).await? {
                out.insert(key, spec);
            }
        }
        Ok(out)
    }

    /// The diff between `files` and the specs on chain.
    ///
    /// # Errors
    /// RPC and revert errors.
    pub async fn diff(&self, files: &SpecSet) -> Result<SpecDiff> {
        Ok(SpecDiff::new(files, &self.specs().await?))
    }

    /// A consumer's balance.
    ///
    /// # Errors
    /// RPC and revert errors.
    pub async fn balance(&self, consumer: Address) -> Result<U96> {
        self.instance.availableFunds(consumer).call().await.map_err(Error::contract("availableFunds"))
    }

    /// A subscription; `None` if there is none (`SubscriptionNotFound`).
    ///
    /// # Errors
    /// RPC and other revert errors.
    pub async fn subscription(&self, id: u64) -> Result<Option<Subscription>> {
        match self.instance.getSubscription(id).call().await {
            Ok(s) => Ok(Some(Subscription {
                id,
                owner: s.owner,
                balance: s.balance,
                pending_requests: s.pendingRequests,
                consumers: s.consumers,
            })),
            Err(e) => match e.as_decoded_interface_error::<IDRCoordinatorErrors>() {
                Some(IDRCoordinatorErrors::SubscriptionNotFound(_)) => Ok(None),
                _ => Err(Error::contract("getSubscription")(e)),
            },
        }
    }

    /// Ids of every subscription created since `from_block`, from `SubscriptionCreated` logs
    /// (public RPC endpoints limit log ranges: pass the coordinator's deployment block).
    ///
    /// # Errors
    /// RPC errors.
    pub async fn subscription_ids(&self, from_block: u64) -> Result<Vec<u64>> {
        let logs = self
            .instance
            .SubscriptionCreated_filter()
            .from_block(from_block)
            .query()
            .await
            .map_err(Error::contract("SubscriptionCreated logs"))?;
        let mut ids: Vec<u64> = logs.into_iter().map(|(e, _)| e.subId).collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// The live subscriptions among those created since `from_block` (cancelled ones are gone).
    ///
    /// # Errors
    /// RPC and revert errors.
    pub async fn subscriptions(&self, from_block: u64) -> Result<Vec<Subscription>> {
        let mut out = Vec::new();
        for id in self.subscription_ids(from_block).await? {
            if let Some(s) = self.subscription(id).await? {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// The current LINK price in TKN wei (`getWeiPerUnitLink`).
    ///
    /// # Errors
    /// The coordinator's price errors (`FeedStale`, `SequencerDown`, …) as [`Error::Revert`].
    pub async fn wei_per_unit_link(&self) -> Result<U256> {
        self.instance.getWeiPerUnitLink().call().await.map_err(Error::contract("getWeiPerUnitLink"))
    }

    /// The contract's `calculateMaxPaymentAmount`.
    ///
    /// # Errors
    /// As [`Self::wei_per_unit_link`].
    pub async fn calculate_max_payment_amount(
        &self,
        wei_per_unit_gas: U256,
        payment_in_escrow: U96,
        gas_limit: u32,
        fee: U96,
        fee_type: FeeType,
    ) -> Result<I256> {
        self.instance
            .calculateMaxPaymentAmount(wei_per_unit_gas, payment_in_escrow, gas_limit, fee, u8::from(fee_type))
            .call()
            .await
            .map_err(Error::contract("calculateMaxPaymentAmount"))
    }

    fn sender(&self, call: &'static str) -> Result<Address> {
        self.sender.ok_or(Error::NoSender(call))
    }

    async fn send<C: alloy::sol_types::SolCall>(
        &self,
        call: &'static str,
        action: String,
        builder: alloy::contract::SolCallBuilder<&DynProvider, C>,
    ) -> Result<SentTx> {
        let builder = builder.from(self.sender(call)?);
        let pending = builder.send().await.map_err(Error::contract(call))?;
        let receipt: TransactionReceipt = pending.get_receipt().await?;
        if !receipt.status() {
            return Err(Error::Reverted { call, tx: receipt.transaction_hash });
        }
        Ok(SentTx::new(action, &receipt))
    }

    /// `setSpecs` for `specs` (key, spec) in one transaction.
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`OnlyOwner`, `SpecKeyMismatch`, range errors), RPC errors.
    pub async fn set_specs(&self, specs: &[(B256, Spec)]) -> Result<SentTx> {
        let keys = specs.iter().map(|(k, _)| *k).collect();
        let values = specs.iter().map(|(_, s)| IDRCoordinator::Spec::from(*s)).collect();
        self.send("setSpecs", format!("setSpecs({})", specs.len()), self.instance.setSpecs(keys, values)).await
    }

    /// `removeSpecs` for `keys` in one transaction.
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts, RPC errors.
    pub async fn remove_specs(&self, keys: &[B256]) -> Result<SentTx> {
        self.send("removeSpecs", format!("removeSpecs({})", keys.len()), self.instance.removeSpecs(keys.to_vec())).await
    }

    /// Applies `diff`: creates and updates in `setSpecs` batches of `batch_size`, then deletes in
    /// `removeSpecs` batches. A diff with no change sends nothing.
    ///
    /// # Errors
    /// As [`Self::set_specs`] and [`Self::remove_specs`]; batches sent before a failure stay applied
    /// (a re-run diffs again and sends only the rest).
    pub async fn sync(&self, diff: &SpecDiff, batch_size: usize) -> Result<Vec<SentTx>> {
        let batch_size = batch_size.max(1);
        let mut sent = Vec::new();
        for chunk in diff.to_set().chunks(batch_size) {
            sent.push(self.set_specs(chunk).await?);
        }
        for chunk in diff.to_remove().chunks(batch_size) {
            sent.push(self.remove_specs(chunk).await?);
        }
        Ok(sent)
    }

    /// `setConfig`.
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts, RPC errors.
    pub async fn set_config(&self, config: &Config) -> Result<SentTx> {
        self.send("setConfig", "setConfig".into(), self.instance.setConfig((*config).into())).await
    }

    /// `pause`.
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`OnlyOwner`, `CoordinatorPaused`), RPC errors.
    pub async fn pause(&self) -> Result<SentTx> {
        self.send("pause", "pause".into(), self.instance.pause()).await
    }

    /// `unpause`.
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`OnlyOwner`, `CoordinatorNotPaused`), RPC errors.
    pub async fn unpause(&self) -> Result<SentTx> {
        self.send("unpause", "unpause".into(), self.instance.unpause()).await
    }

    /// `transferOwnership(to)`: proposes `to` as the owner.
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts, RPC errors.
    pub async fn transfer_ownership(&self, to: Address) -> Result<SentTx> {
        self.send("transferOwnership", format!("transferOwnership({to})"), self.instance.transferOwnership(to)).await
    }

    /// `acceptOwnership`, from the proposed owner.
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`OnlyPendingOwner`), RPC errors.
    pub async fn accept_ownership(&self) -> Result<SentTx> {
        self.send("acceptOwnership", "acceptOwnership".into(), self.instance.acceptOwnership()).await
    }

    /// `withdraw(to, amount)` from the owner's earnings.
    ///
    /// # Errors
    /// [`Error::NoSender`], reverts (`InsufficientEarnings`), RPC errors.
    pub async fn withdraw(&self, to: Address, amount: U96) -> Result<SentTx> {
        self.send("withdraw", format!("withdraw({to}, {amount})"), self.instance.withdraw(to, amount)).await
    }
}
