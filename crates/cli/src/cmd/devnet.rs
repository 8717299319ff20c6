use std::{path::PathBuf, time::Duration};

use clap::Args;
use linkpool_devnet::{Devnet, DevnetConfig};

#[derive(Debug, Args)]
pub(crate) struct DevnetArgs {
    /// Run the scenarios and exit with their verdict.
    #[arg(long)]
    once: bool,
    /// The node's data directory (wiped at start).
    #[arg(long, default_value = ".devnet")]
    data_dir: PathBuf,
    /// Port of the node API (0 picks a free one).
    #[arg(long, default_value_t = 6688)]
    api_port: u16,
    /// anvil block time in seconds (default: a block per transaction).
    #[arg(long)]
    block_time: Option<f64>,
}

impl DevnetArgs {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        eprintln!("starting anvil, deploying contracts, starting the node…");
        let config = DevnetConfig {
            data_dir: self.data_dir.clone(),
            api_port: self.api_port,
            block_time: self.block_time,
            poll_interval: Duration::from_millis(100),
            ..DevnetConfig::default()
        };
        let mut devnet = Devnet::start(config).await?;
        let c = &devnet.contracts;
        println!("chain      {} (chain id {})", devnet.anvil.endpoint(), devnet.anvil.chain_id());
        println!("LINK       {}", c.link);
        println!("Operator   {}", c.operator);
        println!("consumers  {} (uint256), {} (multiword)", c.consumer_uint256, c.consumer_multiword);
        println!("prices     {}", devnet.source.url());
        println!(
            "jobs       {} Get > Uint256, {} MultiWord",
            devnet.uint256_job.external_job_id, devnet.multiword_job.external_job_id
        );
        println!();
        let report = devnet.run_scenarios().await?;
        print!("{}", report.table());
        // Pay-as-you-go through a DRCoordinator: one request billed to the consumer's balance,
        // one to a subscription, each settled at MAX / SPOT and checked against the formulas.
        let drc = linkpool_devnet::drc::DrcSetup::deploy(&devnet).await?;
        println!();
        println!(
            "DRCoordinator {}  (LINK/ETH feed {}, consumer {}, subscription {})",
            drc.coordinator, drc.feed, drc.consumer, drc.sub_id
        );
        let outcomes = vec![drc.request(&devnet, 0, 500_000).await?, drc.request(&devnet, drc.sub_id, 750_000).await?];
        print!("{}", linkpool_devnet::drc::table(&outcomes));
        // Staking (issue 5): three pool nodes, 20 stakers, fees, claims, withdrawals, a forfeit.
        println!();
        let staking = linkpool_devnet::staking::StakingScenario::run(&mut devnet).await?;
        print!("{}", linkpool_devnet::staking::table(&staking));
        // Oracle network (issue 6): seven oracles under one SLA, five of them real nodes; one
        // lies, one is offline, one freeloads. Commit/reveal, majority answer, penalties, reputation.
        let network = linkpool_devnet::network::NetworkScenario::run(&devnet).await?;
        print!("{}", linkpool_devnet::network::table(&network));
        let ok = report.all_ok() && outcomes.iter().all(|o| o.ok) && staking.ok() && network.ok();
        if self.once {
            devnet.shutdown().await;
            if !ok {
                eyre::bail!(
                    "some requests were not fulfilled with the expected value, or a staking or oracle-network check failed"
                );
            }
            println!("\nall requests fulfilled with the expected values; every staking and oracle-network check holds");
            return Ok(());
        }
        let node = devnet.node.as_ref().expect("running");
        println!();
        println!("node API   http://{}  (token in {}/api-token)", node.api_addr, self.data_dir.display());
        println!(
            "try        linkpool runs list --api-url http://{} --token-file {}/api-token",
            node.api_addr,
            self.data_dir.display()
        );
        println!("Ctrl-C stops the devnet.");
        tokio::signal::ctrl_c().await?;
        devnet.shutdown().await;
        Ok(())
    }
}
