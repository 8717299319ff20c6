//! Node configuration: a TOML file, overridden by `LINKPOOL_*` environment variables.
//!
//! Every field has a default, so an empty file is a valid config for a local
//! anvil. Nested keys are overridden with a double underscore:
//! `LINKPOOL_CHAIN__RPC_URL=http://…` sets `[chain] rpc_url`.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The whole node configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodeConfig {
    /// Where the node keeps its SQLite database and other state.
    pub data_dir: PathBuf,
    /// Database settings.
    pub database: DatabaseConfig,
    /// The HTTP API.
    pub api: ApiConfig,
    /// The EVM chain the node serves.
    pub chain: ChainConfig,
    /// Transaction keys.
    pub keys: KeysConfig,
    /// Pipeline task defaults.
    pub pipeline: PipelineConfig,
    /// Run retention.
    pub runs: RunsConfig,
    /// LinkPool membership (off unless `pool.storage` is set).
    pub pool: PoolConfig,
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(".linkpool"),
            database: DatabaseConfig::default(),
            api: ApiConfig::default(),
            chain: ChainConfig::default(),
            keys: KeysConfig::default(),
            pipeline: PipelineConfig::default(),
            runs: RunsConfig::default(),
            pool: PoolConfig::default(),
        }
    }
}

/// `[database]`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://…` or `postgres://…`; defaults to `sqlite://<data_dir>/linkpool.sqlite`.
    pub url: Option<String>,
}

/// `[api]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// Listen address; loopback by default.
    pub listen: SocketAddr,
    /// The bearer token clients must present. When unset the node reads
    /// `<data_dir>/api-token`, creating it with a random token on first start.
    pub token: Option<String>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// The URL external adapters reach this API at, for async callbacks
    /// (`<external_url>/v2/resume/<runId>`). Default: `http://<listen>` (127.0.0.1 when
    /// listening on every interface).
    pub external_url: Option<String>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self { listen: ([127, 0, 0, 1], 6688).into(), token: None, max_body_bytes: 256 * 1024, external_url: None }
    }
}

/// `[chain]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChainConfig {
    /// JSON-RPC endpoint.
    pub rpc_url: String,
    /// Expected chain id; the node refuses to start on another chain.
    pub chain_id: Option<u64>,
    /// How often the log poller asks for new blocks.
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    /// Block to start from when the node has no cursor yet (default: the current head).
    pub start_block: Option<u64>,
    /// Confirmations after which a sent transaction counts as final.
    pub tx_confirmations: u64,
    /// Gas limit of fulfilment transactions when neither the task nor the job sets one.
    pub default_gas_limit: u64,
    /// Re-price an unconfirmed transaction after this long…
    #[serde(with = "humantime_serde")]
    pub bump_after: Duration,
    /// …or after this many blocks without it, whichever comes first.
    pub bump_after_blocks: u64,
    /// Never bid more than this per gas, in wei.
    pub max_fee_per_gas_wei: u64,
}

impl Default for ChainConfig {
    fn default() -> Self {
        Self {
            rpc_url: "http://127.0.0.1:8545".into(),
            chain_id: None,
            poll_interval: Duration::from_secs(1),
            start_block: None,
            tx_confirmations: 1,
            default_gas_limit: 500_000,
            bump_after: Duration::from_secs(30),
            bump_after_blocks: 3,
            max_fee_per_gas_wei: 500_000_000_000,
        }
    }
}

/// `[keys]`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeysConfig {
    /// Directory of v3 JSON keystores; defaults to `<data_dir>/keys`.
    pub keystore_dir: Option<PathBuf>,
    /// File holding the keystore password; else `LINKPOOL_KEYSTORE_PASSWORD`.
    pub password_file: Option<PathBuf>,
}

/// `[pipeline]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    /// Default per-task timeout when a job sets no `maxTaskDuration`.
    #[serde(with = "humantime_serde")]
    pub default_task_timeout: Duration,
    /// Lets `http` tasks reach private and loopback addresses (the devnet turns this on).
    pub allow_unrestricted_network_access: bool,
    /// Largest HTTP response body a task reads, in bytes.
    pub max_http_body_bytes: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            default_task_timeout: Duration::from_secs(30),
            allow_unrestricted_network_access: false,
            max_http_body_bytes: 10 * 1024 * 1024,
        }
    }
}

/// `[runs]`: how many finished runs the node keeps (see `crate::retention`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunsConfig {
    /// Completed runs kept per job, the newest ones; older completed runs are deleted in the
    /// background. Errored and cancelled runs are always kept. `0` keeps every run.
    pub keep_successful_per_job: u64,
    /// How often the retention pass runs.
    #[serde(with = "humantime_serde")]
    pub retention_interval: Duration,
}

impl Default for RunsConfig {
    fn default() -> Self {
        Self { keep_successful_per_job: 1_000, retention_interval: Duration::from_secs(60) }
    }
}

/// `[pool]`: the LinkPool staking pool this node belongs to (LinkPool whitepaper §6.3.1).
///
/// With `storage` set, the node registers itself as a pool node at start if its address has no
/// pool node yet, and with `earnings_schedule` and `operator` set, it keeps a cron job that
/// withdraws the Operator's earnings into its node storage and distributes them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoolConfig {
    /// The pool's storage (its registry), as `linkpool pool deploy` printed it.
    pub storage: Option<alloy::primitives::Address>,
    /// Do not register at start (the node is registered some other way).
    pub no_register: bool,
    /// The Operator whose earnings the node withdraws into the pool; the node's key must own it.
    pub operator: Option<alloy::primitives::Address>,
    /// Cron schedule of the earnings job, e.g. `0 */6 * * *` or `@every 1h` (UTC). Unset: no job.
    pub earnings_schedule: Option<String>,
}

impl NodeConfig {
    /// Loads `path` (if given) and applies `LINKPOOL_*` environment overrides.
    pub fn load(path: Option<&std::path::Path>) -> Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(NodeConfig::default()));
        if let Some(p) = path {
            if !p.exists() {
                return Err(Error::Config(format!("config file {} does not exist", p.display())));
            }
            fig = fig.merge(Toml::file(p));
        }
        fig = fig.merge(Env::prefixed("LINKPOOL_").split("__").ignore(&[
            "api_token",
            "keystore_password",
            "anvil",
            "api_url",
        ]));
        fig.extract().map_err(|e| Error::Config(e.to_string()))
    }

    /// The database URL, defaulting to a SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        self.database
            .url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("linkpool.sqlite").display()))
    }

    /// The keystore directory.
    pub fn keystore_dir(&self) -> PathBuf {
        self.keys.keystore_dir.clone().unwrap_or_else(|| self.data_dir.join("keys"))
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail closures return its large error type
mod tests {
    use super::*;

    #[test]
    fn defaults_alone_are_a_valid_config() {
        figment::Jail::expect_with(|_| {
            let c = NodeConfig::load(None).unwrap();
            assert_eq!(c.api.listen.to_string(), "127.0.0.1:6688");
            assert_eq!(c.chain.max_fee_per_gas_wei, 500_000_000_000);
            assert!(!c.pipeline.allow_unrestricted_network_access, "the network guard is on by default");
            Ok(())
        });
    }

    #[test]
    fn a_missing_config_file_is_an_error() {
        let err = NodeConfig::load(Some(std::path::Path::new("/nonexistent/node.toml"))).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }

    #[test]
    fn file_values_then_env_overrides() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "node.toml",
                "data_dir = \"/var/lib/lp\"\n[chain]\nrpc_url = \"http://a:1\"\npoll_interval = \"250ms\"\n",
            )?;
            jail.set_env("LINKPOOL_CHAIN__RPC_URL", "http://b:2");
            let c = NodeConfig::load(Some(std::path::Path::new("node.toml"))).unwrap();
            assert_eq!(c.chain.rpc_url, "http://b:2");
            assert_eq!(c.chain.poll_interval, Duration::from_millis(250));
            assert_eq!(c.database_url(), "sqlite:///var/lib/lp/linkpool.sqlite");
            Ok(())
        });
    }

    #[test]
    fn runs_retention_from_file_and_env() {
        figment::Jail::expect_with(|jail| {
            let c = NodeConfig::load(None).unwrap();
            assert_eq!((c.runs.keep_successful_per_job, c.runs.retention_interval), (1_000, Duration::from_secs(60)));
            jail.create_file("node.toml", "[runs]\nkeep_successful_per_job = 50\nretention_interval = \"5s\"\n")?;
            jail.set_env("LINKPOOL_RUNS__KEEP_SUCCESSFUL_PER_JOB", "0");
            let c = NodeConfig::load(Some(std::path::Path::new("node.toml"))).unwrap();
            assert_eq!((c.runs.keep_successful_per_job, c.runs.retention_interval), (0, Duration::from_secs(5)));
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_rejected() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("node.toml", "[chain]\nrpc_ur = \"x\"\n")?;
            let err = NodeConfig::load(Some(std::path::Path::new("node.toml"))).unwrap_err();
            assert!(err.to_string().contains("rpc_ur"), "{err}");
            Ok(())
        });
    }
}
