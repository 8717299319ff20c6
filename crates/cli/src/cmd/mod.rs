//! Subcommands: one file each.

mod bench;
mod devnet;
mod jobs;
mod keys;
mod node;
mod runs;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run an oracle node: watch the chain, run jobs, serve the API.
    Node(node::NodeArgs),
    /// Start a local chain, contracts, a demo data source and a node, and run the demo scenarios.
    Devnet(devnet::DevnetArgs),
    /// Create, list, show and delete jobs on a running node.
    #[command(subcommand)]
    Jobs(jobs::JobsCommand),
    /// List and inspect pipeline runs on a running node.
    #[command(subcommand)]
    Runs(runs::RunsCommand),
    /// Manage the node's encrypted transaction keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Measure gas, latency and throughput; prints tables (or --json).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

impl Command {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self {
            Self::Node(a) => a.run().await,
            Self::Devnet(a) => a.run().await,
            Self::Jobs(c) => c.run().await,
            Self::Runs(c) => c.run().await,
            Self::Keys(c) => c.run().await,
            Self::Bench(c) => c.run().await,
        }
    }
}
