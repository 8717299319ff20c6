use std::{path::PathBuf, time::Duration};

use clap::Args;
use linkpool_devnet::scale::{self, ScaleOptions, ScaleReport};

use crate::table;

/// `linkpool bench scale`.
#[derive(Debug, Args)]
pub(crate) struct ScaleArgs {
    /// Requests to send.
    #[arg(long, default_value_t = 1_000)]
    requests: usize,
    /// Requests sent per second (pre-signed, several in flight at once).
    #[arg(long, default_value_t = 250.0)]
    rate: f64,
    /// Times the node is SIGKILLed and restarted.
    #[arg(long, default_value_t = 2)]
    kills: usize,
    /// Seed of the kill moments (default: from the clock; the report prints it).
    #[arg(long)]
    seed: Option<u64>,
    /// anvil block time in seconds.
    #[arg(long, default_value_t = 0.25)]
    block_time: f64,
    /// anvil block gas limit.
    #[arg(long, default_value_t = 1_000_000_000)]
    block_gas_limit: u64,
    /// The node's database (default: SQLite in --data-dir). A PostgreSQL database must be empty.
    #[arg(long)]
    database_url: Option<String>,
    /// The node's data dir: config, keystore, database and node.log (wiped at start).
    #[arg(long, default_value = ".bench-scale")]
    data_dir: PathBuf,
    /// Give up waiting for fulfilments after this many seconds.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
    /// RUST_LOG of the node processes (their log goes to <data-dir>/node.log).
    #[arg(long, default_value = "info")]
    node_log: String,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

impl ScaleArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        if cfg!(debug_assertions) {
            eprintln!("note: this is a debug build; build with --release for meaningful figures");
        }
        let seed = self.seed.unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs())
        });
        let opts = ScaleOptions {
            requests: self.requests,
            rate: self.rate,
            kills: self.kills,
            seed,
            block_time: self.block_time,
            block_gas_limit: self.block_gas_limit,
            data_dir: self.data_dir,
            database_url: self.database_url,
            timeout: Duration::from_secs(self.timeout_secs),
            node_log_filter: self.node_log,
            ..ScaleOptions::new(std::env::current_exe()?)
        };
        let report = scale::run(&opts, |msg| eprintln!("… {msg}")).await?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report.to_json())?);
        } else {
            println!("{}", render(&report));
        }
        let failures = report.failures();
        if !failures.is_empty() {
            eyre::bail!("{} (node log: {})", failures.join("; "), report.node_log.display());
        }
        Ok(())
    }
}

fn render(r: &ScaleReport) -> String {
    let ms = |x: f64| format!("{x:.1} ms");
    let rows = vec![
        vec![
            "requests".into(),
            r.requests.to_string(),
            format!("at a target {}/s, sent at {:.1}/s", r.rate, r.send_rps()),
        ],
        vec!["fulfilled".into(), r.fulfilled.to_string(), "distinct request ids with a ValueFulfilled event".into()],
        vec![
            "duplicate txs".into(),
            r.duplicate_txs().to_string(),
            format!("node sent {} txs, {} reverted", r.node_txs, r.reverted_txs),
        ],
        vec!["wrong answers".into(), r.wrong_answers.to_string(), String::new()],
        vec!["kills".into(), r.kills.len().to_string(), format!("SIGKILL + immediate restart, seed {}", r.seed)],
        vec![
            "throughput".into(),
            format!("{:.1} req/s", r.throughput_rps()),
            format!("fulfilled / {:.2}s (first request sent → last fulfilment seen)", r.elapsed.as_secs_f64()),
        ],
        vec!["latency p50".into(), ms(r.latency_ms(0.5)), "request sent → fulfilment seen on chain".into()],
        vec!["latency p99".into(), ms(r.latency_ms(0.99)), String::new()],
        vec!["latency max".into(), ms(r.latency_ms(1.0)), String::new()],
        vec!["peak RSS".into(), format!("{:.1} MiB", r.peak_rss_mb()), "largest VmHWM of the node processes".into()],
    ];
    let mut out = table::render(&["metric", "value", "note"], &rows);
    if !r.kills.is_empty() {
        let kills: Vec<Vec<String>> = r
            .kills
            .iter()
            .enumerate()
            .map(|(i, k)| {
                vec![
                    format!("#{}", i + 1),
                    format!("{:.2}s", k.at.as_secs_f64()),
                    k.sent.to_string(),
                    k.fulfilled.to_string(),
                    k.down_for.map_or("never came back".into(), |d| format!("{} ms", d.as_millis())),
                ]
            })
            .collect();
        out.push_str("\n\n");
        out.push_str(&table::render(&["kill", "at", "sent", "fulfilled", "API back after"], &kills));
    }
    out
}
