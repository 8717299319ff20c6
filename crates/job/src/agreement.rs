//! `type = "agreement"`: take part in the SLAs of an `OrderMatching` contract (decentralized
//! oracle network, ChainLink whitepaper §2.1 and §4.2 Algorithm 1).
//!
//! The job names the `OrderMatching` it watches and the node's bidding policy. Its
//! `externalJobID`, in either of its two bytes32 encodings ([`crate::spec_id_encodings`]), is the
//! SLA `jobId` it serves. For every SLA it wins, each request runs the `observationSource`
//! pipeline; its one final result, an integer (`int256`), is the node's answer, committed and
//! then revealed. The pipeline sees the SLA's query parameters as `$(jobRun.queryParams)` (the
//! UTF-8 text, for `jsonparse data=…`) and `$(jobRun.query)` (the parsed JSON object, e.g.
//! `$(jobRun.query.symbol)`), and `$(jobRun.slaId)`, `$(jobRun.sessionId)`,
//! `$(jobRun.requester)`, `$(jobRun.orderMatching)`, `$(jobRun.jobType)` and
//! `$(jobRun.deadline)`.
//!
//! ```toml
//! type = "agreement"
//! schemaVersion = 1
//! name = "ETH/USD for SLAs"
//! orderMatching = "0x…"
//! minPaymentJuels = "100000000000000000"      # per request; default 0
//! maxPenaltyJuels = "10000000000000000000"    # required
//! penaltyBudgetJuels = "50000000000000000000" # at risk over all SLAs of this job; default maxPenaltyJuels
//! jobTypes = ["eth-usd"]                      # empty: any
//! aggregators = ["0x…"]                       # empty: any
//! reputations = ["0x…"]                       # empty: any
//! bidFromPool = false                         # true: bid with pooled stake (Node.depositPenalty)
//! finalize = true                             # call finalize after the bidding window
//! settle = true                               # settle expired sessions, close ended SLAs
//! observationSource = """
//!     fetch [type=http method=GET url="https://example.com/price?sym=$(jobRun.query.symbol)"]
//!     parse [type=jsonparse path="USD" data="$(fetch)"]
//!     scale [type=multiply input="$(parse)" times=100]
//!     fetch -> parse -> scale
//! """
//! ```

use std::str::FromStr;

use alloy::primitives::{Address, B256, U256};
use serde::Deserialize;
use toml::Spanned;

use crate::{
    parse::{address, common, common_raw, toml_error, uint, IntOrString, Positions},
    spec_id_encodings, CommonSpec, Result, SpecError,
};

/// The variable roots an `agreement` pipeline may reference besides its tasks.
pub const AGREEMENT_VARIABLES: &[&str] = &["jobSpec", "jobRun"];

/// An `agreement` job: bids on the SLAs of one `OrderMatching` that name it, and answers their
/// requests by commit and reveal.
#[derive(Debug, Clone)]
pub struct AgreementSpec {
    /// Fields shared by all job types.
    pub common: CommonSpec,
    /// `orderMatching`: the `OrderMatching` contract whose SLAs this job serves.
    pub order_matching: Address,
    /// `minPaymentJuels`: SLAs paying less per oracle and request get no bid.
    pub min_payment_juels: U256,
    /// `maxPenaltyJuels`: SLAs asking a larger penalty deposit get no bid.
    pub max_penalty_juels: U256,
    /// `penaltyBudgetJuels`: most penalties at risk at once over the SLAs of this job (bids
    /// pending and SLAs won); defaults to `maxPenaltyJuels`.
    pub penalty_budget_juels: U256,
    /// `jobTypes`: the SLA's `jobType` must be one of these (empty: any).
    pub job_types: Vec<B256>,
    /// `aggregators`: the SLA's aggregating contract must be one of these (empty: any).
    pub aggregators: Vec<Address>,
    /// `reputations`: the SLA's reputation contract must be one of these (empty: any).
    pub reputations: Vec<Address>,
    /// `bidFromPool`: deposit penalties from the node's LinkPool stake (through the pool's `Node`
    /// contract) instead of the node key's own LINK.
    pub bid_from_pool: bool,
    /// `finalize`: once the bidding window of an SLA the node bid on has passed, call
    /// `finalize` (once; nothing is sent when someone else already did).
    pub finalize: bool,
    /// `settle` (default `true`): once the deadline of a session the node committed to has
    /// passed without the session settling (its answer never completed), call `settle` so the
    /// node's payment and penalty outcome are decided; and once the service period of an SLA the
    /// node serves has ended, call `close` to get the node's penalty back, settling first the
    /// expired sessions that keep the SLA open. Each call is sent once; nothing is sent when
    /// someone else already did it. With `false` the node waits for others to call them.
    pub settle: bool,
}

/// What an SLA proposal offers, as the bidding policy sees it (from `SlaProposed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaOffer {
    /// The SLA's `jobId`.
    pub job_id: B256,
    /// The SLA's `jobType`.
    pub job_type: B256,
    /// Juels per accepted oracle and request.
    pub payment_per_oracle: U256,
    /// Juels each bidder deposits.
    pub penalty: U256,
    /// Bids are taken until this time (unix seconds, inclusive).
    pub bidding_ends: u64,
    /// The aggregating contract.
    pub aggregator: Address,
    /// The reputation contract.
    pub reputation: Address,
}

/// Why the policy of an agreement job gives an SLA no bid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BidRefusal {
    /// The SLA names another job.
    #[error("jobId {0} is not this job's externalJobID")]
    OtherJob(B256),
    /// The payment is below `minPaymentJuels`.
    #[error("pays {offered} juels per oracle and request, below minPaymentJuels {min}")]
    PaymentTooLow {
        /// What the SLA pays.
        offered: U256,
        /// The job's minimum.
        min: U256,
    },
    /// The penalty is above `maxPenaltyJuels`.
    #[error("asks a penalty of {penalty} juels, above maxPenaltyJuels {max}")]
    PenaltyTooHigh {
        /// What the SLA asks.
        penalty: U256,
        /// The job's maximum.
        max: U256,
    },
    /// The penalty would take the penalties at risk over `penaltyBudgetJuels`.
    #[error(
        "a penalty of {penalty} juels on top of {at_risk} juels already at risk exceeds penaltyBudgetJuels {budget}"
    )]
    OverBudget {
        /// What the SLA asks.
        penalty: U256,
        /// Penalties of this job already at risk.
        at_risk: U256,
        /// The job's budget.
        budget: U256,
    },
    /// The SLA's `jobType` is not in `jobTypes`.
    #[error("jobType {0} is not in the job's jobTypes")]
    JobTypeNotAllowed(B256),
    /// The SLA's aggregator is not in `aggregators`.
    #[error("aggregator {0} is not in the job's aggregators")]
    AggregatorNotAllowed(Address),
    /// The SLA's reputation contract is not in `reputations`.
    #[error("reputation contract {0} is not in the job's reputations")]
    ReputationNotAllowed(Address),
    /// The bidding window has passed.
    #[error("bidding closed at {bidding_ends}; the chain's time is {now}")]
    BiddingClosed {
        /// The SLA's `biddingEnds`.
        bidding_ends: u64,
        /// The latest block's timestamp.
        now: u64,
    },
}

impl AgreementSpec {
    /// The two SLA `jobId` values that name this job (the `externalJobID`'s encodings).
    pub fn sla_job_ids(&self) -> [B256; 2] {
        spec_id_encodings(self.common.external_job_id)
    }

    /// Whether an SLA with `job_id` is for this job.
    pub fn serves(&self, job_id: B256) -> bool {
        self.sla_job_ids().contains(&job_id)
    }

    /// The bidding policy: `Ok` if the node should bid on `offer`, with `at_risk` juels of this
    /// job's penalties already at risk and the chain's clock at `now` (unix seconds).
    pub fn evaluate(&self, offer: &SlaOffer, at_risk: U256, now: u64) -> std::result::Result<(), BidRefusal> {
        if !self.serves(offer.job_id) {
            return Err(BidRefusal::OtherJob(offer.job_id));
        }
        if now > offer.bidding_ends {
            return Err(BidRefusal::BiddingClosed { bidding_ends: offer.bidding_ends, now });
        }
        if offer.payment_per_oracle < self.min_payment_juels {
            return Err(BidRefusal::PaymentTooLow { offered: offer.payment_per_oracle, min: self.min_payment_juels });
        }
        if offer.penalty > self.max_penalty_juels {
            return Err(BidRefusal::PenaltyTooHigh { penalty: offer.penalty, max: self.max_penalty_juels });
        }
        if at_risk.saturating_add(offer.penalty) > self.penalty_budget_juels {
            return Err(BidRefusal::OverBudget { penalty: offer.penalty, at_risk, budget: self.penalty_budget_juels });
        }
        if !self.job_types.is_empty() && !self.job_types.contains(&offer.job_type) {
            return Err(BidRefusal::JobTypeNotAllowed(offer.job_type));
        }
        if !self.aggregators.is_empty() && !self.aggregators.contains(&offer.aggregator) {
            return Err(BidRefusal::AggregatorNotAllowed(offer.aggregator));
        }
        if !self.reputations.is_empty() && !self.reputations.contains(&offer.reputation) {
            return Err(BidRefusal::ReputationNotAllowed(offer.reputation));
        }
        Ok(())
    }
}

/// A `jobTypes` entry as the bytes32 an SLA carries: `0x` + 64 hex digits as is, otherwise the
/// UTF-8 text right-padded with zeros (Solidity's `bytes32("eth-usd")`), at most 32 bytes.
pub fn job_type_bytes32(text: &str) -> std::result::Result<B256, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty job type".into());
    }
    if (t.starts_with("0x") || t.starts_with("0X")) && t.len() == 66 {
        return B256::from_str(t).map_err(|e| format!("{t:?} is not a bytes32 ({e})"));
    }
    if t.len() > 32 {
        return Err(format!("{t:?} is {} bytes; a job type is at most 32 (or 0x + 64 hex digits)", t.len()));
    }
    let mut word = [0u8; 32];
    word[..t.len()].copy_from_slice(t.as_bytes());
    Ok(B256::from(word))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawAgreement {
    #[serde(rename = "type")]
    _job_type: String,
    schema_version: Option<Spanned<i64>>,
    name: Option<String>,
    #[serde(rename = "externalJobID")]
    external_job_id: Option<Spanned<String>>,
    max_task_duration: Option<Spanned<String>>,
    gas_limit: Option<Spanned<i64>>,
    forwarding_allowed: Option<bool>,
    observation_source: Option<Spanned<String>>,
    order_matching: Option<Spanned<String>>,
    min_payment_juels: Option<Spanned<IntOrString>>,
    max_penalty_juels: Option<Spanned<IntOrString>>,
    penalty_budget_juels: Option<Spanned<IntOrString>>,
    job_types: Option<Spanned<Vec<String>>>,
    aggregators: Option<Spanned<Vec<String>>>,
    reputations: Option<Spanned<Vec<String>>>,
    bid_from_pool: Option<bool>,
    finalize: Option<bool>,
    settle: Option<bool>,
}

fn addresses(field: &str, list: Option<Spanned<Vec<String>>>, pos: &Positions<'_>) -> Result<Vec<Address>> {
    let Some(list) = list else { return Ok(Vec::new()) };
    let mut out: Vec<Address> = Vec::new();
    for a in list.get_ref() {
        let parsed = Address::from_str(a.trim())
            .map_err(|e| SpecError::new(format!("not an address: {a:?} ({e})")).field(field).at(pos.span(&list)))?;
        if !out.contains(&parsed) {
            out.push(parsed);
        }
    }
    Ok(out)
}

pub(crate) fn parse_agreement(src: &str, pos: &Positions<'_>) -> Result<AgreementSpec> {
    let raw: RawAgreement = toml::from_str(src).map_err(|e| toml_error(src, e))?;
    let common = common(src, pos, common_raw!(raw), AGREEMENT_VARIABLES)?;
    let terminals = common.pipeline.terminal_tasks();
    if terminals.len() != 1 {
        let ids: Vec<&str> = terminals.iter().map(|t| t.id.as_str()).collect();
        return Err(SpecError::new(format!(
            "an agreement job answers with one integer: its pipeline needs exactly one final task, not {} ({})",
            ids.len(),
            ids.join(", ")
        ))
        .field("observationSource"));
    }
    let order_matching = match raw.order_matching {
        Some(a) => address("orderMatching", &a, pos)?,
        None => {
            return Err(
                SpecError::new("missing; the OrderMatching contract whose SLAs this job serves").field("orderMatching")
            )
        }
    };
    if order_matching == Address::ZERO {
        return Err(SpecError::new("the zero address is no contract").field("orderMatching"));
    }
    let min_payment_juels =
        raw.min_payment_juels.map(|v| uint("minPaymentJuels", &v, pos)).transpose()?.unwrap_or_default();
    let max_penalty_juels = match raw.max_penalty_juels {
        Some(v) => uint("maxPenaltyJuels", &v, pos)?,
        None => {
            return Err(SpecError::new(
                "missing; the largest penalty (juels) the node may deposit for one SLA of this job",
            )
            .field("maxPenaltyJuels"))
        }
    };
    let penalty_budget_juels = match raw.penalty_budget_juels {
        Some(v) => {
            let budget = uint("penaltyBudgetJuels", &v, pos)?;
            if budget < max_penalty_juels {
                return Err(SpecError::new(format!(
                    "{budget} is below maxPenaltyJuels {max_penalty_juels}: no SLA at the maximum penalty could be bid on"
                ))
                .field("penaltyBudgetJuels")
                .at(pos.span(&v)));
            }
            budget
        }
        None => max_penalty_juels,
    };
    let mut job_types: Vec<B256> = Vec::new();
    if let Some(list) = raw.job_types {
        for t in list.get_ref() {
            let word = job_type_bytes32(t).map_err(|e| SpecError::new(e).field("jobTypes").at(pos.span(&list)))?;
            if !job_types.contains(&word) {
                job_types.push(word);
            }
        }
    }
    Ok(AgreementSpec {
        common,
        order_matching,
        min_payment_juels,
        max_penalty_juels,
        penalty_budget_juels,
        job_types,
        aggregators: addresses("aggregators", raw.aggregators, pos)?,
        reputations: addresses("reputations", raw.reputations, pos)?,
        bid_from_pool: raw.bid_from_pool.unwrap_or(false),
        finalize: raw.finalize.unwrap_or(true),
        settle: raw.settle.unwrap_or(true),
    })
}
