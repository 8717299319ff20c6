//! `linkpool sla propose`: every `SlaTerms` field as a flag, with `SlaTermsBuilder`'s defaults.

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, Bytes, B256, U256},
    providers::{DynProvider, Provider},
};
use clap::Args;
use eyre::Context;
use linkpool_agreements::terms::{fault_bound, quorum, request_escrow, SlaTermsBuilder};
use linkpool_bindings::{aggregation::IAggregator, agreements::Reputation, stack::SentTx};
use serde::Serialize;

use super::{
    duration, job_type_text, link, opts::ensure_contract, parse_duration, parse_job_id, parse_job_type, parse_link,
    parse_query_params, when, KeyOpts, NetworkOpts,
};
use crate::table::{print_json, print_pairs, print_transactions};

/// The standard aggregators `--aggregator` takes by name, and the variable holding each address.
pub(crate) const AGGREGATOR_NAMES: [(&str, &str); 4] = [
    ("mode", "LINKPOOL_AGGREGATOR_MODE"),
    ("median", "LINKPOOL_AGGREGATOR_MEDIAN"),
    ("trimmed-mean", "LINKPOOL_AGGREGATOR_TRIMMED_MEAN"),
    ("weighted-mean", "LINKPOOL_AGGREGATOR_WEIGHTED_MEAN"),
];

/// `--aggregator`: an address, or a standard aggregator's name.
#[derive(Debug, Clone)]
pub(crate) enum AggregatorArg {
    Address(Address),
    Named { name: &'static str, var: &'static str },
}

fn parse_aggregator(s: &str) -> Result<AggregatorArg, String> {
    let t = s.trim();
    if let Some(&(name, var)) = AGGREGATOR_NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(t)) {
        return Ok(AggregatorArg::Named { name, var });
    }
    t.parse::<Address>().map(AggregatorArg::Address).map_err(|_| {
        let names: Vec<&str> = AGGREGATOR_NAMES.iter().map(|(n, _)| *n).collect();
        format!("{s:?} is neither an address nor one of {}", names.join(", "))
    })
}

impl AggregatorArg {
    fn resolve(&self) -> eyre::Result<Address> {
        match self {
            Self::Address(a) => Ok(*a),
            Self::Named { name, var } => {
                let value = std::env::var(var).unwrap_or_default();
                if value.trim().is_empty() {
                    eyre::bail!(
                        "--aggregator {name}: set {var} to its address (`linkpool agreements deploy` prints the \
                         export line), or pass the address itself"
                    );
                }
                value.trim().parse().map_err(|_| eyre::eyre!("--aggregator {name}: {var}={value:?} is not an address"))
            }
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ProposeArgs {
    /// The job the oracles run: its external job id (UUID; encoded as the node reads an SLA's
    /// jobId: the 32 ASCII characters without dashes) or a bytes32.
    #[arg(long, value_parser = parse_job_id)]
    job_id: B256,
    /// The kind of assignment reputation is kept for, e.g. `eth-usd` (text of at most 32 bytes,
    /// right-padded with zeros, or a bytes32). Default: the job id.
    #[arg(long, value_parser = parse_job_type)]
    job_type: Option<B256>,
    /// Query parameters handed to the oracles' job: a JSON object, e.g. '{"symbol": "ETH"}'.
    /// Default: none.
    #[arg(long, value_parser = parse_query_params)]
    query_params: Option<Bytes>,
    /// n, the oracles to select: 4 to 31. They tolerate f = (n - 1) / 3 faulty ones; each request
    /// needs the commitments of q = 2f + 1.
    #[arg(long, default_value_t = 7)]
    oracles: u8,
    /// Sessions an oracle may miss in a row; one more forfeits its penalty.
    #[arg(long, default_value_t = 2)]
    max_misses: u8,
    /// LINK paid to each accepted oracle per request (up to 18 decimals; or `<n>juels`).
    #[arg(long, value_parser = parse_link, default_value = "0.1")]
    payment: u128,
    /// LINK each bidder deposits, lost on misbehaviour (up to 18 decimals; or `<n>juels`).
    #[arg(long, value_parser = parse_link, default_value = "10")]
    penalty: u128,
    /// How long oracles may bid, from now (5m, 1h, 300).
    #[arg(long, value_parser = parse_duration, default_value = "5m")]
    bidding_window: u64,
    /// How long requests are taken after the bidding window; penalties come back after it.
    #[arg(long, value_parser = parse_duration, default_value = "7d")]
    service_period: u64,
    /// How long a request has to reach its answer.
    #[arg(long, value_parser = parse_duration, default_value = "5m")]
    response_window: u64,
    /// Gas for your callback (at most 2,500,000).
    #[arg(long, default_value_t = 200_000)]
    callback_gas: u32,
    /// The aggregating contract: an address, or mode | median | trimmed-mean | weighted-mean
    /// (read from LINKPOOL_AGGREGATOR_MODE, …_MEDIAN, …_TRIMMED_MEAN, …_WEIGHTED_MEAN).
    #[arg(long, value_parser = parse_aggregator)]
    aggregator: AggregatorArg,
    /// Bidders need at least this many accepted answers (over all job types).
    #[arg(long, default_value_t = 0)]
    min_accepted: u32,
    /// Bidders need at least this acceptance rate, in basis points (oracles without history
    /// count 5000).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=10_000))]
    min_acceptance_bps: u16,
    /// Bidders may have forfeited at most this many penalties. Default: no limit.
    #[arg(long)]
    max_forfeits: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Proposed {
    sla_id: u64,
    purchaser: Address,
    order_matching: Address,
    job_id: B256,
    job_type: B256,
    oracles: u8,
    f: u8,
    quorum: u8,
    payment_per_oracle: String,
    penalty: String,
    escrow_per_request: String,
    bidding_ends: u64,
    service_ends: u64,
    reputation: Address,
    aggregator: Address,
    aggregator_rule: String,
    transaction: SentTx,
}

impl ProposeArgs {
    /// The terms, with the bidding window from `now`; the builder's checks with the flags' names.
    fn terms(&self, reputation: Address, aggregator: Address, now: u64) -> eyre::Result<linkpool_agreements::SlaTerms> {
        if !(4..=31).contains(&self.oracles) {
            eyre::bail!(
                "--oracles {}: an SLA selects 4 to 31 oracles (n oracles tolerate f = (n - 1) / 3 faulty ones, so 4 \
                 is the fewest that tolerate one)",
                self.oracles
            );
        }
        if self.payment == 0 || self.penalty == 0 {
            eyre::bail!("--payment and --penalty must be above 0 LINK");
        }
        let response_window = u32::try_from(self.response_window)
            .map_err(|_| eyre::eyre!("--response-window {}s is too long", self.response_window))?;
        let mut b = SlaTermsBuilder::new(self.job_id, reputation, aggregator);
        b.job_type = self.job_type;
        b.query_params = self.query_params.clone().unwrap_or_default();
        b.oracles = self.oracles;
        b.max_misses = self.max_misses;
        b.payment_per_oracle = self.payment;
        b.penalty = self.penalty;
        b.bidding_window = self.bidding_window;
        b.service_period = self.service_period;
        b.response_window = response_window;
        b.callback_gas_limit = self.callback_gas;
        b.requirements.minAccepted = self.min_accepted;
        b.requirements.minAcceptanceBps = self.min_acceptance_bps;
        if let Some(max) = self.max_forfeits {
            b.requirements.maxForfeits = max;
        }
        Ok(b.build(now)?)
    }

    pub(crate) async fn run(self, net: &NetworkOpts, key: &KeyOpts) -> eyre::Result<()> {
        let reputation = net.reputation()?;
        let aggregator = self.aggregator.resolve()?;
        // The terms are checked before any RPC call.
        self.terms(reputation, aggregator, 0)?;
        let om = net.writer(key, "sla propose").await?;
        let p = om.provider().clone();
        let rule = check_contracts(&p, om.address(), reputation, aggregator).await?;
        let now = latest_timestamp(&p).await?;
        let terms = self.terms(reputation, aggregator, now)?;
        eprintln!("proposing an SLA of {} oracles judged by {rule} ({aggregator}) …", terms.oracles);
        let (sla_id, sent) = om.propose(terms.clone()).await?;
        let n = terms.oracles;
        let report = Proposed {
            sla_id: super::id(sla_id),
            purchaser: om.sender(),
            order_matching: om.address(),
            job_id: terms.jobId,
            job_type: terms.jobType,
            oracles: n,
            f: fault_bound(n),
            quorum: quorum(n),
            payment_per_oracle: terms.paymentPerOracle.to_string(),
            penalty: terms.penalty.to_string(),
            escrow_per_request: request_escrow(&terms).to_string(),
            bidding_ends: terms.biddingEnds,
            service_ends: terms.serviceEnds,
            reputation,
            aggregator,
            aggregator_rule: rule,
            transaction: sent,
        };
        if net.json {
            return print_json(&report);
        }
        let r = &report;
        println!("proposed SLA {sla_id}");
        print_pairs(vec![
            ("sla id", sla_id.to_string()),
            ("purchaser", r.purchaser.to_string()),
            ("job id", r.job_id.to_string()),
            ("job type", job_type_text(r.job_type).unwrap_or_else(|| r.job_type.to_string())),
            ("oracles", format!("{n} (f = {}, quorum {})", r.f, r.quorum)),
            ("payment per oracle", link(U256::from(terms.paymentPerOracle))),
            ("escrow per request", link(request_escrow(&terms))),
            ("penalty", link(U256::from(terms.penalty))),
            ("bidding ends", when(r.bidding_ends)),
            ("service ends", when(r.service_ends)),
            ("response window", duration(u64::from(terms.responseWindow))),
            ("aggregator", format!("{} ({})", r.aggregator, r.aggregator_rule)),
            ("reputation", r.reputation.to_string()),
        ]);
        print_transactions(std::slice::from_ref(&r.transaction));
        println!("\noracles bid until {}; then `linkpool sla finalize {sla_id}`", when(r.bidding_ends));
        Ok(())
    }
}

/// The reputation contract takes OrderMatching's reports and the aggregator answers `rule()`;
/// returns the rule's name.
async fn check_contracts(
    p: &DynProvider,
    order_matching: Address,
    reputation: Address,
    aggregator: Address,
) -> eyre::Result<String> {
    ensure_contract(p, reputation, "--reputation").await?;
    ensure_contract(p, aggregator, "--aggregator").await?;
    let writable = Reputation::new(reputation, p.clone())
        .isAggregatingContract(order_matching)
        .call()
        .await
        .with_context(|| format!("--reputation {reputation} does not answer as a Reputation contract"))?;
    if !writable {
        eyre::bail!(
            "Reputation {reputation} does not take reports from OrderMatching {order_matching} (it is not registered \
             there as an aggregating contract): pass the Reputation deployed with it"
        );
    }
    IAggregator::new(aggregator, p.clone())
        .rule()
        .call()
        .await
        .with_context(|| format!("--aggregator {aggregator} does not answer rule(): is it an aggregating contract?"))
}

/// The latest block's timestamp: the bidding window starts at the chain's "now".
pub(crate) async fn latest_timestamp(p: &DynProvider) -> eyre::Result<u64> {
    let block = p
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await
        .context("reading the latest block")?
        .ok_or_else(|| eyre::eyre!("the chain has no latest block"))?;
    Ok(block.header.timestamp)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ProposeArgs,
    }

    fn parse(extra: &[&str]) -> Result<ProposeArgs, clap::Error> {
        let base = [
            "propose",
            "--job-id",
            "a5ac14e8-7629-4726-b1f1-1ae053fc829e",
            "--aggregator",
            "0x0000000000000000000000000000000000000001",
        ];
        Cli::try_parse_from(base.iter().chain(extra)).map(|c| c.args)
    }

    #[test]
    fn flag_defaults_are_the_builders() {
        let (rep, agg) = (Address::repeat_byte(2), Address::repeat_byte(1));
        let a = parse(&[]).unwrap();
        let from_flags = a.terms(rep, agg, 1_000).unwrap();
        let from_builder = SlaTermsBuilder::new(a.job_id, rep, agg).build(1_000).unwrap();
        assert_eq!(from_flags, from_builder);
    }

    #[test]
    fn flags_set_every_term() {
        let flags = r#"--job-type eth-usd --query-params {"symbol":"ETH"} --oracles 10 --max-misses 3 --payment 0.25
            --penalty 12.5 --bidding-window 10m --service-period 1d --response-window 90s --callback-gas 300000
            --min-accepted 5 --min-acceptance-bps 8000 --max-forfeits 1"#;
        let a = parse(&flags.split_whitespace().collect::<Vec<_>>()).unwrap();
        let t = a.terms(Address::repeat_byte(2), Address::repeat_byte(1), 1_000).unwrap();
        assert_eq!(job_type_text(t.jobType).as_deref(), Some("eth-usd"));
        assert_eq!(t.queryParams, Bytes::from(br#"{"symbol":"ETH"}"#.to_vec()));
        assert_eq!((t.oracles, t.maxMisses), (10, 3));
        assert_eq!(t.paymentPerOracle.to::<u128>(), 250_000_000_000_000_000);
        assert_eq!(t.penalty.to::<u128>(), 12_500_000_000_000_000_000);
        assert_eq!((t.biddingEnds, t.serviceEnds, t.responseWindow), (1_600, 1_600 + 86_400, 90));
        assert_eq!(t.callbackGasLimit, 300_000);
        assert_eq!(
            (t.requirements.minAccepted, t.requirements.minAcceptanceBps, t.requirements.maxForfeits),
            (5, 8000, 1)
        );
    }

    #[test]
    fn bad_terms_are_refused_with_the_flag() {
        let e = parse(&["--oracles", "3"]).unwrap().terms(Address::repeat_byte(2), Address::repeat_byte(1), 0);
        assert!(e.unwrap_err().to_string().contains("--oracles 3"));
        let e =
            parse(&["--callback-gas", "2500001"]).unwrap().terms(Address::repeat_byte(2), Address::repeat_byte(1), 0);
        assert!(e.unwrap_err().to_string().contains("callback-gas"));
        assert!(parse(&["--payment", "0.0000000000000000001"]).is_err());
        assert!(parse(&["--min-acceptance-bps", "10001"]).is_err());
        assert!(parse_aggregator("average").unwrap_err().contains("trimmed-mean"));
        assert!(matches!(parse_aggregator("Median"), Ok(AggregatorArg::Named { name: "median", .. })));
    }
}
