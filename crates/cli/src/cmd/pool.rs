//! `linkpool pool …`: the LinkPool staking pool (LinkPool whitepaper §4–6).
//!
//! One file per subcommand under `pool/`.

mod economics;

use clap::Subcommand;

/// The LinkPool staking pool: economics, nodes, stakes, distribution, custody.
#[derive(Debug, Subcommand)]
pub(crate) enum PoolCommand {
    /// Compute the paper's oracle and pool economics (§4–5) from parameters.
    Economics(economics::EconomicsArgs),
}

impl PoolCommand {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        match self {
            Self::Economics(a) => a.run(),
        }
    }
}
