//! Options shared by the pool management commands: the chain and pool, and the sending key.
//!
//! They are flattened into each command (not into `pool` itself, whose `economics` has a `--json`
//! of its own) and are global there, so they go before or after a nested subcommand.

use std::path::PathBuf;

use alloy::{primitives::Address, providers::DynProvider, signers::local::PrivateKeySigner};
use clap::Args;
use eyre::Context;
use linkpool_pool::client::Pool;

/// Which chain and pool to talk to, and how to print.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Chain")]
pub(crate) struct ChainOpts {
    /// JSON-RPC endpoint of the chain.
    #[arg(long, env = "LINKPOOL_RPC_URL", default_value = "http://127.0.0.1:8545", global = true)]
    pub(crate) rpc_url: String,

    /// Refuse to run unless the endpoint serves this chain id (guards against the wrong network).
    #[arg(long, env = "LINKPOOL_CHAIN_ID", global = true)]
    pub(crate) chain_id: Option<u64>,

    /// The pool, by its pool storage address (what `linkpool pool deploy` prints). LinkPool,
    /// Node and NodeStaking are looked up in its registry, so upgrades are followed.
    #[arg(long, env = "LINKPOOL_POOL", global = true)]
    pub(crate) pool: Option<Address>,

    /// Print machine-readable JSON instead of tables (amounts in juels, as decimal strings).
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

/// The key that signs transactions: a hex private key in an environment variable, or an
/// encrypted keystore. Read-only commands need neither.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Sending key")]
pub(crate) struct KeyOpts {
    /// Name of the environment variable holding the hex private key (never pass a key as an
    /// argument: it would show in `ps` and shell history).
    #[arg(long, default_value = "LINKPOOL_POOL_PRIVATE_KEY", global = true)]
    pub(crate) private_key_env: String,

    /// An encrypted keystore file, or a directory of them (then --from picks the key). Takes
    /// precedence over the private key variable.
    #[arg(long, env = "LINKPOOL_POOL_KEYSTORE", global = true)]
    pub(crate) keystore: Option<PathBuf>,

    /// A file holding the keystore password (else LINKPOOL_KEYSTORE_PASSWORD).
    #[arg(long, env = "LINKPOOL_KEYSTORE_PASSWORD_FILE", global = true)]
    pub(crate) password_file: Option<PathBuf>,

    /// With a keystore directory holding several keys: the address of the one to use.
    #[arg(long, env = "LINKPOOL_POOL_FROM", global = true)]
    pub(crate) from: Option<Address>,
}

/// Both groups, as every pool management command takes them.
#[derive(Debug, Clone, Args)]
pub(crate) struct PoolOpts {
    #[command(flatten)]
    pub(crate) chain: ChainOpts,
    #[command(flatten)]
    pub(crate) key: KeyOpts,
}

impl KeyOpts {
    /// The same key options in the `drc` commands' shape, whose loading they share.
    fn as_drc(&self) -> crate::cmd::drc::KeyOpts {
        crate::cmd::drc::KeyOpts {
            private_key_env: self.private_key_env.clone(),
            keystore: self.keystore.clone(),
            password_file: self.password_file.clone(),
            from: self.from,
        }
    }

    /// The signer, required.
    pub(crate) async fn require_signer(&self, what: &str) -> eyre::Result<PrivateKeySigner> {
        self.as_drc().require_signer(what).await
    }
}

impl PoolOpts {
    pub(crate) fn json(&self) -> bool {
        self.chain.json
    }

    /// The pool address, required.
    pub(crate) fn pool_address(&self) -> eyre::Result<Address> {
        self.chain.pool.ok_or_else(|| eyre::eyre!("pass --pool <pool storage address> (or set LINKPOOL_POOL)"))
    }

    /// A provider, signing with `signer` if given.
    pub(crate) async fn provider(&self, signer: Option<PrivateKeySigner>) -> eyre::Result<DynProvider> {
        linkpool_drc::client::connect(&self.chain.rpc_url, signer, self.chain.chain_id)
            .await
            .with_context(|| format!("connecting to {}", self.chain.rpc_url))
    }

    /// A read-only client of the pool.
    pub(crate) async fn reader(&self) -> eyre::Result<Pool> {
        let address = self.pool_address()?;
        let pool = Pool::new(address, self.provider(None).await?);
        pool.ensure_pool().await?;
        Ok(pool)
    }

    /// A client that sends transactions from the configured key.
    pub(crate) async fn writer(&self, what: &str) -> eyre::Result<Pool> {
        let address = self.pool_address()?;
        let signer = self.key.require_signer(what).await?;
        let sender = signer.address();
        let pool = Pool::new(address, self.provider(Some(signer)).await?).with_sender(sender);
        pool.ensure_pool().await?;
        Ok(pool)
    }
}
