use std::path::PathBuf;

use clap::Args;
use linkpool_node::{Node, NodeConfig};

#[derive(Debug, Args)]
pub(crate) struct NodeArgs {
    /// The node's TOML config file.
    #[arg(long, short, env = "LINKPOOL_CONFIG")]
    config: Option<PathBuf>,

    /// Print the effective configuration (defaults, file and environment merged) and exit.
    #[arg(long)]
    print_config: bool,
}

impl NodeArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let config = NodeConfig::load(self.config.as_deref())?;
        if self.print_config {
            println!("{}", toml::to_string_pretty(&config)?);
            return Ok(());
        }
        let token_hint = config.data_dir.join("api-token");
        let mut node = Node::start(config).await?;
        eprintln!("linkpool node is running");
        eprintln!("  API      http://{}", node.api_addr);
        eprintln!("  token    {}", token_hint.display());
        eprintln!("  sender   {}", node.state.sender);
        eprintln!("Ctrl-C stops it.");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => eprintln!("stopping…"),
            _ = node.stopped() => eyre::bail!("a node service stopped unexpectedly; see the log above"),
        }
        node.shutdown().await;
        Ok(())
    }
}
