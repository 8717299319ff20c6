//! `linkpool`: the command line of the linkpool oracle node.
//!
//! One file per subcommand under `cmd/`, each an args struct with `run()`.
//! Shared option groups (the API connection) live in `opts.rs` and are
//! flattened into the subcommands that need them, with `env` fallbacks.

mod client;
mod cmd;
mod opts;
mod table;

use clap::Parser;

/// linkpool: a Chainlink-compatible oracle node with trust-less staking.
///
/// Start with `linkpool devnet` to see a whole direct-request round trip on a
/// local chain, then `linkpool node --help` to run a node of your own.
#[derive(Debug, Parser)]
#[command(name = "linkpool", version, propagate_version = true, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: cmd::Command,

    /// Log filter, e.g. `info`, `linkpool=debug` (or RUST_LOG).
    #[arg(long, global = true, env = "RUST_LOG", default_value = "info")]
    log: String,
}

fn main() -> eyre::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&cli.log)?)
        .with_writer(std::io::stderr)
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(cli.command.run())
}
