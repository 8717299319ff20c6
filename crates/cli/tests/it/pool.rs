//! `linkpool pool …` management commands against anvil, run as a user would: deploy, create-node,
//! stake (both ways), earn, distribute, status, claim, withdraw, whitelist propose/execute/list,
//! upgrade deploy/propose/execute (refused before the delay) with the new contract picked up,
//! and refused commands with their messages.

use std::process::Output;

use alloy::{
    node_bindings::AnvilInstance,
    primitives::{Address, U256},
    providers::{DynProvider, Provider},
};
use linkpool_bindings::{
    stack::{self, Flavor},
    LinkToken, PenaltyVault,
};
use serde_json::Value;

const LINK: u128 = 1_000_000_000_000_000_000;

struct Chain {
    anvil: AnvilInstance,
    provider: DynProvider,
    admin: Address,
    link: Address,
    pool: Option<String>,
}

async fn chain() -> Chain {
    let anvil = linkpool_devtools::anvil().expect("anvil").spawn();
    let signer: alloy::signers::local::PrivateKeySigner = anvil.keys()[0].clone().into();
    let admin = signer.address();
    // Uncached nonces: the CLI sends from the same account in between.
    let provider = linkpool_drc::client::connect(anvil.endpoint().as_str(), Some(signer), None).await.unwrap();
    let link = stack::deploy_link(&provider, admin, Flavor::Linkpool).await.unwrap();
    Chain { anvil, provider, admin, link, pool: None }
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn juels(link: u128) -> String {
    (link * LINK).to_string()
}

fn addr(v: &Value) -> Address {
    v.as_str().unwrap_or_else(|| panic!("not an address: {v}")).parse().unwrap()
}

impl Chain {
    fn account(&self, i: usize) -> Address {
        self.anvil.addresses()[i]
    }

    fn key(&self, i: usize) -> String {
        format!("0x{}", alloy::hex::encode(self.anvil.keys()[i].to_bytes()))
    }

    /// Runs `linkpool pool <args> --rpc-url … [--pool …]` signing with anvil account `key`.
    async fn run(&self, args: &[&str], key: Option<usize>) -> Output {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkpool"));
        cmd.arg("pool").args(args).args(["--rpc-url", self.anvil.endpoint().as_str()]);
        if let Some(pool) = &self.pool {
            cmd.args(["--pool", pool]);
        }
        for var in [
            "LINKPOOL_POOL_PRIVATE_KEY",
            "LINKPOOL_POOL",
            "LINKPOOL_RPC_URL",
            "LINKPOOL_CHAIN_ID",
            "LINKPOOL_POOL_KEYSTORE",
            "LINKPOOL_POOL_FROM",
            "LINKPOOL_LINK_TOKEN",
            "RUST_LOG",
        ] {
            cmd.env_remove(var);
        }
        if let Some(i) = key {
            cmd.env("LINKPOOL_POOL_PRIVATE_KEY", self.key(i));
        }
        cmd.output().await.expect("linkpool runs")
    }

    async fn ok(&self, args: &[&str], key: Option<usize>) -> String {
        let out = self.run(args, key).await;
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "linkpool pool {args:?} failed:\n{stderr}\n{stdout}");
        stdout
    }

    async fn json(&self, args: &[&str], key: Option<usize>) -> Value {
        let stdout = self.ok(&[args, &["--json"]].concat(), key).await;
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
    }

    /// `args` must fail; its stderr.
    async fn fails(&self, args: &[&str], key: Option<usize>) -> String {
        let out = self.run(args, key).await;
        let (stdout, stderr) = text(&out);
        assert!(!out.status.success(), "linkpool pool {args:?} succeeded:\n{stdout}");
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        println!("linkpool pool {args:?} refused:\n{stderr}");
        stderr
    }

    async fn fund(&self, to: Address, link: u128) {
        let tx = LinkToken::new(self.link, self.provider.clone())
            .transfer(to, U256::from(link * LINK))
            .from(self.admin)
            .into_transaction_request();
        stack::send(&self.provider, tx).await.expect("fund");
    }

    async fn balance(&self, who: Address) -> U256 {
        LinkToken::new(self.link, self.provider.clone()).balanceOf(who).call().await.unwrap()
    }

    async fn increase_time(&self, seconds: u64) {
        let _: Value = self.provider.raw_request("evm_increaseTime".into(), (seconds,)).await.unwrap();
        let _: Value = self.provider.raw_request("evm_mine".into(), ()).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_lifecycle_stake_earn_distribute_claim_withdraw() {
    let mut c = chain().await;
    let (owners, node, alice, bob, anyone) = (c.account(1), c.account(2), c.account(3), c.account(4), c.account(5));

    // Deploy: the sending key is the admin; the delay is the contract's minimum.
    let deployed = c
        .json(
            &["deploy", "--link", &c.link.to_string(), "--upgrade-delay", "60s", "--pool-owners", &owners.to_string()],
            Some(0),
        )
        .await;
    assert_eq!(addr(&deployed["admin"]), c.admin);
    assert_eq!(deployed["upgradeDelay"], 60);
    assert_eq!(addr(&deployed["poolOwners"]), owners);
    c.pool = Some(deployed["poolStorage"].as_str().unwrap().to_owned());

    // A delay below the contract's minimum is refused before anything is sent.
    let err = c.fails(&["deploy", "--link", &c.link.to_string(), "--upgrade-delay", "59"], Some(0)).await;
    assert!(err.contains("below the contract's minimum of 60s"), "{err}");

    // The node registers itself.
    let created = c.json(&["create-node"], Some(2)).await;
    assert_eq!(addr(&created["node"]), node);
    let storage = addr(&created["storage"]);
    let n = node.to_string();

    // Stake both ways: transferAndCall (one tx) and approve + stake (two).
    c.fund(alice, 100).await;
    c.fund(bob, 50).await;
    let staked = c.json(&["stake", "--node", &n, "100link"], Some(3)).await;
    assert_eq!(staked["amount"], juels(100));
    assert_eq!(staked["transactions"].as_array().unwrap().len(), 1);
    let staked = c.json(&["stake", "--node", &n, &juels(50), "--approve"], Some(4)).await;
    assert_eq!(staked["amount"], juels(50));
    assert_eq!(staked["transactions"].as_array().unwrap().len(), 2);

    // Earn: 10 LINK arrive at the node's storage, as an Operator withdrawal would.
    c.fund(storage, 10).await;
    let status = c.json(&["status"], None).await;
    let node_status = &status["nodes"][0];
    assert_eq!(addr(&node_status["node"]), node);
    assert_eq!(addr(&node_status["storage"]), storage);
    assert_eq!(node_status["status"], "active");
    assert_eq!(node_status["totalStake"], juels(150));
    assert_eq!(node_status["stakers"], "2");
    assert_eq!(node_status["undistributed"], juels(10));
    assert_eq!(node_status["stakeLimit"], juels(20_000));
    assert_eq!(node_status["makersBps"], "2500");
    assert_eq!(addr(&status["pool"]["admin"]), c.admin);
    assert_eq!(status["pool"]["upgradeDelay"], 60);
    let names: Vec<&str> =
        status["pool"]["contracts"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["LinkPool", "Node", "NodeStaking", "NodeFactory", "PoolStorageFactory", "PoolOwners"]);

    // Anyone distributes: 25 % makers to the owners, the rest pro rata (alice 2/3, bob 1/3).
    let d = c.json(&["distribute", "--node", &n], Some(5)).await;
    assert_eq!((d["earnings"].as_str(), d["toOwners"].as_str()), (Some(&*juels(10)), Some("2500000000000000000")));
    assert_eq!(d["toStakers"], "7500000000000000000");
    assert_eq!(c.balance(owners).await, U256::from(2_500_000_000_000_000_000u128));
    let status =
        c.json(&["status", "--node", &n, "--staker", &alice.to_string(), "--staker", &bob.to_string()], None).await;
    let node_status = &status["nodes"][0];
    assert_eq!(node_status["totalEarnings"], juels(10));
    assert_eq!(node_status["totalToOwners"], "2500000000000000000");
    assert_eq!(node_status["undistributed"], "0");
    let stakers = status["stakers"].as_array().unwrap();
    assert_eq!(addr(&stakers[0]["staker"]), alice);
    assert_eq!(
        (stakers[0]["stake"].as_str(), stakers[0]["claimable"].as_str()),
        (Some(&*juels(100)), Some(&*juels(5)))
    );
    assert_eq!(addr(&stakers[1]["staker"]), bob);
    assert_eq!(stakers[1]["stake"], juels(50));
    assert_eq!(stakers[1]["claimable"], "2500000000000000000");

    // The human view carries the same numbers.
    let table = c.ok(&["status", "--staker", &alice.to_string()], None).await;
    println!("{table}");
    for line in ["== pool ", "== node ", "total stake        150 LINK", "earnings total     10 LINK", "makers 25%"] {
        assert!(table.contains(line), "{line:?} missing in:\n{table}");
    }

    // Claim, then withdraw part and all.
    let claimed = c.json(&["claim", "--node", &n], Some(3)).await;
    assert_eq!(claimed["amount"], juels(5));
    assert_eq!(c.balance(alice).await, U256::from(5 * LINK));
    let err = c.fails(&["claim", "--node", &n], Some(3)).await;
    assert!(err.contains("NothingToClaim") && err.contains("has no earnings to claim"), "{err}");
    let w = c.json(&["withdraw", "--node", &n, "20link"], Some(4)).await;
    assert_eq!(w["amount"], juels(20));
    let w = c.json(&["withdraw", "--node", &n, "all"], Some(3)).await;
    assert_eq!(w["amount"], juels(100));
    assert_eq!(c.balance(alice).await, U256::from(105 * LINK));

    // Exceeding the stake limit (20,000 LINK; 30 staked) is refused with the numbers.
    c.fund(anyone, 20_000).await;
    let err = c.fails(&["stake", "--node", &n, "19971link"], Some(5)).await;
    assert!(err.contains("StakeLimitExceeded {"), "{err}");
    assert!(err.contains("takes at most 20000 LINK in total, and this would bring it to 20001 LINK"), "{err}");
    // Staking on an address that is not a node, and without a key.
    let err = c.fails(&["stake", "--node", &anyone.to_string(), "1link"], Some(5)).await;
    assert!(err.contains("UnknownNode") && err.contains("is not a pool node"), "{err}");
    let err = c.fails(&["stake", "--node", &n, "1link"], None).await;
    assert!(err.contains("LINKPOOL_POOL_PRIVATE_KEY"), "{err}");
    // A wrong pool address is named as such.
    let saved = c.pool.replace(storage.to_string());
    let err = c.fails(&["status"], None).await;
    assert!(err.contains("is a node's storage"), "{err}");
    c.pool = saved;

    // Node settings: the admin only; fees bounded; a paused node takes no stake.
    let err = c.fails(&["node-settings", "--node", &n, "--status", "paused"], Some(5)).await;
    assert!(err.contains("NotAdmin"), "{err}");
    let err =
        c.fails(&["node-settings", "--node", &n, "--operational-cost-bps", "5001", "--makers-bps", "0"], Some(0)).await;
    assert!(err.contains("FeeTooHigh"), "{err}");
    let err = c.fails(&["node-settings", "--node", &n], Some(0)).await;
    assert!(err.contains("nothing to change"), "{err}");
    let sent = c
        .json(
            &[
                "node-settings",
                "--node",
                &n,
                "--status",
                "paused",
                "--stake-limit",
                "30000link",
                "--operational-cost-bps",
                "1000",
                "--makers-bps",
                "2000",
            ],
            Some(0),
        )
        .await;
    assert_eq!(sent.as_array().map(Vec::len), Some(3), "{sent}");
    let node_status = &c.json(&["status", "--node", &n], None).await["nodes"][0];
    assert_eq!(node_status["status"], "paused");
    assert_eq!(node_status["stakeLimit"], juels(30_000));
    assert_eq!(
        (node_status["operationalCostBps"].as_str(), node_status["makersBps"].as_str()),
        (Some("1000"), Some("2000"))
    );
    let err = c.fails(&["stake", "--node", &n, "1link"], Some(5)).await;
    assert!(err.contains("NodeNotActive"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whitelist_and_upgrades_wait_for_the_delay() {
    let mut c = chain().await;
    let (node, staker) = (c.account(2), c.account(3));
    let deployed = c.json(&["deploy", "--link", &c.link.to_string(), "--upgrade-delay", "60"], Some(0)).await;
    c.pool = Some(deployed["poolStorage"].as_str().unwrap().to_owned());
    let old_node_logic = addr(&deployed["node"]);
    c.json(&["create-node"], Some(2)).await;
    c.fund(staker, 10).await;
    c.json(&["stake", "--node", &node.to_string(), "10link"], Some(3)).await;

    // Whitelist: only the admin proposes; execution waits for the delay; anyone executes.
    let vault = *PenaltyVault::deploy(c.provider.clone(), c.link).await.unwrap().address();
    let v = vault.to_string();
    let err = c.fails(&["whitelist", "propose", &v], Some(3)).await;
    assert!(err.contains("NotAdmin") && err.contains("is not the pool's admin"), "{err}");
    let proposed = c.json(&["whitelist", "propose", &v], Some(0)).await;
    let ready_at = proposed["readyAt"].as_u64().unwrap();
    let list = c.json(&["whitelist", "list"], None).await;
    assert_eq!(list["whitelisted"], serde_json::json!([]));
    assert_eq!(addr(&list["pending"][0]["target"]), vault);
    assert_eq!(list["pending"][0]["readyAt"].as_u64(), Some(ready_at));
    assert!(list["pending"][0]["secondsLeft"].as_u64().unwrap() > 0);
    let err = c.fails(&["whitelist", "execute", &v], Some(5)).await;
    assert!(err.contains("DelayNotElapsed") && err.contains("the upgrade delay has not passed"), "{err}");
    c.increase_time(61).await;
    c.json(&["whitelist", "execute", &v], Some(5)).await;
    let list = c.json(&["whitelist", "list"], None).await;
    assert_eq!(addr(&list["whitelisted"][0]), vault);
    assert_eq!(list["pending"], serde_json::json!([]));
    let table = c.ok(&["whitelist", "list"], None).await;
    assert!(table.contains(&format!("{vault}  whitelisted")), "{table}");

    // Upgrade: a contract not built for this pool is refused; names are checked.
    let err = c.fails(&["upgrade", "propose", "Node", &c.link.to_string()], Some(0)).await;
    assert!(err.contains("was not built for this pool"), "{err}");
    let err = c.fails(&["upgrade", "propose", "Nodes", &old_node_logic.to_string()], Some(0)).await;
    assert!(err.contains("unknown contract name \"Nodes\""), "{err}");
    // Only the admin proposes.
    let err = c.fails(&["upgrade", "deploy", "node"], Some(3)).await;
    assert!(err.contains("is not the pool's admin") && !err.contains("deploying"), "{err}");
    let err = c.fails(&["upgrade", "propose", "Node", &old_node_logic.to_string()], Some(3)).await;
    assert!(err.contains("NotAdmin") && err.contains("is not the pool's admin"), "{err}");

    // deploy + propose a fresh Node (any case), then status shows it pending.
    let proposed = c.json(&["upgrade", "deploy", "node"], Some(0)).await;
    assert_eq!(proposed["name"], "Node");
    let new_node_logic = addr(&proposed["newContract"]);
    assert_ne!(new_node_logic, old_node_logic);
    assert_eq!(proposed["transactions"].as_array().unwrap().len(), 2);
    let pending = c.json(&["upgrade", "status"], None).await;
    assert_eq!(pending[0]["name"], "Node");
    assert_eq!(addr(&pending[0]["current"]), old_node_logic);
    assert_eq!(addr(&pending[0]["newContract"]), new_node_logic);
    assert_eq!(pending[0]["readyAt"], proposed["readyAt"]);
    let left = pending[0]["secondsLeft"].as_u64().unwrap();
    assert!(left > 0 && left <= 60, "{pending}");

    // Execute is refused before the delay, with when and how long.
    let err = c.fails(&["upgrade", "execute", "Node"], Some(5)).await;
    assert!(err.contains("executeContract(Node) reverted with DelayNotElapsed"), "{err}");
    assert!(err.contains("it can be executed at") && err.contains(", in "), "{err}");
    c.increase_time(61).await;
    let upgraded = c.json(&["upgrade", "execute", "Node"], Some(5)).await;
    assert_eq!(addr(&upgraded["oldContract"]), old_node_logic);
    assert_eq!(addr(&upgraded["newContract"]), new_node_logic);

    let status = c.json(&["status"], None).await;
    let node_entry = status["pool"]["contracts"].as_array().unwrap().iter().find(|c| c["name"] == "Node").unwrap();
    assert_eq!(addr(&node_entry["address"]), new_node_logic);
    assert_eq!(status["pool"]["proposals"], serde_json::json!([]));
    assert_eq!(addr(&status["pool"]["whitelist"][0]), vault);

    // The commands follow the registry: the withdrawal goes through the new Node.
    let w = c.json(&["withdraw", "--node", &node.to_string(), "all"], Some(3)).await;
    assert_eq!(w["amount"], juels(10));
    let receipt =
        c.provider.get_transaction_receipt(w["transaction"]["hash"].as_str().unwrap().parse().unwrap()).await.unwrap();
    assert_eq!(receipt.unwrap().to, Some(new_node_logic));
}
