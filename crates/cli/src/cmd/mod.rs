//! Subcommands: one file each.

mod agreements;
mod agreements_deploy;
mod agreements_obligations;
mod bench;
mod bench_aggregation;
mod bench_drc;
mod bench_runs;
mod bench_scale;
mod bench_staking;
mod bridges;
mod devnet;
mod drc;
mod jobs;
mod keys;
mod node;
mod pool;
mod reputation;
mod runs;
mod sla;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run an oracle node.
    ///
    /// Settings come from the TOML file given with --config, then from
    /// `LINKPOOL_*` environment variables (nested keys use `__`, e.g.
    /// `LINKPOOL_CHAIN__RPC_URL`). Everything has a default suited to a local
    /// anvil on 127.0.0.1:8545. The sending key is the first key in the
    /// keystore directory (`linkpool keys create`); its password comes from
    /// `[keys] password_file` or LINKPOOL_KEYSTORE_PASSWORD.
    Node(node::NodeArgs),
    /// Start a complete local network and run the demo requests.
    ///
    /// It starts anvil, deploys LINK, an Operator and two example consumers,
    /// starts a demo price API and a node, creates the Chainlink docs'
    /// "Get > Uint256" and "MultiWord" jobs, sends one request per job, and
    /// prints each answer with its latency and gas. It then keeps running (use
    /// `linkpool jobs list` and `linkpool runs list` against the printed API)
    /// until Ctrl-C. With --once it exits instead: 0 if every request was
    /// fulfilled with the expected value, 1 otherwise.
    Devnet(devnet::DevnetArgs),
    /// Create, list, show and delete jobs on a running node.
    #[command(subcommand)]
    Jobs(jobs::JobsCommand),
    /// Register, list and remove external adapters (bridges) on a running node.
    #[command(subcommand)]
    Bridges(bridges::BridgesCommand),
    /// List and inspect pipeline runs on a running node.
    #[command(subcommand)]
    Runs(runs::RunsCommand),
    /// Manage the node's encrypted transaction keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Measure gas, latency and throughput; prints tables (or --json).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Manage a DRCoordinator: pay-as-you-go direct requests priced live.
    ///
    /// The node operator owns one DRCoordinator per network and registers its
    /// jobs on it as specs (JSON spec files, synced with `specs sync`).
    /// Consumers pay the gas their fulfilment really uses, converted to LINK
    /// with the price feeds, plus the operator's fee. Every command takes
    /// --rpc-url, --coordinator and --json (or LINKPOOL_RPC_URL,
    /// LINKPOOL_DRC_COORDINATOR); commands that send transactions sign with
    /// the key in LINKPOOL_DRC_PRIVATE_KEY or an encrypted --keystore.
    Drc(Box<drc::DrcArgs>),
    /// The LinkPool staking pool: economics, nodes, stakes, distribution, custody.
    #[command(subcommand)]
    Pool(pool::PoolCommand),
    /// Buy answers from a decentralized oracle network: SLAs of an OrderMatching contract.
    ///
    /// 1. You propose an SLA (`sla propose`): the job, n oracles (4 to 31; they tolerate
    ///    f = (n - 1) / 3 faulty ones), the payment per answer, the penalty each oracle deposits,
    ///    the aggregator that combines the answers and the Reputation contract that judges them.
    /// 2. Oracles bid by depositing the penalty; after the bidding window anyone finalizes
    ///    (`sla finalize`): the n best by acceptance rate are selected, the rest refunded.
    /// 3. Each request (`sla request`, escrow q × payment, q = 2f + 1) is answered by commit and
    ///    reveal: q oracles commit a hash, then reveal; once the aggregator's rule is met the answer
    ///    goes to your callback. Accepted oracles are paid; deviating, mismatched or missing ones
    ///    lose their penalty (to you); the rest of the escrow comes back.
    /// 4. After the service period, `sla close` returns the remaining penalties.
    ///
    /// Every command takes --rpc-url, --order-matching, --reputation and --json (or
    /// LINKPOOL_RPC_URL, LINKPOOL_ORDER_MATCHING, LINKPOOL_REPUTATION); commands that send
    /// transactions sign with the key in LINKPOOL_AGREEMENTS_PRIVATE_KEY or an encrypted --keystore.
    #[command(verbatim_doc_comment)]
    Sla(Box<sla::SlaArgs>),
    /// Oracles' records in a Reputation contract (`show`), and purchasers' ratings (`rate`).
    Reputation(Box<reputation::ReputationArgs>),
    /// The oracle network's contracts: deploy OrderMatching, Reputation and the aggregators.
    #[command(subcommand)]
    Agreements(agreements::AgreementsCommand),
}

impl Command {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self {
            Self::Node(a) => a.run().await,
            Self::Devnet(a) => a.run().await,
            Self::Jobs(c) => c.run().await,
            Self::Bridges(c) => c.run().await,
            Self::Runs(c) => c.run().await,
            Self::Keys(c) => c.run().await,
            Self::Bench(c) => c.run().await,
            Self::Drc(a) => a.run().await,
            Self::Pool(c) => c.run().await,
            Self::Sla(a) => a.run().await,
            Self::Reputation(a) => a.run().await,
            Self::Agreements(c) => c.run().await,
        }
    }
}
