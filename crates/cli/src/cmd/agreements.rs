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
    // The first paragraph is the one-line summary of `linkpool agreements --help`; with
    // `verbatim_doc_comment` its line breaks are kept, so it must fit on one line.
    /// Show what a running node has at stake: its SLAs, penalties at risk and sessions.
    ///
    /// Reads the node's API (`GET /v2/agreements`): each SLA the node bid on (its bid's state,
    /// the SLA's status, whether the penalty is at risk, penalty, payment, own or pool stake)
    /// with the total penalties at risk, then its newest commit/reveal sessions (--sessions).
    ///
    ///   linkpool agreements obligations --api-url http://127.0.0.1:6688 --token …
    ///   linkpool agreements obligations --sessions 100 --json
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
