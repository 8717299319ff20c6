//! The store's error type.

/// Result alias for store operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database driver failed (connection, I/O, SQL error).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Running the versioned migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique constraint refused the write (e.g. a job with that external id already exists).
    #[error("conflict: {what}")]
    Conflict {
        /// What collided.
        what: String,
    },
    /// The row the operation targets (or references) does not exist.
    #[error("not found: {what}")]
    NotFound {
        /// What was missing.
        what: String,
    },
    /// A stored value could not be decoded (bad enum text, bad JSON, negative u64, ...).
    #[error("corrupt stored value: {what}")]
    Corrupt {
        /// Which value, and why.
        what: String,
    },
    /// The caller passed a value the store refuses to persist (bad address, non-decimal amount, ...).
    #[error("invalid input: {what}")]
    Invalid {
        /// Which value, and why.
        what: String,
    },
    /// The database URL names no supported backend.
    #[error("unsupported database url {url:?}: expected sqlite:... or postgres://...")]
    UnsupportedUrl {
        /// The URL as given, with any password masked.
        url: String,
    },
}

impl Error {
    pub(crate) fn conflict(what: impl Into<String>) -> Self {
        Self::Conflict { what: what.into() }
    }

    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        Self::Corrupt { what: what.into() }
    }

    pub(crate) fn invalid(what: impl Into<String>) -> Self {
        Self::Invalid { what: what.into() }
    }

    /// Maps constraint violations of a write to typed errors; other driver errors stay `Database`.
    ///
    /// `what` describes the write, e.g. `"task run 3/fetch"`.
    pub(crate) fn from_write(err: sqlx::Error, what: &str) -> Self {
        use sqlx::error::ErrorKind;
        if let sqlx::Error::Database(db) = &err {
            match db.kind() {
                ErrorKind::UniqueViolation => return Self::conflict(format!("{what}: {db}")),
                ErrorKind::ForeignKeyViolation => {
                    return Self::not_found(format!("{what}: referenced row missing ({db})"))
                }
                _ => {}
            }
        }
        Self::Database(err)
    }
}
