//! `linkpool bench aggregation`: the gas of one answered request of the decentralized oracle
//! network (issue 6; ChainLink whitepaper §4.2 Algorithm 1 on chain), for networks of 4 to 31
//! oracles.
//!
//! [`run`] starts its own anvil (with [`ANVIL_ACCOUNTS`] funded accounts) and, for each size `n`
//! of [`AggregationBenchOptions::sizes`], on fresh contracts (a new LINK token, `Reputation`,
//! `OrderMatching`, the aggregators and an `SlaConsumer`, so no size inherits another's storage):
//! 1. gives `n` oracles (anvil accounts 1 to n) the SLA's penalty in LINK;
//! 2. the purchaser (account 0) proposes an SLA of `n` oracles judged by the mode aggregator
//!    (`maxMisses` 255, so the oracles that never commit are not forfeited during the bench);
//! 3. all `n` oracles bid, the chain's clock jumps past the bidding window (`evm_increaseTime`,
//!    `evm_mine`) and the SLA is finalized: every bidder is selected;
//! 4. requests, one at a time: the purchaser opens a session (`LINK.transferAndCall` with the
//!    escrow `q * payment`), the first `q = 2f + 1` selected oracles commit the same answer (the
//!    quorum: after it, commitments are refused, so no more are sent), then the same `q` reveal.
//!    The mode rule is met at the `(f + 1)`-th reveal, which delivers the answer to
//!    `SlaConsumer.fulfill(uint256,int256)`; the `q`-th reveal settles the session (pays the `q`
//!    accepted oracles, records `n` outcomes in `Reputation`). Each session is checked: settled,
//!    answered with the oracles' answer, and the consumer holds it.
//!
//! The gas of a request is the sum of the `gasUsed` of its receipts: the request, every commit,
//! every reveal (the settlement is inside the last one). The first request of each size writes
//! every oracle's reputation record from zero; it is reported apart (`first_answer_gas.<n>`) and
//! the figures are the means of the next [`AggregationBenchOptions::requests`] (steady state).
//! Salts are derived from the size, the request and the oracle, so runs are reproducible.

use std::time::{Duration, Instant};

use alloy::{
    network::TransactionBuilder,
    node_bindings::AnvilInstance,
    primitives::{keccak256, Address, FixedBytes, B256, I256, U256},
    providers::DynProvider,
    sol_types::SolCall,
};
use linkpool_agreements::{
    commitment::commitment,
    deploy::{deploy, AgreementContracts},
    terms::{fault_bound, quorum, SlaTermsBuilder},
    Agreements,
};
use linkpool_bindings::{agreements::SlaConsumer, stack, LinkToken};
use serde_json::{json, Map, Value};

use crate::{
    clock::{increase_time, latest_timestamp},
    DevnetError, Result,
};

/// The network sizes measured by default (`n`; `f = (n - 1) / 3`).
pub const DEFAULT_SIZES: [u8; 5] = [4, 7, 10, 16, 31];
/// Accounts anvil starts with: the purchaser and up to 31 oracles, with room to spare.
pub const ANVIL_ACCOUNTS: usize = 40;
/// The answer every oracle gives (an 8-decimal price).
pub const ANSWER: i64 = 3_141_592_653_589;
/// The SLA's bidding window in seconds (the bench jumps past it).
const BIDDING_WINDOW: u64 = 300;

/// Settings of [`run`].
#[derive(Debug, Clone)]
pub struct AggregationBenchOptions {
    /// Network sizes, each 4 to 31.
    pub sizes: Vec<u8>,
    /// Requests measured per size after the first (their mean is reported); at least 1.
    pub requests: usize,
}

impl Default for AggregationBenchOptions {
    fn default() -> Self {
        Self { sizes: DEFAULT_SIZES.to_vec(), requests: 3 }
    }
}

/// The gas of one answered request: whole-transaction `gasUsed`, summed per phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestGas {
    /// The purchaser's request (`transferAndCall` opening the session).
    pub request: u64,
    /// The quorum's commits, together.
    pub commits: u64,
    /// The quorum's reveals, together; the answer's delivery and the settlement are inside them.
    pub reveals: u64,
}

impl RequestGas {
    /// Everything the answer cost.
    pub fn total(&self) -> u64 {
        self.request + self.commits + self.reveals
    }
}

/// What was measured for one network size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeGas {
    /// `n`, the oracles selected.
    pub oracles: u8,
    /// The fault bound `(n - 1) / 3`.
    pub f: u8,
    /// `2f + 1`: the commits (and reveals) per request.
    pub quorum: u8,
    /// The first request (reputation records written from zero).
    pub first: RequestGas,
    /// The measured requests after it.
    pub samples: Vec<RequestGas>,
}

impl SizeGas {
    /// The mean of each phase over [`Self::samples`] (rounded down); its `total()` is the sum of
    /// those means, so the parts always add up to the whole.
    pub fn mean(&self) -> RequestGas {
        let k = self.samples.len().max(1) as u64;
        let sum = |part: fn(&RequestGas) -> u64| self.samples.iter().map(part).sum::<u64>() / k;
        RequestGas { request: sum(|g| g.request), commits: sum(|g| g.commits), reveals: sum(|g| g.reveals) }
    }

    /// The mean total divided by the `n` selected oracles.
    pub fn per_oracle(&self) -> u64 {
        self.mean().total() / u64::from(self.oracles.max(1))
    }
}

/// What [`run`] measured.
#[derive(Debug, Clone)]
pub struct AggregationBenchReport {
    /// One entry per size, in the order asked.
    pub sizes: Vec<SizeGas>,
    /// Requests measured per size (after the first).
    pub requests: usize,
    /// Everything, anvil start to the last receipt.
    pub elapsed: Duration,
}

impl AggregationBenchReport {
    /// One flat object: `gas_per_answer.<n>` (the mean total) and, per size, `request_gas.<n>`,
    /// `commit_gas.<n>`, `reveal_gas.<n>`, `gas_per_oracle.<n>`, `first_answer_gas.<n>`, `f.<n>`,
    /// `quorum.<n>`; then `sizes`, `requests_measured`, `aggregator`, `elapsed_s`.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for s in &self.sizes {
            let m = s.mean();
            let n = s.oracles;
            out.insert(format!("gas_per_answer.{n}"), json!(m.total()));
            out.insert(format!("request_gas.{n}"), json!(m.request));
            out.insert(format!("commit_gas.{n}"), json!(m.commits));
            out.insert(format!("reveal_gas.{n}"), json!(m.reveals));
            out.insert(format!("gas_per_oracle.{n}"), json!(s.per_oracle()));
            out.insert(format!("first_answer_gas.{n}"), json!(s.first.total()));
            out.insert(format!("f.{n}"), json!(s.f));
            out.insert(format!("quorum.{n}"), json!(s.quorum));
        }
        out.insert("sizes".into(), json!(self.sizes.iter().map(|s| s.oracles).collect::<Vec<_>>()));
        out.insert("requests_measured".into(), json!(self.requests));
        out.insert("aggregator".into(), json!("mode"));
        out.insert("elapsed_s".into(), json!(self.elapsed.as_secs_f64()));
        Value::Object(out)
    }

    /// The table, one row per size.
    pub fn table(&self) -> String {
        let mut out = format!(
            "gas of one answered request (whole-transaction gasUsed; mean of {} requests after the first),\n\
             mode aggregator, every oracle honest; the quorum q = 2f + 1 commits and reveals, the last\n\
             reveal settles; gas/oracle = total / n\n\n",
            self.requests
        );
        let header = [
            "n",
            "f",
            "quorum",
            "request",
            "commits (q)",
            "reveals+settle (q)",
            "total/answer",
            "gas/oracle",
            "1st answer",
        ];
        let widths = [3, 3, 6, 9, 12, 19, 13, 11, 11];
        let row = |cells: [String; 9]| -> String {
            let mut line = String::new();
            for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(&format!("{c:>w$}"));
            }
            line.push('\n');
            line
        };
        out.push_str(&row(header.map(str::to_owned)));
        out.push_str(&row(widths.map(|w| "-".repeat(w))));
        for s in &self.sizes {
            let m = s.mean();
            out.push_str(&row([
                s.oracles.to_string(),
                s.f.to_string(),
                s.quorum.to_string(),
                m.request.to_string(),
                m.commits.to_string(),
                m.reveals.to_string(),
                m.total().to_string(),
                s.per_oracle().to_string(),
                s.first.total().to_string(),
            ]));
        }
        out.push_str(&format!("\n{:.1}s in all\n", self.elapsed.as_secs_f64()));
        out
    }
}

/// Runs the bench (see the module docs); `progress` receives a line now and then.
pub async fn run(opts: &AggregationBenchOptions, progress: impl Fn(&str)) -> Result<AggregationBenchReport> {
    if opts.sizes.is_empty() || opts.sizes.iter().any(|n| !(4..=31).contains(n)) {
        return Err(invalid(format!("every network size must be 4 to 31, got {:?}", opts.sizes)));
    }
    if opts.requests == 0 {
        return Err(invalid("at least one request must be measured".into()));
    }
    let started = Instant::now();
    let anvil = linkpool_devtools::anvil()?.args(["--accounts", &ANVIL_ACCOUNTS.to_string()]).try_spawn()?;
    let p = linkpool_devtools::test_provider(&anvil);
    progress(&format!("anvil is up with {ANVIL_ACCOUNTS} accounts"));
    let mut sizes = Vec::with_capacity(opts.sizes.len());
    for &n in &opts.sizes {
        let size_started = Instant::now();
        let gas = measure_size(&p, &anvil, n, opts.requests, &progress).await?;
        progress(&format!(
            "n = {n}: {} gas per answer ({:.1}s)",
            gas.mean().total(),
            size_started.elapsed().as_secs_f64()
        ));
        sizes.push(gas);
    }
    Ok(AggregationBenchReport { sizes, requests: opts.requests, elapsed: started.elapsed() })
}

fn invalid(message: String) -> DevnetError {
    DevnetError::Contract { what: "aggregation bench".into(), message }
}

fn failed<E: std::fmt::Display>(what: impl Into<String>) -> impl FnOnce(E) -> DevnetError {
    DevnetError::contract(what)
}

/// The salt of `oracle`'s commitment in request `request` of size `n`.
fn salt(n: u8, request: usize, oracle: Address) -> B256 {
    keccak256(format!("linkpool bench aggregation: n {n} request {request} oracle {oracle}"))
}

async fn measure_size(
    p: &DynProvider,
    anvil: &AnvilInstance,
    n: u8,
    requests: usize,
    progress: &impl Fn(&str),
) -> Result<SizeGas> {
    let purchaser = anvil.addresses()[0];
    let oracles: Vec<Address> = anvil.addresses()[1..=usize::from(n)].to_vec();

    let link = stack::deploy_link(p, purchaser, stack::Flavor::Linkpool).await.map_err(failed("deploying LINK"))?;
    let c: AgreementContracts =
        deploy(p, link, purchaser, None).await.map_err(failed("deploying the agreement contracts"))?;
    let consumer = stack::send(
        p,
        SlaConsumer::deploy_builder(p.clone(), c.order_matching).into_transaction_request().with_from(purchaser),
    )
    .await
    .map_err(failed("deploying SlaConsumer"))?
    .contract_address
    .ok_or_else(|| invalid("the SlaConsumer deployment has no contract address".into()))?;

    let mut builder = SlaTermsBuilder::new(keccak256("linkpool bench aggregation job"), c.reputation, c.mode);
    builder.oracles = n;
    builder.max_misses = u8::MAX;
    builder.bidding_window = BIDDING_WINDOW;
    let token = LinkToken::new(link, p.clone());
    for &oracle in &oracles {
        let fund = token.transfer(oracle, U256::from(builder.penalty)).from(purchaser).into_transaction_request();
        stack::send(p, fund).await.map_err(failed("funding an oracle"))?;
    }

    let now = latest_timestamp(p).await?;
    let terms = builder.build(now).map_err(failed("SLA terms"))?;
    let client = Agreements::new(p.clone(), c.order_matching);
    let buyer = client.with_sender(purchaser);
    let (sla_id, _) = buyer.propose(terms).await.map_err(failed("proposeSla"))?;
    for &oracle in &oracles {
        client.with_sender(oracle).bid(sla_id).await.map_err(failed("bid"))?;
    }
    increase_time(p, BIDDING_WINDOW + 1).await?;
    buyer.finalize(sla_id).await.map_err(failed("finalize"))?;
    let sla = client.sla(sla_id).await.map_err(failed("sla"))?;
    if sla.selected.len() != usize::from(n) {
        return Err(invalid(format!("SLA of {n} oracles finalized with {} selected", sla.selected.len())));
    }
    progress(&format!("n = {n}: SLA {sla_id} finalized with {n} oracles; requesting"));

    let q = quorum(n);
    let committing: Vec<Address> = sla.selected[..usize::from(q)].to_vec();
    let selector = FixedBytes::from(SlaConsumer::fulfillCall::SELECTOR);
    let answer = I256::try_from(ANSWER).expect("fits");
    let mut measured = Vec::with_capacity(requests + 1);
    for r in 0..=requests {
        let (session, sent) = buyer.request(sla_id, consumer, selector).await.map_err(failed("request"))?;
        let mut gas = RequestGas { request: sent.gas_used, ..RequestGas::default() };
        for &oracle in &committing {
            let hash = commitment(answer, salt(n, r, oracle), oracle);
            gas.commits += client.with_sender(oracle).commit(session, hash).await.map_err(failed("commit"))?.gas_used;
        }
        for &oracle in &committing {
            let sent = client.with_sender(oracle).reveal(session, answer, salt(n, r, oracle)).await;
            gas.reveals += sent.map_err(failed("reveal"))?.gas_used;
        }
        check_answered(p, &client, consumer, session, answer).await?;
        measured.push(gas);
    }
    let first = measured.remove(0);
    Ok(SizeGas { oracles: n, f: fault_bound(n), quorum: q, first, samples: measured })
}

/// The session settled with `answer`, and the consumer received it.
async fn check_answered(
    p: &DynProvider,
    client: &Agreements,
    consumer: Address,
    session: U256,
    answer: I256,
) -> Result<()> {
    let s = client.session(session).await.map_err(failed("session"))?;
    // `SessionStatus.Settled`.
    let settled = s.status == 3;
    if !settled || !s.answered || s.answer != answer {
        return Err(invalid(format!(
            "session {session} after the last reveal: status {}, answered {}, answer {} (expected settled with {answer})",
            s.status, s.answered, s.answer
        )));
    }
    let received = SlaConsumer::new(consumer, p.clone()).answers(session).call().await.map_err(failed("answers"))?;
    if received != answer {
        return Err(invalid(format!("the consumer holds {received} for session {session}, not {answer}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(samples: Vec<RequestGas>) -> SizeGas {
        SizeGas { oracles: 4, f: 1, quorum: 3, first: RequestGas { request: 1, commits: 2, reveals: 3 }, samples }
    }

    #[test]
    fn means_add_up_and_keys_are_flat() {
        let s = size(vec![
            RequestGas { request: 100, commits: 301, reveals: 500 },
            RequestGas { request: 101, commits: 300, reveals: 503 },
        ]);
        let m = s.mean();
        assert_eq!(m, RequestGas { request: 100, commits: 300, reveals: 501 });
        assert_eq!(m.total(), 901);
        assert_eq!(s.per_oracle(), 225);
        let report = AggregationBenchReport { sizes: vec![s], requests: 2, elapsed: Duration::from_secs(1) };
        let v = report.to_json();
        assert_eq!(v["gas_per_answer.4"], json!(901));
        assert_eq!(v["first_answer_gas.4"], json!(6));
        assert_eq!(v["quorum.4"], json!(3));
        assert!(report.table().contains("901"));
    }
}
