/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why the node could not start or a service failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] linkpool_store::Error),
    /// The chain client, poller, keystore or transaction manager failed.
    #[error(transparent)]
    Chain(#[from] linkpool_chain::Error),
    /// A stored job spec no longer parses.
    #[error("stored job {id} is invalid: {source}")]
    StoredSpec {
        /// The job's store id.
        id: i64,
        /// The parse error.
        source: linkpool_job::SpecError,
    },
    /// A JSON-RPC read of a service failed (the service retries).
    #[error("rpc: {0}")]
    Rpc(String),
    /// Local I/O (data dir, API socket).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
}
