//! `linkpool bridges`, run as an operator would against a running node.

use std::process::Output;

use linkpool_devnet::{Devnet, DevnetConfig};

async fn linkpool(args: &[String]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_linkpool"))
        .args(args)
        .env_remove("LINKPOOL_API_TOKEN")
        .env_remove("LINKPOOL_API_URL")
        .env_remove("LINKPOOL_BRIDGE_OUTGOING_TOKEN")
        .env_remove("LINKPOOL_BRIDGE_INCOMING_TOKEN")
        .output()
        .await
        .expect("linkpool runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridges_are_added_listed_shown_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let devnet =
        Devnet::start(DevnetConfig { data_dir: dir.path().join("node"), api_port: 0, ..DevnetConfig::default() })
            .await
            .unwrap();
    let node = devnet.node.as_ref().unwrap();
    let url = format!("http://{}", node.api_addr);
    let token = node.api_token.clone();
    let run = |args: &[&str]| {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend(["--api-url".to_owned(), url.clone(), "--token".to_owned(), token.clone()]);
        async move {
            let out = linkpool(&all).await;
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            (out.status.success(), text(&out.stdout), text(&out.stderr))
        }
    };
    let schema = dir.path().join("in.json");
    std::fs::write(&schema, r#"{"type": "object", "required": ["data"]}"#).unwrap();
    let schema = schema.display().to_string();

    let (ok, stdout, stderr) =
        run(&["bridges", "add", "prices", "http://127.0.0.1:9/", "--input-schema", &schema]).await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains("incoming token") && stdout.contains("shown once"), "{stdout}");
    assert!(stdout.contains("input schema    yes") && stdout.contains("output schema   no"), "{stdout}");

    let (ok, stdout, _) = run(&["bridges", "list"]).await;
    assert!(ok);
    assert!(stdout.contains("prices") && stdout.contains("http://127.0.0.1:9/"), "{stdout}");
    assert!(!stdout.contains("incoming"), "tokens are not listed: {stdout}");

    let (ok, stdout, _) = run(&["bridges", "show", "PRICES"]).await;
    assert!(ok);
    let shown: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(shown["inputSchema"]["required"][0], "data");
    assert!(shown["outgoingToken"].as_str().is_some_and(|t| t.len() == 64), "{shown}");

    // Bad input gets a clear error.
    let (ok, _, stderr) = run(&["bridges", "add", "Bad Name", "http://127.0.0.1:9/"]).await;
    assert!(!ok && stderr.contains("must be 1-64 characters"), "{stderr}");
    let (ok, _, stderr) = run(&["bridges", "add", "x", "ftp://127.0.0.1/"]).await;
    assert!(!ok && stderr.contains("must be http or https"), "{stderr}");
    let bad_schema = dir.path().join("bad.json");
    std::fs::write(&bad_schema, r#"{"type": 12}"#).unwrap();
    let (ok, _, stderr) =
        run(&["bridges", "add", "x", "http://127.0.0.1:9/", "--output-schema", &bad_schema.display().to_string()])
            .await;
    assert!(!ok && stderr.contains("not a valid JSON Schema"), "{stderr}");

    let (ok, stdout, _) = run(&["bridges", "remove", "prices"]).await;
    assert!(ok && stdout.contains("removed bridge prices"), "{stdout}");
    let (ok, _, stderr) = run(&["bridges", "remove", "prices"]).await;
    assert!(!ok && stderr.contains("not found"), "{stderr}");
    devnet.shutdown().await;
}
