//! `linkpool bridges`, run as an operator would against a running node.

use linkpool_devnet::{Devnet, DevnetConfig};

use crate::common::Cli;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridges_are_added_listed_shown_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let devnet =
        Devnet::start(DevnetConfig { data_dir: dir.path().join("node"), api_port: 0, ..DevnetConfig::default() })
            .await
            .unwrap();
    let cli = Cli::for_node(&devnet);
    let run = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let cli = &cli;
        async move { cli.run(&args.iter().map(String::as_str).collect::<Vec<_>>()).await }
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
