/// Result alias of this crate.
pub type Result<T, E = DevnetError> = std::result::Result<T, E>;

/// What went wrong while running the devnet.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// anvil could not be found or started.
    #[error("anvil: {0}")]
    Anvil(String),
    /// A contract call or deployment failed.
    #[error("contract call {what}: {message}")]
    Contract {
        /// Which call.
        what: String,
        /// The error.
        message: String,
    },
    /// The node failed.
    #[error(transparent)]
    Node(#[from] linkpool_node::Error),
    /// The node's API answered with an error.
    #[error("node API: {0}")]
    Api(String),
    /// A request was not fulfilled in time, or with the wrong value.
    #[error("scenario {name}: {message}")]
    Scenario {
        /// The scenario.
        name: String,
        /// What happened.
        message: String,
    },
    /// Local I/O.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

impl DevnetError {
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }

    pub(crate) fn contract<E: std::fmt::Display>(what: impl Into<String>) -> impl FnOnce(E) -> Self {
        let what = what.into();
        move |e| Self::Contract { what, message: e.to_string() }
    }
}

impl From<linkpool_devtools::DevToolsError> for DevnetError {
    fn from(e: linkpool_devtools::DevToolsError) -> Self {
        Self::Anvil(e.to_string())
    }
}

impl From<alloy::node_bindings::NodeError> for DevnetError {
    fn from(e: alloy::node_bindings::NodeError) -> Self {
        Self::Anvil(e.to_string())
    }
}

impl From<linkpool_chain::Error> for DevnetError {
    fn from(e: linkpool_chain::Error) -> Self {
        Self::Node(linkpool_node::Error::Chain(e))
    }
}
