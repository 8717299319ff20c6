//! `linkpool runs list | show | rerun` against a running devnet node, run as a user would.

use std::time::{Duration, Instant};

use linkpool_devnet::{Devnet, DevnetConfig};

use crate::common::Cli;

/// The run ids of a `runs list` table (first column, after the header and its rule).
fn table_ids(stdout: &str) -> Vec<i64> {
    stdout.lines().skip(2).map_while(|l| l.split_whitespace().next()?.parse().ok()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_commands_list_by_status_page_show_inputs_and_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let devnet =
        Devnet::start(DevnetConfig { data_dir: dir.path().join("node"), api_port: 0, ..DevnetConfig::default() })
            .await
            .unwrap();
    let cli = Cli::for_node(&devnet);
    let job = devnet.uint256_job.id.to_string();

    // two completed runs per job, then one failed run: the data source has no NOPE/USD quote
    for _ in 0..2 {
        let report = devnet.run_scenarios().await.unwrap();
        assert!(report.all_ok(), "{}", report.table());
    }
    let url = format!("{}/data/price?fsym=NOPE&tsyms=USD", devnet.source.url());
    linkpool_devnet::scenario::send_price_request(&devnet, devnet.uint256_job.spec_id, &url, "USD", 1).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let failed = loop {
        let (ids, _) = cli.page(&["--job", &job, "--status", "errored"]).await;
        if let Some(id) = ids.first() {
            break *id;
        }
        assert!(Instant::now() < deadline, "no errored run");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // the failed runs of the job, as a table
    let stdout = cli.ok(&["runs", "list", "--job", &job, "--status", "errored"]).await;
    assert_eq!(table_ids(&stdout), [failed], "{stdout}");
    assert!(stdout.contains("errored") && stdout.contains("fetch: http status 400"), "{stdout}");
    assert!(!stdout.contains("next page"), "one page only: {stdout}");
    // by externalJobID too
    let ext = devnet.uint256_job.external_job_id.to_string();
    assert_eq!(cli.page(&["--job", &ext, "--status", "errored"]).await.0, [failed]);

    // paging: one run per page, following the printed command
    let (all, _) = cli.page(&["--job", &job]).await;
    assert_eq!(all.len(), 3, "{all:?}");
    let mut walked = Vec::new();
    let mut args: Vec<String> = ["runs", "list", "--job", &job, "--limit", "1"].map(String::from).to_vec();
    loop {
        let stdout = cli.ok(&args.iter().map(String::as_str).collect::<Vec<_>>()).await;
        walked.extend(table_ids(&stdout));
        let Some(next) = stdout.lines().find_map(|l| l.strip_prefix("next page: linkpool ")) else { break };
        assert!(next.contains(&format!("--job {job}")) && next.contains("--limit 1"), "{next}");
        args = next.split_whitespace().map(String::from).collect();
    }
    assert_eq!(walked, all, "newest first, each run once");

    // show: each task with what its parents gave it
    let stdout = cli.ok(&["runs", "show", &failed.to_string(), "--full"]).await;
    assert!(stdout.contains(&format!("run {failed} of job {job}: errored")), "{stdout}");
    assert!(stdout.contains("fetch (http): errored"), "{stdout}");
    assert!(stdout.contains("input  decode_cbor: {") && stdout.contains(&url), "{stdout}");
    assert!(stdout.contains("error  http status 400"), "{stdout}");
    assert!(stdout.contains("parse (jsonparse): errored"), "{stdout}");
    assert!(stdout.contains("input  fetch: ERROR http status 400"), "{stdout}");

    // rerun: a completed run is refused with the reason; the failed one gets one new run
    // a run completes a little after its fulfilment is on chain (its tx needs its confirmations)
    let deadline = Instant::now() + Duration::from_secs(30);
    let completed = loop {
        if let Some(id) = cli.page(&["--job", &job, "--status", "completed", "--limit", "1"]).await.0.first() {
            break *id;
        }
        assert!(Instant::now() < deadline, "no completed run");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (ok, _, stderr) = cli.run(&["runs", "rerun", &completed.to_string()]).await;
    assert!(!ok);
    assert!(stderr.contains("only errored or cancelled runs can be rerun") && stderr.contains("409"), "{stderr}");
    let rerun_of_failed = || async {
        let stdout = cli.ok(&["runs", "rerun", &failed.to_string()]).await;
        assert!(stdout.contains(&format!("rerun of run {failed}")), "{stdout}");
        stdout
            .strip_prefix("run ")
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or_else(|| panic!("{stdout}"))
    };
    let first = rerun_of_failed().await;
    // the source still has no quote: the rerun fails too, and may be rerun again
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cli.page(&["--job", &job, "--status", "errored"]).await.0.contains(&first) {
        assert!(Instant::now() < deadline, "rerun {first} did not fail");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stdout = cli.ok(&["runs", "show", &first.to_string()]).await;
    assert!(stdout.contains(&format!("run {first} of job {job}: errored (rerun of run {failed})")), "{stdout}");
    let second = rerun_of_failed().await;
    assert!(second > first);
    let stdout = cli.ok(&["runs", "show", &failed.to_string()]).await;
    assert!(stdout.contains(&format!("reruns: {first} (errored), {second} (")), "{stdout}");
    assert!(stdout.contains(&format!("run {failed} of job {job}: errored\n")), "the original is unchanged: {stdout}");
    devnet.shutdown().await;
}
