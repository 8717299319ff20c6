//! `linkpool agreements …`: the oracle network's contracts. Each subcommand lives in a file of its
//! own (`agreements_deploy.rs`, …).

use clap::Subcommand;

/// The oracle network's contracts (OrderMatching, Reputation, aggregators).
#[derive(Debug, Subcommand)]
pub(crate) enum AgreementsCommand {
    /// Deploy Reputation, OrderMatching and the standard aggregators; prints the addresses.
    ///
    /// The sending key owns Reputation (it may only register and unregister the contracts that
    /// report to it). OrderMatching has no owner. The median, trimmed-mean and weighted-mean
    /// aggregators accept answers within 1 % of the final one; the weighted mean weighs oracles
    /// by their accepted answers in this Reputation. Prints export lines for the other commands.
    ///
    ///   export LINKPOOL_AGREEMENTS_PRIVATE_KEY=0x…
    ///   linkpool agreements deploy --link 0x5FbD…
    ///   linkpool agreements deploy --link 0x5FbD… --pool-registry 0x…   # LinkPool nodes bid from stake
    #[command(verbatim_doc_comment)]
    Deploy(Box<super::agreements_deploy::DeployArgs>),
    /// What a running node has at stake: its SLAs (bids, selections), the penalties at risk and
    /// its newest commit/reveal sessions (from the node's API, `GET /v2/agreements`).
    ///
    ///   linkpool agreements obligations --api-url http://127.0.0.1:6688 --token …
    #[command(verbatim_doc_comment)]
    Obligations(super::agreements_obligations::ObligationsArgs),
}

impl AgreementsCommand {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self {
            Self::Deploy(a) => a.run().await,
            Self::Obligations(a) => a.run().await,
        }
    }
}
