//! `linkpool bench aggregation`: gas of one answered request of the oracle network (request,
//! commits, reveals with the settlement) for networks of 4 to 31 oracles.

use clap::Args;
use linkpool_devnet::aggregation_bench::{self, AggregationBenchOptions};

#[derive(Debug, Args)]
pub(crate) struct AggregationBenchArgs {
    /// Network sizes n, comma-separated, each 4 to 31 (fresh contracts for each). The JSON keys
    /// `gas_per_answer.<n>` follow these numbers.
    #[arg(long, value_delimiter = ',', default_value = "4,7,10,16,31")]
    sizes: Vec<u8>,
    /// Requests measured per size after the first, which writes every oracle's reputation record
    /// from zero and is reported apart; the figures are their mean.
    #[arg(long, default_value_t = 3)]
    requests: usize,
    /// Print one JSON object instead of the table: `gas_per_answer.<n>`, `request_gas.<n>`,
    /// `commit_gas.<n>`, `reveal_gas.<n>`, `gas_per_oracle.<n>`, `first_answer_gas.<n>`, `f.<n>`,
    /// `quorum.<n>`, `sizes`, `requests_measured`, `elapsed_s`.
    #[arg(long)]
    json: bool,
}

impl AggregationBenchArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let opts = AggregationBenchOptions { sizes: self.sizes, requests: self.requests };
        let report = aggregation_bench::run(&opts, |msg| eprintln!("… {msg}")).await?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&report.to_json())?);
        } else {
            print!("{}", report.table());
        }
        Ok(())
    }
}
