//! `linkpool pool economics` run as a user would: the paper's Figures 1–4 from the defaults, as
//! a table and as JSON, a parameter variation, the help, and refused parameters.

use std::process::Output;

use serde_json::Value;

fn economics(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_linkpool"))
        .args(["pool", "economics"])
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .env_remove("RUST_LOG")
        .output()
        .expect("linkpool runs")
}

fn ok(args: &[&str]) -> String {
    let out = economics(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "pool economics {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    stdout
}

fn json(args: &[&str]) -> Value {
    let stdout = ok(&[args, &["--json"]].concat());
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// The table row whose first column is `quantity`, split on runs of 2+ spaces.
fn row(table: &str, quantity: &str) -> Vec<String> {
    let line = table
        .lines()
        .find(|l| l.starts_with(&format!("{quantity}  ")))
        .unwrap_or_else(|| panic!("no row {quantity:?} in:\n{table}"));
    line.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

#[test]
fn table_reproduces_figures_1_to_4() {
    let t = ok(&[]);
    let value = |q: &str| row(&t, q)[1].clone();
    assert_eq!(value("operational cost per request"), "$0.02744");
    assert_eq!(value("minimum price per request"), "$0.05488");
    // Figure 1.
    assert_eq!(value("requests per node"), "842");
    assert_eq!(value("revenue per node"), "$46.20896");
    assert_eq!(value("operational cost per node"), "$23.10448");
    assert_eq!(value("profit per node per month"), "$23.10448");
    // Figures 2 and 3.
    assert_eq!(value("staking interest"), "14,000,000 LINK");
    assert_eq!(value("nodes"), "700");
    // Figure 4.
    assert_eq!(value("pool profit per month"), "$16,173.136");
    assert_eq!(value("to stakers"), "$12,129.852");
    assert_eq!(value("to owners"), "$4,043.284");
    // The roundings are shown where they happen.
    assert!(row(&t, "requests per node")[2].contains("842.105263157894…, rounded down"), "{t}");
    assert!(row(&t, "staking interest")[2].contains("13,969,252.36 LINK rounded up"), "{t}");
    assert_eq!(row(&t, "nodes")[3], "Figure 3");
}

#[test]
fn json_reproduces_figures_1_to_4() {
    let v = json(&[]);
    let r = &v["results"];
    let expected = [
        ("gasPerRequest", "70000"),
        ("gasCostPerRequestEth", "0.00007"),
        ("opCostPerRequestUsd", "0.02744"),
        ("minPriceUsd", "0.05488"),
        ("marginPercent", "100"),
        ("oracleRequestsPerMonth", "16000000"),
        ("requestsPerNode", "842"),
        ("revenuePerNodeUsd", "46.20896"),
        ("opCostPerNodeUsd", "23.10448"),
        ("profitPerNodeUsd", "23.10448"),
        ("stakeInterestLink", "14000000"),
        ("nodes", "700"),
        ("stakeLeftOverLink", "0"),
        ("poolProfitUsd", "16173.136"),
        ("stakersProfitUsd", "12129.852"),
        ("ownersProfitUsd", "4043.284"),
    ];
    for (key, want) in expected {
        assert_eq!(r[key], want, "results.{key} in {v:#}");
    }
    // The inputs echo back: counts as numbers, decimals as exact strings.
    let p = &v["parameters"];
    assert_eq!(p["requestsPerMonth"], 4_000_000);
    assert_eq!(p["oracles"], 19_000);
    assert_eq!(p["ethUsd"], "392");
    assert_eq!(p["stakeInterestLink"], "13969252.36");
    assert_eq!(p["minPriceUsd"], Value::Null);
}

#[test]
fn parameters_change_the_result() {
    // 25 gwei at $2,000/ETH: $3.5 per request; an 80/20 split; no stake rounding (698 nodes).
    let v = json(&[
        "--gas-price-gwei",
        "25",
        "--eth-usd",
        "2_000",
        "--stakers-share",
        "80",
        "--round-stake-interest-up-to",
        "0",
    ]);
    let r = &v["results"];
    assert_eq!(r["opCostPerRequestUsd"], "3.5");
    assert_eq!(r["profitPerNodeUsd"], "2947");
    assert_eq!(r["nodes"], "698");
    assert_eq!(r["stakeLeftOverLink"], "9252.36");
    assert_eq!(r["poolProfitUsd"], "2057006");
    assert_eq!(r["stakersProfitUsd"], "1645604.8");
    assert_eq!(r["ownersProfitUsd"], "411401.2");
    // A given price below cost is a loss, with the margin it implies.
    let r = &json(&["--min-price", "0.02"])["results"];
    assert_eq!(r["poolProfitUsd"], "-4385.136");
    assert_eq!(r["marginPercent"], "-27.113702623906…");
    let t = ok(&["--min-price", "0.02"]);
    assert_eq!(row(&t, "pool profit per month")[1], "-$4,385.136");
}

#[test]
fn help_teaches_the_model() {
    let help = ok(&["--help"]);
    for needle in [
        "requests per node          = floor(requests per month × oracles per request / oracles)",
        "nodes                      = floor(staking interest / stake limit)",
        "$392/ETH",
        "[default: 13969252.36]",
        "[default: 1000000]",
        "linkpool pool economics --gas-price-gwei 25",
    ] {
        assert!(help.contains(needle), "help lacks {needle:?}:\n{help}");
    }
}

#[test]
fn bad_parameters_fail_clearly() {
    let cases: [(&[&str], &str); 5] = [
        (&["--oracles", "0"], "invalid parameter --oracles: the network needs at least 1 oracle"),
        (&["--stake-limit", "0"], "invalid parameter --stake-limit: must be more than 0 LINK per node (got 0)"),
        (&["--stakers-share", "120"], "invalid parameter --stakers-share: must be between 0 and 100 percent (got 120)"),
        (&["--eth-usd", "1,000"], "\"1,000\" is not a decimal"),
        (&["--margin", "50", "--min-price", "0.1"], "cannot be used with"),
    ];
    for (args, message) in cases {
        let out = economics(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(message), "{args:?}: stderr lacks {message:?}:\n{stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed a result");
    }
}
