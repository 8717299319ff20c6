//! `linkpool agreements obligations` against a real node: anvil, LINK and a deployed
//! `OrderMatching`; a node (in-process, anvil's second account) with an `agreement` job created
//! with `linkpool jobs create`. Before any SLA the command shows the node's oracle address and
//! nothing at risk; once the node has bid on an SLA its policy accepts (and let pass one it
//! refuses) it shows that SLA alone, its state `bid` and the penalty at risk, as JSON and as a
//! table. A wrong token fails with a clear message. And the
//! command's one-line summary in `linkpool agreements --help`.

use std::{
    process::Output,
    time::{Duration, Instant},
};

use alloy::{
    node_bindings::AnvilInstance,
    primitives::{Address, U256},
    providers::{DynProvider, Provider},
    signers::local::PrivateKeySigner,
};
use linkpool_agreements::{deploy, terms::SlaTermsBuilder, Agreements, BidState};
use linkpool_bindings::{stack, LinkToken};
use linkpool_node::{Node, NodeConfig, NodeHandle};
use serde_json::Value;

const LINK: u128 = 1_000_000_000_000_000_000;
/// The SLA's penalty: 7.5 LINK, within the job's 10 LINK limit.
const PENALTY: u128 = 15 * LINK / 2;
/// The SLA's payment per oracle and request: 0.25 LINK, above the job's 0.1 LINK minimum.
const PAYMENT: u128 = LINK / 4;
const EXTERNAL_JOB_ID: &str = "0b7d3e8e-2f4c-4b8e-9d1e-6c1f0a2b3c4d";
const PASSWORD: &str = "obligations-test";

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Runs `linkpool <args>` with no `LINKPOOL_*` settings from the environment.
async fn linkpool(args: &[&str]) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkpool"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("LINKPOOL_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd.output().await.expect("linkpool runs")
}

/// The node under test, its chain and its `OrderMatching`.
struct Setup {
    p: DynProvider,
    node: Address,
    om: Agreements,
    contracts: deploy::AgreementContracts,
    handle: NodeHandle,
    dir: tempfile::TempDir,
    _anvil: AnvilInstance,
}

impl Setup {
    async fn start() -> Self {
        let anvil = linkpool_devtools::anvil().expect("anvil (run `make tools`)").spawn();
        let p = linkpool_devtools::test_provider(&anvil);
        let (purchaser, node) = (anvil.addresses()[0], anvil.addresses()[1]);
        let link = stack::deploy_link(&p, purchaser, stack::Flavor::Linkpool).await.expect("LINK");
        let contracts = deploy::deploy(&p, link, purchaser, None).await.expect("deploy OrderMatching");
        // The node bids with its own LINK.
        let fund = LinkToken::new(link, p.clone())
            .transfer(node, U256::from(100 * LINK))
            .from(purchaser)
            .into_transaction_request();
        stack::send(&p, fund).await.expect("fund the node");

        let dir = tempfile::tempdir().unwrap();
        let config = node_config(dir.path().join("node"), &anvil);
        let key: PrivateKeySigner = anvil.keys()[1].clone().into();
        linkpool_chain::KeyStore::new(config.keystore_dir())
            .import_key(&key.to_bytes(), &linkpool_chain::Password::new(PASSWORD))
            .expect("import the node key");
        let handle = Node::start(config).await.expect("node starts");
        let om = Agreements::new(p.clone(), contracts.order_matching).with_sender(purchaser);
        Self { p, node, om, contracts, handle, dir, _anvil: anvil }
    }

    fn api_url(&self) -> String {
        format!("http://{}", self.handle.api_addr)
    }

    /// `linkpool <args> --api-url … --token …`; must succeed. Its stdout.
    async fn cli(&self, args: &[&str]) -> String {
        let url = self.api_url();
        let all = [args, &["--api-url", &url, "--token", &self.handle.api_token]].concat();
        let out = linkpool(&all).await;
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "linkpool {args:?} failed:\n{stderr}\n{stdout}");
        stdout
    }

    /// `linkpool agreements obligations --json`'s `data`.
    async fn obligations(&self) -> Value {
        let stdout = self.cli(&["agreements", "obligations", "--json"]).await;
        let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        v["data"].clone()
    }

    /// The agreement job's TOML: this `OrderMatching`, penalties up to 10 LINK, payments from
    /// 0.1 LINK, job type `eth-usd`. Bidding never runs the pipeline.
    fn job_toml(&self) -> String {
        format!(
            r#"type = "agreement"
schemaVersion = 1
name = "obligations test"
externalJobID = "{EXTERNAL_JOB_ID}"
orderMatching = "{om}"
maxPenaltyJuels = "{max_penalty}"
minPaymentJuels = "{min_payment}"
jobTypes = ["eth-usd"]
observationSource = """
    fetch [type=http method=GET url="http://127.0.0.1:9/price?fsym=$(jobRun.query.fsym)"]
    parse [type=jsonparse path="USD" data="$(fetch)"]
    fetch -> parse
"""
"#,
            om = self.contracts.order_matching,
            max_penalty = 10 * LINK,
            min_payment = LINK / 10,
        )
    }

    async fn now(&self) -> u64 {
        self.p.get_block_by_number(Default::default()).await.expect("block").expect("latest").header.timestamp
    }
}

fn node_config(data_dir: std::path::PathBuf, anvil: &AnvilInstance) -> NodeConfig {
    std::fs::create_dir_all(&data_dir).unwrap();
    let password_file = data_dir.join("keystore-password");
    std::fs::write(&password_file, PASSWORD).unwrap();
    let mut c = NodeConfig { data_dir, ..NodeConfig::default() };
    c.api.listen = ([127, 0, 0, 1], 0).into();
    c.chain.rpc_url = anvil.endpoint();
    c.chain.chain_id = Some(anvil.chain_id());
    c.chain.poll_interval = Duration::from_millis(100);
    c.chain.start_block = Some(0);
    c.keys.password_file = Some(password_file);
    c
}

/// Polls `check` until it returns `Some`, or panics with `what` after 10 s.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreements_obligations_shows_the_nodes_bid_and_penalty_at_risk() {
    let s = Setup::start().await;

    // The agreement job, created as a user would.
    let file = s.dir.path().join("agreement.toml");
    std::fs::write(&file, s.job_toml()).unwrap();
    let created: Value = serde_json::from_str(&s.cli(&["jobs", "create", file.to_str().unwrap(), "--json"]).await)
        .expect("jobs create --json");
    assert_eq!(created["type"], "agreement", "{created}");
    let job = created["id"].as_i64().expect("job id");
    let job_id = linkpool_job::spec_id_encodings(EXTERNAL_JOB_ID.parse().unwrap())[0];

    // Nothing at stake yet: the node's own oracle address, zero at risk, no SLAs, no sessions.
    let d = s.obligations().await;
    assert_eq!(d["oracle"], s.node.to_string(), "{d}");
    assert_eq!(d["penaltiesAtRiskJuels"], "0", "{d}");
    assert_eq!(d["slas"].as_array().map(Vec::len), Some(0), "{d}");
    assert_eq!(d["sessions"].as_array().map(Vec::len), Some(0), "{d}");
    let table = s.cli(&["agreements", "obligations"]).await;
    assert!(table.contains(&s.node.to_string()), "{table}");
    assert!(table.contains("no SLAs: the node has not bid yet") && table.contains("no sessions"), "{table}");

    // Terms the job's policy accepts; the node sees such an SLA and bids on its own.
    let mut t = SlaTermsBuilder::new(job_id, s.contracts.reputation, s.contracts.mode);
    t.job_type = Some(linkpool_job::job_type_bytes32("eth-usd").unwrap());
    t.query_params = br#"{"fsym": "ETH"}"#.to_vec().into();
    t.oracles = 4;
    t.payment_per_oracle = PAYMENT;
    t.penalty = PENALTY;
    t.bidding_window = 600;
    t.service_period = 3_600;
    t.response_window = 300;
    // First one it refuses (the penalty is over its 10 LINK limit): no bid, no obligation.
    let mut refused = t.clone();
    refused.penalty = 20 * LINK;
    let (refused, _) = s.om.propose(refused.build(s.now().await).expect("terms")).await.expect("propose");
    let now = s.now().await;
    let (sla, _) = s.om.propose(t.build(now).expect("terms")).await.expect("propose");
    assert_ne!(sla.to_string(), job.to_string(), "the table check below tells the SLA and job columns apart");
    let d = eventually("the node's bid in `agreements obligations`", || async {
        let d = s.obligations().await;
        let bid = d["slas"].as_array().unwrap().iter().any(|o| o["slaId"] == sla.to_string() && o["state"] == "bid");
        bid.then_some(d)
    })
    .await;
    // The chain agrees: the node's bid is placed.
    let bids = s.om.bids(sla).await.expect("bids");
    let mine = bids.iter().find(|b| b.oracle == s.node).expect("the node bid");
    assert_eq!(BidState::of(mine.state), BidState::Pending, "{bids:?}");
    assert_eq!(bids.len(), 1, "only the node bid");
    assert!(s.om.bids(refused).await.expect("bids").is_empty(), "no bid on the refused SLA");
    let balance = LinkToken::new(s.contracts.link, s.p.clone()).balanceOf(s.node).call().await.expect("balanceOf");
    assert_eq!(balance, U256::from(100 * LINK - PENALTY), "the node deposited the penalty from its own LINK");

    assert_eq!(d["oracle"], s.node.to_string());
    assert_eq!(d["penaltiesAtRiskJuels"], PENALTY.to_string(), "{d}");
    let slas = d["slas"].as_array().unwrap();
    assert_eq!(slas.len(), 1, "{d}");
    let o = &slas[0];
    assert_eq!(o["slaId"], sla.to_string());
    assert_eq!(o["orderMatching"], s.contracts.order_matching.to_string().to_lowercase());
    assert_eq!(o["jobId"], job);
    assert_eq!(o["slaStatus"], "bidding");
    assert_eq!(o["atRisk"], true);
    assert_eq!(o["poolBacked"], false);
    assert_eq!(o["penaltyJuels"], PENALTY.to_string());
    assert_eq!(o["paymentPerOracleJuels"], PAYMENT.to_string());
    assert_eq!(o["biddingEnds"].as_u64(), Some(now + 600));
    assert_eq!(o["serviceEnds"].as_u64(), Some(now + 600 + 3_600));
    assert_eq!(d["sessions"].as_array().map(Vec::len), Some(0), "{d}");

    // The table: the total at risk, and the SLA's row with its id, state and amounts.
    let table = s.cli(&["agreements", "obligations"]).await;
    println!("linkpool agreements obligations:\n{table}");
    let at_risk = table.lines().find(|l| l.starts_with("penalties at risk")).unwrap_or_else(|| panic!("{table}"));
    assert!(at_risk.ends_with(" 7.5 LINK"), "{at_risk:?}");
    let row: Vec<&str> = table
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cols| cols.get(1) == Some(&sla.to_string().as_str()) && cols.get(3) == Some(&"bid"))
        .unwrap_or_else(|| panic!("no row for SLA {sla}:\n{table}"));
    assert_eq!(
        row[2..10],
        [job.to_string().as_str(), "bid", "bidding", "yes", "7.5", "LINK", "0.25", "LINK"],
        "{table}"
    );
    assert_eq!(row[10], "own", "{table}");
    let om = s.contracts.order_matching.to_string().to_lowercase();
    assert!(row[0].starts_with(&om[..6]) && row[0].ends_with(&om[om.len() - 4..]), "{table}");

    // A wrong token: a clear error, a non-zero exit, nothing on stdout.
    let out = linkpool(&["agreements", "obligations", "--api-url", &s.api_url(), "--token", "nope"]).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("missing or invalid API token") && stderr.contains("401"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");

    s.handle.shutdown().await;
}

#[tokio::test]
async fn agreements_obligations_help_has_a_one_line_summary() {
    let out = linkpool(&["agreements", "--help"]).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let i = lines.iter().position(|l| l.trim_start().starts_with("obligations ")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(lines[i].contains("Show what a running node has at stake"), "{stdout}");
    // The summary is one line: the next line is the next command, not a continuation.
    assert!(lines[i + 1].trim_start().starts_with("help "), "the summary wraps:\n{stdout}");

    let out = linkpool(&["agreements", "obligations", "--help"]).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    for needle in ["GET /v2/agreements", "penalties at risk", "--sessions", "--token", "--json"] {
        assert!(stdout.contains(needle), "{needle}: {stdout}");
    }
}
