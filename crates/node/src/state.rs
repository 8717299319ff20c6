use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, OnceLock, Weak,
};

use alloy::primitives::Address;
use linkpool_store::Store;

use crate::{bridges::NodeBridges, executor::RunExecutor, metrics::NodeMetrics, JobRegistry};

/// State shared by the API and the services.
#[derive(Debug)]
pub struct NodeState {
    /// The database.
    pub store: Store,
    /// Active jobs.
    pub jobs: JobRegistry,
    /// Registered external adapters.
    pub bridges: Arc<NodeBridges>,
    /// The chain served.
    pub chain_id: u64,
    /// The address fulfilment transactions are sent from.
    pub sender: Address,
    /// Overhead measurements.
    pub metrics: NodeMetrics,
    head: AtomicU64,
    // Weak: the executor owns the transaction manager, which must be dropped at shutdown.
    executor: OnceLock<Weak<RunExecutor>>,
    resume_url_base: OnceLock<String>,
}

impl NodeState {
    /// New state with no head seen yet.
    pub fn new(store: Store, chain_id: u64, sender: Address) -> Self {
        Self {
            bridges: Arc::new(NodeBridges::new(store.clone())),
            store,
            jobs: JobRegistry::default(),
            chain_id,
            sender,
            metrics: NodeMetrics::default(),
            head: AtomicU64::new(0),
            executor: OnceLock::new(),
            resume_url_base: OnceLock::new(),
        }
    }

    /// The run executor, once the node has started it. The API starts runs through it
    /// (webhook runs, reruns, resumed async runs).
    pub fn executor(&self) -> Option<Arc<RunExecutor>> {
        self.executor.get().and_then(Weak::upgrade)
    }

    /// Installs the run executor (once; later calls are ignored).
    pub fn set_executor(&self, executor: &Arc<RunExecutor>) {
        let _ = self.executor.set(Arc::downgrade(executor));
    }

    /// Where async adapters call back: `<api url>/v2/resume`. Known once the API is bound.
    pub fn resume_url_base(&self) -> Option<&str> {
        self.resume_url_base.get().map(String::as_str)
    }

    /// Sets [`NodeState::resume_url_base`] (once; later calls are ignored).
    pub fn set_resume_url_base(&self, url: String) {
        let _ = self.resume_url_base.set(url);
    }

    /// The latest block number seen by the log poller.
    pub fn head(&self) -> u64 {
        self.head.load(Ordering::Relaxed)
    }

    /// Records a new head (never goes backwards).
    pub fn set_head(&self, n: u64) {
        self.head.fetch_max(n, Ordering::Relaxed);
    }
}
