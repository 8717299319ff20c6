//! Options shared by the oracle-network commands (`sla`, `reputation`, `agreements deploy`): the
//! chain and contracts, and the sending key.

use std::path::PathBuf;

use alloy::{
    primitives::Address,
    providers::{DynProvider, Provider},
    signers::local::PrivateKeySigner,
};
use clap::Args;
use eyre::Context;
use linkpool_agreements::Agreements;

/// Which chain and contracts to talk to, and how to print.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Chain")]
pub(crate) struct NetworkOpts {
    /// JSON-RPC endpoint of the chain.
    #[arg(long, env = "LINKPOOL_RPC_URL", default_value = "http://127.0.0.1:8545", global = true)]
    pub(crate) rpc_url: String,

    /// Refuse to run unless the endpoint serves this chain id (guards against the wrong network).
    #[arg(long, env = "LINKPOOL_CHAIN_ID", global = true)]
    pub(crate) chain_id: Option<u64>,

    /// The OrderMatching contract (printed by `linkpool agreements deploy`).
    #[arg(long, env = "LINKPOOL_ORDER_MATCHING", global = true)]
    pub(crate) order_matching: Option<Address>,

    /// The Reputation contract: the one `reputation show` reads, and the one `sla propose` names
    /// as the SLA's judge of its oracles.
    #[arg(long, env = "LINKPOOL_REPUTATION", global = true)]
    pub(crate) reputation: Option<Address>,

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
    #[arg(long, default_value = "LINKPOOL_AGREEMENTS_PRIVATE_KEY", global = true)]
    pub(crate) private_key_env: String,

    /// An encrypted keystore file, or a directory of them (then --from picks the key). Takes
    /// precedence over the private key variable.
    #[arg(long, env = "LINKPOOL_AGREEMENTS_KEYSTORE", global = true)]
    pub(crate) keystore: Option<PathBuf>,

    /// A file holding the keystore password (else LINKPOOL_KEYSTORE_PASSWORD).
    #[arg(long, env = "LINKPOOL_KEYSTORE_PASSWORD_FILE", global = true)]
    pub(crate) password_file: Option<PathBuf>,

    /// With a keystore directory holding several keys: the address of the one to use.
    #[arg(long, env = "LINKPOOL_AGREEMENTS_FROM", global = true)]
    pub(crate) from: Option<Address>,
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

impl NetworkOpts {
    /// A provider, signing with `signer` if given.
    pub(crate) async fn provider(&self, signer: Option<PrivateKeySigner>) -> eyre::Result<DynProvider> {
        linkpool_drc::client::connect(&self.rpc_url, signer, self.chain_id)
            .await
            .with_context(|| format!("connecting to {}", self.rpc_url))
    }

    /// The OrderMatching address, required.
    pub(crate) fn order_matching(&self) -> eyre::Result<Address> {
        self.order_matching.ok_or_else(|| {
            eyre::eyre!(
                "pass --order-matching <address> (or set LINKPOOL_ORDER_MATCHING); `linkpool agreements deploy` \
                 prints it"
            )
        })
    }

    /// The Reputation address, required.
    pub(crate) fn reputation(&self) -> eyre::Result<Address> {
        self.reputation.ok_or_else(|| {
            eyre::eyre!(
                "pass --reputation <address> (or set LINKPOOL_REPUTATION); `linkpool agreements deploy` prints it"
            )
        })
    }

    /// A read-only client of the OrderMatching.
    pub(crate) async fn reader(&self) -> eyre::Result<Agreements> {
        let address = self.order_matching()?;
        let p = self.provider(None).await?;
        ensure_contract(&p, address, "--order-matching").await?;
        Ok(Agreements::new(p, address))
    }

    /// A client that sends transactions from the configured key.
    pub(crate) async fn writer(&self, key: &KeyOpts, what: &str) -> eyre::Result<Agreements> {
        let address = self.order_matching()?;
        let signer = key.require_signer(what).await?;
        let sender = signer.address();
        let p = self.provider(Some(signer)).await?;
        ensure_contract(&p, address, "--order-matching").await?;
        Ok(Agreements::new(p, address).with_sender(sender))
    }
}

/// Fails unless `address` holds code: a wrong address or RPC URL shows as such, not as an
/// undecodable empty return.
pub(crate) async fn ensure_contract(p: &DynProvider, address: Address, flag: &str) -> eyre::Result<()> {
    let code = p.get_code_at(address).await.with_context(|| format!("reading the code at {flag} {address}"))?;
    if code.is_empty() {
        eyre::bail!("no contract at {flag} {address}: check the address and the RPC URL");
    }
    Ok(())
}
