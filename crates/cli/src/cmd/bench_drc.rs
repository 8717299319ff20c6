//! `linkpool bench drc`: DRCoordinator gas on a devnet, against the original's published figures.

use std::path::PathBuf;

use clap::Args;
use linkpool_devnet::{
    drc::{table, DrcOutcome, DrcSetup},
    Devnet, DevnetConfig,
};
use serde_json::json;

/// The original DRCoordinator's published gas (Goerli, 500k callback gas limit, one uint256).
const ORIGINAL_REQUEST_GAS: u64 = 264_169;
const ORIGINAL_FULFILL_GAS: u64 = 112_748;

#[derive(Debug, Args)]
pub(crate) struct DrcBenchArgs {
    /// Requests billed to the consumer's balance; the last one is reported as the steady state
    /// (the first pays one-time storage writes).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Callback gas limit of every request (the original's figures use 500,000).
    #[arg(long, default_value_t = 500_000)]
    callback_gas_limit: u32,
    /// Where the devnet node keeps its state (wiped at start).
    #[arg(long, default_value = ".bench-drc")]
    data_dir: PathBuf,
    /// Print one JSON object instead of tables (keys `gas.request_data`, `gas.fulfill_data`, …).
    #[arg(long)]
    json: bool,
}

fn pct_below(ours: u64, theirs: u64) -> f64 {
    (theirs as f64 - ours as f64) * 100.0 / theirs as f64
}

impl DrcBenchArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        eyre::ensure!(self.rounds >= 1, "--rounds must be at least 1");
        let devnet =
            Devnet::start(DevnetConfig { data_dir: self.data_dir.clone(), api_port: 0, ..DevnetConfig::default() })
                .await?;
        let setup = DrcSetup::deploy(&devnet).await?;
        let mut outcomes: Vec<DrcOutcome> = Vec::new();
        for i in 0..self.rounds {
            if !self.json {
                eprintln!("… request {}/{}", i + 1, self.rounds);
            }
            outcomes.push(setup.request(&devnet, 0, self.callback_gas_limit).await?);
        }
        devnet.shutdown().await;
        let first = &outcomes[0];
        let last = outcomes.last().expect("at least one round");
        let all_ok = outcomes.iter().all(|o| o.ok);
        if self.json {
            let v = json!({
                "callback_gas_limit": self.callback_gas_limit,
                "rounds": self.rounds,
                "gas": {
                    "request_data": last.request_gas,
                    "fulfill_data": last.fulfill_gas,
                    "first_request_data": first.request_gas,
                    "first_fulfill_data": first.fulfill_gas,
                },
                "original": { "request_data": ORIGINAL_REQUEST_GAS, "fulfill_data": ORIGINAL_FULFILL_GAS },
                "below_original_pct": {
                    "request_data": pct_below(last.request_gas, ORIGINAL_REQUEST_GAS),
                    "fulfill_data": pct_below(last.fulfill_gas, ORIGINAL_FULFILL_GAS),
                },
                "payments_ok": all_ok,
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        } else {
            println!("{}", table(&outcomes));
            println!("{:<28} {:>10} {:>10} {:>10}", "gas (whole transaction)", "ours", "original", "below");
            for (what, ours, theirs) in [
                ("requestData (steady)", last.request_gas, ORIGINAL_REQUEST_GAS),
                ("fulfilment (steady)", last.fulfill_gas, ORIGINAL_FULFILL_GAS),
                ("requestData (first)", first.request_gas, ORIGINAL_REQUEST_GAS),
                ("fulfilment (first)", first.fulfill_gas, ORIGINAL_FULFILL_GAS),
            ] {
                println!("{what:<28} {ours:>10} {theirs:>10} {:>9.1}%", pct_below(ours, theirs));
            }
        }
        eyre::ensure!(
            all_ok,
            "a payment did not match the formulas: {:?}",
            outcomes.iter().map(|o| &o.problems).collect::<Vec<_>>()
        );
        Ok(())
    }
}
