//! `linkpool drc …` against anvil, run as a user would: deploy, `specs sync` (dry run, apply,
//! idempotence, update and delete), show, spec-key, calc, config, pause, ownership, withdraw.

use std::{path::Path, process::Output};

use alloy::{
    node_bindings::AnvilInstance,
    primitives::{Address, U256},
    providers::{DynProvider, Provider},
};
use linkpool_bindings::stack::{self, Flavor};
use linkpool_drc::pricing::GAS_AFTER_PAYMENT_CALCULATION;
use serde_json::{json, Value};

struct Chain {
    anvil: AnvilInstance,
    provider: DynProvider,
    owner: Address,
    link: Address,
    operator: Address,
}

async fn chain() -> Chain {
    let anvil = linkpool_devtools::anvil().expect("anvil").spawn();
    let signer: alloy::signers::local::PrivateKeySigner = anvil.keys()[0].clone().into();
    let owner = signer.address();
    // Uncached nonces: the CLI sends from the same account in between.
    let provider = linkpool_drc::client::connect(anvil.endpoint().as_str(), Some(signer), None).await.unwrap();
    let link = stack::deploy_link(&provider, owner, Flavor::Linkpool).await.unwrap();
    let operator = stack::deploy_operator(&provider, owner, link, Flavor::Linkpool).await.unwrap();
    Chain { anvil, provider, owner, link, operator }
}

impl Chain {
    fn key(&self, i: usize) -> String {
        format!("0x{}", alloy::hex::encode(self.anvil.keys()[i].to_bytes()))
    }

    /// Runs `linkpool drc <args> --rpc-url …` signing with anvil account `key` (if any).
    async fn drc(&self, args: &[&str], key: Option<usize>) -> Output {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkpool"));
        cmd.arg("drc").args(args).args(["--rpc-url", self.anvil.endpoint().as_str()]);
        for var in ["LINKPOOL_DRC_PRIVATE_KEY", "LINKPOOL_DRC_COORDINATOR", "LINKPOOL_RPC_URL", "LINKPOOL_CHAIN_ID"] {
            cmd.env_remove(var);
        }
        cmd.env_remove("LINKPOOL_DRC_KEYSTORE");
        if let Some(i) = key {
            cmd.env("LINKPOOL_DRC_PRIVATE_KEY", self.key(i));
        }
        cmd.output().await.expect("linkpool runs")
    }

    async fn ok(&self, args: &[&str], key: Option<usize>) -> String {
        let out = self.drc(args, key).await;
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "linkpool drc {args:?} failed:\n{stderr}\n{stdout}");
        stdout
    }

    async fn json(&self, args: &[&str], key: Option<usize>) -> Value {
        let stdout = self.ok(&[args, &["--json"]].concat(), key).await;
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
    }

    async fn nonce(&self, who: Address) -> u64 {
        self.provider.get_transaction_count(who).await.unwrap()
    }
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn entry(name: &str, job_id: &str, operator: Address, fee: &str, fee_type: u8) -> Value {
    json!({
        "description": { "adapter": null, "chainId": 31337, "jobId": 1, "jobName": name, "nodeId": "devnet", "notes": null },
        "configuration": {
            "externalJobId": job_id,
            "fee": fee,
            "feeType": fee_type,
            "gasLimit": 500000,
            "operator": operator.to_checksum(None),
            "payment": "100000000000000000",
            "paymentType": 0
        },
        "consumers": []
    })
}

fn write(dir: &Path, file: &str, entries: Vec<Value>) {
    std::fs::write(dir.join(file), serde_json::to_string_pretty(&Value::Array(entries)).unwrap()).unwrap();
}

const JOB_A: &str = "17f946d0-c3fb-47b1-91b8-195f4ec036dc";
const JOB_B: &str = "6dd6c530-670f-4742-bdfc-2055d93cf63c";
const JOB_C: &str = "95337d47-257d-44df-af66-ad99e105dc52";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn specs_sync_is_idempotent_and_applies_creates_updates_and_deletes() {
    let c = chain().await;
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.json",
        vec![entry("job A", JOB_A, c.operator, "1000", 1), entry("job B", JOB_B, c.operator, "100000000000000000", 0)],
    );
    write(dir.path(), "b.json", vec![entry("job C", JOB_C, c.operator, "500", 1)]);
    let specs_dir = dir.path().to_str().unwrap();

    // deploy (+ config + specs in one go is covered below; here the plain deploy)
    let deployed =
        c.json(&["deploy", "--link", &c.link.to_string(), "--fallback-wei-per-unit-link", "0.005eth"], Some(0)).await;
    let coordinator = deployed["coordinator"].as_str().unwrap().to_owned();
    assert_eq!(deployed["owner"], json!(c.owner.to_string().to_lowercase()));
    assert_eq!(deployed["config"]["fallbackWeiPerUnitLink"], "5000000000000000");
    let with = |args: &[&str]| -> Vec<String> {
        args.iter().map(|s| s.to_string()).chain(["--coordinator".to_owned(), coordinator.clone()]).collect()
    };
    let run = |args: Vec<String>, key| {
        let c = &c;
        async move { c.drc(&args.iter().map(String::as_str).collect::<Vec<_>>(), key).await }
    };

    // A dry run prints the plan and sends nothing (and needs no key).
    let before = c.nonce(c.owner).await;
    let out = run(with(&["specs", "sync", specs_dir, "--dry-run"]), None).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("ACTION") && stdout.contains("job A") && stdout.contains("create 3, update 0, delete 0"),
        "{stdout}"
    );
    assert!(stdout.contains("dry run: no transaction sent"), "{stdout}");
    assert_eq!(c.nonce(c.owner).await, before);

    // Without a key a real sync refuses before reading anything.
    let out = run(with(&["specs", "sync", specs_dir]), None).await;
    assert!(!out.status.success());
    assert!(text(&out).1.contains("LINKPOOL_DRC_PRIVATE_KEY"), "{}", text(&out).1);

    // First run: the diff table first, then the transactions.
    let out = run(with(&["specs", "sync", specs_dir]), Some(0)).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let (diff_at, sent_at) = (stdout.find("ACTION").unwrap(), stdout.find("SENT").unwrap());
    assert!(diff_at < sent_at, "{stdout}");
    assert!(stdout.contains("setSpecs(3)"), "{stdout}");
    let after_first = c.nonce(c.owner).await;
    assert_eq!(after_first, before + 1, "one batched setSpecs");

    // THE ACCEPTANCE CHECK: a second run sends no transaction.
    let out = run(with(&["specs", "sync", specs_dir]), Some(0)).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("create 0, update 0, delete 0, unchanged 3"), "{stdout}");
    assert!(stdout.contains("nothing to do"), "{stdout}");
    assert_eq!(c.nonce(c.owner).await, after_first, "the second sync sent a transaction");

    // Update one spec, delete a file's spec, with batches of 1: one setSpecs and one removeSpecs.
    write(
        dir.path(),
        "a.json",
        vec![entry("job A", JOB_A, c.operator, "2000", 1), entry("job B", JOB_B, c.operator, "100000000000000000", 0)],
    );
    write(dir.path(), "b.json", vec![]);
    let out =
        run([with(&["specs", "sync", specs_dir, "--batch-size", "1"]), vec!["--json".into()]].concat(), Some(0)).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let kinds: Vec<&str> =
        report["diff"]["changes"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["update", "unchanged", "delete"]);
    assert_eq!(report["diff"]["changes"][0]["changedFields"], json!(["fee"]));
    let txs: Vec<&str> =
        report["transactions"].as_array().unwrap().iter().map(|t| t["action"].as_str().unwrap()).collect();
    assert_eq!(txs, ["setSpecs(1)", "removeSpecs(1)"]);
    let after_update = c.nonce(c.owner).await;
    assert_eq!(after_update, after_first + 2);
    let again: Value = serde_json::from_str(
        &text(&run([with(&["specs", "sync", specs_dir]), vec!["--json".into()]].concat(), Some(0)).await).0,
    )
    .unwrap();
    assert_eq!(again["transactions"], json!([]));
    assert_eq!(c.nonce(c.owner).await, after_update);

    // show: the specs on chain are the files'.
    let show: Value = serde_json::from_str(
        &text(&run([with(&["show", "--section", "specs,config"]), vec!["--json".into()]].concat(), None).await).0,
    )
    .unwrap();
    let specs = show["specs"].as_array().unwrap();
    assert_eq!(specs.len(), 2);
    let a = specs.iter().find(|s| s["externalJobId"] == JOB_A).expect("job A on chain");
    assert_eq!(
        (a["fee"].as_str(), a["feeType"].as_str(), a["gasLimit"].as_u64()),
        (Some("2000"), Some("permyriad"), Some(500_000))
    );
    assert_eq!(show["overview"]["owner"], json!(c.owner.to_string().to_lowercase()));
    assert_eq!(show["overview"]["paused"], json!(false));

    // spec-key gives the key the sync used.
    let keys: Value = serde_json::from_str(
        &c.ok(&["spec-key", "--operator", &c.operator.to_string(), "--spec-id", JOB_A, "--json"], None).await,
    )
    .unwrap();
    assert_eq!(keys[0]["encoding"], "ascii");
    assert_eq!(keys[0]["key"], a["key"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_spec_files_are_refused_with_file_entry_and_field() {
    let c = chain().await;
    let dir = tempfile::tempdir().unwrap();
    let mut bad = entry("too little gas", JOB_A, c.operator, "1000", 1);
    bad["configuration"]["gasLimit"] = json!(100_000);
    write(dir.path(), "bad.json", vec![entry("fine", JOB_B, c.operator, "1", 0), bad]);
    let deployed = c.json(&["deploy", "--link", &c.link.to_string()], Some(0)).await;
    let coordinator = deployed["coordinator"].as_str().unwrap();
    let before = c.nonce(c.owner).await;
    let out = c.drc(&["specs", "sync", dir.path().to_str().unwrap(), "--coordinator", coordinator], Some(0)).await;
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr
            .contains("bad.json entry 1 (too little gas): configuration.gasLimit: 100000 is below the minimum 400000"),
        "{stderr}"
    );
    assert_eq!(c.nonce(c.owner).await, before);

    // Another chain id in the files is refused too.
    let mut other = entry("other chain", JOB_C, c.operator, "1", 0);
    other["description"]["chainId"] = json!(1);
    write(dir.path(), "bad.json", vec![other]);
    let out =
        c.drc(&["specs", "sync", dir.path().to_str().unwrap(), "--coordinator", coordinator, "--dry-run"], None).await;
    assert!(text(&out).1.contains("description.chainId: 1, but the chain is 31337"), "{}", text(&out).1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_commands_and_calc() {
    let c = chain().await;
    let feed = linkpool_bindings::SettableAggregator::deploy(
        c.provider.clone(),
        18,
        "LINK / ETH".into(),
        alloy::primitives::I256::try_from(5_000_000_000_000_000u64).unwrap(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.json", vec![entry("job A", JOB_A, c.operator, "1000", 1)]);
    // deploy + config + specs in one command
    let deployed = c
        .json(
            &[
                "deploy",
                "--link",
                &c.link.to_string(),
                "--link-tkn-feed",
                &feed.address().to_string(),
                "--specs",
                dir.path().to_str().unwrap(),
            ],
            Some(0),
        )
        .await;
    let coordinator = deployed["coordinator"].as_str().unwrap().to_owned();
    let actions: Vec<&str> =
        deployed["transactions"].as_array().unwrap().iter().map(|t| t["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["deploy DRCoordinator", "setConfig", "setSpecs(1)"]);
    let co = ["--coordinator", coordinator.as_str()];

    // calc max with the live price agrees with the contract's view.
    let calc = c
        .json(
            &[
                &[
                    "calc",
                    "max",
                    "--gas-price",
                    "25gwei",
                    "--gas-limit",
                    "500000",
                    "--live",
                    "--fee",
                    "1000",
                    "--fee-type",
                    "permyriad",
                    "--payment-in-escrow",
                    "0.1link",
                ][..],
                &co,
            ]
            .concat(),
            None,
        )
        .await;
    assert_eq!(calc["weiPerUnitLink"], "5000000000000000");
    assert_eq!(calc["amount"], "2650000000000000000");
    assert_eq!(calc["contractAmount"], calc["amount"]);
    // calc spot offline from two USD feeds' answers.
    let spot = c
        .json(
            &[
                "calc",
                "spot",
                "--gas-price",
                "25gwei",
                "--gas-used",
                "50000",
                "--link-usd",
                "750000000",
                "--tkn-usd",
                "150000000000",
                "--fee",
                "0.1link",
            ],
            None,
        )
        .await;
    // 25 gwei at 0.005 ETH per LINK: 5e12 juels per gas.
    let gas = 50_000 + u64::from(GAS_AFTER_PAYMENT_CALCULATION);
    assert_eq!(spot["gas"], gas);
    assert_eq!(spot["payment"], (u128::from(gas) * 5_000_000_000_000 + 100_000_000_000_000_000).to_string());
    let table = c
        .ok(&["calc", "spot", "--gas-price", "25gwei", "--gas-used", "50000", "--wei-per-unit-link", "0.005eth"], None)
        .await;
    let cost = u128::from(gas) * 5_000_000_000_000;
    assert!(table.contains("payment - escrow") && table.contains(&format!("{cost} (")), "{table}");
    let out = c.drc(&["calc", "max", "--gas-price", "1", "--gas-limit", "1"], None).await;
    assert!(text(&out).1.contains("give exactly one LINK price"), "{}", text(&out).1);

    // config set changes only the given field.
    let cfg = c.json(&[&["config", "set", "--staleness-seconds", "3600"][..], &co].concat(), Some(0)).await;
    assert_eq!(cfg["old"]["stalenessSeconds"], 0);
    assert_eq!(cfg["new"]["stalenessSeconds"], 3600);
    assert_eq!(cfg["new"]["linkTknFeed"], json!(feed.address().to_string().to_lowercase()));
    let cfg = c.json(&[&["config", "set", "--staleness-seconds", "3600"][..], &co].concat(), Some(0)).await;
    assert_eq!(cfg["transaction"], Value::Null, "nothing to change");

    // pause / unpause, and a stranger is refused with the contract's error.
    c.ok(&[&["pause"][..], &co].concat(), Some(0)).await;
    assert_eq!(c.json(&[&["show", "--section", "config"][..], &co].concat(), None).await["overview"]["paused"], true);
    let out = c.drc(&[&["unpause"][..], &co].concat(), Some(3)).await;
    assert!(text(&out).1.contains("OnlyOwner"), "{}", text(&out).1);
    c.ok(&[&["unpause"][..], &co].concat(), Some(0)).await;

    // two-step ownership transfer
    let new_owner = c.anvil.addresses()[1];
    c.ok(&[&["transfer-ownership", &new_owner.to_string()][..], &co].concat(), Some(0)).await;
    let out = c.drc(&[&["accept-ownership"][..], &co].concat(), Some(2)).await;
    assert!(text(&out).1.contains("OnlyPendingOwner"), "{}", text(&out).1);
    c.ok(&[&["accept-ownership"][..], &co].concat(), Some(1)).await;
    let show = c.json(&[&["show", "--section", "config"][..], &co].concat(), None).await;
    assert_eq!(show["overview"]["owner"], json!(new_owner.to_string().to_lowercase()));

    // withdraw: nothing earned yet.
    let out = c.drc(&[&["withdraw", "--to", &new_owner.to_string()][..], &co].concat(), Some(1)).await;
    assert!(text(&out).1.contains("no earnings"), "{}", text(&out).1);

    // The new owner signs from an encrypted keystore instead of the environment.
    let keys = tempfile::tempdir().unwrap();
    let password = keys.path().join("password");
    std::fs::write(&password, "correct horse\n").unwrap();
    linkpool_chain::KeyStore::new(keys.path().join("ks"))
        .import_hex(&c.key(1), &linkpool_chain::Password::new("correct horse"))
        .unwrap();
    let keystore = keys.path().join("ks");
    let with_keystore = ["--keystore", keystore.to_str().unwrap(), "--password-file", password.to_str().unwrap()];
    let tx = c.json(&[&["pause"][..], &co, &with_keystore].concat(), None).await;
    assert_eq!(tx["action"], "pause");
    assert_eq!(c.json(&[&["show", "--section", "config"][..], &co].concat(), None).await["overview"]["paused"], true);
    let out = c
        .drc(
            &[&["unpause", "--keystore", keystore.to_str().unwrap(), "--password-file", "/nonexistent"][..], &co]
                .concat(),
            None,
        )
        .await;
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_reads_balances_and_subscriptions() {
    use linkpool_bindings::{IDRCoordinator, LinkToken};
    let c = chain().await;
    let deployed =
        c.json(&["deploy", "--link", &c.link.to_string(), "--fallback-wei-per-unit-link", "0.005eth"], Some(0)).await;
    let coordinator: Address = deployed["coordinator"].as_str().unwrap().parse().unwrap();
    let co = ["--coordinator", deployed["coordinator"].as_str().unwrap()];
    let drc = IDRCoordinator::new(coordinator, c.provider.clone());
    let token = LinkToken::new(c.link, c.provider.clone());
    let consumer = c.anvil.addresses()[5];
    // 2 LINK to a consumer's balance (20 bytes of data), 3 LINK to a new subscription.
    token
        .transferAndCall(coordinator, U256::from(2_000_000_000_000_000_000u64), consumer.to_vec().into())
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    drc.createSubscription().send().await.unwrap().get_receipt().await.unwrap();
    drc.addConsumer(1, consumer).send().await.unwrap().get_receipt().await.unwrap();
    let data = alloy::sol_types::SolValue::abi_encode(&U256::from(1));
    token
        .transferAndCall(coordinator, U256::from(3_000_000_000_000_000_000u64), data.into())
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();

    let show = c
        .json(
            &[&["show", "--consumer", &consumer.to_string(), "--section", "balances,subscriptions,config"][..], &co]
                .concat(),
            None,
        )
        .await;
    assert_eq!(
        show["balances"],
        json!([{ "consumer": consumer.to_string().to_lowercase(), "balance": "2000000000000000000" }])
    );
    let subs = show["subscriptions"].as_array().unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!((subs[0]["id"].as_u64(), subs[0]["balance"].as_str()), (Some(1), Some("3000000000000000000")));
    assert_eq!(subs[0]["consumers"], json!([consumer.to_string().to_lowercase()]));
    // LINK held = balances + subscriptions (no escrow, no earnings yet).
    assert_eq!(show["overview"]["linkBalance"], "5000000000000000000");
    assert!(show.get("specs").is_none(), "only the sections asked for");

    let table = c.ok(&[&["show", "--subscription", "1", "--section", "subscriptions"][..], &co].concat(), None).await;
    assert!(table.contains("== subscriptions (1)") && table.contains("3000000000000000000 (3 LINK)"), "{table}");
    let out = c.drc(&[&["show", "--subscription", "9", "--section", "subscriptions"][..], &co].concat(), None).await;
    assert!(text(&out).1.contains("no subscription 9"), "{}", text(&out).1);
}
