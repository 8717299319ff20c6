//! The crate's error type.

use std::path::PathBuf;

use alloy::primitives::Address;

/// Errors of the chain layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The RPC URL could not be parsed or uses an unsupported scheme.
    #[error("invalid RPC url {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A JSON-RPC call failed (transport error or error response).
    #[error("RPC error: {0}")]
    Rpc(#[from] alloy::transports::TransportError),
    /// The endpoint serves another chain than the configured one.
    #[error("chain id mismatch: expected {expected}, the endpoint reports {actual}")]
    ChainIdMismatch {
        /// The configured chain id.
        expected: u64,
        /// The chain id reported by `eth_chainId`.
        actual: u64,
    },
    /// The endpoint returned something that violates the JSON-RPC spec.
    #[error("unexpected RPC response: {0}")]
    BadResponse(String),
    /// A persistence error.
    #[error(transparent)]
    Store(#[from] linkpool_store::Error),
    /// A stored value could not be decoded.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// The keystore password does not decrypt this key file.
    #[error("wrong keystore password for {path}")]
    WrongPassword {
        /// The key file.
        path: PathBuf,
    },
    /// A key file could not be read, decrypted or written.
    #[error("keystore {path}: {reason}")]
    Keystore {
        /// The key file or directory.
        path: PathBuf,
        /// What went wrong (never contains key material).
        reason: String,
    },
    /// A key file for this address already exists in the keystore directory.
    #[error("a key for {address} already exists at {path}")]
    KeyExists {
        /// The key's address.
        address: Address,
        /// The existing file.
        path: PathBuf,
    },
    /// The raw private key is not a valid secp256k1 scalar.
    #[error("invalid private key (expected 32 bytes, a valid secp256k1 scalar)")]
    InvalidPrivateKey,
    /// No password was configured.
    #[error("no keystore password: set LINKPOOL_KEYSTORE_PASSWORD or pass --password-file")]
    MissingPassword,
    /// The password file could not be read.
    #[error("cannot read password file {path}: {source}")]
    PasswordFile {
        /// The password file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// No signing key is loaded for this sender address.
    #[error("no key loaded for sender {0}")]
    UnknownSender(Address),
    /// `eth_estimateGas` failed, usually because the call would revert.
    #[error("gas estimation failed: {0}")]
    EstimateGas(String),
    /// The transaction request is invalid (rejected before it is persisted).
    #[error("invalid transaction: {0}")]
    InvalidTx(String),
    /// The transaction failed permanently and will not be retried.
    #[error("transaction {id} failed permanently: {reason}")]
    TxFatal {
        /// The transaction id.
        id: i64,
        /// Why it failed.
        reason: String,
    },
    /// No transaction with this id exists.
    #[error("transaction {0} not found")]
    TxNotFound(i64),
    /// The component has been shut down.
    #[error("{0} has stopped")]
    Stopped(&'static str),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
