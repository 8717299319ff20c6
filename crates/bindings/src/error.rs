//! The crate's error type.

use std::path::PathBuf;

use alloy::primitives::B256;

/// Everything that can go wrong while loading artifacts or driving the contracts.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A reference artifact is absent: the reference peer is built on demand, not committed.
    #[error(
        "reference artifact {} is missing: build the Chainlink reference peer with \
         `cd contracts && npm ci && node scripts/build-reference.mjs` (or call \
         `linkpool_bindings::reference::ensure_built()`)",
        path.display()
    )]
    ReferenceMissing {
        /// The expected artifact path.
        path: PathBuf,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An artifact is not `{ "abi", "bytecode", "deployedBytecode" }` JSON.
    #[error("invalid artifact {}: {source}", path.display())]
    InvalidArtifact {
        /// The artifact path.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// An external build command (npm, node) failed or could not start.
    #[error("`{command}` failed: {detail}")]
    Command {
        /// The command line.
        command: String,
        /// Exit status and stderr, or the spawn error.
        detail: String,
    },
    /// Timed out waiting for another process's reference build (its lock file).
    #[error("timed out waiting for the reference build lock {}", path.display())]
    LockTimeout {
        /// The lock file.
        path: PathBuf,
    },
    /// A contract call, deployment or gas estimate failed (reverts carry their data here).
    #[error(transparent)]
    Contract(#[from] Box<alloy::contract::Error>),
    /// The RPC transport failed.
    #[error(transparent)]
    Transport(#[from] Box<alloy::transports::TransportError>),
    /// Waiting for a transaction receipt failed.
    #[error(transparent)]
    PendingTransaction(#[from] Box<alloy::providers::PendingTransactionError>),
    /// A mined transaction has status 0.
    #[error("transaction {tx} reverted")]
    Reverted {
        /// The transaction hash.
        tx: B256,
    },
    /// A deployment receipt has no contract address.
    #[error("deployment transaction {tx} created no contract")]
    NotDeployed {
        /// The transaction hash.
        tx: B256,
    },
    /// A request transaction emitted no `OracleRequest` log from the expected operator.
    #[error("transaction {tx} emitted no OracleRequest log")]
    NoOracleRequest {
        /// The transaction hash.
        tx: B256,
    },
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<alloy::contract::Error> for Error {
    fn from(e: alloy::contract::Error) -> Self {
        Self::Contract(Box::new(e))
    }
}

impl From<alloy::transports::TransportError> for Error {
    fn from(e: alloy::transports::TransportError) -> Self {
        Self::Transport(Box::new(e))
    }
}

impl From<alloy::providers::PendingTransactionError> for Error {
    fn from(e: alloy::providers::PendingTransactionError) -> Self {
        Self::PendingTransaction(Box::new(e))
    }
}

impl Error {
    /// The revert data carried by this error, if it is a revert (from a call, a gas estimate or a
    /// send).
    pub fn revert_data(&self) -> Option<alloy::primitives::Bytes> {
        match self {
            Self::Contract(e) => e.as_revert_data(),
            Self::Transport(e) => e.as_error_resp().and_then(|payload| payload.as_revert_data()),
            _ => None,
        }
    }

    /// Decodes the revert data as one of the custom errors of interface `E`, e.g.
    /// `err.decode_revert::<Operator::OperatorErrors>()`.
    pub fn decode_revert<E: alloy::sol_types::SolInterface>(&self) -> Option<E> {
        E::abi_decode(&self.revert_data()?).ok()
    }
}

/// A decoded custom error as `Name { field: value, … }`: the derived Debug of an `…Errors` enum
/// prints `Variant(Variant { fields })`; this keeps the inner part.
pub fn custom_error_text<T: std::fmt::Debug>(decoded: &T) -> String {
    let text = format!("{decoded:?}");
    match (text.find('('), text.ends_with(')')) {
        (Some(open), true) => text[open + 1..text.len() - 1].to_owned(),
        _ => text,
    }
}
