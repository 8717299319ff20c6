//! The oracle network's purchaser commands against anvil, run as a user would: `agreements
//! deploy`, `sla propose` (refused terms, then a good SLA), bids from five oracles (client crate),
//! `sla finalize` (refused early, then four selected and one refunded), `sla request`, a commit /
//! reveal round (client crate), `sla status --sessions`, `reputation show` (fresh and after the
//! round) and `reputation rate`; and `bench aggregation --json` on two sizes.

use std::process::Output;

use alloy::{
    node_bindings::AnvilInstance,
    primitives::{Address, I256, U256},
    providers::{DynProvider, Provider},
};
use linkpool_agreements::{
    commitment::{commitment, random_salt},
    Agreements,
};
use linkpool_bindings::{
    agreements::SlaConsumer,
    stack::{self, Flavor},
    LinkToken,
};
use serde_json::Value;

const LINK: u128 = 1_000_000_000_000_000_000;
const JOB_UUID: &str = "a5ac14e8-7629-4726-b1f1-1ae053fc829e";
/// `spec_id_encodings(JOB_UUID)[0]`: the UUID's 32 ASCII hex digits.
const JOB_ID: &str = "0x6135616331346538373632393437323662316631316165303533666338323965";

struct Net {
    anvil: AnvilInstance,
    p: DynProvider,
    link: Address,
    /// `--order-matching`, `--reputation` and the aggregator variables, once deployed.
    flags: Vec<String>,
    env: Vec<(String, String)>,
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn addr(v: &Value) -> Address {
    v.as_str().unwrap_or_else(|| panic!("not an address: {v}")).parse().unwrap()
}

impl Net {
    async fn start() -> Self {
        let anvil = linkpool_devtools::anvil().expect("anvil").spawn();
        let p = linkpool_devtools::test_provider(&anvil);
        let link = stack::deploy_link(&p, anvil.addresses()[0], Flavor::Linkpool).await.unwrap();
        Self { anvil, p, link, flags: Vec::new(), env: Vec::new() }
    }

    fn account(&self, i: usize) -> Address {
        self.anvil.addresses()[i]
    }

    /// Runs `linkpool <args> --rpc-url … [--order-matching … --reputation …]`, signing with anvil
    /// account `key`.
    async fn run(&self, args: &[&str], key: Option<usize>) -> Output {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkpool"));
        cmd.args(args).args(["--rpc-url", self.anvil.endpoint().as_str()]).args(&self.flags);
        for (k, _) in std::env::vars() {
            if k.starts_with("LINKPOOL_") || k == "RUST_LOG" {
                cmd.env_remove(k);
            }
        }
        cmd.envs(self.env.iter().cloned());
        if let Some(i) = key {
            cmd.env(
                "LINKPOOL_AGREEMENTS_PRIVATE_KEY",
                format!("0x{}", alloy::hex::encode(self.anvil.keys()[i].to_bytes())),
            );
        }
        cmd.output().await.expect("linkpool runs")
    }

    async fn ok(&self, args: &[&str], key: Option<usize>) -> String {
        let out = self.run(args, key).await;
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "linkpool {args:?} failed:\n{stderr}\n{stdout}");
        stdout
    }

    async fn json(&self, args: &[&str], key: Option<usize>) -> Value {
        let stdout = self.ok(&[args, &["--json"]].concat(), key).await;
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
    }

    /// `args` must fail with exit code `code`; its stderr.
    async fn fails(&self, args: &[&str], key: Option<usize>, code: i32) -> String {
        let out = self.run(args, key).await;
        let (stdout, stderr) = text(&out);
        assert!(!out.status.success(), "linkpool {args:?} succeeded:\n{stdout}");
        assert_eq!(out.status.code(), Some(code), "{stderr}");
        println!("linkpool {args:?} refused:\n{stderr}");
        stderr
    }

    async fn fund(&self, to: Address, link: u128) {
        let tx = LinkToken::new(self.link, self.p.clone())
            .transfer(to, U256::from(link * LINK))
            .from(self.account(0))
            .into_transaction_request();
        stack::send(&self.p, tx).await.expect("fund");
    }

    async fn increase_time(&self, seconds: u64) {
        let _: Value = self.p.raw_request("evm_increaseTime".into(), (seconds,)).await.unwrap();
        let _: Value = self.p.raw_request("evm_mine".into(), ()).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreements_purchaser_cli_deploy_propose_finalize_request_status_reputation() {
    let mut net = Net::start().await;
    let purchaser = net.account(0);
    let oracles: Vec<Address> = (1..=5).map(|i| net.account(i)).collect();
    let fresh = net.account(8);

    // Deploy: every address, and the export lines in the table output's place.
    let link = net.link.to_string();
    let deployed = net.json(&["agreements", "deploy", "--link", &link], Some(0)).await;
    let om = addr(&deployed["orderMatching"]);
    let reputation = addr(&deployed["reputation"]);
    let mode = addr(&deployed["mode"]);
    assert_eq!(addr(&deployed["deployer"]), purchaser);
    assert_eq!(addr(&deployed["link"]), net.link);
    for key in ["median", "trimmedMean", "weightedMean"] {
        assert!(!addr(&deployed[key]).is_zero(), "{key}");
    }
    let stderr = net.fails(&["agreements", "deploy", "--link", &link], None, 1).await;
    assert!(stderr.contains("LINKPOOL_AGREEMENTS_PRIVATE_KEY"), "{stderr}");
    net.flags = vec!["--order-matching".into(), om.to_string(), "--reputation".into(), reputation.to_string()];

    // Refused terms, before any transaction.
    let base = ["sla", "propose", "--job-id", JOB_UUID, "--job-type", "eth-usd"];
    let propose = [&base[..], &["--aggregator", "mode"]].concat();
    let stderr = net.fails(&propose, Some(0), 1).await;
    assert!(stderr.contains("LINKPOOL_AGGREGATOR_MODE"), "the name needs its variable: {stderr}");
    net.env = vec![("LINKPOOL_AGGREGATOR_MODE".into(), mode.to_string())];
    let stderr = net.fails(&[&propose[..], &["--oracles", "3"]].concat(), Some(0), 1).await;
    assert!(stderr.contains("--oracles 3") && stderr.contains("4 to 31"), "{stderr}");
    let stderr = net.fails(&[&propose[..], &["--payment", "0.0000000000000000001"]].concat(), Some(0), 2).await;
    assert!(stderr.contains("19 decimals"), "{stderr}");
    let stderr = net.fails(&[&propose[..], &["--query-params", "[1, 2]"]].concat(), Some(0), 2).await;
    assert!(stderr.contains("JSON object"), "{stderr}");
    let stderr = net.fails(&[&base[..], &["--aggregator", &link]].concat(), Some(0), 1).await;
    assert!(stderr.contains("rule()"), "LINK is no aggregator: {stderr}");
    let stderr = net.fails(&propose, None, 1).await;
    assert!(stderr.contains("sla propose sends a transaction"), "{stderr}");
    let none = Agreements::new(net.p.clone(), om).sla_count().await.unwrap();
    assert_eq!(none, U256::ZERO, "nothing was proposed");

    // A good SLA of 4 oracles.
    let args =
        [&propose[..], &["--oracles", "4", "--query-params", r#"{"symbol": "ETH"}"#, "--penalty", "2.5"]].concat();
    let proposed = net.json(&args, Some(0)).await;
    assert_eq!(proposed["slaId"], 1);
    assert_eq!(addr(&proposed["purchaser"]), purchaser);
    assert_eq!(proposed["jobId"], JOB_ID);
    assert_eq!((proposed["f"].as_u64(), proposed["quorum"].as_u64()), (Some(1), Some(3)));
    assert_eq!(proposed["escrowPerRequest"], (3 * LINK / 10).to_string());
    assert_eq!(proposed["penalty"], (5 * LINK / 2).to_string());
    assert_eq!(proposed["aggregatorRule"], "mode");
    assert_eq!(addr(&proposed["aggregator"]), mode);

    // Five oracles bid (client crate): the first four by bid order win the tie at no history.
    let client = Agreements::new(net.p.clone(), om);
    for &o in &oracles {
        net.fund(o, 10).await;
        client.with_sender(o).bid(U256::from(1)).await.expect("bid");
    }

    // Too early, then finalized.
    let stderr = net.fails(&["sla", "finalize", "1"], Some(7), 1).await;
    assert!(stderr.contains("BiddingOpen") && stderr.contains("finalize after that"), "{stderr}");
    net.increase_time(301).await;
    let fin = net.json(&["sla", "finalize", "1"], Some(7)).await;
    assert_eq!(fin["status"], "active");
    let selected: Vec<Address> = fin["selected"].as_array().unwrap().iter().map(addr).collect();
    assert_eq!(selected, oracles[..4]);
    let refunded = fin["refunded"].as_array().unwrap();
    assert_eq!(refunded.len(), 1);
    assert_eq!(addr(&refunded[0]["oracle"]), oracles[4]);
    assert_eq!(refunded[0]["penalty"], (5 * LINK / 2).to_string());

    // Status: terms, the selection and every bid.
    let status = net.json(&["sla", "status", "1"], None).await;
    assert_eq!(status["status"], "active");
    assert_eq!(status["terms"]["jobTypeText"], "eth-usd");
    assert_eq!(status["terms"]["jobId"], JOB_ID);
    assert_eq!(status["terms"]["queryParams"], r#"{"symbol":"ETH"}"#);
    assert_eq!(status["terms"]["aggregatorRule"], "mode");
    let selected: Vec<Address> = status["selected"].as_array().unwrap().iter().map(addr).collect();
    assert_eq!(selected, oracles[..4]);
    let states: Vec<&str> = status["bids"].as_array().unwrap().iter().map(|b| b["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["selected", "selected", "selected", "selected", "refunded"]);
    assert!(status.get("sessions").is_none());
    let table = net.ok(&["sla", "status", "1"], None).await;
    assert!(table.contains("\"eth-usd\"") && table.contains("f = 1, quorum 3"), "{table}");

    // A fresh oracle: zeros, and the neutral "no history" ranking.
    let shown = net.json(&["reputation", "show", &fresh.to_string()], None).await;
    assert_eq!(shown["noHistory"], true);
    assert_eq!(shown["acceptanceBps"], 5000);
    assert_eq!(shown["noHistoryBps"], 5000);
    for k in ["assigned", "completed", "accepted", "missed", "unrevealed", "mismatched"] {
        assert_eq!(shown["overall"][k], 0, "{k}");
    }
    assert_eq!(shown["overall"]["penaltiesForfeited"], "0");
    assert_eq!(shown["overall"]["averageResponseTimeS"], Value::Null);
    assert_eq!(shown["forfeits"], 0);
    assert_eq!(shown["ratingsAverage"], Value::Null);
    let table = net.ok(&["reputation", "show", &fresh.to_string()], None).await;
    assert!(table.contains("no history: ranks as 50.00% (5000 bps)"), "{table}");
    assert!(table.contains("ratings") && table.contains("none yet"), "{table}");

    // A request (only the purchaser may), then three oracles answer; the fourth misses.
    let consumer =
        stack::send(&net.p, SlaConsumer::deploy_builder(net.p.clone(), om).into_transaction_request().from(purchaser))
            .await
            .unwrap()
            .contract_address
            .unwrap();
    net.fund(net.account(6), 1).await;
    let stderr = net.fails(&["sla", "request", "1", "--callback", &consumer.to_string()], Some(6), 1).await;
    assert!(stderr.contains("NotPurchaser"), "{stderr}");
    let requested = net.json(&["sla", "request", "1", "--callback", &consumer.to_string()], Some(0)).await;
    assert_eq!(requested["sessionId"], 1);
    assert_eq!(requested["escrow"], (3 * LINK / 10).to_string());
    let session = U256::from(1);
    let answer = I256::try_from(4_200).unwrap();
    let salts: Vec<_> = (0..3).map(|_| random_salt()).collect();
    for (o, salt) in oracles[..3].iter().zip(&salts) {
        client.with_sender(*o).commit(session, commitment(answer, *salt, *o)).await.expect("commit");
    }
    for (o, salt) in oracles[..3].iter().zip(&salts) {
        client.with_sender(*o).reveal(session, answer, *salt).await.expect("reveal");
    }
    let received = SlaConsumer::new(consumer, net.p.clone()).answers(session).call().await.unwrap();
    assert_eq!(received, answer);

    let status = net.json(&["sla", "status", "1", "--sessions"], None).await;
    let sessions = status["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(s["sessionId"], 1);
    assert_eq!(s["status"], "settled");
    assert_eq!(s["answered"], true);
    assert_eq!(s["answer"], "4200");
    assert_eq!((s["commits"].as_u64(), s["reveals"].as_u64()), (Some(3), Some(3)));
    assert_eq!(s["missed"].as_array().unwrap().iter().map(addr).collect::<Vec<_>>(), [oracles[3]]);
    assert_eq!(addr(&s["callback"]), consumer);
    let table = net.ok(&["sla", "status", "1", "--sessions"], None).await;
    assert!(table.contains("latest sessions (1)") && table.contains("4200"), "{table}");

    // The round is in the oracles' records, overall and for the job type.
    let shown = net.json(&["reputation", "show", &oracles[0].to_string(), "--job-type", "eth-usd"], None).await;
    assert_eq!(shown["noHistory"], false);
    assert_eq!(shown["acceptanceBps"], 10_000);
    assert_eq!((shown["overall"]["assigned"].as_u64(), shown["overall"]["accepted"].as_u64()), (Some(1), Some(1)));
    assert_eq!(shown["forJobType"]["accepted"], 1);
    assert_eq!(shown["overall"]["penaltiesLocked"], (5 * LINK / 2).to_string());
    let missed = net.json(&["reputation", "show", &oracles[3].to_string()], None).await;
    assert_eq!((missed["overall"]["missed"].as_u64(), missed["acceptanceBps"].as_u64()), (Some(1), Some(0)));

    // Ratings: the purchaser only, 1 to 5.
    net.fails(&["reputation", "rate", "1", &oracles[0].to_string(), "6"], Some(0), 2).await;
    let stderr = net.fails(&["reputation", "rate", "1", &oracles[0].to_string(), "4"], Some(6), 1).await;
    assert!(stderr.contains("NotPurchaser"), "{stderr}");
    net.ok(&["reputation", "rate", "1", &oracles[0].to_string(), "4"], Some(0)).await;
    let shown = net.json(&["reputation", "show", &oracles[0].to_string()], None).await;
    assert_eq!((shown["ratings"].as_u64(), shown["ratingsAverage"].as_f64()), (Some(1), Some(4.0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreements_bench_aggregation_json_has_every_size() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkpool"))
        .args(["bench", "aggregation", "--json", "--sizes", "4,7", "--requests", "1"])
        .env_remove("RUST_LOG")
        .output()
        .await
        .expect("linkpool runs");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "bench aggregation failed:\n{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let get = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("no integer {k} in {v}"));
    for n in [4u64, 7] {
        let total = get(&format!("gas_per_answer.{n}"));
        let parts =
            [get(&format!("request_gas.{n}")), get(&format!("commit_gas.{n}")), get(&format!("reveal_gas.{n}"))];
        assert_eq!(total, parts.iter().sum::<u64>(), "n = {n}: the parts add up to the whole");
        assert!(parts.iter().all(|&g| g > 21_000), "n = {n}: every phase is at least a transaction: {parts:?}");
        assert!(total > 100_000, "n = {n}: {total}");
        assert_eq!(get(&format!("gas_per_oracle.{n}")), total / n);
        assert!(get(&format!("first_answer_gas.{n}")) > 0);
    }
    assert_eq!((get("quorum.4"), get("f.4"), get("quorum.7"), get("f.7")), (3, 1, 5, 2));
    // Two more commits and reveals, and three more outcomes, cost more.
    assert!(get("commit_gas.7") > get("commit_gas.4"));
    assert!(get("reveal_gas.7") > get("reveal_gas.4"));
    assert!(get("gas_per_answer.7") > get("gas_per_answer.4"));
    assert!(v.get("gas_per_answer.10").is_none(), "only the sizes asked for");
    assert_eq!(v["requests_measured"], 1);
}
