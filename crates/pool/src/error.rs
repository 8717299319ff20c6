//! The crate's error type.

/// Errors of the pool models and client.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model parameter is out of its range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// The parameter, as the CLI names it.
        name: &'static str,
        /// Why it is refused.
        reason: String,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
