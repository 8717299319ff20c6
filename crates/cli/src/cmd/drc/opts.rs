//! Options shared by the `drc` commands: the chain and coordinator, and the sending key.

use std::path::PathBuf;

use alloy::{primitives::Address, providers::DynProvider, signers::local::PrivateKeySigner};
use clap::Args;
use eyre::{bail, Context};
use linkpool_chain::{KeyStore, Password};
use linkpool_drc::client::{self, Coordinator};

/// Which chain and coordinator to talk to, and how to print.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Chain")]
pub(crate) struct ChainOpts {
    /// JSON-RPC endpoint of the chain.
    #[arg(long, env = "LINKPOOL_RPC_URL", default_value = "http://127.0.0.1:8545", global = true)]
    pub(crate) rpc_url: String,

    /// Refuse to run unless the endpoint serves this chain id (guards against the wrong network).
    #[arg(long, env = "LINKPOOL_CHAIN_ID", global = true)]
    pub(crate) chain_id: Option<u64>,

    /// The DRCoordinator contract.
    #[arg(long, env = "LINKPOOL_DRC_COORDINATOR", global = true)]
    pub(crate) coordinator: Option<Address>,

    /// Print machine-readable JSON instead of tables.
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
    #[arg(long, default_value = "LINKPOOL_DRC_PRIVATE_KEY", global = true)]
    pub(crate) private_key_env: String,

    /// An encrypted keystore file, or a directory of them (then --from picks the key). Takes
    /// precedence over the private key variable.
    #[arg(long, env = "LINKPOOL_DRC_KEYSTORE", global = true)]
    pub(crate) keystore: Option<PathBuf>,

    /// A file holding the keystore password (else LINKPOOL_KEYSTORE_PASSWORD).
    #[arg(long, env = "LINKPOOL_KEYSTORE_PASSWORD_FILE", global = true)]
    pub(crate) password_file: Option<PathBuf>,

    /// With a keystore directory holding several keys: the address of the one to use.
    #[arg(long, env = "LINKPOOL_DRC_FROM", global = true)]
    pub(crate) from: Option<Address>,
}

impl KeyOpts {
    /// The configured signer, if any.
    pub(crate) async fn signer(&self) -> eyre::Result<Option<PrivateKeySigner>> {
        if let Some(path) = self.keystore.clone() {
            let password = Password::resolve(self.password_file.as_deref())
                .context("the keystore needs a password: --password-file or LINKPOOL_KEYSTORE_PASSWORD")?;
            let from = self.from;
            let signer = tokio::task::spawn_blocking(move || -> eyre::Result<PrivateKeySigner> {
                if path.is_dir() {
                    let keys = KeyStore::new(&path).load_all(&password)?;
                    let key = match from {
                        Some(a) => keys
                            .into_iter()
                            .find(|k| k.address() == a)
                            .ok_or_else(|| eyre::eyre!("no key for {a} in {}", path.display()))?,
                        None if keys.len() == 1 => keys.into_iter().next().expect("one key"),
                        None => bail!("{} holds {} keys: pick one with --from", path.display(), keys.len()),
                    };
                    Ok(key.signer().clone())
                } else {
                    Ok(KeyStore::load(&path, &password)?.signer().clone())
                }
            })
            .await??;
            return Ok(Some(signer));
        }
        match std::env::var(&self.private_key_env) {
            Ok(hex) if !hex.trim().is_empty() => {
                let signer: PrivateKeySigner = hex
                    .trim()
                    .parse()
                    .map_err(|_| eyre::eyre!("{} does not hold a hex private key", self.private_key_env))?;
                Ok(Some(signer))
            }
            _ => Ok(None),
        }
    }

    /// The signer, required.
    pub(crate) async fn require_signer(&self, what: &str) -> eyre::Result<PrivateKeySigner> {
        self.signer().await?.ok_or_else(|| {
            eyre::eyre!(
                "{what} sends a transaction: set {} to the sender's private key, or pass --keystore",
                self.private_key_env
            )
        })
    }
}

impl ChainOpts {
    /// The coordinator address, required.
    pub(crate) fn coordinator(&self) -> eyre::Result<Address> {
        self.coordinator.ok_or_else(|| eyre::eyre!("pass --coordinator (or set LINKPOOL_DRC_COORDINATOR)"))
    }

    /// A provider, signing with `signer` if given.
    pub(crate) async fn provider(&self, signer: Option<PrivateKeySigner>) -> eyre::Result<DynProvider> {
        client::connect(&self.rpc_url, signer, self.chain_id)
            .await
            .with_context(|| format!("connecting to {}", self.rpc_url))
    }

    /// A read-only client of the coordinator.
    pub(crate) async fn reader(&self) -> eyre::Result<Coordinator> {
        let address = self.coordinator()?;
        let c = Coordinator::new(address, self.provider(None).await?);
        c.ensure_deployed().await?;
        Ok(c)
    }

    /// A client that sends transactions from the configured key.
    pub(crate) async fn writer(&self, key: &KeyOpts, what: &str) -> eyre::Result<Coordinator> {
        let address = self.coordinator()?;
        let signer = key.require_signer(what).await?;
        let sender = signer.address();
        let c = Coordinator::new(address, self.provider(Some(signer)).await?).with_sender(sender);
        c.ensure_deployed().await?;
        Ok(c)
    }
}
