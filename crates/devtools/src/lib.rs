//! Locates and starts the local development tools that linkpool's tests,
//! benchmarks and devnet use.
//!
//! The dev chain is [anvil](https://github.com/foundry-rs/foundry), installed
//! from npm (`tools/package.json`, package `@foundry-rs/anvil`, which ships the
//! native binary). [`anvil_path`] finds it; [`anvil`] returns alloy's
//! [`Anvil`] builder pointed at it, so a caller only adds its own flags and
//! calls `spawn()`. The spawned instance is killed when it is dropped.
//!
//! Lookup order for the binary:
//! 1. the `LINKPOOL_ANVIL` environment variable;
//! 2. `tools/node_modules/@foundry-rs/anvil-<os>-<arch>/bin/anvil` in this
//!    workspace (what `make tools` installs);
//! 3. `anvil` on `PATH`.

use std::path::{Path, PathBuf};

pub use alloy::node_bindings::{Anvil, AnvilInstance};

/// Errors raised while locating a dev tool.
#[derive(Debug, thiserror::Error)]
pub enum DevToolsError {
    /// No anvil binary could be found.
    #[error("anvil not found: set LINKPOOL_ANVIL, run `make tools` (npm ci in tools/), or put anvil on PATH")]
    AnvilNotFound,
}

/// Result alias of this crate.
pub type Result<T, E = DevToolsError> = std::result::Result<T, E>;

/// The workspace root, derived from this crate's manifest directory at build time.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

fn npm_platform() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    (os, arch)
}

/// Finds the anvil binary (see the crate docs for the lookup order).
pub fn anvil_path() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("LINKPOOL_ANVIL") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
    }
    let (os, arch) = npm_platform();
    let candidates = [std::env::current_dir().ok(), Some(workspace_root())];
    for base in candidates.into_iter().flatten() {
        let p = base.join(format!("tools/node_modules/@foundry-rs/anvil-{os}-{arch}/bin/anvil"));
        if p.is_file() {
            return Ok(p);
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let p = dir.join("anvil");
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(DevToolsError::AnvilNotFound)
}

/// alloy's [`Anvil`] builder pointed at our anvil binary.
///
/// Tests typically call `linkpool_devtools::anvil()?.spawn()`; anvil then
/// listens on a free port and is killed when the instance is dropped.
pub fn anvil() -> Result<Anvil> {
    Ok(Anvil::at(anvil_path()?))
}

/// A provider for tests on `anvil` that signs for every anvil account, estimates gas and
/// fetches each nonce afresh (a send that fails at gas estimation must not leave a nonce gap).
pub fn test_provider(anvil: &AnvilInstance) -> alloy::providers::DynProvider {
    use alloy::{
        network::EthereumWallet,
        providers::{Provider, ProviderBuilder},
        signers::local::PrivateKeySigner,
    };
    let mut signers = anvil.keys().iter().map(|k| PrivateKeySigner::from(k.clone()));
    let mut wallet = EthereumWallet::new(signers.next().expect("anvil has accounts"));
    for signer in signers {
        wallet.register_signer(signer);
    }
    ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(wallet)
        .connect_http(anvil.endpoint_url())
        .erased()
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_npm_anvil_of_this_workspace() {
        let p = super::anvil_path().expect("run `make tools` first");
        assert!(p.ends_with("anvil"), "{p:?}");
    }
}
