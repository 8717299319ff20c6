//! The agreement service: the node's part in the decentralized oracle network (ChainLink
//! whitepaper §2.1, §4.2 Algorithm 1) for its `agreement` jobs.
//!
//! It owns a log poller over the `OrderMatching` contracts of those jobs and reacts to their
//! events in chain order (the cursor moves past a block only once its events are handled; every
//! handler is idempotent, so a re-delivered log changes nothing):
//!
//! - **`SlaProposed`** naming one of the jobs (its `externalJobID` in either bytes32 encoding):
//!   the job's policy decides ([`AgreementSpec::evaluate`]: payment, penalty, the job's penalty
//!   budget, the job type / aggregator / reputation allowlists, the bidding window against the
//!   latest block's timestamp). A bid is first recorded as an obligation (`bidding`), then sent
//!   through the transaction manager under the key `agreement-bid:<om>:<slaId>`:
//!   `LINK.transferAndCall(om, penalty, bid_data)` from the node's key, or
//!   `Node.depositPenalty(node, om, penalty, bid_data)` with `bidFromPool`. A restart resumes
//!   `bidding` obligations under the same key, so it never bids twice.
//! - **`BidPlaced` / `OracleSelected` / `SlaFinalized` / `SlaFailed` / `PenaltyForfeited` /
//!   `PenaltyReleased` / `SlaClosed`**: the obligation follows (`bid`, `selected`: penalty
//!   locked; `not_selected` / `sla_failed` / `released`: returned; `forfeited`: lost).
//! - **Heads**: once the latest block's timestamp is past the bidding window of an SLA the node
//!   bid on and its job has `finalize = true`, the node reads the SLA's status and, if it is still
//!   bidding, sends `finalize(slaId)` once (`agreement-finalize:<om>:<slaId>`).
//! - **`RequestOpened`** of an SLA the node was selected for: a session driver runs the job's
//!   pipeline as an ordinary run (visible in `linkpool runs list`; a run a stop interrupts is run
//!   again, see below), **persists the answer and a fresh salt** ([`linkpool_store::Store::record_session_answer`])
//!   and only then sends `commit(sessionId, keccak256(abi.encode(answer, salt, node)))`
//!   (`agreement-commit:<om>:<sessionId>`), but only while the session is still `Committing`.
//! - **`SessionCommitted`** ("committed"): the driver reveals the persisted answer and salt
//!   (`agreement-reveal:<om>:<sessionId>`). On start, every session with work left (observing,
//!   answered, committed) gets its driver again, which checks the session's status on chain: a
//!   node stopped between its commitment and "committed" still reveals.
//! - **`AnswerRevealed` / `AnswerDelivered` / `OraclePaid` / `SessionSettled`**: the session row
//!   records the reveal, the final answer, the payment and the settlement.
//! - **Heads, settlement** (jobs with `settle = true`, the default; an obligation whose job was
//!   deleted counts as `true`: the penalty is still the node's): a session the node committed to
//!   (`committed`, `revealed`) whose deadline is behind the latest block's timestamp has found no
//!   answer (or lacks reveals) and settles only when someone calls `settle`. The node reads the
//!   session and, unless it is settled, sends `settle(sessionId)` once
//!   (`agreement-settle:<om>:<sessionId>`); when someone else settled first the session row is
//!   updated from the chain.
//! - **Heads, close**: once the latest block's timestamp reaches the `serviceEnds` of an SLA the
//!   node is selected for (its penalty locked), the node reads the SLA: with no session open it
//!   sends `close(slaId)` once (`agreement-close:<om>:<slaId>`); otherwise it first settles the
//!   expired sessions of the SLA it knows of (in any state: one it missed keeps the SLA open too)
//!   and tries again at a later head. `PenaltyReleased` (or the closed SLA read from the chain)
//!   records the penalty as `released`.
//!
//! A run interrupted by a stop of the node stays `running` and the executor resumes it at the next
//! start; the session driver simply waits for it. A run cancelled while running for another
//! reason ("cancelled while running") is run again, as a rerun of that run. The drivers stop as
//! soon as the node does.
//!
//! Transactions are estimated first: a call that would revert (a bid below the SLA's
//! requirements, a closed commit phase) is refused before anything is stored, and recorded as the
//! obligation's or session's error. Reorganisations are logged; each transaction re-checks the
//! chain's state before it is sent.

use std::{
    collections::{HashMap, HashSet},
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use alloy::{
    eips::BlockNumberOrTag,
    network::TransactionBuilder,
    primitives::{keccak256, Address, Bytes, B256, I256, U256},
    providers::{DynProvider, Provider},
    rpc::types::{Log, TransactionRequest},
    sol_types::{SolCall, SolEvent},
    transports::{RpcError, TransportError},
};
use linkpool_agreements::{
    client::{bid_data, describe_revert},
    commitment::{commitment, random_salt},
    Agreements, BidState, SessionStatus, SlaStatus,
};
use linkpool_bindings::{agreements::OrderMatching as OM, node::Node, LinkToken, PoolStorage};
use linkpool_chain::{ChainClient, LogFilter, LogPoller, LogPollerConfig, PollerEvent, TxManager, TxRequest};
use linkpool_job::{AgreementSpec, JobSpec, SlaOffer};
use linkpool_pipeline::Value;
use linkpool_store::{
    Inserted, NewObligation, NewRun, NewSession, ObligationRecord, ObligationState as Ob, RunStatus, SessionRecord,
    SessionState as Ss, SlaPhase,
};
use parking_lot::Mutex;
use serde_json::json;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::{executor::RunExecutor, Error, NodeState, Result};

/// The log poller's cursor name.
const CURSOR: &str = "agreement";
/// Gas added to the estimate (× 1.2) of a commitment or bid: the state may change a little
/// between the estimate and the block (the commitment that makes the session "committed").
const HEADROOM: u64 = 60_000;
/// Gas added to a reveal's estimate: the reveal that completes the answer also calls the
/// aggregator, the requester's callback and settles the session, which the estimate (made while
/// the answer was incomplete) may not have covered.
const REVEAL_HEADROOM: u64 = 1_500_000;
/// How often a waiting session driver re-reads the session without a wake-up.
const RECHECK: Duration = Duration::from_secs(2);
/// How often a session driver looks at its run.
const RUN_POLL: Duration = Duration::from_millis(100);
/// Gas added to the estimate (× 1.2) of `settle` and `close`: they pay, forfeit and release
/// penalties (through the pool's `Node` contract for pool-backed bids) and report to the
/// reputation contract, whose share of the gas the contract checks before each call.
const SETTLE_HEADROOM: u64 = 300_000;

/// Settings of the service, from the node config.
#[derive(Debug, Clone)]
pub struct AgreementConfig {
    /// Log poll interval.
    pub poll_interval: Duration,
    /// First block to scan when there is no cursor yet.
    pub start_block: Option<u64>,
    /// `[pool] storage`: the LinkPool registry whose `Node` contract deposits pooled penalties
    /// (`bidFromPool`); when unset, the `OrderMatching`'s own `LINK_POOL_REGISTRY`.
    pub pool_storage: Option<Address>,
}

/// The events the service follows.
fn topics() -> Vec<B256> {
    vec![
        OM::SlaProposed::SIGNATURE_HASH,
        OM::BidPlaced::SIGNATURE_HASH,
        OM::OracleSelected::SIGNATURE_HASH,
        OM::SlaFinalized::SIGNATURE_HASH,
        OM::SlaFailed::SIGNATURE_HASH,
        OM::SlaClosed::SIGNATURE_HASH,
        OM::PenaltyReleased::SIGNATURE_HASH,
        OM::PenaltyForfeited::SIGNATURE_HASH,
        OM::RequestOpened::SIGNATURE_HASH,
        OM::AnswerCommitted::SIGNATURE_HASH,
        OM::SessionCommitted::SIGNATURE_HASH,
        OM::AnswerRevealed::SIGNATURE_HASH,
        OM::RevealMismatched::SIGNATURE_HASH,
        OM::AnswerDelivered::SIGNATURE_HASH,
        OM::OraclePaid::SIGNATURE_HASH,
        OM::SessionSettled::SIGNATURE_HASH,
    ]
}

/// Agreement jobs by `(OrderMatching, SLA jobId)`; both jobId encodings are keys.
#[derive(Debug, Default)]
struct JobIndex {
    by_job_id: HashMap<(Address, B256), (i64, AgreementSpec)>,
    filter: LogFilter,
}

impl JobIndex {
    /// The jobs' contracts, and `also` (contracts under which the node still has something at
    /// stake, even if their job was deleted: penalties and reveals are still followed).
    fn build(state: &NodeState, also: &[Address]) -> Self {
        let mut by_job_id = HashMap::new();
        let mut addresses: Vec<Address> = also.to_vec();
        for (id, spec) in state.jobs.snapshot() {
            let JobSpec::Agreement(a) = spec.as_ref() else { continue };
            for job_id in a.sla_job_ids() {
                by_job_id.insert((a.order_matching, job_id), (id, a.clone()));
            }
            if !addresses.contains(&a.order_matching) {
                addresses.push(a.order_matching);
            }
        }
        addresses.sort();
        addresses.dedup();
        Self { by_job_id, filter: LogFilter { addresses, topic0: topics(), topic1: Vec::new() } }
    }
}

/// The running service.
pub struct AgreementService {
    inner: Arc<Inner>,
}

struct Inner {
    state: Arc<NodeState>,
    provider: DynProvider,
    client: ChainClient,
    txm: Arc<TxManager>,
    executor: Arc<RunExecutor>,
    config: AgreementConfig,
    /// The node's key: the oracle.
    me: Address,
    /// Drivers running now (`bid:…`, `finalize:…`, `session:…`).
    inflight: Mutex<HashSet<String>>,
    /// Wake-ups of session drivers waiting for "committed" (or settlement).
    wake: Mutex<HashMap<(Address, U256), Arc<Notify>>>,
    /// SLAs this process already finalized (or found finalized): not looked at again.
    finalized: Mutex<HashSet<(Address, U256)>>,
    /// Sessions this process settled, found settled, or gave up on: not looked at again.
    settled: Mutex<HashSet<(Address, U256)>>,
    /// SLAs this process closed, found closed, or gave up on: not looked at again.
    closed: Mutex<HashSet<(Address, U256)>>,
    /// Stops the drivers.
    stop: CancellationToken,
}

/// Why a driver step did not complete.
#[derive(Debug)]
enum Step {
    /// Try again later (RPC, store).
    Retry(String),
    /// The step can never succeed (recorded on the row).
    Fail(String),
    /// The node is shutting down.
    Stopped,
}

impl From<linkpool_store::Error> for Step {
    fn from(e: linkpool_store::Error) -> Self {
        Self::Retry(e.to_string())
    }
}

impl From<linkpool_agreements::Error> for Step {
    fn from(e: linkpool_agreements::Error) -> Self {
        Self::Retry(e.to_string())
    }
}

/// What sending a transaction once came to.
enum Sent {
    /// Mined (`reverted` tells how).
    Mined(linkpool_chain::TxOutcome),
    /// The estimate reverted: it was not sent. Carries the decoded reason.
    Refused(String),
}

fn hex(a: Address) -> String {
    format!("{a:#x}")
}

fn rpc(what: &str) -> impl Fn(TransportError) -> Error + '_ {
    move |e| Error::Rpc(format!("{what}: {e}"))
}

/// The reason of a reverting estimate, decoded when it is one of `OrderMatching`'s errors;
/// `None` when the error is not a revert (transport, rate limit: try again).
fn refusal(e: TransportError) -> std::result::Result<String, String> {
    let execution = match &e {
        RpcError::ErrorResp(p) => {
            let m = p.message.to_ascii_lowercase();
            p.code == 3 || p.as_revert_data().is_some() || m.contains("revert") || m.contains("out of gas")
        }
        _ => false,
    };
    if !execution {
        return Err(e.to_string());
    }
    let text = e.to_string();
    let be = linkpool_bindings::Error::from(e);
    Ok(match describe_revert(&be) {
        Some((error, Some(why))) => format!("{error}: {why}"),
        Some((error, None)) => error,
        None => text,
    })
}

/// The node's answer from a run's final result: an integer that fits `int256`.
fn answer_of(outputs: Option<&serde_json::Value>) -> std::result::Result<I256, String> {
    let items = outputs.and_then(serde_json::Value::as_array).ok_or("the run has no outputs")?;
    let [only] = items.as_slice() else {
        return Err(format!("the run has {} final results; an agreement job answers with one", items.len()));
    };
    let value = Value::from_json(only).map_err(|e| format!("the final result is unreadable: {e}"))?;
    let text = match &value {
        Value::Integer(i) => i.to_string(),
        Value::Decimal(_) | Value::String(_) => {
            let d = value.as_decimal().map_err(|e| format!("the final result is not a number: {e}"))?;
            if !d.is_integer() {
                return Err(format!("the final result {d} is not an integer (scale it, e.g. with multiply)"));
            }
            d.with_scale(0).to_string()
        }
        other => return Err(format!("the final result is {}, not an integer", other.type_name())),
    };
    I256::from_dec_str(&text).map_err(|e| format!("the final result {text} does not fit int256: {e}"))
}

impl AgreementService {
    /// Creates the service; [`Self::run`] drives it.
    pub fn new(
        state: Arc<NodeState>,
        client: ChainClient,
        txm: Arc<TxManager>,
        executor: Arc<RunExecutor>,
        config: AgreementConfig,
    ) -> Self {
        let me = state.sender;
        let provider = client.provider().clone().erased();
        Self {
            inner: Arc::new(Inner {
                state,
                provider,
                client,
                txm,
                executor,
                config,
                me,
                inflight: Mutex::new(HashSet::new()),
                wake: Mutex::new(HashMap::new()),
                finalized: Mutex::new(HashSet::new()),
                settled: Mutex::new(HashSet::new()),
                closed: Mutex::new(HashSet::new()),
                stop: CancellationToken::new(),
            }),
        }
    }

    /// Runs until `shutdown` fires. The poller is rebuilt whenever the set of jobs changes; its
    /// persisted cursor makes that lossless.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        // The drivers stop with the node, not only once the poller has: the executor marks the
        // runs it interrupts at shutdown cancelled, and a driver still observing must not take
        // that for an interruption of an earlier process and run the pipeline again now.
        let stop = self.inner.stop.clone();
        let linked = shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = linked.cancelled() => stop.cancel(),
                () = stop.cancelled() => {}
            }
        });
        let result = self.serve(&shutdown).await;
        // Drivers stop at their next await point; they hold the transaction manager.
        self.inner.stop.cancel();
        for _ in 0..100 {
            if self.inner.inflight.lock().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        result
    }

    async fn serve(&self, shutdown: &CancellationToken) -> Result<()> {
        let inner = &self.inner;
        let mut jobs_changed = inner.state.jobs.subscribe();
        // Work a stop interrupted: unsent or unconfirmed bids, sessions to answer or reveal.
        while let Err(e) = inner.resume().await {
            tracing::warn!(error = %e, "resuming agreement work failed; retrying");
            tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
        loop {
            jobs_changed.borrow_and_update();
            let at_stake = match inner.contracts_at_stake().await {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the agreement obligations failed; retrying");
                    tokio::select! {
                        _ = shutdown.cancelled() => return Ok(()),
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            };
            let index = JobIndex::build(&inner.state, &at_stake);
            if index.filter.is_empty() {
                tracing::debug!("no agreement jobs; waiting for one");
                tokio::select! {
                    _ = shutdown.cancelled() => return Ok(()),
                    r = jobs_changed.changed() => { if r.is_err() { return Ok(()) } continue }
                }
            }
            let mut cfg = LogPollerConfig::new(CURSOR, index.filter.clone());
            cfg.poll_interval = inner.config.poll_interval;
            cfg.start_block = inner.config.start_block;
            let (poller, mut events) = LogPoller::new(inner.client.clone(), inner.state.store.clone(), cfg).spawn()?;
            tracing::info!(contracts = index.filter.addresses.len(), oracle = %inner.me, "watching OrderMatching SLAs");
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => { poller.shutdown().await; return Ok(()) }
                    r = jobs_changed.changed() => {
                        poller.shutdown().await;
                        if r.is_err() { return Ok(()) }
                        break;
                    }
                    ev = events.recv() => match ev {
                        Some(ev) => {
                            if let Err(e) = inner.handle(&index, ev).await {
                                // The checkpoint of this block is not acknowledged: stop the
                                // poller first, and the next one delivers the events again.
                                tracing::error!(error = %e, "agreement event failed; re-reading from the cursor");
                                poller.shutdown().await;
                                drop(events);
                                tokio::time::sleep(Duration::from_secs(1)).await;
                                break;
                            }
                        }
                        None => {
                            tracing::warn!("log poller stopped; restarting it");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            break;
                        }
                    }
                }
            }
        }
    }
}

impl Inner {
    // ------------------------------------------------------------------ drivers

    /// Runs `work` as a driver named `key`, unless one of that name is running.
    fn spawn<F, Fut>(self: &Arc<Self>, key: String, work: F)
    where
        F: FnOnce(Arc<Self>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        if self.stop.is_cancelled() || !self.inflight.lock().insert(key.clone()) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            let stop = this.stop.clone();
            tokio::select! {
                () = work(this.clone()) => {}
                () = stop.cancelled() => {}
            }
            this.inflight.lock().remove(&key);
        });
    }

    fn notify(&self, om: Address, session: U256) -> Arc<Notify> {
        self.wake.lock().entry((om, session)).or_default().clone()
    }

    /// `OrderMatching` contracts of SLAs where the node has a penalty at risk or a session open.
    async fn contracts_at_stake(&self) -> Result<Vec<Address>> {
        let me = hex(self.me);
        let store = &self.state.store;
        let mut out: Vec<Address> = Vec::new();
        let obligations = store.obligations(&me, Ob::AT_RISK).await?.into_iter().map(|o| o.order_matching);
        let sessions = store.sessions(&me, Ss::OPEN, 10_000).await?.into_iter().map(|s| s.order_matching);
        for a in obligations.chain(sessions) {
            let a: Address = a.parse().map_err(corrupt)?;
            if !out.contains(&a) {
                out.push(a);
            }
        }
        Ok(out)
    }

    async fn resume(self: &Arc<Self>) -> Result<()> {
        let me = hex(self.me);
        for o in self.state.store.obligations(&me, &[Ob::Bidding]).await? {
            let (om, sla) = (o.order_matching.parse().map_err(corrupt)?, o.sla_id.parse().map_err(corrupt)?);
            tracing::info!(%om, %sla, "resuming a bid");
            self.start_bid(om, sla);
        }
        for s in self.state.store.sessions(&me, Ss::OPEN, 10_000).await? {
            let (om, sid) = (s.order_matching.parse().map_err(corrupt)?, s.session_id.parse().map_err(corrupt)?);
            tracing::info!(%om, session = %sid, state = %s.state, "resuming a session");
            self.start_session(om, sid);
        }
        Ok(())
    }

    /// The latest block's timestamp (the chain's clock).
    async fn chain_time(&self) -> Result<u64> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(rpc("reading the latest block"))?
            .ok_or_else(|| Error::Rpc("the node has no latest block".into()))?;
        Ok(block.header.timestamp)
    }

    async fn block_time(&self, n: u64) -> Result<Option<u64>> {
        let block =
            self.provider.get_block_by_number(BlockNumberOrTag::Number(n)).await.map_err(rpc("reading a block"))?;
        Ok(block.map(|b| b.header.timestamp))
    }

    fn client_of(&self, om: Address) -> Agreements {
        Agreements::new(self.provider.clone(), om)
    }

    /// Sends `data` to `to` once under `key`: an existing transaction of that key is waited for;
    /// otherwise the call is estimated (a revert is [`Sent::Refused`], nothing stored) and
    /// enqueued with `headroom` extra gas.
    async fn send_once(&self, key: String, to: Address, data: Bytes, headroom: u64) -> std::result::Result<Sent, Step> {
        let id = match self.state.store.get_tx_by_key(&key).await? {
            Some(tx) => tx.id,
            None => {
                let call = TransactionRequest::default().with_from(self.me).with_to(to).with_input(data.clone());
                let estimate = match self.provider.estimate_gas(call).await {
                    Ok(g) => g,
                    Err(e) => {
                        return match refusal(e) {
                            Ok(reason) => Ok(Sent::Refused(reason)),
                            Err(transient) => Err(Step::Retry(format!("estimating {key}: {transient}"))),
                        }
                    }
                };
                let gas = estimate.saturating_mul(12) / 10 + headroom;
                let request = TxRequest {
                    idempotency_key: key.clone(),
                    from: self.me,
                    to,
                    data,
                    value: U256::ZERO,
                    gas_limit: Some(gas),
                    run_id: None,
                };
                self.txm.enqueue(request).await.map_err(|e| Step::Retry(format!("enqueueing {key}: {e}")))?
            }
        };
        match self.txm.wait(id).await {
            Ok(outcome) => Ok(Sent::Mined(outcome)),
            Err(linkpool_chain::Error::TxFatal { reason, .. }) => Err(Step::Fail(format!("{key} failed: {reason}"))),
            Err(e) => Err(Step::Retry(format!("waiting for {key}: {e}"))),
        }
    }

    /// Repeats `step` until it does not ask for a retry (or the node stops).
    async fn retrying<T, F, Fut>(&self, what: &str, mut step: F) -> std::result::Result<T, Step>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = std::result::Result<T, Step>>,
    {
        let mut delay = Duration::from_millis(250);
        loop {
            match step().await {
                Err(Step::Retry(e)) => {
                    tracing::warn!(what, error = %e, "agreement step failed; retrying");
                    tokio::select! {
                        () = self.stop.cancelled() => return Err(Step::Stopped),
                        () = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
                other => return other,
            }
        }
    }

    // ------------------------------------------------------------------ bids

    fn start_bid(self: &Arc<Self>, om: Address, sla: U256) {
        self.spawn(format!("bid:{om:#x}:{sla}"), move |this| async move {
            let outcome = this.retrying("bid", || this.bid(om, sla)).await;
            let store = &this.state.store;
            let me = hex(this.me);
            let failed = match outcome {
                Ok(()) | Err(Step::Stopped) => return,
                Err(Step::Fail(reason)) | Err(Step::Retry(reason)) => reason,
            };
            tracing::warn!(%om, %sla, reason = %failed, "bid failed; nothing is at risk");
            if let Err(e) = store
                .transition_obligation(&hex(om), &sla.to_string(), &me, &[Ob::Bidding], Ob::BidFailed, Some(&failed))
                .await
            {
                tracing::error!(error = %e, "recording a failed bid");
            }
        });
    }

    /// Sends the bid of an obligation in `bidding` and waits for it.
    async fn bid(&self, om: Address, sla: U256) -> std::result::Result<(), Step> {
        let store = &self.state.store;
        let me = hex(self.me);
        let Some(o) = store.obligation(&hex(om), &sla.to_string(), &me).await? else { return Ok(()) };
        if o.state != Ob::Bidding {
            return Ok(());
        }
        let penalty: U256 = o.penalty.parse().map_err(|_| Step::Fail(format!("corrupt penalty {}", o.penalty)))?;
        let data = bid_data(sla, self.me);
        let (to, calldata) = if o.pool_backed {
            let node = self.pool_node(om).await?;
            (node, Node::depositPenaltyCall { node: self.me, target: om, amount: penalty, data }.abi_encode())
        } else {
            let link = self.client_of(om).link().await?;
            (link, LinkToken::transferAndCallCall { to: om, value: penalty, data }.abi_encode())
        };
        let key = format!("agreement-bid:{om:#x}:{sla}");
        match self.send_once(key, to, calldata.into(), HEADROOM).await? {
            Sent::Refused(reason) => Err(Step::Fail(format!("the bid was refused: {reason}"))),
            Sent::Mined(out) if out.reverted => Err(Step::Fail(format!("the bid reverted in tx {}", out.hash))),
            Sent::Mined(out) => {
                store.transition_obligation(&hex(om), &sla.to_string(), &me, &[Ob::Bidding], Ob::Bid, None).await?;
                tracing::info!(%om, %sla, %penalty, pool = o.pool_backed, tx = %out.hash, "bid placed");
                Ok(())
            }
        }
    }

    /// The pool's `Node` contract, from `[pool] storage` or the `OrderMatching`'s registry.
    async fn pool_node(&self, om: Address) -> std::result::Result<Address, Step> {
        let registry = match self.config.pool_storage {
            Some(r) => r,
            None => OM::new(om, self.provider.clone())
                .LINK_POOL_REGISTRY()
                .call()
                .await
                .map_err(|e| Step::Retry(format!("reading LINK_POOL_REGISTRY: {e}")))?,
        };
        if registry == Address::ZERO {
            return Err(Step::Fail(
                "bidFromPool: no LinkPool registry ([pool] storage is unset and the OrderMatching has none)".into(),
            ));
        }
        let node = PoolStorage::new(registry, self.provider.clone())
            .contractAddress(keccak256(b"Node"))
            .call()
            .await
            .map_err(|e| Step::Retry(format!("reading the pool's Node contract: {e}")))?;
        if node == Address::ZERO {
            return Err(Step::Fail(format!("bidFromPool: the pool registry {registry} has no Node contract")));
        }
        Ok(node)
    }

    // ------------------------------------------------------------------ finalization

    /// Finalization, settlement and close, by the chain's clock at `head`.
    async fn on_head(self: &Arc<Self>, head: u64) -> Result<()> {
        let store = &self.state.store;
        let me = hex(self.me);
        let waiting: Vec<ObligationRecord> = store
            .obligations(&me, &[Ob::Bid])
            .await?
            .into_iter()
            .filter(|o| o.sla_status == SlaPhase::Bidding && self.finalizes(o))
            .collect();
        // Sessions the node committed to that have not settled.
        let unsettled: Vec<SessionRecord> = store
            .sessions(&me, &[Ss::Committed, Ss::Revealed], 10_000)
            .await?
            .into_iter()
            .filter(|s| s.settled_at.is_none() && self.settles(s.job_id))
            .collect();
        let serving: Vec<ObligationRecord> = store
            .obligations(&me, &[Ob::Selected])
            .await?
            .into_iter()
            .filter(|o| o.sla_status != SlaPhase::Closed && self.settles(o.job_id))
            .collect();
        if waiting.is_empty() && unsettled.is_empty() && serving.is_empty() {
            return Ok(());
        }
        let Some(now) = self.block_time(head).await? else { return Ok(()) };
        for o in waiting.into_iter().filter(|o| now > o.bidding_ends) {
            let (om, sla) = (o.order_matching.parse().map_err(corrupt)?, o.sla_id.parse().map_err(corrupt)?);
            if !self.finalized.lock().contains(&(om, sla)) {
                self.start_finalize(om, sla);
            }
        }
        // `settle` takes a session once the block's timestamp is past its deadline.
        for s in unsettled.into_iter().filter(|s| now > s.deadline) {
            let (om, sid) = (s.order_matching.parse().map_err(corrupt)?, s.session_id.parse().map_err(corrupt)?);
            if !self.settled.lock().contains(&(om, sid)) {
                self.start_settle(om, sid);
            }
        }
        // `close` takes an SLA from `serviceEnds` on.
        for o in serving.into_iter().filter(|o| now >= o.service_ends) {
            let (om, sla) = (o.order_matching.parse().map_err(corrupt)?, o.sla_id.parse().map_err(corrupt)?);
            if !self.closed.lock().contains(&(om, sla)) {
                self.start_close(om, sla);
            }
        }
        Ok(())
    }

    /// Whether the node settles and closes for the job `job_id`: its `settle`, and `true` when
    /// the job is gone (what is at stake is still the node's).
    fn settles(&self, job_id: Option<i64>) -> bool {
        match job_id.and_then(|id| self.state.jobs.get(id)).as_deref() {
            Some(JobSpec::Agreement(a)) => a.settle,
            _ => true,
        }
    }

    /// Whether the obligation's job wants the node to finalize.
    fn finalizes(&self, o: &ObligationRecord) -> bool {
        let spec = o.job_id.and_then(|id| self.state.jobs.get(id));
        matches!(spec.as_deref(), Some(JobSpec::Agreement(a)) if a.finalize)
    }

    fn start_finalize(self: &Arc<Self>, om: Address, sla: U256) {
        let key = format!("agreement-finalize:{om:#x}:{sla}");
        self.spawn(format!("finalize:{om:#x}:{sla}"), move |this| async move {
            match this.retrying("finalize", || this.finalize(om, sla, key.clone())).await {
                Ok(true) => {
                    this.finalized.lock().insert((om, sla));
                }
                // Refused while the SLA still takes bids: looked at again at the next head.
                Ok(false) | Err(Step::Stopped) => {}
                Err(Step::Fail(e)) | Err(Step::Retry(e)) => tracing::warn!(%om, %sla, error = %e, "finalize failed"),
            }
        });
    }

    /// Finalizes the SLA unless someone did; `true` once nothing is left to do.
    async fn finalize(&self, om: Address, sla: U256, key: String) -> std::result::Result<bool, Step> {
        let client = self.client_of(om);
        if self.state.store.get_tx_by_key(&key).await?.is_none() {
            let view = client.sla(sla).await?;
            if SlaStatus::of(view.status) != SlaStatus::Bidding {
                tracing::debug!(%om, %sla, "already finalized by someone else");
                return Ok(true);
            }
        }
        let data = OM::finalizeCall { slaId: sla }.abi_encode();
        match self.send_once(key, om, data.into(), 200_000).await? {
            Sent::Refused(reason) => {
                let still_bidding = SlaStatus::of(client.sla(sla).await?.status) == SlaStatus::Bidding;
                tracing::info!(%om, %sla, %reason, still_bidding, "not finalizing");
                Ok(!still_bidding)
            }
            Sent::Mined(out) if out.reverted => {
                tracing::info!(%om, %sla, tx = %out.hash, "finalize reverted (someone else finalized first)");
                Ok(true)
            }
            Sent::Mined(out) => {
                tracing::info!(%om, %sla, tx = %out.hash, "finalized the SLA");
                Ok(true)
            }
        }
    }

    // ------------------------------------------------------------------ settlement

    fn start_settle(self: &Arc<Self>, om: Address, session: U256) {
        self.spawn(format!("settle:{om:#x}:{session}"), move |this| async move {
            match this.retrying("settle", || this.settle(om, session)).await {
                Ok(true) => {
                    this.settled.lock().insert((om, session));
                }
                // Not yet (the chain disagrees about the deadline): looked at again at a later head.
                Ok(false) | Err(Step::Stopped) => {}
                Err(Step::Fail(e)) | Err(Step::Retry(e)) => {
                    tracing::warn!(%om, %session, error = %e, "settle failed; the node leaves it to others");
                    this.settled.lock().insert((om, session));
                }
            }
        });
    }

    /// Settles the session unless someone did; `true` once nothing is left to do.
    async fn settle(&self, om: Address, session: U256) -> std::result::Result<bool, Step> {
        let key = format!("agreement-settle:{om:#x}:{session}");
        let client = self.client_of(om);
        if self.state.store.get_tx_by_key(&key).await?.is_none() {
            let view = client.session(session).await?;
            match SessionStatus::of(view.status) {
                SessionStatus::Settled => {
                    tracing::debug!(%om, %session, "already settled by someone else");
                    return self.settled_on_chain(om, session).await;
                }
                SessionStatus::Committing | SessionStatus::Revealing => {}
                other => return Err(Step::Fail(format!("the session is {other} on chain"))),
            }
            if self.chain_time().await.map_err(|e| Step::Retry(e.to_string()))? <= view.deadline {
                return Ok(false);
            }
        }
        let data = OM::settleCall { sessionId: session }.abi_encode();
        let sent = self.send_once(key, om, data.into(), SETTLE_HEADROOM).await?;
        let settled = SessionStatus::of(client.session(session).await?.status) == SessionStatus::Settled;
        match sent {
            Sent::Mined(out) if !out.reverted => {
                tracing::info!(%om, %session, tx = %out.hash, "settled the expired session");
            }
            Sent::Mined(out) if settled => {
                tracing::info!(%om, %session, tx = %out.hash, "settle reverted: someone else settled first");
            }
            Sent::Mined(out) => return Err(Step::Fail(format!("settle reverted in tx {}", out.hash))),
            Sent::Refused(reason) if !settled => {
                tracing::info!(%om, %session, %reason, "not settling yet");
                return Ok(false);
            }
            Sent::Refused(_) => tracing::debug!(%om, %session, "settled by someone else meanwhile"),
        }
        self.settled_on_chain(om, session).await
    }

    /// The session is settled on chain: its rows say so (the events add payment and answer).
    async fn settled_on_chain(&self, om: Address, session: U256) -> std::result::Result<bool, Step> {
        self.state.store.settle_session(&hex(om), &session.to_string()).await?;
        if let Some(n) = self.wake.lock().remove(&(om, session)) {
            n.notify_one();
        }
        Ok(true)
    }

    fn start_close(self: &Arc<Self>, om: Address, sla: U256) {
        self.spawn(format!("close:{om:#x}:{sla}"), move |this| async move {
            match this.retrying("close", || this.close(om, sla)).await {
                Ok(true) => {
                    this.closed.lock().insert((om, sla));
                }
                // Sessions still open, or not yet: looked at again at a later head.
                Ok(false) | Err(Step::Stopped) => {}
                Err(Step::Fail(e)) | Err(Step::Retry(e)) => {
                    tracing::warn!(%om, %sla, error = %e, "close failed; the node leaves it to others");
                    this.closed.lock().insert((om, sla));
                }
            }
        });
    }

    /// Closes the SLA unless someone did, settling first the expired sessions that keep it
    /// open; `true` once nothing is left to do.
    async fn close(self: &Arc<Self>, om: Address, sla: U256) -> std::result::Result<bool, Step> {
        let key = format!("agreement-close:{om:#x}:{sla}");
        let client = self.client_of(om);
        if self.state.store.get_tx_by_key(&key).await?.is_none() {
            let view = client.sla(sla).await?;
            match SlaStatus::of(view.status) {
                SlaStatus::Closed => {
                    tracing::debug!(%om, %sla, "already closed by someone else");
                    return self.closed_on_chain(om, sla).await;
                }
                SlaStatus::Active => {}
                other => return Err(Step::Fail(format!("the SLA is {other} on chain"))),
            }
            let now = self.chain_time().await.map_err(|e| Step::Retry(e.to_string()))?;
            if now < view.terms.serviceEnds {
                return Ok(false);
            }
            if view.openSessions > 0 {
                self.settle_due(om, sla, now, view.openSessions).await?;
                return Ok(false);
            }
            if self.bid_state(om, sla).await? != BidState::Selected {
                // Forfeited (the event is on its way): nothing of the node's to get back.
                return Ok(true);
            }
        }
        let data = OM::closeCall { slaId: sla }.abi_encode();
        let sent = self.send_once(key, om, data.into(), SETTLE_HEADROOM).await?;
        let closed = SlaStatus::of(client.sla(sla).await?.status) == SlaStatus::Closed;
        match sent {
            Sent::Mined(out) if !out.reverted => tracing::info!(%om, %sla, tx = %out.hash, "closed the SLA"),
            Sent::Mined(out) if closed => {
                tracing::info!(%om, %sla, tx = %out.hash, "close reverted: someone else closed first");
            }
            Sent::Mined(out) => return Err(Step::Fail(format!("close reverted in tx {}", out.hash))),
            Sent::Refused(reason) if !closed => {
                tracing::info!(%om, %sla, %reason, "not closing yet");
                return Ok(false);
            }
            Sent::Refused(_) => tracing::debug!(%om, %sla, "closed by someone else meanwhile"),
        }
        self.closed_on_chain(om, sla).await
    }

    /// Starts settling the node's sessions of `sla` that are past their deadline and unsettled,
    /// whatever the node did in them.
    async fn settle_due(
        self: &Arc<Self>,
        om: Address,
        sla: U256,
        now: u64,
        open: u32,
    ) -> std::result::Result<(), Step> {
        let sessions = self.state.store.unsettled_sessions(&hex(om), &sla.to_string(), &hex(self.me)).await?;
        let mut due = 0;
        for s in sessions.iter().filter(|s| now > s.deadline) {
            let sid: U256 =
                s.session_id.parse().map_err(|_| Step::Fail(format!("corrupt session id {}", s.session_id)))?;
            if !self.settled.lock().contains(&(om, sid)) {
                due += 1;
                self.start_settle(om, sid);
            }
        }
        if due > 0 {
            tracing::info!(%om, %sla, open, due, "the service period is over; settling the SLA's sessions before closing it");
        } else {
            tracing::debug!(%om, %sla, open, "the SLA has sessions open; waiting for their deadlines");
        }
        Ok(())
    }

    /// The node's bid on `sla`, as the contract has it.
    async fn bid_state(&self, om: Address, sla: U256) -> std::result::Result<BidState, Step> {
        let bids = self.client_of(om).bids(sla).await?;
        Ok(bids.iter().find(|b| b.oracle == self.me).map_or(BidState::None, |b| BidState::of(b.state)))
    }

    /// The SLA is closed on chain: the obligation says so, and `released` if the node's penalty
    /// came back (`PenaltyReleased` records the same).
    async fn closed_on_chain(&self, om: Address, sla: U256) -> std::result::Result<bool, Step> {
        let store = &self.state.store;
        let (omx, id, me) = (hex(om), sla.to_string(), hex(self.me));
        store.set_sla_phase(&omx, &id, SlaPhase::Closed).await?;
        if self.bid_state(om, sla).await? == BidState::Released
            && store.transition_obligation(&omx, &id, &me, &[Ob::Selected], Ob::Released, None).await?
        {
            tracing::info!(%om, %sla, "the SLA closed: the penalty came back");
        }
        Ok(true)
    }

    // ------------------------------------------------------------------ sessions

    fn start_session(self: &Arc<Self>, om: Address, session: U256) {
        self.spawn(format!("session:{om:#x}:{session}"), move |this| async move {
            // Each pass starts from the stored state, so a failed step is simply tried again.
            let outcome = this.retrying("session", || this.drive_session(om, session)).await;
            let (state, reason) = match outcome {
                Ok(()) | Err(Step::Stopped) => return,
                Err(Step::Fail(r)) | Err(Step::Retry(r)) => (Ss::Failed, r),
            };
            tracing::warn!(%om, %session, reason = %reason, "session failed");
            let r = this
                .state
                .store
                .transition_session(&hex(om), &session.to_string(), &hex(this.me), Ss::OPEN, state, Some(&reason))
                .await;
            if let Err(e) = r {
                tracing::error!(error = %e, "recording a failed session");
            }
        });
    }

    async fn load_session(&self, om: Address, session: U256) -> std::result::Result<Option<SessionRecord>, Step> {
        Ok(self.state.store.session(&hex(om), &session.to_string(), &hex(self.me)).await?)
    }

    /// Takes a session from its stored state to the reveal: answer, commit, reveal.
    async fn drive_session(&self, om: Address, session: U256) -> std::result::Result<(), Step> {
        loop {
            let Some(s) = self.retrying("session", || self.load_session(om, session)).await? else { return Ok(()) };
            match s.state {
                Ss::Observing => {
                    // Nothing observed yet and the commit phase already over (e.g. a restart after
                    // the quorum committed or the deadline passed): don't pay for a data-source
                    // call whose answer can no longer be committed.
                    if s.run_id.is_none() {
                        if let Some(reason) = self.commit_phase_over(om, session).await? {
                            let (omx, sid, me) = (hex(om), session.to_string(), hex(self.me));
                            self.state
                                .store
                                .transition_session(&omx, &sid, &me, &[Ss::Observing], Ss::Missed, Some(&reason))
                                .await?;
                            tracing::warn!(%om, %session, %reason, "missed the commit phase before observing");
                            return Ok(());
                        }
                    }
                    let answer = self.observe(om, session, &s).await?;
                    let salt = random_salt();
                    let stored = self
                        .retrying("record answer", || async {
                            Ok(self
                                .state
                                .store
                                .record_session_answer(
                                    &hex(om),
                                    &session.to_string(),
                                    &hex(self.me),
                                    &answer.to_string(),
                                    &salt.to_string(),
                                )
                                .await?)
                        })
                        .await?;
                    tracing::info!(%om, %session, answer = ?stored.answer, "answer persisted");
                }
                Ss::Answered => self.commit(om, session, &s).await?,
                Ss::Committed => return self.reveal(om, session, &s).await,
                _ => return Ok(()),
            }
        }
    }

    /// Why the session takes no commitment any more, read from the chain: `None` while it does.
    async fn commit_phase_over(&self, om: Address, session: U256) -> std::result::Result<Option<String>, Step> {
        let client = self.client_of(om);
        let view = self.retrying("read session", || async { Ok(client.session(session).await?) }).await?;
        if SessionStatus::of(view.status) != SessionStatus::Committing {
            return Ok(Some(format!(
                "the session was already {} before the node observed",
                SessionStatus::of(view.status)
            )));
        }
        if self.chain_time().await.map_err(|e| Step::Retry(e.to_string()))? > view.deadline {
            return Ok(Some("the session's deadline passed before the node observed".to_owned()));
        }
        Ok(None)
    }

    /// Runs the job's pipeline for the session (or waits for the run already started) and reads
    /// its answer.
    async fn observe(&self, om: Address, session: U256, s: &SessionRecord) -> std::result::Result<I256, Step> {
        let mut run_id = match s.run_id {
            Some(id) => id,
            None => self.retrying("start run", || self.start_run(om, session, s)).await?,
        };
        loop {
            let run = self
                .retrying("read run", || async { Ok(self.state.store.get_run(run_id).await?) })
                .await?
                .ok_or_else(|| Step::Fail(format!("run {run_id} is gone (its job was deleted)")))?;
            let error = run.error.clone().unwrap_or_default();
            match run.status {
                RunStatus::Completed => return answer_of(run.outputs.as_ref()).map_err(Step::Fail),
                // Cancelled while running for another reason than a stop of the node (a stop
                // leaves the run `running` and it resumes): observe again.
                RunStatus::Cancelled if error.contains("while running") && !self.stop.is_cancelled() => {
                    let again = self.rerun(om, s, run_id).await?;
                    tracing::info!(%om, %session, interrupted = run_id, run = again, "observing again");
                    run_id = again;
                    continue;
                }
                RunStatus::Errored | RunStatus::Cancelled => {
                    return Err(Step::Fail(format!("run {run_id} {}: {error}", run.status)))
                }
                _ => {}
            }
            tokio::select! {
                () = self.stop.cancelled() => return Err(Step::Stopped),
                () = tokio::time::sleep(RUN_POLL) => {}
            }
        }
    }

    /// A rerun of the session's interrupted run `run_id`, recorded on the session and started;
    /// its id. A rerun made before a crash that kept it from being recorded is taken up again.
    async fn rerun(&self, om: Address, s: &SessionRecord, run_id: i64) -> std::result::Result<i64, Step> {
        let store = &self.state.store;
        let cannot = |e: &dyn std::fmt::Display| {
            Step::Fail(format!("run {run_id} was interrupted and cannot be run again: {e}"))
        };
        let again = match store.insert_rerun(run_id, false).await {
            Ok(run) => run,
            Err(e @ linkpool_store::Error::Conflict { .. }) => {
                let earlier = store.reruns_of(run_id).await?.into_iter().rev().find(|r| !r.status.is_rerunnable());
                earlier.ok_or_else(|| cannot(&e))?
            }
            Err(e @ linkpool_store::Error::NotFound { .. }) => return Err(cannot(&e)),
            Err(e) => return Err(e.into()),
        };
        store.set_session_run(&hex(om), &s.session_id, &hex(self.me), again.id).await?;
        if !again.status.is_terminal() {
            self.executor.start(again.id);
        }
        Ok(again.id)
    }

    /// Persists and starts the session's run; its id.
    async fn start_run(&self, om: Address, session: U256, s: &SessionRecord) -> std::result::Result<i64, Step> {
        let store = &self.state.store;
        let job_id = s.job_id.ok_or_else(|| Step::Fail("the agreement job was deleted".into()))?;
        let Some(spec) = self.state.jobs.get(job_id) else {
            return Err(Step::Fail(format!("agreement job {job_id} is not active")));
        };
        let JobSpec::Agreement(job) = spec.as_ref() else {
            return Err(Step::Fail(format!("job {job_id} is not an agreement job")));
        };
        let o = store
            .obligation(&hex(om), &s.sla_id, &hex(self.me))
            .await?
            .ok_or_else(|| Step::Fail(format!("no obligation for SLA {}", s.sla_id)))?;
        let view = self.client_of(om).session(session).await?;
        if view.slaId.to_string() != s.sla_id {
            return Err(Step::Fail(format!(
                "session {session} now belongs to SLA {} (a reorganisation replaced it)",
                view.slaId
            )));
        }
        let params_bytes: Bytes = o.query_params.parse().map_err(|_| Step::Fail("corrupt query params".into()))?;
        let inputs = json!({
            "externalJobID": job.common.external_job_id,
            "jobName": job.common.name,
            "orderMatching": om,
            "slaId": s.sla_id,
            "sessionId": s.session_id,
            "requester": view.requester,
            "deadline": view.deadline,
            "jobType": o.job_type,
            "queryParams": String::from_utf8_lossy(&params_bytes),
        });
        let new = NewRun {
            job_id,
            idempotency_key: format!("agreement:{om:#x}:{session}"),
            inputs,
            request_id: None,
            ready_at_block: None,
            status: RunStatus::Running,
        };
        let run = match store.insert_run(&new).await? {
            Inserted::New(run) => {
                let id = run.id;
                self.executor.start_new(run, Instant::now());
                id
            }
            Inserted::Existing(run) => {
                if !run.status.is_terminal() {
                    self.executor.start(run.id);
                }
                run.id
            }
        };
        store.set_session_run(&hex(om), &s.session_id, &hex(self.me), run).await?;
        tracing::info!(%om, %session, sla = %s.sla_id, run, "answering a request");
        Ok(run)
    }

    /// Sends the commitment of the persisted answer while the session takes commitments.
    async fn commit(&self, om: Address, session: U256, s: &SessionRecord) -> std::result::Result<(), Step> {
        let (answer, salt) = persisted(s)?;
        let mine = commitment(answer, salt, self.me);
        let key = format!("agreement-commit:{om:#x}:{session}");
        let store = &self.state.store;
        let (omx, sid, me) = (hex(om), session.to_string(), hex(self.me));
        let client = self.client_of(om);
        let sent = self.retrying("commit", || async {
            if store.get_tx_by_key(&key).await?.is_none() {
                let view = client.session(session).await?;
                if SessionStatus::of(view.status) != SessionStatus::Committing {
                    return Ok(None);
                }
                if self.chain_time().await.map_err(|e| Step::Retry(e.to_string()))? > view.deadline {
                    return Ok(None);
                }
            }
            let data = OM::commitCall { sessionId: session, commitment: mine }.abi_encode();
            self.send_once(key.clone(), om, data.into(), HEADROOM).await.map(Some)
        });
        let sent = sent.await?;
        let on_chain = self.retrying("read entry", || async { Ok(client.entry(session, self.me).await?) }).await?;
        if on_chain.commitment == mine {
            store.transition_session(&omx, &sid, &me, &[Ss::Answered], Ss::Committed, None).await?;
            tracing::info!(%om, %session, commitment = %mine, "committed");
            return Ok(());
        }
        let reason = match sent {
            None => "the quorum committed (or the deadline passed) before the node's answer was ready".to_owned(),
            Some(Sent::Refused(r)) => format!("the commitment was refused: {r}"),
            Some(Sent::Mined(out)) => format!("the commitment reverted in tx {}", out.hash),
        };
        tracing::warn!(%om, %session, %reason, "missed the commit phase");
        store.transition_session(&omx, &sid, &me, &[Ss::Answered], Ss::Missed, Some(&reason)).await?;
        Ok(())
    }

    /// Waits for "committed", then reveals the persisted answer and salt.
    async fn reveal(&self, om: Address, session: U256, s: &SessionRecord) -> std::result::Result<(), Step> {
        let (answer, salt) = persisted(s)?;
        let client = self.client_of(om);
        let wake = self.notify(om, session);
        let key = format!("agreement-reveal:{om:#x}:{session}");
        loop {
            let view = self.retrying("read session", || async { Ok(client.session(session).await?) }).await?;
            match SessionStatus::of(view.status) {
                SessionStatus::Revealing => break,
                SessionStatus::Committing => {
                    let now = self.retrying("chain time", || async {
                        self.chain_time().await.map_err(|e| Step::Retry(e.to_string()))
                    });
                    if now.await? > view.deadline {
                        tracing::warn!(%om, %session, "the session expired before it was committed");
                        return Ok(());
                    }
                }
                // Settled without a reveal phase, or unknown: nothing to reveal.
                _ => return Ok(()),
            }
            tokio::select! {
                () = self.stop.cancelled() => return Err(Step::Stopped),
                () = wake.notified() => {}
                () = tokio::time::sleep(RECHECK) => {}
            }
        }
        let entry = self.retrying("read entry", || async { Ok(client.entry(session, self.me).await?) }).await?;
        if !entry.revealed && !entry.mismatched {
            let data = OM::revealCall { sessionId: session, answer, salt }.abi_encode();
            let sent =
                self.retrying("reveal", || self.send_once(key.clone(), om, data.clone().into(), REVEAL_HEADROOM));
            match sent.await? {
                Sent::Mined(out) if !out.reverted => tracing::info!(%om, %session, %answer, tx = %out.hash, "revealed"),
                Sent::Mined(out) => return Err(Step::Fail(format!("the reveal reverted in tx {}", out.hash))),
                Sent::Refused(r) => return Err(Step::Fail(format!("the reveal was refused: {r}"))),
            }
        }
        let entry = self.retrying("read entry", || async { Ok(client.entry(session, self.me).await?) }).await?;
        if entry.mismatched {
            return Err(Step::Fail("the reveal did not match the commitment".into()));
        }
        if entry.revealed {
            self.state.store.mark_session_revealed(&hex(om), &session.to_string(), &hex(self.me)).await?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------ events

    async fn handle(self: &Arc<Self>, index: &JobIndex, ev: PollerEvent) -> Result<()> {
        match ev {
            PollerEvent::Head(n) => {
                self.state.set_head(n);
                self.on_head(n).await
            }
            PollerEvent::Log(log) => self.on_log(index, &log).await,
            PollerEvent::Reorg { from_block } => {
                tracing::warn!(
                    from_block,
                    "chain reorganisation; transactions re-check the chain before they are sent"
                );
                Ok(())
            }
            PollerEvent::Checkpoint(c) => {
                c.ack();
                Ok(())
            }
        }
    }

    async fn on_log(self: &Arc<Self>, index: &JobIndex, log: &Log) -> Result<()> {
        let Some(topic0) = log.topic0().copied() else { return Ok(()) };
        let om = log.address();
        let store = &self.state.store;
        let (omx, me) = (hex(om), hex(self.me));
        macro_rules! decode {
            ($ev:ty) => {
                match log.log_decode::<$ev>() {
                    Ok(l) => l.inner.data,
                    Err(e) => {
                        tracing::warn!(error = %e, tx = ?log.transaction_hash, "undecodable OrderMatching log; ignored");
                        return Ok(());
                    }
                }
            };
        }
        match topic0 {
            OM::SlaProposed::SIGNATURE_HASH => self.on_proposed(index, om, decode!(OM::SlaProposed)).await?,
            OM::BidPlaced::SIGNATURE_HASH => {
                let ev = decode!(OM::BidPlaced);
                if ev.oracle == self.me {
                    store
                        .transition_obligation(&omx, &ev.slaId.to_string(), &me, &[Ob::Bidding], Ob::Bid, None)
                        .await?;
                }
            }
            OM::OracleSelected::SIGNATURE_HASH => {
                let ev = decode!(OM::OracleSelected);
                if ev.oracle == self.me {
                    let from = [Ob::Bidding, Ob::Bid];
                    if store.transition_obligation(&omx, &ev.slaId.to_string(), &me, &from, Ob::Selected, None).await? {
                        tracing::info!(%om, sla = %ev.slaId, index = ev.index, "selected: the penalty is locked until the SLA closes");
                    }
                }
            }
            OM::SlaFinalized::SIGNATURE_HASH => {
                let ev = decode!(OM::SlaFinalized);
                let sla = ev.slaId.to_string();
                store.set_sla_phase(&omx, &sla, SlaPhase::Active).await?;
                let from = [Ob::Bidding, Ob::Bid];
                if store.transition_obligation(&omx, &sla, &me, &from, Ob::NotSelected, None).await? {
                    tracing::info!(%om, %sla, "not selected: the penalty comes back");
                }
            }
            OM::SlaFailed::SIGNATURE_HASH => {
                let ev = decode!(OM::SlaFailed);
                let sla = ev.slaId.to_string();
                store.set_sla_phase(&omx, &sla, SlaPhase::Failed).await?;
                let from = [Ob::Bidding, Ob::Bid];
                if store.transition_obligation(&omx, &sla, &me, &from, Ob::SlaFailed, None).await? {
                    tracing::info!(%om, %sla, bids = %ev.qualifyingBids, needed = ev.needed, "the SLA failed: the penalty comes back");
                }
            }
            OM::SlaClosed::SIGNATURE_HASH => {
                let ev = decode!(OM::SlaClosed);
                // The node's `PenaltyReleased`, if it still had its penalty, is in the same transaction.
                store.set_sla_phase(&omx, &ev.slaId.to_string(), SlaPhase::Closed).await?;
                self.closed.lock().insert((om, ev.slaId));
            }
            OM::PenaltyReleased::SIGNATURE_HASH => {
                let ev = decode!(OM::PenaltyReleased);
                if ev.oracle == self.me {
                    let sla = ev.slaId.to_string();
                    store.transition_obligation(&omx, &sla, &me, &[Ob::Selected], Ob::Released, None).await?;
                    tracing::info!(%om, %sla, amount = %ev.amount, "penalty released");
                }
            }
            OM::PenaltyForfeited::SIGNATURE_HASH => {
                let ev = decode!(OM::PenaltyForfeited);
                if ev.oracle == self.me {
                    let sla = ev.slaId.to_string();
                    let why = format!("forfeited {} juels to {}", ev.amount, ev.beneficiary);
                    store.transition_obligation(&omx, &sla, &me, &[], Ob::Forfeited, Some(&why)).await?;
                    tracing::warn!(%om, %sla, amount = %ev.amount, "penalty forfeited");
                }
            }
            OM::RequestOpened::SIGNATURE_HASH => {
                let ev = decode!(OM::RequestOpened);
                let sla = ev.slaId.to_string();
                let Some(o) = store.obligation(&omx, &sla, &me).await? else { return Ok(()) };
                if o.state != Ob::Selected {
                    tracing::debug!(%om, %sla, state = %o.state, "a request under an SLA the node does not serve");
                    return Ok(());
                }
                let new = NewSession {
                    order_matching: omx,
                    session_id: ev.sessionId.to_string(),
                    sla_id: sla,
                    oracle: me,
                    job_id: o.job_id,
                    deadline: ev.deadline,
                };
                if store.insert_session(&new).await?.is_new() {
                    tracing::info!(%om, session = %ev.sessionId, sla = %ev.slaId, deadline = ev.deadline, "request opened");
                }
                self.start_session(om, ev.sessionId);
            }
            OM::AnswerCommitted::SIGNATURE_HASH => {
                let ev = decode!(OM::AnswerCommitted);
                if ev.oracle == self.me {
                    let sid = ev.sessionId.to_string();
                    store.transition_session(&omx, &sid, &me, &[Ss::Answered], Ss::Committed, None).await?;
                }
            }
            OM::SessionCommitted::SIGNATURE_HASH => {
                let ev = decode!(OM::SessionCommitted);
                if let Some(s) = store.session(&omx, &ev.sessionId.to_string(), &me).await? {
                    tracing::info!(%om, session = %ev.sessionId, state = %s.state, "the session is committed: reveals open");
                    self.notify(om, ev.sessionId).notify_one();
                    if Ss::OPEN.contains(&s.state) {
                        self.start_session(om, ev.sessionId);
                    }
                }
            }
            OM::AnswerRevealed::SIGNATURE_HASH => {
                let ev = decode!(OM::AnswerRevealed);
                if ev.oracle == self.me {
                    store.mark_session_revealed(&omx, &ev.sessionId.to_string(), &me).await?;
                }
            }
            OM::RevealMismatched::SIGNATURE_HASH => {
                let ev = decode!(OM::RevealMismatched);
                if ev.oracle == self.me {
                    tracing::error!(%om, session = %ev.sessionId, "the node's reveal did not match its commitment");
                    let why = "the reveal did not match the commitment";
                    store.transition_session(&omx, &ev.sessionId.to_string(), &me, &[], Ss::Failed, Some(why)).await?;
                }
            }
            OM::AnswerDelivered::SIGNATURE_HASH => {
                let ev = decode!(OM::AnswerDelivered);
                store.set_session_final_answer(&omx, &ev.sessionId.to_string(), &ev.answer.to_string()).await?;
            }
            OM::OraclePaid::SIGNATURE_HASH => {
                let ev = decode!(OM::OraclePaid);
                if ev.oracle == self.me {
                    store.set_session_paid(&omx, &ev.sessionId.to_string(), &me, &ev.amount.to_string()).await?;
                    tracing::info!(%om, session = %ev.sessionId, amount = %ev.amount, "paid");
                }
            }
            OM::SessionSettled::SIGNATURE_HASH => {
                let ev = decode!(OM::SessionSettled);
                if store.settle_session(&omx, &ev.sessionId.to_string()).await? > 0 {
                    tracing::info!(%om, session = %ev.sessionId, answered = ev.answered, "session settled");
                }
                if let Some(n) = self.wake.lock().remove(&(om, ev.sessionId)) {
                    n.notify_one();
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn on_proposed(self: &Arc<Self>, index: &JobIndex, om: Address, ev: OM::SlaProposed) -> Result<()> {
        let Some((job_id, job)) = index.by_job_id.get(&(om, ev.jobId)) else {
            tracing::debug!(%om, sla = %ev.slaId, job = %ev.jobId, "an SLA for no job of ours");
            return Ok(());
        };
        let store = &self.state.store;
        let (omx, sla, me) = (hex(om), ev.slaId.to_string(), hex(self.me));
        if let Some(existing) = store.obligation(&omx, &sla, &me).await? {
            // A re-delivered log: finish what was started.
            if existing.state == Ob::Bidding {
                self.start_bid(om, ev.slaId);
            }
            return Ok(());
        }
        let t = &ev.terms;
        let offer = SlaOffer {
            job_id: t.jobId,
            job_type: t.jobType,
            payment_per_oracle: U256::from(t.paymentPerOracle),
            penalty: U256::from(t.penalty),
            bidding_ends: t.biddingEnds,
            aggregator: t.aggregator,
            reputation: t.reputation,
        };
        let mut at_risk = U256::ZERO;
        for o in store.obligations(&me, Ob::AT_RISK).await? {
            if o.job_id == Some(*job_id) {
                at_risk += o.penalty.parse::<U256>().map_err(corrupt)?;
            }
        }
        let now = self.chain_time().await?;
        if let Err(refusal) = job.evaluate(&offer, at_risk, now) {
            tracing::info!(%om, %sla, job = job_id, reason = %refusal, "no bid");
            return Ok(());
        }
        let new = NewObligation {
            order_matching: omx,
            sla_id: sla.clone(),
            oracle: me,
            job_id: Some(*job_id),
            state: Ob::Bidding,
            pool_backed: job.bid_from_pool,
            penalty: offer.penalty.to_string(),
            payment: offer.payment_per_oracle.to_string(),
            job_type: t.jobType.to_string(),
            query_params: t.queryParams.to_string(),
            bidding_ends: t.biddingEnds,
            service_ends: t.serviceEnds,
            error: None,
        };
        store.insert_obligation(&new).await?;
        tracing::info!(
            %om, %sla, job = job_id, penalty = %offer.penalty, payment = %offer.payment_per_oracle,
            pool = job.bid_from_pool, "bidding"
        );
        self.start_bid(om, ev.slaId);
        Ok(())
    }
}

/// The persisted answer and salt of a session past `observing`.
fn persisted(s: &SessionRecord) -> std::result::Result<(I256, B256), Step> {
    let answer = s.answer.as_deref().ok_or_else(|| Step::Fail("no persisted answer".into()))?;
    let salt = s.salt.as_deref().ok_or_else(|| Step::Fail("no persisted salt".into()))?;
    let answer = I256::from_dec_str(answer).map_err(|e| Step::Fail(format!("corrupt answer {answer}: {e}")))?;
    let salt = salt.parse().map_err(|e| Step::Fail(format!("corrupt salt: {e}")))?;
    Ok((answer, salt))
}

fn corrupt(e: impl std::fmt::Display) -> Error {
    Error::Store(linkpool_store::Error::Corrupt { what: format!("agreement row: {e}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_integers_that_fit_int256() {
        let ok = |v: serde_json::Value| answer_of(Some(&json!([v]))).unwrap();
        assert_eq!(ok(json!(302145)), I256::try_from(302_145).unwrap());
        assert_eq!(ok(json!(-7)), I256::try_from(-7).unwrap());
        assert_eq!(ok(json!("42")), I256::try_from(42).unwrap());
        assert_eq!(ok(serde_json::from_str("3021.000").unwrap()), I256::try_from(3021).unwrap());
        let err = |v: serde_json::Value| answer_of(Some(&json!([v]))).unwrap_err();
        assert!(err(serde_json::from_str("3021.45").unwrap()).contains("not an integer"));
        assert!(err(json!(true)).contains("not an integer"));
        assert!(err(json!("9".repeat(80))).contains("int256"));
        assert!(answer_of(Some(&json!([1, 2]))).unwrap_err().contains("2 final results"));
        assert!(answer_of(None).is_err());
    }
}
