//! The `linkpool` subcommands that talk to a node's API, run as a user would.

use std::process::Output;

use linkpool_devnet::{jobs, Devnet, DevnetConfig};

async fn linkpool(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_linkpool"))
        .args(args)
        .env_remove("LINKPOOL_API_TOKEN")
        .env_remove("LINKPOOL_API_URL")
        .output()
        .await
        .expect("linkpool runs")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_and_runs_commands_drive_a_running_node() {
    let dir = tempfile::tempdir().unwrap();
    let devnet =
        Devnet::start(DevnetConfig { data_dir: dir.path().join("node"), api_port: 0, ..DevnetConfig::default() })
            .await
            .unwrap();
    let node = devnet.node.as_ref().unwrap();
    let url = format!("http://{}", node.api_addr);
    let token = node.api_token.clone();
    let api = ["--api-url", url.as_str(), "--token", token.as_str()];
    let with = |rest: &[&'static str]| -> Vec<String> {
        rest.iter().map(|s| s.to_string()).chain(api.iter().map(|s| s.to_string())).collect()
    };
    let run = |args: Vec<String>| async move { linkpool(&args.iter().map(String::as_str).collect::<Vec<_>>()).await };

    // list
    let out = run(with(&["jobs", "list"])).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Get > Uint256 - (TOML)") && stdout.contains("multi-word (TOML)"), "{stdout}");

    // create: a bad spec is refused with its line; a good one prints both specId encodings
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        jobs::fill(jobs::GET_UINT256, devnet.contracts.operator).replace("type=\"multiply\"", "type=\"multiplyy\""),
    )
    .unwrap();
    let out = run(with(&["jobs", "create"]).into_iter().chain([bad.display().to_string()]).collect()).await;
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("multiplyy") && stderr.contains("line 17"), "{stderr}");

    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        format!(
            "externalJobID = \"a5ac14e8-7629-4726-b1f1-1ae053fc829e\"\n{}",
            jobs::fill(jobs::GET_UINT256, devnet.contracts.operator)
        ),
    )
    .unwrap();
    let out = run(with(&["jobs", "create"]).into_iter().chain([good.display().to_string()]).collect()).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("0x6135616331346538373632393437323662316631316165303533666338323965"), "{stdout}");
    assert!(stdout.contains("0xa5ac14e876294726b1f11ae053fc829e00000000000000000000000000000000"), "{stdout}");

    // runs
    let report = devnet.run_scenarios().await.unwrap();
    assert!(report.all_ok(), "{}", report.table());
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let out = run(with(&["runs", "list", "--status", "completed"])).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.lines().filter(|l| l.contains("completed")).count() >= 2, "{stdout}");
    let first_run = stdout.lines().nth(2).and_then(|l| l.split_whitespace().next()).unwrap().to_owned();
    let out = run(with(&["runs", "show"]).into_iter().chain([first_run]).collect()).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("submit_tx") && stdout.contains("ethtx"), "{stdout}");

    // delete, by externalJobID
    let out = run(with(&["jobs", "delete", "a5ac14e8-7629-4726-b1f1-1ae053fc829e"])).await;
    assert!(out.status.success(), "{}", text(&out).1);
    let out = run(with(&["jobs", "list", "--json"])).await;
    let (stdout, _) = text(&out);
    assert!(!stdout.contains("a5ac14e8-7629-4726-b1f1-1ae053fc829e"), "{stdout}");

    // a wrong token is refused with a clear message
    let out = linkpool(&["jobs", "list", "--api-url", &url, "--token", "nope"]).await;
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("missing or invalid API token"), "{stderr}");
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_created_encrypted_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let keys = keys.to_str().unwrap();
    let run = |args: Vec<&'static str>, password: &'static str| {
        let keys = keys.to_owned();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_linkpool"))
                .args(args)
                .args(["--dir", &keys])
                .env("LINKPOOL_KEYSTORE_PASSWORD", password)
                .output()
                .await
                .unwrap()
        }
    };
    let out = run(vec!["keys", "create"], "s3cret").await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let address = stdout.split_whitespace().nth(1).unwrap().to_owned();
    assert!(address.starts_with("0x") && address.len() == 42, "{stdout}");
    let file = std::fs::read_dir(keys).unwrap().next().unwrap().unwrap().path();
    let json = std::fs::read_to_string(file).unwrap();
    assert!(json.contains("scrypt") && json.contains("ciphertext"), "a v3 keystore: {json}");

    let out = run(vec!["keys", "list"], "s3cret").await;
    assert!(text(&out).0.contains(&address), "{}", text(&out).0);
    let out = run(vec!["keys", "list"], "wrong").await;
    assert!(!out.status.success(), "a wrong password fails");
}

#[tokio::test]
async fn help_teaches_the_commands() {
    let out = linkpool(&["--help"]).await;
    let (stdout, _) = text(&out);
    for cmd in ["node", "devnet", "jobs", "runs", "keys", "bench"] {
        assert!(stdout.contains(cmd), "--help lists {cmd}: {stdout}");
    }
    let out = linkpool(&["node", "--help"]).await;
    assert!(text(&out).0.contains("LINKPOOL_CHAIN__RPC_URL"), "{}", text(&out).0);
}
