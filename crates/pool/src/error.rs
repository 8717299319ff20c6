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
    /// A pool contract reverted with one of the suite's custom errors (client).
    #[error("{call} reverted with {error}{}", .explanation.as_deref().map(|e| format!(": {e}")).unwrap_or_default())]
    Revert {
        /// What was being done, e.g. `stake(0x…, 100)`.
        call: String,
        /// The decoded custom error, e.g. `StakeLimitExceeded { node: 0x…, limit: …, wouldBe: … }`.
        error: String,
        /// What it means, for the errors users run into.
        explanation: Option<String>,
    },
    /// A pool call or transaction failed for another reason (RPC, unknown revert) (client).
    #[error("{call}: {source}")]
    Call {
        /// What was being done.
        call: String,
        /// The underlying error.
        #[source]
        source: Box<linkpool_bindings::Error>,
    },
    /// Nothing is deployed at the pool address (client).
    #[error("no contract at {0}: check the pool address (--pool / LINKPOOL_POOL) and the RPC URL")]
    NoContract(alloy::primitives::Address),
    /// The contract at the pool address is not a pool storage (client).
    #[error("{0} is not a pool's storage (pass the address `linkpool pool deploy` printed)")]
    NotAPool(alloy::primitives::Address),
    /// The address is a node's storage, not the pool's (client).
    #[error("{address} is a node's storage; its pool's storage is {pool}")]
    NodeStorageNotPool {
        /// The address given.
        address: alloy::primitives::Address,
        /// The pool's storage.
        pool: alloy::primitives::Address,
    },
    /// The registry has no contract under a name the client needs (client).
    #[error("the pool registers no {0} contract")]
    MissingContract(String),
    /// A transaction needs a sending account and none was configured (client).
    #[error("{0} sends a transaction: configure a key (private key or keystore)")]
    NoSender(&'static str),
    /// The node did not return the latest block (client).
    #[error("the RPC endpoint returned no latest block")]
    NoLatestBlock,
    /// A mined transaction lacks the event it must emit (client).
    #[error("the transaction emitted no {0} event")]
    MissingEvent(&'static str),
    /// A proposed logic contract was built for another pool, or is not a logic contract (client).
    #[error(
        "{contract} was not built for this pool ({pool}): {}",
        .its_pool.map_or_else(|| "it has no POOL()".to_owned(), |p| format!("its POOL() is {p}"))
    )]
    NotThisPool {
        /// The proposed contract.
        contract: alloy::primitives::Address,
        /// The pool it was built for, if it says.
        its_pool: Option<alloy::primitives::Address>,
        /// This pool.
        pool: alloy::primitives::Address,
    },
    /// `upgrade deploy` of a name that is not a logic contract (client).
    #[error(
        "cannot deploy {0:?}: only the logic contracts LinkPool, Node, NodeStaking, NodeFactory and PoolStorageFactory"
    )]
    NotDeployable(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
