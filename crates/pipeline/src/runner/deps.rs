//! The dependencies tasks receive when they are built.

use std::{fmt, sync::Arc, time::Duration};

use crate::{bridge::BridgeRegistry, chain::ChainReader, net_guard::HttpClients, tx::EthTxSender};

/// Limits of the `http` task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Largest accepted response body (Chainlink's default is 32 KiB).
    pub max_body_bytes: usize,
    /// Per-request timeout, redirects and body included (Chainlink's default is 15 s).
    pub request_timeout: Duration,
    /// Longest redirect chain followed (used when [`HttpClients`] are built).
    pub max_redirects: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self { max_body_bytes: 32 * 1024, request_timeout: Duration::from_secs(15), max_redirects: 10 }
    }
}

/// What the runner hands to tasks when it builds them.
#[derive(Clone)]
pub struct Deps {
    /// The HTTP clients: `http` tasks use the guarded one unless unrestricted access is allowed;
    /// build them once with [`HttpClients::new`] and clone (clones share connection pools).
    pub http: HttpClients,
    /// Limits of `http` tasks (body size and timeout are applied per request; the redirect limit
    /// is the one `http` was built with).
    pub http_limits: HttpLimits,
    /// If false, `http` tasks may only reach public addresses unless the task sets
    /// `allowUnrestrictedNetworkAccess=true`. True in [`Deps::default`] (tests reach 127.0.0.1);
    /// the node's configuration turns it off by default.
    pub allow_unrestricted_network_access: bool,
    /// Sends `ethtx` transactions. `None` makes `ethtx` fail with [`crate::TaskError::NoTxSender`].
    pub tx_sender: Option<Arc<dyn EthTxSender>>,
    /// Task timeout when neither the task's `timeout` nor the job's `maxTaskDuration` is set.
    pub default_task_timeout: Duration,
    /// Read-only chain access of `ethcall` and `estimategaslimit`. `None` makes them fail with
    /// [`crate::TaskError::Unavailable`].
    pub chain: Option<Arc<dyn ChainReader>>,
    /// The bridges `bridge` tasks may call. `None` makes them fail with
    /// [`crate::TaskError::Unavailable`].
    pub bridges: Option<Arc<dyn BridgeRegistry>>,
    /// Base of the URL async adapters call back (`<base>/<runId>`), e.g.
    /// `http://127.0.0.1:6688/v2/resume`. `None` refuses `async=true` bridge tasks.
    pub resume_url_base: Option<String>,
}

impl Default for Deps {
    fn default() -> Self {
        Self {
            http: HttpClients::default(),
            http_limits: HttpLimits::default(),
            allow_unrestricted_network_access: true,
            tx_sender: None,
            default_task_timeout: Duration::from_secs(60),
            chain: None,
            bridges: None,
            resume_url_base: None,
        }
    }
}

impl Deps {
    /// Default deps with this transaction sender.
    pub fn with_tx_sender(mut self, sender: Arc<dyn EthTxSender>) -> Self {
        self.tx_sender = Some(sender);
        self
    }
}

impl fmt::Debug for Deps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deps")
            .field("http_limits", &self.http_limits)
            .field("allow_unrestricted_network_access", &self.allow_unrestricted_network_access)
            .field("tx_sender", &self.tx_sender.is_some())
            .field("default_task_timeout", &self.default_task_timeout)
            .field("chain", &self.chain.is_some())
            .field("bridges", &self.bridges.is_some())
            .field("resume_url_base", &self.resume_url_base)
            .finish()
    }
}
