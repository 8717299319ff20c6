//! `linkpool bench staking`: gas of a LinkPool node's stake, withdraw, distribute and claim with few
//! and with many stakers.

use clap::Args;
use linkpool_devnet::staking_bench::{self, StakingBenchOptions, MAX_SPREAD_PCT};

#[derive(Debug, Args)]
pub(crate) struct StakingBenchArgs {
    /// Stakers per node, comma-separated: one node per number, all in one pool. Each must be at
    /// least 2. The JSON keys `gas.distribute.<n>` and `gas.claim.<n>` follow these numbers.
    #[arg(long, value_delimiter = ',', default_value = "10,10000")]
    stakers: Vec<usize>,
    /// Stakers funded and staked per round of the fill (sent at once, then mined together).
    #[arg(long, default_value_t = 1_000)]
    chunk: usize,
    /// RPC requests in flight during the fill.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Print one JSON object instead of the table: `gas.stake`, `gas.withdraw`,
    /// `gas.distribute.<n>`, `gas.claim.<n>`, and more (`gas.stake_top_up`, `gas.by_stakers.*`,
    /// `spread_pct`, `elapsed_s`).
    #[arg(long)]
    json: bool,
}

impl StakingBenchArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let opts = StakingBenchOptions { stakers: self.stakers, concurrency: self.concurrency, chunk: self.chunk };
        let report = staking_bench::run(&opts, |msg| eprintln!("… {msg}")).await?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report.to_json())?);
        } else {
            print!("{}", report.table());
        }
        eyre::ensure!(
            report.o1_holds(),
            "distribute or claim gas differs by {MAX_SPREAD_PCT}% or more between the nodes \
             (distribute {:.2}%, claim {:.2}%)",
            report.spread_pct(|n| n.distribute),
            report.spread_pct(|n| n.claim)
        );
        Ok(())
    }
}
