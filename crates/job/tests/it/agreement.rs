//! `type = "agreement"` specs: every field, defaults, located errors, and the bidding policy.

use alloy::primitives::{address, b256, Address, B256, U256};
use linkpool_job::{job_type_bytes32, spec_id_encodings, AgreementSpec, BidRefusal, JobSpec, SlaOffer, SpecError};

const OM: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const LINK: u128 = 1_000_000_000_000_000_000;

/// A complete spec: every field set.
const FULL: &str = r#"type = "agreement"
schemaVersion = 1
name = "ETH/USD for SLAs"
externalJobID = "A5AC14E8-7629-4726-B1F1-1AE053FC829E"
orderMatching = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
minPaymentJuels = "100000000000000000"
maxPenaltyJuels = "10000000000000000000"
penaltyBudgetJuels = "30000000000000000000"
jobTypes = ["eth-usd", "0x00000000000000000000000000000000000000000000000000000000000000ff"]
aggregators = ["0x00000000000000000000000000000000000000aa", "0x00000000000000000000000000000000000000AA"]
reputations = ["0x00000000000000000000000000000000000000bb"]
bidFromPool = true
finalize = false
settle = false
observationSource = """
    fetch [type=http method=GET url="http://example.com/price?fsym=$(jobRun.query.fsym)"]
    parse [type=jsonparse path="USD" data="$(fetch)"]
    scale [type=multiply input="$(parse)" times=100]
    fetch -> parse -> scale
"""
"#;

/// Only what is required.
const MINIMAL: &str = r#"type = "agreement"
schemaVersion = 1
orderMatching = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
maxPenaltyJuels = 1000
observationSource = """
    params [type=jsonparse path="value" data="$(jobRun.queryParams)"]
"""
"#;

fn parse(spec: &str) -> AgreementSpec {
    match JobSpec::from_toml(spec).unwrap_or_else(|e| panic!("spec must parse: {e}\n{spec}")) {
        JobSpec::Agreement(a) => a,
        other => panic!("not an agreement job: {}", other.job_type()),
    }
}

fn err(spec: &str) -> SpecError {
    JobSpec::from_toml(spec).expect_err("spec must be rejected")
}

fn word(text: &str) -> B256 {
    let mut w = [0u8; 32];
    w[..text.len()].copy_from_slice(text.as_bytes());
    B256::from(w)
}

#[test]
fn every_field_is_parsed() {
    let s = parse(FULL);
    assert_eq!(JobSpec::from_toml(FULL).unwrap().job_type(), "agreement");
    assert_eq!(s.order_matching, address!("5FbDB2315678afecb367f032d93F642f64180aa3"));
    assert_eq!(s.common.name.as_deref(), Some("ETH/USD for SLAs"));
    assert_eq!(s.min_payment_juels, U256::from(LINK / 10));
    assert_eq!(s.max_penalty_juels, U256::from(10 * LINK));
    assert_eq!(s.penalty_budget_juels, U256::from(30 * LINK));
    assert_eq!(
        s.job_types,
        vec![word("eth-usd"), b256!("00000000000000000000000000000000000000000000000000000000000000ff")]
    );
    // Duplicates (in any case) are listed once.
    assert_eq!(s.aggregators, vec![address!("00000000000000000000000000000000000000aa")]);
    assert_eq!(s.reputations, vec![address!("00000000000000000000000000000000000000bb")]);
    assert!(s.bid_from_pool);
    assert!(!s.finalize);
    assert!(!s.settle);
    assert_eq!(s.common.pipeline.tasks().len(), 3);
    // The SLA jobId is the externalJobID in either encoding, as a directrequest specId.
    let id = s.common.external_job_id;
    assert_eq!(id.to_string(), "a5ac14e8-7629-4726-b1f1-1ae053fc829e");
    assert_eq!(s.sla_job_ids(), spec_id_encodings(id));
    assert!(s.serves(spec_id_encodings(id)[0]) && s.serves(spec_id_encodings(id)[1]));
    assert!(!s.serves(B256::ZERO));
}

#[test]
fn defaults() {
    let s = parse(MINIMAL);
    assert_eq!(s.min_payment_juels, U256::ZERO);
    assert_eq!(s.max_penalty_juels, U256::from(1000));
    assert_eq!(s.penalty_budget_juels, U256::from(1000), "the budget defaults to one maximal penalty");
    assert!(s.job_types.is_empty() && s.aggregators.is_empty() && s.reputations.is_empty());
    assert!(!s.bid_from_pool, "bids come from the node's own LINK by default");
    assert!(s.finalize, "the node finalizes by default");
    assert!(s.settle, "the node settles and closes by default");
}

#[test]
fn settle_is_a_boolean_of_its_own() {
    let with = |line: &str| MINIMAL.replace("maxPenaltyJuels = 1000\n", &format!("maxPenaltyJuels = 1000\n{line}\n"));
    let off = parse(&with("settle = false"));
    assert!(!off.settle);
    assert!(off.finalize, "settle does not turn finalize off");
    assert!(parse(&with("settle = true")).settle);
    let on = parse(&with("finalize = false"));
    assert!(on.settle && !on.finalize, "finalize does not turn settle off");
    let e = err(&with("settle = \"no\""));
    assert_eq!(e.line, Some(5), "{e}");
}

#[test]
fn order_matching_is_required_and_must_be_an_address() {
    let e = err(&MINIMAL.replace(&format!("orderMatching = \"{OM}\"\n"), ""));
    assert_eq!(e.field.as_deref(), Some("orderMatching"), "{e}");
    let e = err(&MINIMAL.replace(OM, "0x1234"));
    assert_eq!(e.field.as_deref(), Some("orderMatching"), "{e}");
    assert_eq!(e.line, Some(3), "{e}");
    let e = err(&MINIMAL.replace(OM, "0x0000000000000000000000000000000000000000"));
    assert_eq!(e.field.as_deref(), Some("orderMatching"), "{e}");
}

#[test]
fn max_penalty_is_required_and_the_budget_cannot_be_below_it() {
    let e = err(&MINIMAL.replace("maxPenaltyJuels = 1000\n", ""));
    assert_eq!(e.field.as_deref(), Some("maxPenaltyJuels"), "{e}");
    let e = err(&MINIMAL.replace("maxPenaltyJuels = 1000\n", "maxPenaltyJuels = 1000\npenaltyBudgetJuels = \"999\"\n"));
    assert_eq!(e.field.as_deref(), Some("penaltyBudgetJuels"), "{e}");
    assert_eq!(e.line, Some(5), "{e}");
    let e = err(&MINIMAL.replace("maxPenaltyJuels = 1000", "maxPenaltyJuels = -1"));
    assert_eq!(e.field.as_deref(), Some("maxPenaltyJuels"), "{e}");
    let e = err(&MINIMAL.replace("maxPenaltyJuels = 1000", "maxPenaltyJuels = \"10 LINK\""));
    assert_eq!(e.field.as_deref(), Some("maxPenaltyJuels"), "{e}");
}

#[test]
fn bad_lists_are_located() {
    let e = err(&FULL.replace("\"eth-usd\"", &format!("\"{}\"", "x".repeat(33))));
    assert_eq!(e.field.as_deref(), Some("jobTypes"), "{e}");
    assert_eq!(e.line, Some(9), "{e}");
    let e = err(&FULL.replace("0x00000000000000000000000000000000000000bb", "0xbb"));
    assert_eq!(e.field.as_deref(), Some("reputations"), "{e}");
    assert_eq!(e.line, Some(11), "{e}");
    let e = err(&FULL.replace("0x00000000000000000000000000000000000000aa\"", "nope\""));
    assert_eq!(e.field.as_deref(), Some("aggregators"), "{e}");
}

#[test]
fn unknown_fields_and_directrequest_fields_are_refused() {
    let e = err(&MINIMAL.replace("maxPenaltyJuels", "contractAddress = \"0x00\"\nmaxPenaltyJuels"));
    assert_eq!(e.field.as_deref(), Some("contractAddress"), "{e}");
}

#[test]
fn the_pipeline_needs_exactly_one_final_task_and_known_variables() {
    let two = MINIMAL.replace(
        "    params [type=jsonparse path=\"value\" data=\"$(jobRun.queryParams)\"]\n",
        "    a [type=any]\n    b [type=any]\n",
    );
    let e = err(&two);
    assert_eq!(e.field.as_deref(), Some("observationSource"), "{e}");
    assert!(e.message.contains("exactly one final task"), "{e}");
    let e = err(&MINIMAL.replace("$(jobRun.queryParams)", "$(jobRn.queryParams)"));
    assert_eq!(e.field.as_deref(), Some("observationSource"), "{e}");
    assert_eq!(e.line, Some(6), "the error points into the DOT: {e}");
}

#[test]
fn job_type_text_and_hex() {
    assert_eq!(job_type_bytes32("eth-usd").unwrap(), word("eth-usd"));
    assert_eq!(job_type_bytes32(&"a".repeat(32)).unwrap(), word(&"a".repeat(32)));
    assert!(job_type_bytes32(&"a".repeat(33)).is_err());
    assert!(job_type_bytes32("").is_err());
    let hex = "0x6574682d75736400000000000000000000000000000000000000000000000000";
    assert_eq!(job_type_bytes32(hex).unwrap(), word("eth-usd"));
}

// ---------------------------------------------------------------- bidding policy

fn offer(s: &AgreementSpec) -> SlaOffer {
    SlaOffer {
        job_id: s.sla_job_ids()[1],
        job_type: word("eth-usd"),
        payment_per_oracle: U256::from(LINK / 10),
        penalty: U256::from(10 * LINK),
        bidding_ends: 1_000,
        aggregator: address!("00000000000000000000000000000000000000aa"),
        reputation: address!("00000000000000000000000000000000000000bb"),
    }
}

#[test]
fn an_offer_within_the_policy_gets_a_bid() {
    let s = parse(FULL);
    assert_eq!(s.evaluate(&offer(&s), U256::ZERO, 999), Ok(()));
    assert_eq!(s.evaluate(&offer(&s), U256::ZERO, 1_000), Ok(()), "biddingEnds is inclusive");
    // The budget is 30 LINK: 20 at risk + 10 is exactly the budget.
    assert_eq!(s.evaluate(&offer(&s), U256::from(20 * LINK), 999), Ok(()));
}

#[test]
fn each_policy_rule_refuses() {
    let s = parse(FULL);
    let at = |f: &dyn Fn(&mut SlaOffer)| {
        let mut o = offer(&s);
        f(&mut o);
        s.evaluate(&o, U256::ZERO, 999).unwrap_err()
    };
    assert_eq!(at(&|o| o.job_id = B256::repeat_byte(1)), BidRefusal::OtherJob(B256::repeat_byte(1)));
    assert!(matches!(at(&|o| o.payment_per_oracle = U256::from(LINK / 10 - 1)), BidRefusal::PaymentTooLow { .. }));
    assert_eq!(
        at(&|o| o.penalty = U256::from(10 * LINK + 1)),
        BidRefusal::PenaltyTooHigh { penalty: U256::from(10 * LINK + 1), max: U256::from(10 * LINK) }
    );
    assert_eq!(at(&|o| o.job_type = word("btc-usd")), BidRefusal::JobTypeNotAllowed(word("btc-usd")));
    assert_eq!(
        at(&|o| o.aggregator = Address::repeat_byte(0xcc)),
        BidRefusal::AggregatorNotAllowed(Address::repeat_byte(0xcc))
    );
    assert_eq!(
        at(&|o| o.reputation = Address::repeat_byte(0xcc)),
        BidRefusal::ReputationNotAllowed(Address::repeat_byte(0xcc))
    );
    assert_eq!(
        s.evaluate(&offer(&s), U256::ZERO, 1_001),
        Err(BidRefusal::BiddingClosed { bidding_ends: 1_000, now: 1_001 })
    );
    let over = s.evaluate(&offer(&s), U256::from(20 * LINK + 1), 999).unwrap_err();
    assert!(matches!(over, BidRefusal::OverBudget { .. }), "{over}");
    assert!(over.to_string().contains("penaltyBudgetJuels"), "{over}");
}

#[test]
fn empty_allowlists_allow_anything() {
    let s = parse(&MINIMAL.replace("maxPenaltyJuels = 1000", &format!("maxPenaltyJuels = \"{}\"", 10 * LINK)));
    let mut o = offer(&s);
    o.job_type = B256::repeat_byte(7);
    o.aggregator = Address::repeat_byte(7);
    o.reputation = Address::repeat_byte(7);
    assert_eq!(s.evaluate(&o, U256::ZERO, 0), Ok(()));
    assert!(matches!(s.evaluate(&o, U256::from(1), 0), Err(BidRefusal::OverBudget { .. })), "budget = one penalty");
}
