use std::path::PathBuf;

use clap::{Args, Subcommand};
use linkpool_devnet::bench::{self, BenchOptions};

#[derive(Debug, Subcommand)]
pub(crate) enum BenchCommand {
    /// The direct-request path: gas against Chainlink's Operator, node latency, throughput.
    ///
    /// Gas: our Operator and the real one from @chainlink/contracts, deployed
    /// side by side on one anvil with the same LINK, consumer and request.
    /// Latency: the node's own time from OracleRequest log received to
    /// fulfilment transaction handed to the transaction manager, data-source
    /// time excluded (p50, p99), for requests sent one at a time, and for the
    /// requests of the throughput burst (which queue behind each other). Throughput: --requests requests sent at once
    /// to a devnet on interval mining, fulfilled per second. Build with
    /// --release (`make bench`) for meaningful figures.
    DirectRequest(DirectRequestArgs),
    /// 1,000 requests at a sustained rate while the node process is SIGKILLed and restarted.
    ///
    /// Starts anvil (0.25 s blocks), deploys the stack, runs `linkpool node`
    /// as a child process and sends --requests requests at --rate per second
    /// from pre-signed transactions. When a seeded random share (10–90 %) of
    /// the requests is fulfilled it SIGKILLs the node and restarts it at once,
    /// --kills times. Then it counts fulfilments per request id and the node
    /// key's transactions on chain. Throughput: fulfilled / (last fulfilment
    /// seen − first request sent). Latency: request sent → fulfilment seen.
    /// Peak RSS: largest VmHWM of the node processes. Exits non-zero unless
    /// every request was fulfilled exactly once, with no duplicate transaction.
    Scale(super::bench_scale::ScaleArgs),
    /// Run management on a big runs table: list latency, job deletion, purge, retention.
    ///
    /// Fills a job with --runs runs (default 100,000, with 8 task runs each)
    /// in a temporary SQLite database, and in each --database-url PostgreSQL
    /// database (which must hold no jobs). Then times: a page of `runs list`
    /// (by job, by job and status, deep in the table via the cursor);
    /// `delete_job` (the runs must be hidden at once); the background purge;
    /// and a retention pass over a second job as big (keeping --keep completed
    /// runs). While the purge and the retention pass run, a probe inserts a
    /// run every 5 ms and reports how long those inserts waited.
    Runs(super::bench_runs::RunsBenchArgs),
    /// DRCoordinator gas: requestData and the node's fulfilment, against the original's figures.
    ///
    /// Starts a devnet, deploys a DRCoordinator, a settable LINK/ETH feed and the example consumer,
    /// and sends --rounds requests with a --callback-gas-limit (500,000 as in the original's
    /// published 264,169 / 112,748 gas). The node fulfils each through Operator → coordinator →
    /// consumer (one uint256 stored). Prints MAX, SPOT, fee and refund per request (checked against
    /// the formulas) and the gas of the first and of the last (steady-state) round.
    Drc(super::bench_drc::DrcBenchArgs),
    /// LinkPool staking gas: stake, withdraw, distribute and claim with 10 and with 10,000 stakers.
    ///
    /// Starts its own anvil, deploys LINK and a pool, and creates one node per --stakers number,
    /// all in the same pool. Fills each node with that many distinct stakers (generated addresses
    /// anvil impersonates; 1 LINK each, staked with transferAndCall by the staker itself), then
    /// runs the same sequence on every node: two distributions of 10 LINK of earnings, two claims
    /// by one staker, a new staker's stake, a top-up, an approve + stake, and a withdrawal of half
    /// a stake. Reports each transaction's gasUsed; the second distribution and claim are the
    /// steady state. Distribute and claim are O(1) in the stakers: the command fails if either
    /// differs by 5 % or more between the nodes. Gas does not depend on the build profile.
    Staking(super::bench_staking::StakingBenchArgs),
    /// Oracle-network gas: one answered request (request, commits, reveals and settlement) for
    /// n = 4, 7, 10, 16 and 31 oracles.
    ///
    /// Starts its own anvil (40 accounts) and, for each n, deploys fresh contracts, has n oracles
    /// bid on an SLA judged by the mode aggregator, finalizes it, then sends requests: each time
    /// the quorum q = 2f + 1 commits and reveals the same answer (commitments after the quorum
    /// are refused), the answer reaches an SlaConsumer and the last reveal settles. Reports the
    /// mean whole-transaction gasUsed of --requests requests after the first, whose cold storage
    /// writes are reported apart. Gas does not depend on the build profile.
    Aggregation(super::bench_aggregation::AggregationBenchArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DirectRequestArgs {
    /// Requests in the throughput run.
    #[arg(long, default_value_t = 1_000)]
    requests: usize,
    /// Request/fulfil rounds per Operator in the gas run (the last one is reported as steady state).
    #[arg(long, default_value_t = 5)]
    gas_rounds: usize,
    /// anvil block time of the throughput run, in seconds.
    #[arg(long, default_value_t = 0.25)]
    block_time: f64,
    /// anvil block gas limit of the throughput run.
    #[arg(long, default_value_t = 1_000_000_000)]
    block_gas_limit: u64,
    /// Requests sent before measuring, to warm the node up.
    #[arg(long, default_value_t = 20)]
    warmup: usize,
    /// Requests of the latency run, sent one at a time.
    #[arg(long, default_value_t = 50)]
    latency_samples: usize,
    /// Pause between two requests of the latency run, in milliseconds.
    #[arg(long, default_value_t = 100)]
    latency_interval_ms: u64,
    /// Where the benchmark node keeps its state (wiped at start).
    #[arg(long, default_value = ".bench")]
    data_dir: PathBuf,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
}

impl BenchCommand {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self {
            Self::DirectRequest(a) => {
                if cfg!(debug_assertions) {
                    eprintln!("note: this is a debug build; `make bench` builds with --release");
                }
                let opts = BenchOptions {
                    requests: a.requests,
                    gas_rounds: a.gas_rounds,
                    block_time: a.block_time,
                    block_gas_limit: a.block_gas_limit,
                    warmup: a.warmup,
                    latency_samples: a.latency_samples,
                    latency_interval: std::time::Duration::from_millis(a.latency_interval_ms),
                    data_dir: a.data_dir,
                };
                let report = bench::direct_request(&opts, |msg| eprintln!("… {msg}")).await?;
                if a.json {
                    println!("{}", serde_json::to_string_pretty(&report.to_json())?);
                } else {
                    print!("{}", report.tables());
                }
                if report.fulfilled < report.requests {
                    eyre::bail!("only {} of {} requests were fulfilled", report.fulfilled, report.requests);
                }
            }
            Self::Scale(a) => a.run().await?,
            Self::Runs(a) => a.run().await?,
            Self::Drc(a) => a.run().await?,
            Self::Staking(a) => a.run().await?,
            Self::Aggregation(a) => a.run().await?,
        }
        Ok(())
    }
}
