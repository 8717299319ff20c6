//! `linkpool bench scale` end to end, small: 60 requests, two SIGKILLs of the
//! node process, and the exactly-once audit in its JSON report.

use std::process::Command;

use serde_json::Value;

#[test]
fn sixty_requests_survive_two_sigkills_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("scale");
    let out = Command::new(env!("CARGO_BIN_EXE_linkpool"))
        .args([
            "bench",
            "scale",
            "--requests",
            "60",
            "--rate",
            "30",
            "--kills",
            "2",
            "--seed",
            "42",
            "--json",
            "--data-dir",
        ])
        .arg(&data_dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("linkpool runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let node_log = std::fs::read_to_string(data_dir.join("node.log")).unwrap_or_default();
    assert!(
        out.status.success(),
        "bench scale failed ({}):\n{stdout}\n{stderr}\nnode log tail:\n{}",
        out.status,
        tail(&node_log, 60)
    );
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"));
    for key in ["requests", "fulfilled", "duplicate_txs", "kills", "throughput_rps", "peak_rss_mb"] {
        assert!(report.get(key).is_some(), "missing {key}: {report}");
    }
    assert!(report["latency_ms"]["p50"].is_number(), "{report}");
    assert!(report["latency_ms"]["p99"].is_number(), "{report}");
    assert_eq!(report["requests"], 60);
    assert_eq!(report["fulfilled"], 60, "{report}");
    assert_eq!(report["duplicate_txs"], 0, "{report}");
    assert_eq!(report["kills"], 2, "{report}");
    assert_eq!(report["node_txs"], 60, "one transaction per request: {report}");
    assert_eq!(report["wrong_answers"], 0, "{report}");
    assert!(report["peak_rss_mb"].as_f64().unwrap() > 0.0, "{report}");
    // The node came back after each kill.
    let kills = report["kill_log"].as_array().unwrap();
    assert_eq!(kills.len(), 2, "{report}");
    assert!(kills.iter().all(|k| k["down_ms"].is_number()), "{report}");
    // Three node processes wrote to the one log: the first and two restarts.
    assert!(node_log.matches("transaction manager started").count() >= 3, "{}", tail(&node_log, 40));
}

fn tail(s: &str, lines: usize) -> String {
    let v: Vec<&str> = s.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}
