//! The Chainlink reference peer: the real `Operator`, `LinkToken` and `ChainlinkClient`-based
//! consumers from npm `@chainlink/contracts@1.5.0`, compiled with solc 0.8.19 by
//! `contracts/scripts/build-reference.mjs` into `contracts/reference-out/` (gitignored).
//!
//! These artifacts are loaded at run time because they are built on demand: [`load`] returns a
//! typed [`Error::ReferenceMissing`] when they are absent, and [`ensure_built`] builds them
//! (`npm ci` if needed, then the build script) under a lock file, so parallel test processes build
//! once. The ABIs match ours, so callers deploy the reference bytecode and then talk to it through
//! this crate's own bindings (`Operator`, `ConsumerUint256`, `ConsumerMultiWord`,
//! `RequestEncoder`). Chainlink's `LinkToken` mints nothing at deployment; see
//! [`crate::stack::deploy_link`].

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant, SystemTime},
};

use alloy::{json_abi::JsonAbi, primitives::Bytes};
use serde::Deserialize;

use crate::{Error, Result};

/// A contract of the reference peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferenceContract {
    /// Chainlink's `Operator` (operatorforwarder, v1.0.0). Constructor `(address link, address owner)`.
    Operator,
    /// Chainlink's `LinkToken` (BurnMintERC677). Constructor `()`; mint needs `grantMintRole`.
    LinkToken,
    /// Our `ConsumerUint256` ABI on Chainlink's real `ChainlinkClient`. Constructor `(address link)`.
    ConsumerUint256,
    /// Our `ConsumerMultiWord` ABI on Chainlink's real `ChainlinkClient`. Constructor `(address link)`.
    ConsumerMultiWord,
    /// Our `RequestEncoder` ABI on Chainlink's real `Chainlink` library.
    RequestEncoder,
}

impl ReferenceContract {
    /// Every reference contract.
    pub const ALL: [Self; 5] =
        [Self::Operator, Self::LinkToken, Self::ConsumerUint256, Self::ConsumerMultiWord, Self::RequestEncoder];

    /// The artifact name in `contracts/reference-out/`.
    pub const fn artifact_name(self) -> &'static str {
        match self {
            Self::Operator => "Operator",
            Self::LinkToken => "LinkToken",
            Self::ConsumerUint256 => "ReferenceConsumerUint256",
            Self::ConsumerMultiWord => "ReferenceConsumerMultiWord",
            Self::RequestEncoder => "ReferenceRequestEncoder",
        }
    }

    /// Path of the artifact file in [`reference_out_dir`].
    pub fn path(self) -> PathBuf {
        self.path_in(&reference_out_dir())
    }

    /// Path of the artifact file in `dir`.
    pub fn path_in(self, dir: &Path) -> PathBuf {
        dir.join(format!("{}.json", self.artifact_name()))
    }
}

/// A compiled contract: ABI and creation / runtime bytecode.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// The JSON ABI.
    pub abi: JsonAbi,
    /// Creation bytecode (append ABI-encoded constructor arguments to deploy).
    pub bytecode: Bytes,
    /// Runtime bytecode.
    pub deployed_bytecode: Bytes,
}

/// The `contracts/` directory: `$LINKPOOL_CONTRACTS_DIR`, or this workspace's (fixed at build time).
pub fn contracts_dir() -> PathBuf {
    match std::env::var_os("LINKPOOL_CONTRACTS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts"),
    }
}

/// Where the reference artifacts live: `<contracts>/reference-out`.
pub fn reference_out_dir() -> PathBuf {
    contracts_dir().join("reference-out")
}

/// Loads one reference artifact.
///
/// # Errors
/// [`Error::ReferenceMissing`] if it was not built, [`Error::Io`] or [`Error::InvalidArtifact`] if
/// it cannot be read or parsed.
pub fn load(contract: ReferenceContract) -> Result<Artifact> {
    load_from(&reference_out_dir(), contract)
}

/// Loads one reference artifact from `dir` instead of [`reference_out_dir`].
///
/// # Errors
/// As [`load`].
pub fn load_from(dir: &Path, contract: ReferenceContract) -> Result<Artifact> {
    let path = contract.path_in(dir);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::ReferenceMissing { path }),
        Err(source) => return Err(Error::Io { path, source }),
    };
    serde_json::from_str(&text).map_err(|source| Error::InvalidArtifact { path, source })
}

/// Creation bytecode of one reference contract (append constructor arguments to deploy).
///
/// # Errors
/// As [`load`].
pub fn bytecode(contract: ReferenceContract) -> Result<Bytes> {
    load(contract).map(|a| a.bytecode)
}

/// Whether every reference artifact exists.
pub fn is_built() -> bool {
    ReferenceContract::ALL.iter().all(|c| c.path().is_file())
}

/// Builds the reference artifacts unless they all exist.
///
/// Runs `npm ci` in `contracts/` when `node_modules` lacks `@chainlink/contracts`, then
/// `node scripts/build-reference.mjs`. Needs Node.js and npm on `PATH`. A lock file
/// (`contracts/.reference-build.lock`) serializes concurrent callers across processes.
///
/// # Errors
/// [`Error::Command`] if npm or node fail, [`Error::LockTimeout`] if another build holds the lock
/// for more than ten minutes.
pub fn ensure_built() -> Result<()> {
    if is_built() {
        return Ok(());
    }
    let _lock = BuildLock::acquire(&contracts_dir().join(".reference-build.lock"))?;
    if is_built() {
        return Ok(()); // another process built it while we waited
    }
    build()
}

/// Rebuilds the reference artifacts unconditionally (see [`ensure_built`]); no lock is taken.
///
/// # Errors
/// [`Error::Command`] if npm or node fail.
pub fn build() -> Result<()> {
    let dir = contracts_dir();
    if !dir.join("node_modules/@chainlink/contracts/package.json").is_file() {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    }
    run(Command::new("node").arg("scripts/build-reference.mjs").current_dir(&dir))
}

fn run(cmd: &mut Command) -> Result<()> {
    let command = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| Error::Command { command: command.clone(), detail: e.to_string() })?;
    if out.status.success() {
        return Ok(());
    }
    Err(Error::Command { command, detail: format!("{}: {}", out.status, String::from_utf8_lossy(&out.stderr).trim()) })
}

/// An exclusive lock held as a file created with `create_new`; removed on drop.
struct BuildLock {
    path: PathBuf,
}

impl BuildLock {
    const TIMEOUT: Duration = Duration::from_secs(600);
    const POLL: Duration = Duration::from_millis(250);

    fn acquire(path: &Path) -> Result<Self> {
        let start = Instant::now();
        loop {
            match fs::OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(_) => return Ok(Self { path: path.to_path_buf() }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    // A lock older than the timeout belongs to a crashed build.
                    let stale = fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .is_some_and(|age| age > Self::TIMEOUT);
                    if stale {
                        let _ = fs::remove_file(path);
                        continue;
                    }
                    if start.elapsed() > Self::TIMEOUT {
                        return Err(Error::LockTimeout { path: path.to_path_buf() });
                    }
                    std::thread::sleep(Self::POLL);
                }
                Err(source) => return Err(Error::Io { path: path.to_path_buf(), source }),
            }
        }
    }
}

impl Drop for BuildLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("linkpool-{name}-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn missing_artifact_is_a_typed_error_with_the_fix() {
        let dir = scratch_dir("no-reference");
        let err = load_from(&dir, ReferenceContract::Operator).unwrap_err();
        assert!(matches!(&err, Error::ReferenceMissing { path } if path.ends_with("Operator.json")), "{err}");
        assert!(err.to_string().contains("build-reference.mjs"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn invalid_artifact_is_a_typed_error() {
        let dir = scratch_dir("bad-reference");
        fs::write(dir.join("LinkToken.json"), "{\"abi\": 3}").unwrap();
        let err = load_from(&dir, ReferenceContract::LinkToken).unwrap_err();
        fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(err, Error::InvalidArtifact { .. }), "{err}");
    }

    #[test]
    fn artifacts_parse_when_well_formed() {
        let dir = scratch_dir("good-reference");
        fs::write(dir.join("Operator.json"), r#"{"abi": [], "bytecode": "0x6001", "deployedBytecode": "0x"}"#).unwrap();
        let artifact = load_from(&dir, ReferenceContract::Operator).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(artifact.bytecode.as_ref(), &[0x60, 0x01]);
        assert!(artifact.deployed_bytecode.is_empty());
    }
}
