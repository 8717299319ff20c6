//! The transaction manager: durable, idempotent, gas-bumping sends from local keys.
//!
//! # Lifecycle of a tx
//!
//! 1. [`TxManager::enqueue`] persists the request (`store.insert_tx`, state `Unstarted`)
//!    **before anything is sent**. The idempotency key is unique: enqueueing it again
//!    returns the same tx id and sends nothing, even across restarts.
//! 2. The sender loop of the `from` key assigns the next nonce (`assign_nonce`, state
//!    `Unconfirmed`), signs an EIP-1559 attempt (tip from config or
//!    `eth_maxPriorityFeePerGas`; `maxFee = base fee × base_fee_percent/100 + tip`, capped),
//!    persists it with its raw bytes (`insert_attempt`), and only then broadcasts. New txs
//!    are signed and broadcast in batches (one JSON-RPC batch request per up to
//!    `max_batch` txs).
//! 3. Receipts come from the head watcher, one `eth_getBlockReceipts` per new block for all
//!    txs at once. Once its block has `confirmations` confirmations, the tx is marked
//!    `Confirmed` or `Reverted` and [`TxManager::wait`] resolves.
//! 4. A tx unmined `bump_after_blocks` blocks (or `bump_after`) after its last broadcast
//!    gets a new attempt with both fees raised by at least 12.5% + 1 wei (never above
//!    `max_fee_per_gas`; at the cap the last attempt is rebroadcast). "Nonce too low" and
//!    gaps trigger a receipt lookup of every attempt by hash; a nonce used by a foreign tx
//!    makes the tx `Fatal`.
//! 5. On restart, each sender loads its `Unstarted` and `Unconfirmed` txs, seeds its nonce
//!    counter with `max(store max nonce + 1, chain pending nonce)`, looks up receipts of
//!    all stored attempts, and rebroadcasts the latest attempt of each unmined tx. A tx that
//!    has a nonce never gets another one.
//!
//! # Tasks
//!
//! [`TxManager::spawn`] starts one **sender** task per key (owns that key's nonce counter
//! and in-flight set; no locks are held across RPC calls) and one **head watcher** task
//! (polls the head every `poll_interval`, fetches header, tip and block receipts in one
//! batch request, and routes receipts to senders by `from`). Dropping the manager aborts
//! them; [`TxManager::shutdown`] stops them gracefully. Everything needed to resume is in
//! the store.

mod broadcast;
mod config;
mod fees;
mod sender;
mod sign;
mod waiters;
mod watcher;

use std::{collections::HashMap, sync::Arc};

use alloy::{
    primitives::{Address, Bytes, B256, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
pub use config::{FeeConfig, TxmConfig, GWEI};
pub use fees::Fees;
use linkpool_store::{Inserted, NewTx, Store, TxRecord, TxState};
use tokio::{
    sync::{mpsc, watch},
    task::JoinHandle,
};
use tracing::info;

use crate::{ChainClient, Error, Result};

/// The least gas a call with this calldata can be given: the base cost plus calldata cost,
/// or the EIP-7623 calldata floor (Prague), whichever is higher. A node rejects less
/// ("intrinsic gas too low"), and a tx with a nonce that can never be sent would block
/// every later nonce, so this is checked before anything is stored.
pub fn intrinsic_gas(data: &[u8]) -> u64 {
    let zeros = data.iter().filter(|b| **b == 0).count() as u64;
    let non_zeros = data.len() as u64 - zeros;
    let standard = 21_000 + 4 * zeros + 16 * non_zeros;
    let floor = 21_000 + 10 * (zeros + 4 * non_zeros);
    standard.max(floor)
}

/// A transaction to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxRequest {
    /// Unique key: at most one transaction is ever sent per key (the pipeline's `ethtx`
    /// uses `run:<run_id>:task:<task_id>`).
    pub idempotency_key: String,
    /// Sending key; must be one of the manager's keys.
    pub from: Address,
    /// Recipient.
    pub to: Address,
    /// Calldata.
    pub data: Bytes,
    /// Wei sent along.
    pub value: U256,
    /// Gas limit. `None`: `eth_estimateGas` × `gas_estimate_percent`/100 (an Operator
    /// fulfilment needs ≥ ~450k because of its `gasleft() >= 400000` check; estimation
    /// accounts for it).
    pub gas_limit: Option<u64>,
    /// The pipeline run that sends it, if any.
    pub run_id: Option<i64>,
}

/// How a transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxOutcome {
    /// Hash of the attempt that was mined.
    pub hash: B256,
    /// Its block.
    pub block_number: u64,
    /// Gas it used.
    pub gas_used: u64,
    /// True if it was mined with status 0.
    pub reverted: bool,
}

/// State shared by the manager handle and its tasks.
pub(crate) struct Shared {
    pub(crate) client: ChainClient,
    pub(crate) store: Store,
    pub(crate) config: TxmConfig,
    pub(crate) chain_id: u64,
    pub(crate) waiters: waiters::Waiters,
    /// Latest head seen by the watcher (fees, gas limit checks).
    pub(crate) head: watch::Sender<Option<watcher::HeadInfo>>,
}

/// Sends transactions for a set of local keys on one chain (see the module docs).
pub struct TxManager {
    shared: Arc<Shared>,
    senders: HashMap<Address, mpsc::UnboundedSender<TxRecord>>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for TxManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TxManager")
            .field("chain_id", &self.shared.chain_id)
            .field("senders", &self.senders.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl TxManager {
    /// Starts the sender tasks (one per key) and the head watcher. Must be called within a
    /// tokio runtime. Unfinished txs of these keys in `store` are resumed.
    pub fn spawn(
        client: ChainClient,
        store: Store,
        keys: impl IntoIterator<Item = PrivateKeySigner>,
        config: TxmConfig,
    ) -> Result<Self> {
        config.validate()?;
        let chain_id = client.chain_id();
        let (head, _) = watch::channel(None);
        let shared = Arc::new(Shared { client, store, config, chain_id, waiters: waiters::Waiters::default(), head });
        let (stop, _) = watch::channel(false);
        let mut senders = HashMap::new();
        let mut block_senders = HashMap::new();
        let mut tasks = Vec::new();
        for signer in keys {
            let address = signer.address();
            if senders.contains_key(&address) {
                continue;
            }
            let (tx_in, tx_out) = mpsc::unbounded_channel();
            let (blocks_in, blocks_out) = mpsc::unbounded_channel();
            let task = sender::SenderTask {
                shared: Arc::clone(&shared),
                signer,
                new_txs: tx_out,
                blocks: blocks_out,
                state: Default::default(),
            };
            tasks.push(tokio::spawn(task.run(stop.subscribe())));
            senders.insert(address, tx_in);
            block_senders.insert(address, blocks_in);
        }
        if senders.is_empty() {
            return Err(Error::Config("transaction manager needs at least one key".into()));
        }
        let watcher =
            watcher::Watcher { shared: Arc::clone(&shared), senders: block_senders, last: None, block_receipts: true };
        tasks.push(tokio::spawn(watcher.run(stop.subscribe())));
        info!(chain_id, keys = senders.len(), "transaction manager started");
        Ok(Self { shared, senders, stop, tasks })
    }

    /// The chain this manager sends on.
    pub fn chain_id(&self) -> u64 {
        self.shared.chain_id
    }

    /// The sending addresses.
    pub fn senders(&self) -> Vec<Address> {
        let mut list: Vec<Address> = self.senders.keys().copied().collect();
        list.sort();
        list
    }

    /// Persists the request and queues it for sending; returns the tx id. Idempotent on
    /// `idempotency_key`: a known key returns the existing id and sends nothing.
    ///
    /// Fails before persisting anything on an unknown sender, a gas limit below
    /// [`intrinsic_gas`] or above the block gas limit, or a failed gas estimate (e.g. the
    /// call reverts).
    pub async fn enqueue(&self, request: TxRequest) -> Result<i64> {
        let sender = self.senders.get(&request.from).ok_or(Error::UnknownSender(request.from))?;
        if request.idempotency_key.is_empty() {
            return Err(Error::InvalidTx("empty idempotency key".into()));
        }
        let store = &self.shared.store;
        if request.gas_limit.is_none() {
            // Spare the estimate RPC for keys we already have.
            if let Some(existing) = store.get_tx_by_key(&request.idempotency_key).await? {
                return Ok(existing.id);
            }
        }
        let gas_limit = match request.gas_limit {
            Some(limit) => limit,
            None => self.estimate_gas(&request).await?,
        };
        let intrinsic = intrinsic_gas(&request.data);
        if gas_limit < intrinsic {
            return Err(Error::InvalidTx(format!(
                "gas limit {gas_limit} is below the intrinsic gas {intrinsic} of this calldata"
            )));
        }
        if let Some(head) = *self.shared.head.borrow() {
            if gas_limit > head.gas_limit {
                return Err(Error::InvalidTx(format!(
                    "gas limit {gas_limit} is above the block gas limit {}",
                    head.gas_limit
                )));
            }
        }
        let inserted = store
            .insert_tx(&NewTx {
                idempotency_key: request.idempotency_key,
                chain_id: self.shared.chain_id,
                from: format!("{:#x}", request.from),
                to: format!("{:#x}", request.to),
                data: request.data.to_vec(),
                value: request.value.to_string(),
                gas_limit,
                run_id: request.run_id,
            })
            .await?;
        match inserted {
            Inserted::New(record) => {
                let id = record.id;
                // A stopped sender picks the tx up from the store on the next start.
                let _ = sender.send(record);
                Ok(id)
            }
            Inserted::Existing(record) => Ok(record.id),
        }
    }

    /// Waits until the tx is final: `Ok` once mined with enough confirmations (check
    /// [`TxOutcome::reverted`]), [`Error::TxFatal`] if it failed for good. Works for any
    /// tx in the store, including ones enqueued before a restart.
    pub async fn wait(&self, tx_id: i64) -> Result<TxOutcome> {
        let waiter = self.shared.waiters.register(tx_id);
        let record = self.shared.store.get_tx(tx_id).await?.ok_or(Error::TxNotFound(tx_id))?;
        if let Some(done) = final_result(&record)? {
            drop(waiter);
            self.shared.waiters.forget_closed(tx_id);
            return done;
        }
        let from: Address = record.from.parse().map_err(|_| Error::Corrupt(format!("tx {tx_id} from address")))?;
        if !self.senders.contains_key(&from) {
            self.shared.waiters.forget_closed(tx_id);
            return Err(Error::UnknownSender(from));
        }
        match waiter.await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(reason)) => Err(Error::TxFatal { id: tx_id, reason }),
            Err(_) => Err(Error::Stopped("transaction manager")),
        }
    }

    /// The stored state of a tx.
    pub async fn get(&self, tx_id: i64) -> Result<TxRecord> {
        self.shared.store.get_tx(tx_id).await?.ok_or(Error::TxNotFound(tx_id))
    }

    /// Stops all tasks and waits for them. In-flight txs resume on the next start.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }

    async fn estimate_gas(&self, request: &TxRequest) -> Result<u64> {
        let call = TransactionRequest::default()
            .from(request.from)
            .to(request.to)
            .input(request.data.clone().into())
            .value(request.value);
        let estimate =
            self.shared.client.provider().estimate_gas(call).await.map_err(|e| Error::EstimateGas(e.to_string()))?;
        let percent = self.shared.config.gas_estimate_percent;
        Ok(estimate.saturating_mul(percent).div_ceil(100))
    }
}

impl Drop for TxManager {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The outcome of a tx that is already final, from its stored record.
fn final_result(record: &TxRecord) -> Result<Option<Result<TxOutcome>>> {
    match record.state {
        TxState::Unstarted | TxState::Unconfirmed => Ok(None),
        TxState::Fatal => {
            Ok(Some(Err(Error::TxFatal { id: record.id, reason: record.error.clone().unwrap_or_default() })))
        }
        TxState::Confirmed | TxState::Reverted => {
            let corrupt = || Error::Corrupt(format!("tx {} is final without its receipt fields", record.id));
            let hash = record.confirmed_hash.as_deref().ok_or_else(corrupt)?.parse().map_err(|_| corrupt())?;
            let block_number = record.block_number.and_then(|n| u64::try_from(n).ok()).ok_or_else(corrupt)?;
            let gas_used = record.gas_used.and_then(|n| u64::try_from(n).ok()).ok_or_else(corrupt)?;
            Ok(Some(Ok(TxOutcome { hash, block_number, gas_used, reverted: record.state == TxState::Reverted })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intrinsic_gas_counts_calldata() {
        assert_eq!(intrinsic_gas(&[]), 21_000);
        // 2 zero + 2 non-zero bytes: standard 21,040 < floor 21,100
        assert_eq!(intrinsic_gas(&[0, 0, 1, 2]), 21_100);
    }
}
