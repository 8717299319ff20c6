use std::time::Duration;

use crate::harness::{devnet, wait_for_run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_jobs_fulfil_the_demo_requests_with_the_expected_values() {
    let dir = tempfile::tempdir().unwrap();
    let devnet = devnet(&dir).await;
    let report = devnet.run_scenarios().await.expect("scenarios run");
    print!("{}", report.table());
    assert!(report.all_ok(), "{}", report.table());
    for o in &report.outcomes {
        assert!(o.fulfill_gas > 0, "{} has a fulfilment transaction", o.name);
    }

    // The API shows the completed run with every task's output.
    let api = devnet.api();
    let run = wait_for_run(&api, devnet.uint256_job.id, Duration::from_secs(10), |r| r["status"] == "completed").await;
    let shown = api.get(&format!("/v2/runs/{}", run["id"])).await.unwrap();
    let tasks = shown["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 8, "{shown}");
    let multiply = tasks.iter().find(|t| t["taskId"] == "multiply").unwrap();
    assert!(multiply["output"].to_string().contains("123456789012345678000000"), "{multiply}");
    assert!(tasks.iter().all(|t| t["error"].is_null()), "{shown}");
    devnet.shutdown().await;
}
