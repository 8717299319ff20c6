//! Helpers shared by the CLI tests.

use std::process::Output;

use linkpool_devnet::Devnet;

/// Runs the `linkpool` binary against one node's API, as a user would.
pub(crate) struct Cli {
    api: Vec<String>,
}

impl Cli {
    /// A CLI pointed at the devnet's node (`--api-url`, `--token`).
    pub(crate) fn for_node(devnet: &Devnet) -> Self {
        let node = devnet.node.as_ref().expect("node running");
        Self {
            api: vec![
                "--api-url".into(),
                format!("http://{}", node.api_addr),
                "--token".into(),
                node.api_token.clone(),
            ],
        }
    }

    /// Runs `linkpool <args> --api-url … --token …`: success, stdout, stderr.
    pub(crate) async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let out: Output = tokio::process::Command::new(env!("CARGO_BIN_EXE_linkpool"))
            .args(args)
            .args(&self.api)
            .env_remove("LINKPOOL_API_TOKEN")
            .env_remove("LINKPOOL_API_URL")
            .env_remove("LINKPOOL_BRIDGE_OUTGOING_TOKEN")
            .env_remove("LINKPOOL_BRIDGE_INCOMING_TOKEN")
            .output()
            .await
            .expect("linkpool runs");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    }

    /// `args` must succeed; its stdout.
    pub(crate) async fn ok(&self, args: &[&str]) -> String {
        let (ok, stdout, stderr) = self.run(args).await;
        assert!(ok, "linkpool {args:?} failed: {stderr}");
        stdout
    }

    /// `runs list --json` with `args`: the run ids and the cursor.
    pub(crate) async fn page(&self, args: &[&str]) -> (Vec<i64>, Option<i64>) {
        let v: serde_json::Value =
            serde_json::from_str(&self.ok(&[&["runs", "list", "--json"], args].concat()).await).unwrap();
        let ids = v["runs"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
        (ids, v["nextBefore"].as_i64())
    }
}
