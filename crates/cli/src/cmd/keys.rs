use std::path::PathBuf;

use clap::{Args, Subcommand};
use linkpool_chain::{KeyStore, Password};

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Generate a new key and store it encrypted (Web3 Secret Storage v3, scrypt).
    Create(KeyDirArgs),
    /// Import a raw hex private key, read from LINKPOOL_IMPORT_KEY or standard input.
    Import(KeyDirArgs),
    /// Decrypt every key in the directory and print its address.
    List(KeyDirArgs),
}

#[derive(Debug, Args)]
pub(crate) struct KeyDirArgs {
    /// The keystore directory.
    #[arg(long, env = "LINKPOOL_KEYSTORE_DIR", default_value = ".linkpool/keys")]
    dir: PathBuf,
    /// A file holding the keystore password (else LINKPOOL_KEYSTORE_PASSWORD).
    #[arg(long, env = "LINKPOOL_KEYSTORE_PASSWORD_FILE")]
    password_file: Option<PathBuf>,
}

impl KeysCommand {
    pub(crate) async fn run(self) -> eyre::Result<()> {
        let (Self::Create(a) | Self::Import(a) | Self::List(a)) = &self;
        let password = Password::resolve(a.password_file.as_deref())?;
        let dir = a.dir.clone();
        let store = KeyStore::new(&dir);
        match self {
            Self::Create(_) => {
                let key = tokio::task::spawn_blocking(move || store.create_key(&password)).await??;
                println!("created {} in {}", key.address(), key.path().display());
            }
            Self::Import(_) => {
                let hex = match std::env::var("LINKPOOL_IMPORT_KEY") {
                    Ok(k) => k,
                    Err(_) => std::io::read_to_string(std::io::stdin())?,
                };
                let key = tokio::task::spawn_blocking(move || store.import_hex(hex.trim(), &password)).await??;
                println!("imported {} into {}", key.address(), key.path().display());
            }
            Self::List(_) => {
                let keys = tokio::task::spawn_blocking(move || store.load_all(&password)).await??;
                if keys.is_empty() {
                    println!("no keys in {} (create one with `linkpool keys create`)", dir.display());
                }
                for k in keys {
                    println!("{}  {}", k.address(), k.path().display());
                }
            }
        }
        Ok(())
    }
}
