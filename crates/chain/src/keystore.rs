//! Encrypted key files (Web3 Secret Storage v3, scrypt) for the node's sending keys.
//!
//! A [`KeyStore`] is a directory of JSON key files, one per key, named
//! `key-<0xaddress>.json`. All keys in a directory share one [`Password`], which comes from a
//! file (`--password-file`) or from the `LINKPOOL_KEYSTORE_PASSWORD` environment variable.
//! Decrypting runs scrypt and is deliberately slow (tens of milliseconds in release builds):
//! call these functions from `spawn_blocking` in async code.
//!
//! Key material never appears in `Debug` output, errors or logs.

use std::{
    fmt, fs,
    path::{Path, PathBuf},
};

use alloy::{
    primitives::{Address, B256},
    signers::local::{LocalSignerError, PrivateKeySigner},
};
use zeroize::Zeroizing;

use crate::{Error, Result};

/// The environment variable read by [`Password::from_env`].
pub const PASSWORD_ENV_VAR: &str = "LINKPOOL_KEYSTORE_PASSWORD";

/// A keystore password. Zeroed on drop, redacted in `Debug`.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a password given directly (tests, interactive prompts).
    pub fn new(password: impl Into<String>) -> Self {
        Self(Zeroizing::new(password.into()))
    }

    /// Reads the password from a file; one trailing newline (`\n` or `\r\n`) is removed.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let mut text = Zeroizing::new(
            fs::read_to_string(path).map_err(|source| Error::PasswordFile { path: path.to_path_buf(), source })?,
        );
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        Ok(Self(Zeroizing::new(std::mem::take(&mut *text))))
    }

    /// Reads [`PASSWORD_ENV_VAR`]; `None` if it is unset.
    pub fn from_env() -> Option<Self> {
        std::env::var(PASSWORD_ENV_VAR).ok().map(Self::new)
    }

    /// The node's rule: the password file if one is given, else the environment variable,
    /// else [`Error::MissingPassword`].
    pub fn resolve(password_file: Option<&Path>) -> Result<Self> {
        match password_file {
            Some(path) => Self::from_file(path),
            None => Self::from_env().ok_or(Error::MissingPassword),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A decrypted sending key.
#[derive(Clone)]
pub struct NodeKey {
    signer: PrivateKeySigner,
    path: PathBuf,
}

impl NodeKey {
    /// The key's Ethereum address.
    pub fn address(&self) -> Address {
        self.signer.address()
    }

    /// The local signer (its own `Debug` prints only the address).
    pub fn signer(&self) -> &PrivateKeySigner {
        &self.signer
    }

    /// The key file it was loaded from or written to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeKey")
            .field("address", &self.address())
            .field("path", &self.path)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A directory of encrypted key files.
#[derive(Debug, Clone)]
pub struct KeyStore {
    dir: PathBuf,
}

impl KeyStore {
    /// A keystore in `dir` (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The keystore directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Generates a fresh random key and writes it encrypted with `password`.
    pub fn create_key(&self, password: &Password) -> Result<NodeKey> {
        let signer = PrivateKeySigner::random();
        let secret = Zeroizing::new(signer.to_bytes().0);
        self.write(secret.as_slice(), password)
    }

    /// Imports a raw 32-byte private key (e.g. a funded dev account) encrypted with `password`.
    pub fn import_key(&self, secret: &B256, password: &Password) -> Result<NodeKey> {
        self.write(secret.as_slice(), password)
    }

    /// Imports a hex private key (`0x` prefix optional).
    pub fn import_hex(&self, hex_key: &str, password: &Password) -> Result<NodeKey> {
        let bytes = Zeroizing::new(alloy::hex::decode(hex_key.trim()).map_err(|_| Error::InvalidPrivateKey)?);
        if bytes.len() != 32 {
            return Err(Error::InvalidPrivateKey);
        }
        self.write(&bytes, password)
    }

    /// Decrypts one key file.
    pub fn load(path: impl AsRef<Path>, password: &Password) -> Result<NodeKey> {
        let path = path.as_ref();
        let signer =
            PrivateKeySigner::decrypt_keystore(path, password.as_bytes()).map_err(|e| keystore_error(path, e))?;
        Ok(NodeKey { signer, path: path.to_path_buf() })
    }

    /// Decrypts every key file in the directory (sorted by file name). Files that are not
    /// Web3 secret storage JSON are skipped; a wrong password is an error, never a skip.
    /// A missing directory holds no keys.
    pub fn load_all(&self, password: &Password) -> Result<Vec<NodeKey>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error(&self.dir, e)),
        };
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_error(&self.dir, e))?;
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && path.is_file() && looks_like_keystore(&path) {
                paths.push(path);
            }
        }
        paths.sort();
        paths.iter().map(|path| Self::load(path, password)).collect()
    }

    fn write(&self, secret: &[u8], password: &Password) -> Result<NodeKey> {
        let signer = PrivateKeySigner::from_slice(secret).map_err(|_| Error::InvalidPrivateKey)?;
        let address = signer.address();
        create_private_dir(&self.dir)?;
        let name = format!("key-{address:#x}.json");
        let path = self.dir.join(&name);
        if path.exists() {
            return Err(Error::KeyExists { address, path });
        }
        PrivateKeySigner::encrypt_keystore(
            &self.dir,
            &mut rand::thread_rng(),
            secret,
            password.as_bytes(),
            Some(&name),
        )
        .map_err(|e| keystore_error(&path, e))?;
        restrict_permissions(&path)?;
        Ok(NodeKey { signer, path })
    }
}

/// Cheap pre-check so a README or a stray file in the directory does not abort loading.
fn looks_like_keystore(path: &Path) -> bool {
    let Ok(text) = fs::read_to_string(path) else { return false };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    map.contains_key("crypto") || map.contains_key("Crypto")
}

fn keystore_error(path: &Path, e: LocalSignerError) -> Error {
    match e {
        LocalSignerError::EthKeystoreError(eth_keystore::KeystoreError::MacMismatch) => {
            Error::WrongPassword { path: path.to_path_buf() }
        }
        LocalSignerError::EcdsaError(_) => Error::InvalidPrivateKey,
        // The remaining variants carry I/O, JSON or cipher errors: no key material.
        other => Error::Keystore { path: path.to_path_buf(), reason: other.to_string() },
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Keystore { path: path.to_path_buf(), reason: e.to_string() }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    restrict_permissions_to(dir, 0o700)
}

fn restrict_permissions(path: &Path) -> Result<()> {
    restrict_permissions_to(path, 0o600)
}

#[cfg(unix)]
fn restrict_permissions_to(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|e| io_error(path, e))
}

#[cfg(not(unix))]
fn restrict_permissions_to(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    #[test]
    fn create_then_load_roundtrips() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path().join("keys"));
        let pw = Password::new("correct horse");
        let created = store.create_key(&pw).unwrap();
        let loaded = store.load_all(&pw).unwrap();
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].address(), created.address());
        assert_eq!(loaded[0].signer().to_bytes(), created.signer().to_bytes());
    }

    #[test]
    fn import_is_deterministic_and_refuses_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path());
        let pw = Password::new("pw");
        let key = store.import_hex(DEV_KEY, &pw).unwrap();
        assert_eq!(key.address(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse::<Address>().unwrap());
        let again = store.import_hex(DEV_KEY, &pw).unwrap_err();
        assert!(matches!(again, Error::KeyExists { .. }), "{again}");
        // a stray non-key file is ignored
        fs::write(dir.path().join("README.md"), "not a key").unwrap();
        let loaded = store.load_all(&pw).unwrap();
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].address(), key.address());
    }

    #[test]
    fn wrong_password_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path());
        let key = store.create_key(&Password::new("right")).unwrap();
        let err = store.load_all(&Password::new("wrong")).unwrap_err();
        match err {
            Error::WrongPassword { path } => assert_eq!(path, key.path()),
            other => panic!("expected WrongPassword, got {other}"),
        }
    }

    #[test]
    fn bad_raw_keys_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path());
        let pw = Password::new("pw");
        for bad in ["0x1234", "zz", &format!("0x{}", "00".repeat(32))] {
            assert!(matches!(store.import_hex(bad, &pw), Err(Error::InvalidPrivateKey)), "{bad}");
        }
    }

    #[test]
    fn password_sources() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        fs::write(&file, "s3cret\r\n").unwrap();
        let pw = Password::resolve(Some(&file)).unwrap();
        assert_eq!(pw.as_bytes(), b"s3cret");
        let missing = Password::resolve(Some(&dir.path().join("nope"))).unwrap_err();
        assert!(matches!(missing, Error::PasswordFile { .. }));
    }

    #[test]
    fn debug_output_never_contains_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::new(dir.path());
        let pw = Password::new("hunter2");
        let key = store.import_hex(DEV_KEY, &pw).unwrap();
        let printed = format!("{pw:?} {key:?} {:?}", key.signer());
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.to_lowercase().contains(&DEV_KEY[2..12]), "{printed}");
    }
}
