//! Shared set-up for the end-to-end tests.

use std::time::{Duration, Instant};

use linkpool_devnet::{ApiClient, Devnet, DevnetConfig};
use serde_json::Value;

/// A devnet in a temporary directory with a free API port.
pub(crate) async fn devnet(dir: &tempfile::TempDir) -> Devnet {
    devnet_with(dir, |_| {}).await
}

/// Like [`devnet`], with the config adjusted by `f`.
pub(crate) async fn devnet_with(dir: &tempfile::TempDir, f: impl FnOnce(&mut DevnetConfig)) -> Devnet {
    let mut config = DevnetConfig { data_dir: dir.path().join("node"), api_port: 0, ..DevnetConfig::default() };
    f(&mut config);
    Devnet::start(config).await.expect("devnet starts")
}

/// Polls `GET /v2/runs?job=<job>` until a run satisfies `pred`, or panics after `timeout`.
pub(crate) async fn wait_for_run(api: &ApiClient, job: i64, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let runs = api.get(&format!("/v2/runs?job={job}&limit=500")).await.expect("runs list");
        if let Some(r) = runs["runs"].as_array().into_iter().flatten().find(|r| pred(r)) {
            return r.clone();
        }
        assert!(Instant::now() < deadline, "no matching run of job {job} within {timeout:?}: {runs}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
