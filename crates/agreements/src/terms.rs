//! SLA terms with sensible defaults, checked before any transaction (the contract checks them
//! again: `InvalidOracleCount`, `InvalidSchedule`, `InvalidAmounts`, `CallbackGasTooHigh`).

use alloy::primitives::{aliases::U96, Address, Bytes, B256, U256};

use crate::{Error, Requirements, Result, SlaTerms};

/// One LINK in juels.
pub const LINK: u128 = 1_000_000_000_000_000_000;
/// `OrderMatching.MAX_CALLBACK_GAS`.
pub const MAX_CALLBACK_GAS: u32 = 2_500_000;

/// The fault bound of `n` oracles: `(n - 1) / 3`.
pub fn fault_bound(oracles: u8) -> u8 {
    oracles.saturating_sub(1) / 3
}

/// The commitments that make a session "committed": `2f + 1`.
pub fn quorum(oracles: u8) -> u8 {
    2 * fault_bound(oracles) + 1
}

/// Builds [`SlaTerms`]; every field has a default but the job, reputation and aggregator.
#[derive(Debug, Clone)]
pub struct SlaTermsBuilder {
    /// The job spec id the oracles run.
    pub job_id: B256,
    /// The reputation kind; defaults to the job id.
    pub job_type: Option<B256>,
    /// Query parameters (a JSON object).
    pub query_params: Bytes,
    /// n, 4 to 31 (default 7: f = 2).
    pub oracles: u8,
    /// Missed sessions in a row before the penalty is forfeited (default 2).
    pub max_misses: u8,
    /// Juels per accepted oracle per request (default 0.1 LINK).
    pub payment_per_oracle: u128,
    /// Juels each bidder deposits (default 10 LINK).
    pub penalty: u128,
    /// Seconds from now bids are taken (default 300).
    pub bidding_window: u64,
    /// Seconds after the bidding window requests are taken (default 7 days).
    pub service_period: u64,
    /// Seconds a request has to find its answer (default 300).
    pub response_window: u32,
    /// Gas for the requester's callback (default 200,000).
    pub callback_gas_limit: u32,
    /// The reputation contract.
    pub reputation: Address,
    /// The aggregating contract.
    pub aggregator: Address,
    /// Minimum reputation of bidders (default none).
    pub requirements: Requirements,
}

impl SlaTermsBuilder {
    /// Defaults for `job_id` with `reputation` and `aggregator`.
    pub fn new(job_id: B256, reputation: Address, aggregator: Address) -> Self {
        Self {
            job_id,
            job_type: None,
            query_params: Bytes::new(),
            oracles: 7,
            max_misses: 2,
            payment_per_oracle: LINK / 10,
            penalty: 10 * LINK,
            bidding_window: 300,
            service_period: 7 * 24 * 3600,
            response_window: 300,
            callback_gas_limit: 200_000,
            reputation,
            aggregator,
            requirements: Requirements { minAccepted: 0, minAcceptanceBps: 0, maxForfeits: u32::MAX },
        }
    }

    /// The terms, with the bidding window starting at `now` (unix seconds, the chain's clock).
    pub fn build(&self, now: u64) -> Result<SlaTerms> {
        if !(4..=31).contains(&self.oracles) {
            return Err(invalid("oracles", format!("{} is not between 4 and 31", self.oracles)));
        }
        if self.payment_per_oracle == 0 || self.penalty == 0 {
            return Err(invalid("payment/penalty", "the payment per oracle and the penalty must be above 0".into()));
        }
        let max96 = (1u128 << 96) - 1;
        if self.payment_per_oracle > max96 || self.penalty > max96 {
            return Err(invalid("payment/penalty", "amounts above 2^96 juels do not fit".into()));
        }
        if self.service_period == 0 || self.response_window == 0 {
            return Err(invalid("service-period/response-window", "must be above 0 seconds".into()));
        }
        if self.callback_gas_limit > MAX_CALLBACK_GAS {
            return Err(invalid("callback-gas", format!("{} is above {MAX_CALLBACK_GAS}", self.callback_gas_limit)));
        }
        if self.reputation.is_zero() || self.aggregator.is_zero() {
            return Err(invalid("reputation/aggregator", "both contract addresses are required".into()));
        }
        let bidding_ends = now + self.bidding_window;
        Ok(SlaTerms {
            jobId: self.job_id,
            jobType: self.job_type.unwrap_or(self.job_id),
            queryParams: self.query_params.clone(),
            oracles: self.oracles,
            maxMisses: self.max_misses,
            paymentPerOracle: U96::from(self.payment_per_oracle),
            penalty: U96::from(self.penalty),
            biddingEnds: bidding_ends,
            serviceEnds: bidding_ends + self.service_period,
            responseWindow: self.response_window,
            callbackGasLimit: self.callback_gas_limit,
            reputation: self.reputation,
            aggregator: self.aggregator,
            requirements: self.requirements.clone(),
        })
    }
}

/// The escrow a request of `terms` takes: `quorum * paymentPerOracle`.
pub fn request_escrow(terms: &SlaTerms) -> U256 {
    U256::from(quorum(terms.oracles)) * U256::from(terms.paymentPerOracle)
}

fn invalid(name: &'static str, reason: String) -> Error {
    Error::InvalidTerm { name, reason }
}
