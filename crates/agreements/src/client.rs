//! A typed client of one `OrderMatching` and the reputation contracts its SLAs name.
//!
//! Reads need any provider; writes need a provider whose wallet signs for the account given to
//! [`Agreements::with_sender`]. Every write waits for its receipt. Reverts with the suite's custom
//! errors (shown by gas estimation) become [`Error::Revert`], e.g.
//! `commit(session 3) reverted with CommitPhaseClosed { sessionId: 3 }: …`.

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, Bytes, FixedBytes, B256, I256, U256},
    providers::DynProvider,
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol_types::{SolEvent, SolValue},
};
use linkpool_bindings::{
    agreements::{
        order_matching::{IOrderMatching, OrderMatching::OrderMatchingErrors as E},
        reputation::IReputation,
        OrderMatching, Reputation,
    },
    node::Node,
    stack::{self, SentTx},
    LinkToken,
};

use crate::{terms::request_escrow, BidView, Error, Report, Result, SessionView, SlaTerms, SlaView};

/// `OrderMatching.ACTION_BID`.
pub const ACTION_BID: u8 = 1;
/// `OrderMatching.ACTION_REQUEST`.
pub const ACTION_REQUEST: u8 = 2;

/// The `transferAndCall` data of a bid on `sla_id` by `oracle`.
pub fn bid_data(sla_id: U256, oracle: Address) -> Bytes {
    (U256::from(ACTION_BID), sla_id, oracle).abi_encode_params().into()
}

/// The `transferAndCall` data of a request on `sla_id` answered to `callback.selector(uint256,int256)`.
pub fn request_data(sla_id: U256, callback: Address, selector: FixedBytes<4>) -> Bytes {
    (U256::from(ACTION_REQUEST), sla_id, callback, selector).abi_encode_params().into()
}

/// A client of the `OrderMatching` at `address`.
#[derive(Debug, Clone)]
pub struct Agreements {
    p: DynProvider,
    address: Address,
    from: Address,
}

impl Agreements {
    /// A client of `address` over `p`; writes are sent from `Address::ZERO` until
    /// [`with_sender`](Self::with_sender).
    pub fn new(p: DynProvider, address: Address) -> Self {
        Self { p, address, from: Address::ZERO }
    }

    /// The same client sending from `from`.
    pub fn with_sender(&self, from: Address) -> Self {
        Self { p: self.p.clone(), address: self.address, from }
    }

    /// The `OrderMatching` address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The sending account.
    pub fn sender(&self) -> Address {
        self.from
    }

    /// The provider.
    pub fn provider(&self) -> &DynProvider {
        &self.p
    }

    fn om(&self) -> OrderMatching::OrderMatchingInstance<DynProvider> {
        OrderMatching::new(self.address, self.p.clone())
    }

    /// The LINK token.
    pub async fn link(&self) -> Result<Address> {
        self.om().LINK().call().await.map_err(call("LINK()"))
    }

    // ------------------------------------------------------------------ writes

    async fn send(&self, action: String, tx: TransactionRequest) -> Result<(SentTx, TransactionReceipt)> {
        match stack::send(&self.p, tx.with_from(self.from)).await {
            Ok(r) => Ok((SentTx::new(action, &r), r)),
            Err(e) => Err(failure(action, e)),
        }
    }

    /// Proposes an SLA; returns its id.
    pub async fn propose(&self, terms: SlaTerms) -> Result<(U256, SentTx)> {
        let tx = self.om().proposeSla(terms).into_transaction_request();
        let (sent, r) = self.send("proposeSla".into(), tx).await?;
        let ev: OrderMatching::SlaProposed = event(&r, self.address).ok_or_else(|| missing(&sent, "SlaProposed"))?;
        Ok((ev.slaId, sent))
    }

    /// Bids on `sla_id` for the sender (the oracle), depositing the SLA's penalty from its account.
    pub async fn bid(&self, sla_id: U256) -> Result<SentTx> {
        let penalty = U256::from(self.sla(sla_id).await?.terms.penalty);
        self.bid_amount(sla_id, self.from, penalty).await
    }

    /// A bid with an explicit amount and oracle (tests of refused bids use it).
    pub async fn bid_amount(&self, sla_id: U256, oracle: Address, amount: U256) -> Result<SentTx> {
        let link = LinkToken::new(self.link().await?, self.p.clone());
        let tx = link.transferAndCall(self.address, amount, bid_data(sla_id, oracle)).into_transaction_request();
        Ok(self.send(format!("bid(sla {sla_id})"), tx).await?.0)
    }

    /// Bids on `sla_id` for the sender, a LinkPool node: the penalty comes from the node's pool
    /// storage through the pool's `Node` contract (`node_contract`).
    pub async fn bid_from_pool(&self, node_contract: Address, sla_id: U256) -> Result<SentTx> {
        let penalty = U256::from(self.sla(sla_id).await?.terms.penalty);
        let node = Node::new(node_contract, self.p.clone());
        let tx = node
            .depositPenalty(self.from, self.address, penalty, bid_data(sla_id, self.from))
            .into_transaction_request();
        Ok(self.send(format!("bid from pool stake(sla {sla_id})"), tx).await?.0)
    }

    /// Selects the oracles of `sla_id` (after its bidding window).
    pub async fn finalize(&self, sla_id: U256) -> Result<SentTx> {
        let tx = self.om().finalize(sla_id).into_transaction_request();
        Ok(self.send(format!("finalize(sla {sla_id})"), tx).await?.0)
    }

    /// Opens a request on `sla_id` (the sender must be its purchaser), paying the escrow; the
    /// answer goes to `callback.selector(uint256 sessionId, int256 answer)`. Returns the session id.
    pub async fn request(&self, sla_id: U256, callback: Address, selector: FixedBytes<4>) -> Result<(U256, SentTx)> {
        let escrow = request_escrow(&self.sla(sla_id).await?.terms);
        let link = LinkToken::new(self.link().await?, self.p.clone());
        let tx = link
            .transferAndCall(self.address, escrow, request_data(sla_id, callback, selector))
            .into_transaction_request();
        let (sent, r) = self.send(format!("request(sla {sla_id})"), tx).await?;
        let ev: OrderMatching::RequestOpened =
            event(&r, self.address).ok_or_else(|| missing(&sent, "RequestOpened"))?;
        Ok((ev.sessionId, sent))
    }

    /// Commits `commitment` for `session`.
    pub async fn commit(&self, session: U256, commitment: B256) -> Result<SentTx> {
        let tx = self.om().commit(session, commitment).into_transaction_request();
        Ok(self.send(format!("commit(session {session})"), tx).await?.0)
    }

    /// Reveals `answer` with `salt` for `session`.
    pub async fn reveal(&self, session: U256, answer: I256, salt: B256) -> Result<SentTx> {
        let tx = self.om().reveal(session, answer, salt).into_transaction_request();
        Ok(self.send(format!("reveal(session {session})"), tx).await?.0)
    }

    /// Settles `session` after its deadline.
    pub async fn settle(&self, session: U256) -> Result<SentTx> {
        let tx = self.om().settle(session).into_transaction_request();
        Ok(self.send(format!("settle(session {session})"), tx).await?.0)
    }

    /// Returns the penalties of `sla_id` after its service period.
    pub async fn close(&self, sla_id: U256) -> Result<SentTx> {
        let tx = self.om().close(sla_id).into_transaction_request();
        Ok(self.send(format!("close(sla {sla_id})"), tx).await?.0)
    }

    /// The purchaser rates `oracle` of `sla_id` (1 to 5) in the SLA's reputation contract.
    pub async fn rate(&self, sla_id: U256, oracle: Address, score: u8) -> Result<SentTx> {
        let reputation = self.sla(sla_id).await?.terms.reputation;
        let tx = Reputation::new(reputation, self.p.clone())
            .rate(self.address, sla_id, oracle, score)
            .into_transaction_request();
        Ok(self.send(format!("rate({oracle}, {score})"), tx).await?.0)
    }

    // ------------------------------------------------------------------ reads

    /// SLAs proposed so far (ids are 1 to this).
    pub async fn sla_count(&self) -> Result<U256> {
        self.om().slaCount().call().await.map_err(call("slaCount()"))
    }

    /// Sessions opened so far (ids are 1 to this).
    pub async fn session_count(&self) -> Result<U256> {
        self.om().sessionCount().call().await.map_err(call("sessionCount()"))
    }

    /// One SLA.
    pub async fn sla(&self, sla_id: U256) -> Result<SlaView> {
        self.om().sla(sla_id).call().await.map_err(|e| failure(format!("sla({sla_id})"), e.into()))
    }

    /// Every bid of one SLA, in bid order.
    pub async fn bids(&self, sla_id: U256) -> Result<Vec<BidView>> {
        self.om().bids(sla_id).call().await.map_err(|e| failure(format!("bids({sla_id})"), e.into()))
    }

    /// One session.
    pub async fn session(&self, session: U256) -> Result<SessionView> {
        self.om().session(session).call().await.map_err(|e| failure(format!("session({session})"), e.into()))
    }

    /// One oracle's commitment and reveal in one session.
    pub async fn entry(&self, session: U256, oracle: Address) -> Result<IOrderMatching::EntryView> {
        self.om()
            .entry(session, oracle)
            .call()
            .await
            .map_err(|e| failure(format!("entry({session}, {oracle})"), e.into()))
    }

    /// Everything `reputation` knows of `oracle`.
    pub async fn report(&self, reputation: Address, oracle: Address) -> Result<Report> {
        Reputation::new(reputation, self.p.clone())
            .report(oracle)
            .call()
            .await
            .map_err(|e| failure(format!("report({oracle})"), e.into()))
    }

    /// `oracle`'s metrics for one job type in `reputation`.
    pub async fn stats_for(&self, reputation: Address, oracle: Address, job_type: B256) -> Result<IReputation::Stats> {
        Reputation::new(reputation, self.p.clone())
            .statsFor(oracle, job_type)
            .call()
            .await
            .map_err(|e| failure(format!("statsFor({oracle})"), e.into()))
    }
}

/// The first `E` emitted by `emitter` in `receipt`.
pub fn event<Ev: SolEvent>(receipt: &TransactionReceipt, emitter: Address) -> Option<Ev> {
    events(receipt, emitter).into_iter().next()
}

/// Every `E` emitted by `emitter` in `receipt`.
pub fn events<Ev: SolEvent>(receipt: &TransactionReceipt, emitter: Address) -> Vec<Ev> {
    receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.address() == emitter)
        .filter_map(|l| l.log_decode::<Ev>().ok())
        .map(|l| l.inner.data)
        .collect()
}

fn missing(sent: &SentTx, event: &'static str) -> Error {
    Error::MissingEvent { call: sent.action.clone(), event }
}

fn call(what: &'static str) -> impl Fn(alloy::contract::Error) -> Error {
    move |e| failure(what.to_owned(), e.into())
}

/// `e` as [`Error::Revert`] when it carries one of the suite's custom errors, else [`Error::Call`].
pub fn failure(call: String, e: linkpool_bindings::Error) -> Error {
    match describe_revert(&e) {
        Some((error, explanation)) => Error::Revert { call, error, explanation },
        None => Error::Call { call, source: Box::new(e) },
    }
}

/// The decoded custom error of `OrderMatching` or `Reputation` in `e`, with what it means.
pub fn describe_revert(e: &linkpool_bindings::Error) -> Option<(String, Option<String>)> {
    if let Some(d) = e.decode_revert::<E>() {
        let why = match &d {
            E::BidBelowRequirements(x) => Some(format!(
                "oracle {} has {} accepted answers, {} bps acceptance and {} forfeits: below the SLA's minimum reputation",
                x.oracle, x.accepted, x.acceptanceBps, x.forfeits
            )),
            E::BiddingClosed(x) => Some(format!("bids on SLA {} closed at {}", x.slaId, when(x.biddingEnds))),
            E::BiddingOpen(x) => {
                Some(format!("SLA {} takes bids until {}; finalize after that", x.slaId, when(x.biddingEnds)))
            }
            E::WrongPenaltyAmount(x) => Some(format!("a bid deposits exactly the penalty, {} juels", x.expected)),
            E::WrongPaymentAmount(x) => Some(format!("a request pays exactly q × payment, {} juels", x.expected)),
            E::BidderNotOracle(x) => Some(format!(
                "{} may only bid for itself, or be the LinkPool storage of oracle {}",
                x.sender, x.oracle
            )),
            E::AlreadyBid(x) => Some(format!("{} already bid on SLA {}", x.oracle, x.slaId)),
            E::TooManyBids(x) => Some(format!("SLA {} already has the most bids, {}", x.slaId, x.max)),
            E::CommitPhaseClosed(_) => {
                Some("the quorum already committed (\"committed\"): late commitments are refused".into())
            }
            E::CommitPhaseOpen(x) => Some(format!(
                "reveals open once {} oracles committed ({} so far)",
                x.quorum, x.commits
            )),
            E::AlreadyCommitted(_) => Some("this oracle already committed in this session".into()),
            E::NotCommitted(x) => Some(format!("{} has no commitment in session {}", x.oracle, x.sessionId)),
            E::AlreadyRevealed(x) => Some(format!("{} already revealed in session {}", x.oracle, x.sessionId)),
            E::NotSelected(x) => Some(format!("{} is not one of the session's oracles", x.oracle)),
            E::NotActive(x) => Some(format!(
                "{} forfeited its penalty, or was not active when session {} opened",
                x.oracle, x.sessionId
            )),
            E::SessionExpired(x) => Some(format!("session {} ended at {}", x.sessionId, when(x.deadline))),
            E::SessionAlreadySettled(x) => Some(format!("session {} is settled", x.sessionId)),
            E::SessionPending(x) => Some(format!("the session runs until {}; settle after that", when(x.deadline))),
            E::NotPurchaser(x) => Some(format!("only SLA {}'s purchaser may request under it", x.slaId)),
            E::WrongSlaStatus(x) => Some(format!("SLA {} is {}", x.slaId, crate::SlaStatus::of(x.status))),
            E::UnknownSla(x) => Some(format!("there is no SLA {}", x.slaId)),
            E::UnknownSession(x) => Some(format!("there is no session {}", x.sessionId)),
            E::ServiceEnded(x) => Some(format!("SLA {}'s service ended at {}", x.slaId, when(x.serviceEnds))),
            E::ServiceNotEnded(x) => {
                Some(format!("SLA {} serves until {}; close after that", x.slaId, when(x.serviceEnds)))
            }
            E::SessionsOpen(x) => {
                Some(format!("SLA {} has {} open sessions: settle them first", x.slaId, x.openSessions))
            }
            E::TooFewActiveOracles(x) => Some(format!(
                "only {} oracles are left active, below the quorum of {}",
                x.active, x.quorum
            )),
            E::ReputationNotWritable(x) => Some(format!(
                "reputation contract {} has not registered this OrderMatching as an aggregating contract",
                x.reputation
            )),
            E::InvalidOracleCount(x) => Some(format!("{} oracles: an SLA has 4 to 31", x.oracles)),
            E::InvalidSchedule(_) => Some(
                "the bidding window must not have ended, the service must end after it, and the response window be above 0"
                    .into(),
            ),
            E::InsufficientGas(x) => Some(format!(
                "the transaction left {} gas where {} are needed for the callback or a reputation call: raise the gas limit",
                x.gasLeft, x.needed
            )),
            _ => None,
        };
        return Some((linkpool_bindings::custom_error_text(&d), why));
    }
    if let Some(d) = e.decode_revert::<Reputation::ReputationErrors>() {
        use Reputation::ReputationErrors as R;
        let why = match &d {
            R::NotPurchaser(x) => Some(format!("only the SLA's purchaser {} rates its oracles", x.purchaser)),
            R::AlreadyRated(x) => Some(format!("{} was already rated for SLA {}", x.oracle, x.slaId)),
            R::InvalidScore(x) => Some(format!("{} is not a score: 1 (worst) to 5 (best)", x.score)),
            R::NotSelected(x) => Some(format!("{} was not selected for SLA {}", x.oracle, x.slaId)),
            R::NotAggregatingContract(x) => {
                Some(format!("{} is not a registered aggregating contract of this reputation", x.caller))
            }
            _ => None,
        };
        return Some((linkpool_bindings::custom_error_text(&d), why));
    }
    None
}

/// A unix time as `2026-11-26 22:30:00 UTC (unix 1764196200)`.
pub fn when(unix: u64) -> String {
    match i64::try_from(unix).ok().and_then(|t| chrono::DateTime::from_timestamp(t, 0)) {
        Some(t) => format!("{} (unix {unix})", t.format("%Y-%m-%d %H:%M:%S UTC")),
        None => format!("unix {unix}"),
    }
}
