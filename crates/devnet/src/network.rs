//! The decentralized oracle network scenario (issue 6, ChainLink §2.1, §4.2 Algorithm 1): seven
//! oracles (f = 2) under one SLA, of which one lies, one is offline and one freeloads.
//!
//! On the devnet's chain it deploys `Reputation`, `OrderMatching` and the aggregators, then:
//!
//! - **five real nodes** (`linkpool_node`, in-process, each with its own key, data dir, API and
//!   SQLite), each with an `agreement` job: four honest ones read ETH/USD from the demo data source;
//!   the **liar**'s job reads ETH/EUR instead, so it answers a wrong price;
//! - an **offline** oracle: it bids (its key deposits the penalty) and then never answers;
//! - a **freeloader**: it bids, skips the data source and waits for the first reveal to copy it;
//!   its commitment then comes after "committed" and is refused (`CommitPhaseClosed`).
//!
//! The purchaser proposes an SLA for 7 oracles with the majority (mode) aggregator; the nodes see
//! the proposal and bid on their own, the bidding window is closed by moving anvil's clock, the
//! SLA is finalized and one request is sent. The nodes commit, reveal after "committed", the
//! requester's contract receives the answer, and the session settles. The outcome lists, per
//! oracle: its commitment, its reveal, its payment, its penalty, and its reputation; the checks
//! assert what the whitepaper promises.

use std::time::Duration;

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, I256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use linkpool_agreements::{
    commitment::{commitment, random_salt},
    deploy::{self, AgreementContracts},
    terms::SlaTermsBuilder,
    Agreements, BidState, SessionStatus, SlaStatus,
};
use linkpool_bindings::{agreements::SlaConsumer, stack, LinkToken};
use linkpool_node::{Node, NodeHandle};
use linkpool_pool::client::format_link;
use uuid::Uuid;

use crate::{
    clock::{increase_time, latest_timestamp, short},
    datasource,
    jobs::ApiClient,
    staking::Check,
    Devnet, DevnetConfig, DevnetError, Result,
};

/// One LINK in juels.
const LINK: u128 = 1_000_000_000_000_000_000;
/// Penalty each oracle deposits.
const PENALTY: u128 = 10 * LINK;
/// Payment per accepted oracle and request.
const PAYMENT: u128 = LINK / 10;
/// LINK each oracle key gets.
const ORACLE_LINK: u128 = 100 * LINK;
/// The answers are prices times 100.
const TIMES: u64 = 100;
/// How long each phase may take before the scenario gives up.
const PHASE_TIMEOUT: Duration = Duration::from_secs(60);

/// What an oracle is in the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A node reading the right price.
    Honest,
    /// A node reading the wrong price.
    Liar,
    /// Bids, then never answers.
    Offline,
    /// Bids, then tries to copy the first reveal.
    Freeloader,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Self::Honest => "honest",
            Self::Liar => "liar",
            Self::Offline => "offline",
            Self::Freeloader => "freeloader",
        }
    }
}

/// One oracle's line of the table.
#[derive(Debug, Clone)]
pub struct OracleRow {
    /// Its role.
    pub role: Role,
    /// Its address.
    pub address: Address,
    /// Whether it runs as a real node.
    pub node: bool,
    /// What happened to its commitment: `committed`, `refused: …` or `none`.
    pub commit: String,
    /// Its revealed answer, if any.
    pub revealed: Option<I256>,
    /// Payment received (juels).
    pub paid: U256,
    /// Its bid's final state (`selected`, `forfeited`, …).
    pub bid: BidState,
    /// Reputation: assigned, completed, accepted, missed.
    pub reputation: [u32; 4],
    /// Penalties forfeited (juels), from reputation.
    pub forfeited: u128,
}

/// What the scenario did and found.
#[derive(Debug, Clone)]
pub struct NetworkOutcome {
    /// The deployed contracts.
    pub contracts: AgreementContracts,
    /// The SLA.
    pub sla_id: U256,
    /// The request's session.
    pub session_id: U256,
    /// The answer the requester's contract received.
    pub answer: Option<I256>,
    /// The honest answer (ETH/USD × 100).
    pub expected: I256,
    /// Per oracle.
    pub rows: Vec<OracleRow>,
    /// Invariants.
    pub checks: Vec<Check>,
}

impl NetworkOutcome {
    /// Whether every check held.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

/// The running nodes of the scenario; stopped by [`NetworkScenario::shutdown`] or on drop.
pub struct NetworkScenario {
    nodes: Vec<NodeHandle>,
}

struct Oracle {
    role: Role,
    signer: PrivateKeySigner,
    node: Option<usize>,
}

impl NetworkScenario {
    /// Runs the scenario on `devnet`'s chain and data source; returns what happened. The nodes
    /// are stopped before it returns.
    pub async fn run(devnet: &Devnet) -> Result<NetworkOutcome> {
        let mut s = Self { nodes: Vec::new() };
        let out = s.go(devnet).await;
        s.shutdown().await;
        out
    }

    async fn shutdown(&mut self) {
        for n in self.nodes.drain(..) {
            n.shutdown().await;
        }
    }

    async fn go(&mut self, devnet: &Devnet) -> Result<NetworkOutcome> {
        let p = &devnet.provider;
        let purchaser = devnet.anvil.addresses()[0];
        let c = deploy::deploy(p, devnet.contracts.link, purchaser, None).await.map_err(agreements)?;
        let consumer = *SlaConsumer::deploy(p.clone(), c.order_matching).await.map_err(rpc("SlaConsumer"))?.address();

        // Seven fresh oracle keys with ETH and LINK.
        let roles =
            [Role::Honest, Role::Honest, Role::Honest, Role::Honest, Role::Liar, Role::Offline, Role::Freeloader];
        let mut oracles = Vec::new();
        for role in roles {
            let signer = PrivateKeySigner::random();
            fund(p, devnet.contracts.link, signer.address()).await?;
            oracles.push(Oracle { role, signer, node: None });
        }

        // The five nodes and their agreement jobs (the same externalJobID: the SLA's jobId).
        let external_job_id = Uuid::new_v4();
        let job_id = linkpool_job::spec_id_encodings(external_job_id)[0];
        let base_dir = devnet.node_config.data_dir.join("network");
        for (i, o) in oracles.iter_mut().enumerate() {
            let currency = match o.role {
                Role::Honest => "USD",
                Role::Liar => "EUR",
                Role::Offline | Role::Freeloader => continue,
            };
            let config =
                DevnetConfig { data_dir: base_dir.join(format!("oracle-{i}")), api_port: 0, ..DevnetConfig::default() };
            let node_config = crate::node_config(&config, &devnet.anvil, &o.signer)?;
            let node = Node::start(node_config).await?;
            let api = ApiClient::new(format!("http://{}", node.api_addr), node.api_token.clone());
            api.create_job(&agreement_job(external_job_id, c.order_matching, &devnet.source.url(), currency)).await?;
            o.node = Some(self.nodes.len());
            self.nodes.push(node);
        }

        // The SLA: 7 oracles, majority rule, a 60 s bidding window (closed early by moving the clock).
        let om = Agreements::new(p.clone(), c.order_matching).with_sender(purchaser);
        let mut t = SlaTermsBuilder::new(job_id, c.reputation, c.mode);
        t.job_type = Some(linkpool_job::job_type_bytes32("eth-usd").map_err(scenario)?);
        t.query_params = br#"{"symbol":"ETH"}"#.to_vec().into();
        t.oracles = 7;
        t.max_misses = 0;
        t.payment_per_oracle = PAYMENT;
        t.penalty = PENALTY;
        t.bidding_window = 60;
        t.service_period = 3_600;
        t.response_window = 300;
        let now = latest_timestamp(p).await?;
        let (sla_id, _) = om.propose(t.build(now).map_err(agreements)?).await.map_err(agreements)?;

        // The scripted oracles bid from their keys; the nodes bid on their own.
        for o in oracles.iter().filter(|o| o.node.is_none()) {
            client_for(devnet, &o.signer, c.order_matching).bid(sla_id).await.map_err(agreements)?;
        }
        wait_for("7 bids", || async { Ok(om.bids(sla_id).await.map_err(agreements)?.len() >= 7) }).await?;
        increase_time(p, t.bidding_window + 1).await?;
        // The nodes finalize after the window; do it here if none has yet.
        tokio::time::sleep(Duration::from_secs(2)).await;
        if SlaStatus::of(om.sla(sla_id).await.map_err(agreements)?.status) == SlaStatus::Bidding {
            let _ = om.finalize(sla_id).await;
        }
        let selected = om.sla(sla_id).await.map_err(agreements)?.selected;

        // The freeloader waits for the first reveal, then commits a copy.
        let freeloader = oracles.iter().find(|o| o.role == Role::Freeloader).expect("freeloader");
        let fl_client = client_for(devnet, &freeloader.signer, c.order_matching);
        let fl_address = freeloader.signer.address();

        let (session_id, _) =
            om.request(sla_id, consumer, SlaConsumer::fulfillCall::SELECTOR.into()).await.map_err(agreements)?;
        let fl = tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            loop {
                if start.elapsed() > PHASE_TIMEOUT {
                    return "none (no reveal to copy)".to_owned();
                }
                if let Ok(s) = fl_client.session(session_id).await {
                    if s.reveals > 0 {
                        let mut copied = None;
                        for i in 0..32 {
                            if s.revealedMask & (1 << i) != 0 {
                                if let Ok(v) = fl_client.sla(s.slaId).await {
                                    if let Ok(e) = fl_client.entry(session_id, v.selected[i]).await {
                                        copied = Some(e.answer);
                                    }
                                }
                                break;
                            }
                        }
                        let answer = copied.unwrap_or_default();
                        return match fl_client.commit(session_id, commitment(answer, random_salt(), fl_address)).await {
                            Ok(_) => format!("committed a copy of {answer}"),
                            Err(e) => format!(
                                "refused: {}",
                                e.revert_name().map(str::to_owned).unwrap_or_else(|| e.to_string())
                            ),
                        };
                    }
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        wait_for("the session to settle", || async {
            Ok(SessionStatus::of(om.session(session_id).await.map_err(agreements)?.status) == SessionStatus::Settled)
        })
        .await?;
        let freeloader_commit = fl.await.unwrap_or_else(|e| format!("task failed: {e}"));

        // The table.
        let session = om.session(session_id).await.map_err(agreements)?;
        let consumer_c = SlaConsumer::new(consumer, p.clone());
        let answer = if consumer_c.answered(session_id).call().await.map_err(rpc("answered"))? {
            Some(consumer_c.answers(session_id).call().await.map_err(rpc("answers"))?)
        } else {
            None
        };
        let bids = om.bids(sla_id).await.map_err(agreements)?;
        let paid = paid_in(p, c.order_matching, session_id).await?;
        let mut rows = Vec::new();
        for o in &oracles {
            let a = o.signer.address();
            let index = selected.iter().position(|s| *s == a);
            let entry = match index {
                Some(_) => Some(om.entry(session_id, a).await.map_err(agreements)?),
                None => None,
            };
            let committed = index.is_some_and(|i| session.committedMask & (1 << i) != 0);
            let commit = if committed {
                "committed".to_owned()
            } else if o.role == Role::Freeloader {
                freeloader_commit.clone()
            } else {
                "none".to_owned()
            };
            let revealed = entry.filter(|e| e.revealed).map(|e| e.answer);
            let r = om.report(c.reputation, a).await.map_err(agreements)?;
            rows.push(OracleRow {
                role: o.role,
                address: a,
                node: o.node.is_some(),
                commit,
                revealed,
                paid: paid.iter().filter(|(who, _)| *who == a).map(|(_, v)| *v).sum(),
                bid: bids.iter().find(|b| b.oracle == a).map(|b| BidState::of(b.state)).unwrap_or(BidState::None),
                reputation: [r.overall.assigned, r.overall.completed, r.overall.accepted, r.overall.missed],
                forfeited: r.penalties.forfeited,
            });
        }

        let expected = expected_answer("USD");
        let mut checks = Vec::new();
        let mut check = |name: &str, ok: bool, detail: String| checks.push(Check { name: name.to_owned(), ok, detail });
        check(
            "the requester got the honest answer",
            answer == Some(expected),
            format!("got {answer:?}, ETH/USD × {TIMES} = {expected}"),
        );
        check("all seven oracles were selected", selected.len() == 7, format!("{} selected", selected.len()));
        for row in &rows {
            let (want_paid, want_bid, want_forfeit) = match row.role {
                Role::Honest => (PAYMENT, BidState::Selected, 0),
                Role::Liar | Role::Offline | Role::Freeloader => (0, BidState::Forfeited, PENALTY),
            };
            check(
                &format!(
                    "{} {}: paid {}, bid {}",
                    row.role.name(),
                    short(row.address),
                    format_link(U256::from(want_paid)),
                    want_bid
                ),
                row.paid == U256::from(want_paid) && row.bid == want_bid && row.forfeited == want_forfeit,
                format!(
                    "paid {}, bid {}, forfeited {}",
                    format_link(row.paid),
                    row.bid,
                    format_link(U256::from(row.forfeited))
                ),
            );
        }
        let fl_row = rows.iter().find(|r| r.role == Role::Freeloader).expect("freeloader row");
        check(
            "the freeloader could not commit after \"committed\"",
            fl_row.commit == "refused: CommitPhaseClosed" && fl_row.revealed.is_none(),
            fl_row.commit.clone(),
        );
        let liar = rows.iter().find(|r| r.role == Role::Liar).expect("liar row");
        check(
            "reputation: the liar completed but was not accepted",
            liar.reputation == [1, 1, 0, 0],
            format!("assigned/completed/accepted/missed {:?}", liar.reputation),
        );
        let honest_ok = rows.iter().filter(|r| r.role == Role::Honest).all(|r| r.reputation == [1, 1, 1, 0]);
        check("reputation: every honest oracle accepted", honest_ok, "assigned/completed/accepted = 1/1/1".into());
        let absent_ok = rows
            .iter()
            .filter(|r| matches!(r.role, Role::Offline | Role::Freeloader))
            .all(|r| r.reputation == [1, 0, 0, 1]);
        check("reputation: the offline oracle and the freeloader missed", absent_ok, "missed = 1".into());
        Ok(NetworkOutcome { contracts: c, sla_id, session_id, answer, expected, rows, checks })
    }
}

/// The per-oracle table and the checks, as `linkpool devnet` prints them.
pub fn table(o: &NetworkOutcome) -> String {
    let mut rows = vec![[
        "oracle".to_owned(),
        "role".into(),
        "runs".into(),
        "commit".into(),
        "reveal".into(),
        "paid LINK".into(),
        "bid".into(),
        "forfeited LINK".into(),
        "assigned/completed/accepted/missed".into(),
    ]];
    for r in &o.rows {
        rows.push([
            r.address.to_string(),
            r.role.name().into(),
            if r.node { "node" } else { "script" }.into(),
            r.commit.clone(),
            r.revealed.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
            format_link(r.paid),
            r.bid.to_string(),
            format_link(U256::from(r.forfeited)),
            format!("{}/{}/{}/{}", r.reputation[0], r.reputation[1], r.reputation[2], r.reputation[3]),
        ]);
    }
    let mut widths = [0usize; 9];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = format!(
        "\noracle network: SLA {} (7 oracles, f = 2, majority), session {}: answer {} (expected {})\n",
        o.sla_id,
        o.session_id,
        o.answer.map(|a| a.to_string()).unwrap_or_else(|| "none".into()),
        o.expected
    );
    for row in rows {
        let cells: Vec<String> = row.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    for c in &o.checks {
        out.push_str(&format!("  [{}] {}: {}\n", if c.ok { "ok" } else { "FAIL" }, c.name, c.detail));
    }
    out
}

/// The agreement job of one node: ETH in `currency` from the demo data source, times 100.
pub fn agreement_job(external_job_id: Uuid, order_matching: Address, source_url: &str, currency: &str) -> String {
    format!(
        r#"type = "agreement"
schemaVersion = 1
name = "ETH/{currency} for SLAs"
externalJobID = "{external_job_id}"
orderMatching = "{order_matching}"
maxPenaltyJuels = "{PENALTY}"
penaltyBudgetJuels = "{budget}"
observationSource = """
    fetch [type=http method=GET url="{source_url}/data/price?fsym=$(jobRun.query.symbol)&tsyms={currency}"]
    parse [type=jsonparse path="{currency}" data="$(fetch)"]
    scale [type=multiply input="$(parse)" times={TIMES}]
    fetch -> parse -> scale
"""
"#,
        budget = 5 * PENALTY,
    )
}

/// ETH in `currency` × 100, as the demo data source serves it.
fn expected_answer(currency: &str) -> I256 {
    let price = datasource::price("ETH", currency).expect("a demo quote");
    let (int, frac) = price.split_once('.').unwrap_or((price, ""));
    let frac = format!("{frac:0<2}");
    I256::try_from(format!("{int}{}", &frac[..2]).parse::<i64>().expect("decimal")).expect("fits")
}

fn client_for(devnet: &Devnet, signer: &PrivateKeySigner, order_matching: Address) -> Agreements {
    let p = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer.clone()))
        .connect_http(devnet.anvil.endpoint_url())
        .erased();
    Agreements::new(p, order_matching).with_sender(signer.address())
}

async fn fund(p: &DynProvider, link: Address, to: Address) -> Result<()> {
    let eth = U256::from(100u128 * LINK);
    let _: serde_json::Value =
        p.raw_request("anvil_setBalance".into(), (to, eth)).await.map_err(rpc("anvil_setBalance"))?;
    let tx = LinkToken::new(link, p.clone()).transfer(to, U256::from(ORACLE_LINK)).into_transaction_request();
    stack::send(p, tx).await.map_err(DevnetError::contract(format!("funding {to}")))?;
    Ok(())
}

/// `OraclePaid` events of one session: (oracle, amount).
async fn paid_in(p: &DynProvider, order_matching: Address, session: U256) -> Result<Vec<(Address, U256)>> {
    use alloy::{rpc::types::Filter, sol_types::SolEvent};
    use linkpool_bindings::agreements::OrderMatching::OraclePaid;
    let filter = Filter::new()
        .address(order_matching)
        .event_signature(OraclePaid::SIGNATURE_HASH)
        .topic1(B256::from(session))
        .from_block(0);
    let logs = p.get_logs(&filter).await.map_err(rpc("OraclePaid logs"))?;
    Ok(logs.iter().filter_map(|l| OraclePaid::decode_log(&l.inner).ok()).map(|e| (e.oracle, e.amount)).collect())
}

async fn wait_for<F, Fut>(what: &str, mut done: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let start = tokio::time::Instant::now();
    while !done().await? {
        if start.elapsed() > PHASE_TIMEOUT {
            return Err(scenario(format!("timed out after {PHASE_TIMEOUT:?} waiting for {what}")));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

fn scenario(message: String) -> DevnetError {
    DevnetError::Scenario { name: "oracle network".into(), message }
}

fn agreements(e: linkpool_agreements::Error) -> DevnetError {
    scenario(e.to_string())
}

fn rpc<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> DevnetError {
    move |e| DevnetError::Contract { what: what.into(), message: e.to_string() }
}
