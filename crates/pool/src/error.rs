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
    /// A model input is not a plain decimal (`392`, `0.05488`, `4_000_000`).
    #[error("{input:?} is not a decimal: {reason}")]
    NotADecimal {
        /// The text given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A staking contract call or deployment failed (RPC, revert, gas estimation).
    #[error("{call}: {source}")]
    Contract {
        /// What was being done.
        call: &'static str,
        /// The underlying error.
        #[source]
        source: Box<linkpool_bindings::Error>,
    },
    /// A deployment receipt carried no contract address.
    #[error("{what}: the deployment receipt has no contract address")]
    NoContractAddress {
        /// The contract deployed.
        what: &'static str,
    },
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
