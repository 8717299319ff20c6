//! The crate's error type.

use alloy::primitives::{Address, B256};
use linkpool_bindings::IDRCoordinator::IDRCoordinatorErrors;

use crate::{pricing::PricingError, specs::SpecErrors};

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A price or payment cannot be computed.
    #[error(transparent)]
    Pricing(#[from] PricingError),
    /// Spec files are invalid.
    #[error(transparent)]
    Specs(#[from] SpecErrors),
    /// The coordinator reverted with one of its custom errors.
    #[error("{call} reverted with {error}")]
    Revert {
        /// The function called.
        call: &'static str,
        /// The decoded custom error, e.g. `OnlyOwner { caller: 0x… }`.
        error: String,
    },
    /// A call, estimate or deployment failed for another reason (RPC, ABI, unknown revert).
    #[error("{call}: {source}")]
    Contract {
        /// The function called.
        call: &'static str,
        /// The underlying error.
        #[source]
        source: Box<alloy::contract::Error>,
    },
    /// The RPC transport failed.
    #[error(transparent)]
    Transport(#[from] Box<alloy::transports::TransportError>),
    /// Waiting for a transaction receipt failed.
    #[error(transparent)]
    PendingTransaction(#[from] Box<alloy::providers::PendingTransactionError>),
    /// A mined transaction has status 0.
    #[error("{call}: transaction {tx} reverted")]
    Reverted {
        /// The function called.
        call: &'static str,
        /// The transaction hash.
        tx: B256,
    },
    /// A deployment receipt has no contract address.
    #[error("deployment transaction {tx} created no contract")]
    NotDeployed {
        /// The transaction hash.
        tx: B256,
    },
    /// There is no contract at the coordinator address.
    #[error("no contract at {0}: check the coordinator address and the RPC URL")]
    NoContract(Address),
    /// A transaction needs a sending account and none was configured.
    #[error("{0} sends a transaction: configure a key (private key or keystore)")]
    NoSender(&'static str),
    /// The RPC endpoint serves another chain than the one expected.
    #[error("the RPC endpoint serves chain {actual}, expected {expected}")]
    ChainIdMismatch {
        /// The expected chain id.
        expected: u64,
        /// The endpoint's chain id.
        actual: u64,
    },
    /// A value read from the chain does not fit this crate's types (e.g. an unknown enum value).
    #[error("unexpected on-chain value: {0}")]
    Decode(String),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

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
    /// Wraps a contract error of `call`, decoding the coordinator's custom errors.
    pub(crate) fn contract(call: &'static str) -> impl FnOnce(alloy::contract::Error) -> Self {
        move |e| match e.as_decoded_interface_error::<IDRCoordinatorErrors>() {
            Some(decoded) => Self::Revert { call, error: linkpool_bindings::custom_error_text(&decoded) },
            None => Self::Contract { call, source: Box::new(e) },
        }
    }

    /// The coordinator custom error this is, if it is one (its name, e.g. `"OnlyOwner"`).
    pub fn revert_name(&self) -> Option<&str> {
        match self {
            Self::Revert { error, .. } => error.split([' ', '(']).next(),
            _ => None,
        }
    }
}
