//! The one-command local network: a real anvil chain, our contracts, a demo
//! price API and a real linkpool node, wired together.
//!
//! [`Devnet::start`] does, in order:
//! 1. start anvil (from npm; see `linkpool-devtools`);
//! 2. deploy LINK, the Operator and the two example consumers, fund the
//!    consumers with LINK and authorize the node's key on the Operator
//!    ([`contracts`]);
//! 3. start the demo data source ([`datasource`]), an HTTP JSON price API with
//!    fixed values;
//! 4. start a node in-process with a fresh data dir, and create the Chainlink
//!    docs' "Get > Uint256" and "MultiWord" jobs verbatim, with only the
//!    Operator address filled in ([`jobs`]).
//!
//! [`Devnet::run_scenarios`] then sends requests from the consumers and waits
//! for their fulfilment, checking each answer against the data source's known
//! values ([`scenario`]). The end-to-end tests reuse exactly these pieces.

pub mod aggregation_bench;
pub mod bench;
mod clock;
pub mod contracts;
pub mod datasource;
pub mod drc;
mod error;
pub mod jobs;
pub mod network;
pub mod scale;
pub mod scenario;
pub mod staking;
pub mod staking_bench;

use std::{path::PathBuf, time::Duration};

use alloy::{
    network::EthereumWallet,
    node_bindings::AnvilInstance,
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use linkpool_bindings::stack::StackConfig;
use linkpool_node::{Node, NodeConfig, NodeHandle};

pub use contracts::Contracts;
pub use datasource::DemoDataSource;
pub use error::{DevnetError, Result};
pub use jobs::{ApiClient, CreatedJob};
pub use linkpool_bindings::stack::{Flavor, StackConfig as Flavors};
pub use scenario::{ScenarioOutcome, ScenarioReport};

/// Devnet settings.
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// Where the node keeps its state; wiped at start.
    pub data_dir: PathBuf,
    /// API port of the node (0: any free port).
    pub api_port: u16,
    /// Port of the demo data source (0: any free port).
    pub data_source_port: u16,
    /// anvil block time in seconds (fractions allowed); `None` mines a block per transaction.
    pub block_time: Option<f64>,
    /// anvil block gas limit; `None` keeps anvil's 30M.
    pub block_gas_limit: Option<u64>,
    /// How often the node polls for logs.
    pub poll_interval: Duration,
    /// Default task timeout of the node.
    pub task_timeout: Duration,
    /// Largest HTTP body a task reads.
    pub max_http_body_bytes: usize,
    /// Our contracts or Chainlink's (from `@chainlink/contracts`), per contract.
    pub flavors: StackConfig,
    /// The node's database URL; `None` keeps the node's default (SQLite in `data_dir`).
    pub database_url: Option<String>,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(".devnet"),
            api_port: 6688,
            data_source_port: 0,
            block_time: None,
            block_gas_limit: None,
            poll_interval: Duration::from_millis(100),
            task_timeout: Duration::from_secs(10),
            max_http_body_bytes: 1024 * 1024,
            flavors: StackConfig::LINKPOOL,
            database_url: None,
        }
    }
}

/// A running devnet; everything stops when it is dropped (call
/// [`Devnet::shutdown`] to stop the node cleanly first).
pub struct Devnet {
    /// The chain.
    pub anvil: AnvilInstance,
    /// A provider that signs with anvil's first account (the deployer and requester).
    pub provider: DynProvider,
    /// Deployed contracts.
    pub contracts: Contracts,
    /// The demo price API.
    pub source: DemoDataSource,
    /// The node.
    pub node: Option<NodeHandle>,
    /// The node's config (to restart it).
    pub node_config: NodeConfig,
    /// The docs' "Get > Uint256" job.
    pub uint256_job: CreatedJob,
    /// The docs' "MultiWord" job.
    pub multiword_job: CreatedJob,
}

/// The password of the devnet's node keystore (a dev-only key).
pub const DEVNET_KEYSTORE_PASSWORD: &str = "devnet";

/// anvil's second default account, which the devnet node sends from.
const NODE_KEY_INDEX: usize = 1;

impl Devnet {
    /// Starts everything; see the crate docs.
    pub async fn start(config: DevnetConfig) -> Result<Self> {
        let mut anvil = linkpool_devtools::anvil()?;
        if let Some(bt) = config.block_time {
            anvil = anvil.args(["--block-time".to_owned(), bt.to_string()]);
        }
        if let Some(gas) = config.block_gas_limit {
            anvil = anvil.args(["--gas-limit".to_owned(), gas.to_string()]);
        }
        let anvil = anvil.try_spawn()?;
        let deployer: PrivateKeySigner = anvil.keys()[0].clone().into();
        let node_key: PrivateKeySigner = anvil.keys()[NODE_KEY_INDEX].clone().into();
        let owner = deployer.address();
        let provider =
            ProviderBuilder::new().wallet(EthereumWallet::from(deployer)).connect_http(anvil.endpoint_url()).erased();
        let contracts = Contracts::deploy(&provider, owner, node_key.address(), config.flavors).await?;
        let source = DemoDataSource::start(config.data_source_port)
            .await
            .map_err(DevnetError::io("starting the demo data source"))?;

        let node_config = node_config(&config, &anvil, &node_key)?;
        let node = Node::start(node_config.clone()).await?;
        let api = ApiClient::new(format!("http://{}", node.api_addr), node.api_token.clone());
        let uint256_job = api.create_job(&jobs::fill(jobs::GET_UINT256, contracts.operator)).await?;
        let multiword_job = api.create_job(&jobs::fill(jobs::MULTIWORD, contracts.operator)).await?;
        Ok(Self { anvil, provider, contracts, source, node: Some(node), node_config, uint256_job, multiword_job })
    }

    /// A client of the node's API.
    pub fn api(&self) -> ApiClient {
        let node = self.node.as_ref().expect("node running");
        ApiClient::new(format!("http://{}", node.api_addr), node.api_token.clone())
    }

    /// Runs the demo scenarios: one request per job, checked against the data source.
    pub async fn run_scenarios(&self) -> Result<ScenarioReport> {
        scenario::run_all(self).await
    }

    /// Stops the node cleanly (the chain stays up until drop).
    pub async fn stop_node(&mut self) {
        if let Some(n) = self.node.take() {
            n.shutdown().await;
        }
    }

    /// Starts the node again on the same data dir (after [`Self::stop_node`]).
    pub async fn restart_node(&mut self) -> Result<()> {
        self.stop_node().await;
        self.node = Some(Node::start(self.node_config.clone()).await?);
        Ok(())
    }

    /// Stops the node, then the rest.
    pub async fn shutdown(mut self) {
        self.stop_node().await;
    }
}

/// Marks a directory as a devnet's, which the next devnet may wipe.
const DEVNET_MARKER: &str = ".linkpool-devnet";

/// Empties `dir` for a new devnet, refusing to touch a non-empty directory
/// that a devnet did not create (a typo in `--data-dir` must not wipe a home).
fn fresh_data_dir(dir: &std::path::Path) -> Result<()> {
    if dir.exists() {
        let empty =
            std::fs::read_dir(dir).map_err(DevnetError::io(format!("reading {}", dir.display())))?.next().is_none();
        if !empty && !dir.join(DEVNET_MARKER).exists() {
            return Err(DevnetError::Io {
                what: format!("refusing to wipe {}: it is not empty and no devnet created it", dir.display()),
                source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            });
        }
        std::fs::remove_dir_all(dir).map_err(DevnetError::io(format!("clearing {}", dir.display())))?;
    }
    std::fs::create_dir_all(dir).map_err(DevnetError::io(format!("creating {}", dir.display())))?;
    std::fs::write(dir.join(DEVNET_MARKER), "created by `linkpool devnet`; wiped at its next start\n")
        .map_err(DevnetError::io("marking the devnet data dir"))
}

fn node_config(config: &DevnetConfig, anvil: &AnvilInstance, node_key: &PrivateKeySigner) -> Result<NodeConfig> {
    let dir = &config.data_dir;
    fresh_data_dir(dir)?;
    let password_file = dir.join("keystore-password");
    std::fs::write(&password_file, DEVNET_KEYSTORE_PASSWORD)
        .map_err(DevnetError::io("writing the keystore password"))?;

    let mut c = NodeConfig { data_dir: dir.clone(), ..NodeConfig::default() };
    c.database.url = config.database_url.clone();
    c.api.listen = ([127, 0, 0, 1], config.api_port).into();
    c.chain.rpc_url = anvil.endpoint();
    c.chain.chain_id = Some(anvil.chain_id());
    c.chain.poll_interval = config.poll_interval;
    c.chain.start_block = Some(0);
    c.chain.bump_after = Duration::from_secs(5);
    // Local blocks can be 250 ms apart: a fulfilment waiting a few blocks under load is not stuck.
    c.chain.bump_after_blocks = 20;
    c.keys.password_file = Some(password_file);
    // The demo data source is on loopback: the devnet opts out of the guard explicitly.
    c.pipeline.allow_unrestricted_network_access = true;
    c.pipeline.default_task_timeout = config.task_timeout;
    c.pipeline.max_http_body_bytes = config.max_http_body_bytes;

    linkpool_chain::KeyStore::new(c.keystore_dir())
        .import_key(&node_key.to_bytes(), &linkpool_chain::Password::new(DEVNET_KEYSTORE_PASSWORD))?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_foreign_non_empty_dir_is_never_wiped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
        let err = super::fresh_data_dir(dir.path()).unwrap_err();
        assert!(err.to_string().contains("refusing to wipe"), "{err}");
        assert!(dir.path().join("precious.txt").exists());

        // A devnet's own dir, or an empty one, is (re)made.
        let own = dir.path().join("devnet");
        super::fresh_data_dir(&own).unwrap();
        std::fs::write(own.join("linkpool.sqlite"), "old").unwrap();
        super::fresh_data_dir(&own).unwrap();
        assert!(!own.join("linkpool.sqlite").exists());
        assert!(own.join(super::DEVNET_MARKER).exists());
    }
}
