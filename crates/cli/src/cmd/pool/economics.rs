//! `linkpool pool economics` (placeholder until the model lands).

use clap::Args;

/// Parameters of the paper's model.
#[derive(Debug, Args)]
pub(crate) struct EconomicsArgs {}

impl EconomicsArgs {
    pub(crate) fn run(self) -> eyre::Result<()> {
        eyre::bail!("not implemented yet")
    }
}
