//! The crate's error type.

/// Errors of the agreements client and deployment.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A contract reverted with one of the suite's custom errors.
    #[error("{call} reverted with {error}{}", .explanation.as_deref().map(|e| format!(": {e}")).unwrap_or_default())]
    Revert {
        /// What was being done, e.g. `commit(session 3)`.
        call: String,
        /// The decoded custom error, e.g. `CommitPhaseClosed { sessionId: 3 }`.
        error: String,
        /// What it means, for the errors users run into.
        explanation: Option<String>,
    },
    /// A call or transaction failed for another reason (RPC, unknown revert).
    #[error("{call}: {source}")]
    Call {
        /// What was being done.
        call: String,
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
    /// A transaction was mined without the event that carries its result.
    #[error("{call}: the receipt has no {event} event")]
    MissingEvent {
        /// What was being done.
        call: String,
        /// The event looked for.
        event: &'static str,
    },
    /// An SLA term given to the builder is out of range (checked before any transaction).
    #[error("invalid SLA term {name}: {reason}")]
    InvalidTerm {
        /// The term, as the CLI names it.
        name: &'static str,
        /// Why it is refused.
        reason: String,
    },
}

impl Error {
    /// The custom error this is, if it is one (its name, e.g. `"CommitPhaseClosed"`).
    pub fn revert_name(&self) -> Option<&str> {
        match self {
            Self::Revert { error, .. } => error.split([' ', '{', '(']).next(),
            _ => None,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
