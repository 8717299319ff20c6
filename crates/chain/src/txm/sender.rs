//! The sender loop: one task per sending key. It owns that key's nonce counter and its
//! in-flight txs; nothing else touches them, so no lock is held across RPC calls.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque},
    sync::Arc,
    time::{Duration, Instant},
};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, Bytes, B256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use futures::StreamExt;
use linkpool_store::{TxAttempt, TxRecord, TxState};
use tokio::sync::{mpsc, watch};
use tracing::{debug, error, info, warn};

use super::{
    broadcast::{classify, SendOutcome},
    fees::{self, Fees},
    sign::{sign, Signed, TxBody},
    watcher::{BlockUpdate, HeadInfo},
    Shared, TxOutcome,
};
use crate::{
    rpc::{self, ReceiptRef},
    Error, Result,
};

/// Calls per JSON-RPC batch request.
const RPC_BATCH: usize = 500;
/// Store writes in flight at once per sender (lets PostgreSQL group commits).
const WRITE_CONCURRENCY: usize = 32;

/// One attempt we know of (persisted).
#[derive(Debug, Clone)]
struct Attempt {
    hash: B256,
    fees: Fees,
    raw: Bytes,
}

/// A tx with a nonce, not yet final.
#[derive(Debug)]
struct InFlight {
    body: TxBody,
    nonce: u64,
    attempts: Vec<Attempt>,
    /// Head number and time of the last broadcast (bump timers).
    sent_block: u64,
    sent_at: Instant,
    /// The receipt of one of its attempts, once seen.
    mined: Option<ReceiptRef>,
    nonce_too_low: u32,
}

pub(crate) struct SenderTask {
    pub(crate) shared: Arc<Shared>,
    pub(crate) signer: PrivateKeySigner,
    pub(crate) new_txs: mpsc::UnboundedReceiver<TxRecord>,
    pub(crate) blocks: mpsc::UnboundedReceiver<BlockUpdate>,
    pub(crate) state: SenderState,
}

#[derive(Default)]
pub(crate) struct SenderState {
    next_nonce: u64,
    queue: VecDeque<TxBody>,
    known: HashSet<i64>,
    inflight: BTreeMap<u64, InFlight>,
    by_hash: HashMap<B256, u64>,
    /// Nonces handed out whose tx then failed to persist: reused first, so no gap stays.
    free: BTreeSet<u64>,
    head: Option<HeadInfo>,
    recheck: bool,
}

impl SenderTask {
    fn address(&self) -> Address {
        self.signer.address()
    }

    fn address_hex(&self) -> String {
        format!("{:#x}", self.address())
    }

    pub(crate) async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let from = self.address();
        let mut failures = 0u32;
        loop {
            let result = tokio::select! {
                result = self.init() => result,
                _ = stop.changed() => return,
            };
            match result {
                Ok(()) => break,
                Err(err) => {
                    failures = failures.saturating_add(1);
                    warn!(%from, %err, "txm sender start failed; retrying");
                    let delay = Duration::from_millis(250) * 2u32.saturating_pow(failures.min(6));
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = stop.changed() => return,
                    }
                }
            }
        }
        info!(%from, next_nonce = self.state.next_nonce, in_flight = self.state.inflight.len(),
              queued = self.state.queue.len(), "txm sender started");
        loop {
            let result = tokio::select! {
                biased;
                _ = stop.changed() => break,
                update = self.blocks.recv() => match update {
                    Some(update) => self.on_blocks(update).await,
                    None => break,
                },
                tx = self.new_txs.recv() => match tx {
                    Some(tx) => self.on_new_tx(tx).await,
                    None => break,
                },
            };
            if let Err(err) = result {
                warn!(%from, %err, "txm sender step failed; will retry");
            }
        }
        debug!(%from, "txm sender stopped");
    }

    /// Loads this key's unfinished txs, seeds the nonce counter, and re-sends what was in
    /// flight before a restart (after checking which attempts were mined meanwhile).
    async fn init(&mut self) -> Result<()> {
        let shared = Arc::clone(&self.shared);
        let from_hex = self.address_hex();
        self.state = SenderState::default();
        let rows =
            shared.store.txs_in_state(shared.chain_id, &from_hex, &[TxState::Unstarted, TxState::Unconfirmed]).await?;
        // One query for every in-flight tx's attempts: after a crash with hundreds of runs in
        // flight, a query each kept the sender waiting behind the resuming runs.
        let with_nonce: Vec<i64> = rows.iter().filter(|r| r.nonce.is_some()).map(|r| r.id).collect();
        let mut attempts = shared.store.attempts_of(&with_nonce).await?;
        for row in rows {
            let body = match TxBody::from_record(&row) {
                Ok(body) => body,
                Err(err) => {
                    self.fail(row.id, &err.to_string()).await?;
                    continue;
                }
            };
            self.state.known.insert(row.id);
            match row.nonce {
                None => self.state.queue.push_back(body),
                Some(nonce) => {
                    let stored = attempts.remove(&row.id).unwrap_or_default();
                    self.adopt(body, nonce, &stored)?
                }
            }
        }

        let provider = shared.client.provider();
        let pending = provider.get_transaction_count(self.address()).pending().await?;
        let stored = shared.store.max_nonce(shared.chain_id, &from_hex).await?;
        let after_stored = stored.map_or(0, |n| u64::try_from(n).unwrap_or(0) + 1);
        self.state.next_nonce = pending.max(after_stored);
        self.state.head = Some(self.fetch_head().await?);

        let unfinished: Vec<u64> = self.state.inflight.keys().copied().collect();
        self.check_receipts(&unfinished).await?;
        // Rebroadcast the latest attempt of every tx still unmined (never a new nonce).
        let resend: Vec<u64> = self.state.inflight.values().filter(|f| f.mined.is_none()).map(|f| f.nonce).collect();
        if !resend.is_empty() {
            info!(from = %self.address(), count = resend.len(), "rebroadcasting txs in flight before the restart");
        }
        self.resend(&resend, false).await?;
        self.confirm().await?;
        self.send_queued().await
    }

    /// Takes over a tx that already has a nonce (and maybe attempts) in the store.
    fn adopt(&mut self, body: TxBody, nonce: i64, stored: &[linkpool_store::TxAttempt]) -> Result<()> {
        let nonce = u64::try_from(nonce).map_err(|_| Error::Corrupt(format!("tx {} negative nonce", body.id)))?;
        let attempts = stored.iter().map(decode_attempt).collect::<Result<Vec<_>>>()?;
        for a in &attempts {
            self.state.by_hash.insert(a.hash, nonce);
        }
        let f =
            InFlight { body, nonce, attempts, sent_block: 0, sent_at: Instant::now(), mined: None, nonce_too_low: 0 };
        self.state.inflight.insert(nonce, f);
        Ok(())
    }

    async fn on_new_tx(&mut self, first: TxRecord) -> Result<()> {
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(record) = next.take() {
            if self.state.known.insert(record.id) {
                match TxBody::from_record(&record) {
                    Ok(body) => self.state.queue.push_back(body),
                    Err(err) => self.fail(record.id, &err.to_string()).await?,
                }
            }
            taken += 1;
            if taken < self.shared.config.max_batch {
                next = self.new_txs.try_recv().ok();
            }
        }
        self.send_queued().await
    }

    async fn on_blocks(&mut self, first: BlockUpdate) -> Result<()> {
        // Coalesce updates that piled up while we were busy.
        let mut update = first;
        while let Ok(mut later) = self.blocks.try_recv() {
            later.receipts.splice(0..0, std::mem::take(&mut update.receipts));
            later.complete &= update.complete;
            update = later;
        }
        self.state.head = Some(update.head);
        for receipt in update.receipts {
            if let Some(nonce) = self.state.by_hash.get(&receipt.transaction_hash) {
                if let Some(f) = self.state.inflight.get_mut(nonce) {
                    f.mined = Some(receipt);
                }
            }
        }
        if !update.complete || self.state.recheck {
            let pending: Vec<u64> =
                self.state.inflight.values().filter(|f| f.mined.is_none()).map(|f| f.nonce).collect();
            self.check_receipts(&pending).await?;
            self.state.recheck = false;
        }
        self.confirm().await?;
        self.bump_stuck().await?;
        self.send_queued().await
    }

    /// Gives queued txs nonces (reusing freed ones first), signs them, persists nonce and
    /// first attempt of all of them in one store transaction (see [`persist_batch`]), then
    /// broadcasts the ones persisted, in one batch request.
    async fn send_queued(&mut self) -> Result<()> {
        let shared = Arc::clone(&self.shared);
        while !self.state.queue.is_empty() {
            let head = self.head().await?;
            let fees = fees::initial(head.base_fee, head.tip, &shared.config.fees);
            let mut work = Vec::new();
            while work.len() < shared.config.max_batch {
                let Some(body) = self.state.queue.pop_front() else { break };
                if body.gas_limit > head.gas_limit {
                    let reason = format!("gas limit {} above the block gas limit {}", body.gas_limit, head.gas_limit);
                    self.fail(body.id, &reason).await?;
                    continue;
                }
                let nonce = self.take_nonce();
                match sign(&self.signer, shared.chain_id, &body, nonce, fees) {
                    Ok(signed) => work.push((body, nonce, signed)),
                    Err(err) => {
                        self.state.free.insert(nonce);
                        self.fail(body.id, &err.to_string()).await?;
                    }
                }
            }
            let results = persist_batch(&shared.store, work).await;

            let mut to_send = Vec::with_capacity(results.len());
            let mut requeue = Vec::new();
            let mut first_error = None;
            let now = Instant::now();
            for (body, nonce, signed, result) in results {
                let attempts = match result {
                    Persisted::Both => vec![Attempt { hash: signed.hash, fees: signed.fees, raw: signed.raw }],
                    // Nonce stored, attempt not: the tx keeps its nonce; `bump_stuck` signs again.
                    Persisted::NonceOnly(err) => {
                        first_error.get_or_insert(err);
                        Vec::new()
                    }
                    Persisted::Nothing(linkpool_store::Error::Conflict { what }) => {
                        self.resolve_conflict(body, nonce, what, &mut requeue).await?;
                        continue;
                    }
                    Persisted::Nothing(err) => {
                        self.state.free.insert(nonce);
                        requeue.push(body);
                        first_error.get_or_insert(err);
                        continue;
                    }
                };
                for a in &attempts {
                    self.state.by_hash.insert(a.hash, nonce);
                }
                if !attempts.is_empty() {
                    to_send.push(nonce);
                }
                let f = InFlight {
                    body,
                    nonce,
                    attempts,
                    sent_block: head.number,
                    sent_at: now,
                    mined: None,
                    nonce_too_low: 0,
                };
                self.state.inflight.insert(nonce, f);
            }
            for body in requeue.into_iter().rev() {
                self.state.queue.push_front(body);
            }
            self.broadcast(&to_send).await;
            if let Some(err) = first_error {
                return Err(err.into());
            }
        }
        if let Some(gap) = self.state.free.first() {
            warn!(from = %self.address(), nonce = gap, "nonce gap: later txs wait until the next tx fills it");
        }
        Ok(())
    }

    /// The lowest freed nonce, else the next new one.
    fn take_nonce(&mut self) -> u64 {
        match self.state.free.pop_first() {
            Some(nonce) => nonce,
            None => {
                self.state.next_nonce += 1;
                self.state.next_nonce - 1
            }
        }
    }

    /// `assign_nonce` refused: either the tx already had a nonce (then adopt it and free
    /// ours) or our nonce is taken by another row (then skip past the store's maximum).
    async fn resolve_conflict(
        &mut self,
        body: TxBody,
        nonce: u64,
        what: String,
        requeue: &mut Vec<TxBody>,
    ) -> Result<()> {
        let record = self.shared.store.get_tx(body.id).await?.ok_or(Error::TxNotFound(body.id))?;
        if let Some(own) = record.nonce {
            warn!(tx_id = body.id, nonce = own, "tx already had a nonce; adopting it");
            // Ours may be that very nonce (a batch committed though its commit reported an error).
            if u64::try_from(own).ok() != Some(nonce) {
                self.state.free.insert(nonce);
            }
            let stored = self.shared.store.attempts(body.id).await?;
            self.adopt(body, own, &stored)?;
            self.state.recheck = true;
            return Ok(());
        }
        let stored = self.shared.store.max_nonce(self.shared.chain_id, &self.address_hex()).await?;
        let after = stored.map_or(0, |n| u64::try_from(n).unwrap_or(0) + 1);
        warn!(tx_id = body.id, %what, next_nonce = after, "nonce taken; moving the counter past the store's");
        self.state.next_nonce = self.state.next_nonce.max(after);
        requeue.push(body);
        Ok(())
    }

    /// Signs and persists a new attempt for the in-flight tx at `nonce` (not broadcast yet).
    async fn new_attempt(&mut self, nonce: u64, fees: Fees) -> Result<()> {
        let shared = Arc::clone(&self.shared);
        let Some(f) = self.state.inflight.get_mut(&nonce) else { return Ok(()) };
        let signed = sign(&self.signer, shared.chain_id, &f.body, nonce, fees)?;
        shared.store.insert_attempt(&attempt_row(f.body.id, &signed)).await?;
        f.attempts.push(Attempt { hash: signed.hash, fees: signed.fees, raw: signed.raw });
        self.state.by_hash.insert(signed.hash, nonce);
        Ok(())
    }

    /// Broadcasts the latest attempt of each given tx, in one batch request per chunk.
    async fn broadcast(&mut self, nonces: &[u64]) {
        for chunk in nonces.chunks(RPC_BATCH) {
            if let Err(err) = self.broadcast_chunk(chunk).await {
                warn!(from = %self.address(), %err, count = chunk.len(), "broadcast failed; will retry");
                // Make them due for a resend on the next block.
                for nonce in chunk {
                    if let Some(f) = self.state.inflight.get_mut(nonce) {
                        f.sent_block = 0;
                        f.sent_at = Instant::now() - Duration::from_secs(3600);
                    }
                }
            }
        }
    }

    async fn broadcast_chunk(&mut self, nonces: &[u64]) -> Result<()> {
        let shared = Arc::clone(&self.shared);
        let mut batch = shared.client.batch();
        let mut calls = Vec::with_capacity(nonces.len());
        for &nonce in nonces {
            let Some(raw) = self.state.inflight.get(&nonce).and_then(|f| f.attempts.last()).map(|a| &a.raw) else {
                continue;
            };
            calls.push((nonce, batch.add_call::<_, B256>("eth_sendRawTransaction", &(raw,))?));
        }
        if calls.is_empty() {
            return Ok(());
        }
        batch.send().await?;
        let limit = self.shared.config.nonce_too_low_limit;
        for (nonce, call) in calls {
            let outcome = classify(&call.await);
            let Some(f) = self.state.inflight.get_mut(&nonce) else { continue };
            match outcome {
                SendOutcome::Accepted | SendOutcome::AlreadyKnown => f.nonce_too_low = 0,
                SendOutcome::NonceTooLow => {
                    f.nonce_too_low = f.nonce_too_low.saturating_add(1);
                    self.state.recheck = true;
                    if f.nonce_too_low >= limit {
                        warn!(tx_id = f.body.id, nonce, "nonce too low and no attempt mined");
                    }
                }
                SendOutcome::Underpriced | SendOutcome::FeeTooLow => {
                    debug!(tx_id = f.body.id, nonce, ?outcome, "attempt priced too low; will bump");
                }
                SendOutcome::InsufficientFunds => {
                    warn!(tx_id = f.body.id, nonce, from = %self.signer.address(),
                          "insufficient funds for the tx; will retry");
                }
                SendOutcome::Retry(message) => {
                    warn!(tx_id = f.body.id, nonce, %message, "broadcast rejected; will retry");
                }
            }
        }
        Ok(())
    }

    /// Looks up receipts of all attempts of the given txs (after a restart, a gap of
    /// blocks, or a "nonce too low"). Txs whose nonce was taken by a foreign tx become fatal.
    async fn check_receipts(&mut self, nonces: &[u64]) -> Result<()> {
        let hashes: Vec<(u64, B256)> = nonces
            .iter()
            .filter_map(|n| self.state.inflight.get(n))
            .flat_map(|f| f.attempts.iter().map(move |a| (f.nonce, a.hash)))
            .collect();
        for chunk in hashes.chunks(RPC_BATCH) {
            let shared = Arc::clone(&self.shared);
            let mut batch = shared.client.batch();
            let mut calls = Vec::with_capacity(chunk.len());
            for &(nonce, hash) in chunk {
                calls.push((nonce, batch.add_call::<_, Option<ReceiptRef>>("eth_getTransactionReceipt", &(hash,))?));
            }
            batch.send().await?;
            for (nonce, call) in calls {
                if let Some(receipt) = call.await? {
                    if let Some(f) = self.state.inflight.get_mut(&nonce) {
                        f.mined = Some(receipt);
                    }
                }
            }
        }
        let limit = self.shared.config.nonce_too_low_limit;
        let lost: Vec<(i64, u64)> = nonces
            .iter()
            .filter_map(|n| self.state.inflight.get(n))
            .filter(|f| f.mined.is_none() && f.nonce_too_low >= limit)
            .map(|f| (f.body.id, f.nonce))
            .collect();
        for (id, nonce) in lost {
            error!(tx_id = id, nonce, "nonce used by a transaction this node did not send");
            self.remove(nonce);
            self.fail(id, &format!("nonce {nonce} was used by another transaction")).await?;
        }
        Ok(())
    }

    /// Marks mined txs with enough confirmations as final (re-checking their receipt first
    /// when more than one confirmation is required, in case a reorg moved them).
    async fn confirm(&mut self) -> Result<()> {
        let Some(head) = self.state.head else { return Ok(()) };
        let depth = self.shared.config.confirmations.max(1);
        let ready: Vec<(u64, ReceiptRef)> = self
            .state
            .inflight
            .values()
            .filter_map(|f| f.mined.map(|r| (f.nonce, r)))
            .filter(|(_, r)| r.block_number() + depth - 1 <= head.number)
            .collect();
        if ready.is_empty() {
            return Ok(());
        }
        let ready = if depth > 1 { self.recheck_mined(ready).await? } else { ready };
        let shared = Arc::clone(&self.shared);
        let marks: Vec<(u64, i64, TxOutcome)> = ready
            .into_iter()
            .filter_map(|(nonce, receipt)| {
                let id = self.state.inflight.get(&nonce)?.body.id;
                let outcome = TxOutcome {
                    hash: receipt.transaction_hash,
                    block_number: receipt.block_number(),
                    gas_used: receipt.gas_used.to(),
                    reverted: receipt.reverted(),
                };
                Some((nonce, id, outcome))
            })
            .collect();
        let results = mark_confirmed_batch(&shared.store, marks).await;
        let mut first_error = None;
        for (nonce, id, outcome, result) in results {
            if let Err(err) = result {
                first_error.get_or_insert(err); // retried on the next block
                continue;
            }
            self.remove(nonce);
            debug!(tx_id = id, nonce, hash = %outcome.hash, block = outcome.block_number, "tx confirmed");
            shared.waiters.notify(id, Ok(outcome));
        }
        match first_error {
            Some(err) => Err(err.into()),
            None => Ok(()),
        }
    }

    /// Receipts seen N blocks ago may have been reorged away: fetch them again.
    async fn recheck_mined(&mut self, ready: Vec<(u64, ReceiptRef)>) -> Result<Vec<(u64, ReceiptRef)>> {
        let mut still = Vec::with_capacity(ready.len());
        let head = self.state.head.map_or(0, |h| h.number);
        let depth = self.shared.config.confirmations.max(1);
        for chunk in ready.chunks(RPC_BATCH) {
            let shared = Arc::clone(&self.shared);
            let mut batch = shared.client.batch();
            let mut calls = Vec::with_capacity(chunk.len());
            for &(nonce, old) in chunk {
                calls.push((
                    nonce,
                    old,
                    batch.add_call::<_, Option<ReceiptRef>>("eth_getTransactionReceipt", &(old.transaction_hash,))?,
                ));
            }
            batch.send().await?;
            for (nonce, old, call) in calls {
                let now = call.await?;
                let Some(f) = self.state.inflight.get_mut(&nonce) else { continue };
                match now {
                    Some(r) if r.block_hash == old.block_hash => still.push((nonce, r)),
                    Some(r) => {
                        f.mined = Some(r);
                        if r.block_number() + depth - 1 <= head {
                            still.push((nonce, r));
                        }
                    }
                    None => {
                        info!(tx_id = f.body.id, nonce, "mined tx left the chain (reorg); resending");
                        f.mined = None;
                        f.sent_block = 0;
                    }
                }
            }
        }
        Ok(still)
    }

    /// Bumps (or rebroadcasts, at the fee cap) the lowest-nonce txs still unmined after
    /// the configured blocks or time; signs a first attempt for txs that have none.
    async fn bump_stuck(&mut self) -> Result<()> {
        let config = &self.shared.config;
        let Some(head) = self.state.head else { return Ok(()) };
        let now = Instant::now();
        let due: Vec<u64> = self
            .state
            .inflight
            .values()
            .filter(|f| f.mined.is_none())
            .filter(|f| {
                f.attempts.is_empty()
                    || config.bump_after_blocks.is_some_and(|b| head.number >= f.sent_block + b)
                    || config.bump_after.is_some_and(|d| now.duration_since(f.sent_at) >= d)
            })
            .map(|f| f.nonce)
            .take(config.max_bumps_per_block)
            .collect();
        self.resend(&due, true).await
    }

    /// Resends the given txs: a bumped new attempt if `bump` (and the cap allows),
    /// else the latest attempt as is; a first attempt for txs without one.
    async fn resend(&mut self, nonces: &[u64], bump: bool) -> Result<()> {
        if nonces.is_empty() {
            return Ok(());
        }
        let head = self.head().await?;
        let config = self.shared.config.fees.clone();
        for &nonce in nonces {
            let Some(f) = self.state.inflight.get_mut(&nonce) else { continue };
            f.sent_block = head.number;
            f.sent_at = Instant::now();
            let next = match f.attempts.last() {
                None => Some(fees::initial(head.base_fee, head.tip, &config)),
                Some(last) if bump => {
                    let next = fees::bumped(last.fees, head.base_fee, head.tip, &config);
                    match next {
                        Some(new) => info!(tx_id = f.body.id, nonce, old = ?last.fees, ?new, "bumping fees"),
                        None => warn!(tx_id = f.body.id, nonce, "tx stuck at the fee cap; rebroadcasting"),
                    }
                    next
                }
                Some(_) => None,
            };
            if let Some(fees) = next {
                self.new_attempt(nonce, fees).await?;
            }
        }
        self.broadcast(nonces).await;
        Ok(())
    }

    async fn head(&mut self) -> Result<HeadInfo> {
        match self.state.head {
            Some(head) => Ok(head),
            None => {
                let head = self.fetch_head().await?;
                self.state.head = Some(head);
                Ok(head)
            }
        }
    }

    async fn fetch_head(&self) -> Result<HeadInfo> {
        if let Some(head) = *self.shared.head.borrow() {
            return Ok(head);
        }
        let provider = self.shared.client.provider();
        let header: Option<rpc::HeaderRef> =
            provider.raw_request("eth_getBlockByNumber".into(), (BlockNumberOrTag::Latest, false)).await?;
        let header = header.ok_or_else(|| rpc::missing("latest block"))?;
        let tip = match self.shared.config.fees.priority_fee {
            Some(_) => 0,
            None => provider.get_max_priority_fee_per_gas().await.unwrap_or(0),
        };
        Ok(HeadInfo::new(&header, tip))
    }

    fn remove(&mut self, nonce: u64) {
        if let Some(f) = self.state.inflight.remove(&nonce) {
            for a in &f.attempts {
                self.state.by_hash.remove(&a.hash);
            }
            self.state.known.remove(&f.body.id);
        }
    }

    async fn fail(&mut self, id: i64, reason: &str) -> Result<()> {
        self.shared.store.mark_tx_fatal(id, reason).await?;
        self.state.known.remove(&id);
        self.shared.waiters.notify(id, Err(reason.to_string()));
        Ok(())
    }
}

fn decode_attempt(a: &TxAttempt) -> Result<Attempt> {
    let corrupt = |what: &str| Error::Corrupt(format!("attempt {} of tx {}: {what}", a.hash, a.tx_id));
    Ok(Attempt {
        hash: a.hash.parse().map_err(|_| corrupt("hash"))?,
        fees: Fees {
            max_fee_per_gas: a.max_fee_per_gas.parse().map_err(|_| corrupt("max fee"))?,
            max_priority_fee_per_gas: a.max_priority_fee_per_gas.parse().map_err(|_| corrupt("tip"))?,
        },
        raw: Bytes::from(a.raw.clone()),
    })
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// What `persist_first_attempt` got into the store.
enum Persisted {
    Both,
    NonceOnly(linkpool_store::Error),
    Nothing(linkpool_store::Error),
}

/// Persists nonce and first attempt of every tx of a batch, before any broadcast: in one
/// store transaction (one commit for the batch); if that is refused, tx by tx with
/// [`persist_first_attempt`], so each tx gets its own outcome (a nonce clash of one tx
/// then no longer holds back the others, and the caller resolves it). Either way a tx's
/// attempt is stored only with its nonce, in the same order as before.
async fn persist_batch(
    store: &linkpool_store::Store,
    work: Vec<(TxBody, u64, Signed)>,
) -> Vec<(TxBody, u64, Signed, Persisted)> {
    let items: Vec<(i64, i64, TxAttempt)> =
        work.iter().map(|(body, nonce, signed)| (body.id, to_i64(*nonce), attempt_row(body.id, signed))).collect();
    match store.start_txs(&items).await {
        Ok(()) => {
            return work.into_iter().map(|(body, nonce, signed)| (body, nonce, signed, Persisted::Both)).collect()
        }
        Err(err) => debug!(%err, count = items.len(), "batch persist refused; persisting tx by tx"),
    }
    futures::stream::iter(work.into_iter().map(|(body, nonce, signed)| async move {
        let result = persist_first_attempt(store, &body, nonce, &signed).await;
        (body, nonce, signed, result)
    }))
    .buffered(WRITE_CONCURRENCY)
    .collect()
    .await
}

/// Marks mined txs final in one store transaction; if that is refused, tx by tx, so one
/// failing tx does not hold back the others.
async fn mark_confirmed_batch(
    store: &linkpool_store::Store,
    marks: Vec<(u64, i64, TxOutcome)>,
) -> Vec<(u64, i64, TxOutcome, linkpool_store::Result<()>)> {
    let row =
        |id: i64, o: &TxOutcome| (id, format!("{:#x}", o.hash), to_i64(o.block_number), to_i64(o.gas_used), o.reverted);
    let items: Vec<_> = marks.iter().map(|(_, id, outcome)| row(*id, outcome)).collect();
    match store.mark_txs_confirmed(&items).await {
        Ok(()) => return marks.into_iter().map(|(nonce, id, outcome)| (nonce, id, outcome, Ok(()))).collect(),
        Err(err) => debug!(%err, count = items.len(), "batch confirmation refused; marking tx by tx"),
    }
    futures::stream::iter(marks.into_iter().map(|(nonce, id, outcome)| async move {
        let (id, hash, block, gas_used, reverted) = row(id, &outcome);
        let result = store.mark_tx_confirmed(id, &hash, block, gas_used, reverted).await;
        (nonce, id, outcome, result)
    }))
    .buffer_unordered(WRITE_CONCURRENCY)
    .collect()
    .await
}

/// The nonce, then the signed attempt: both before any broadcast.
async fn persist_first_attempt(store: &linkpool_store::Store, body: &TxBody, nonce: u64, signed: &Signed) -> Persisted {
    if let Err(err) = store.assign_nonce(body.id, to_i64(nonce)).await {
        return Persisted::Nothing(err);
    }
    match store.insert_attempt(&attempt_row(body.id, signed)).await {
        Ok(()) => Persisted::Both,
        Err(err) => Persisted::NonceOnly(err),
    }
}

fn attempt_row(tx_id: i64, signed: &Signed) -> TxAttempt {
    TxAttempt {
        tx_id,
        hash: format!("{:#x}", signed.hash),
        max_fee_per_gas: signed.fees.max_fee_per_gas.to_string(),
        max_priority_fee_per_gas: signed.fees.max_priority_fee_per_gas.to_string(),
        raw: signed.raw.to_vec(),
        broadcast_at: now_millis(),
    }
}
