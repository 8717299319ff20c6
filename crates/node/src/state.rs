use std::sync::atomic::{AtomicU64, Ordering};

use alloy::primitives::Address;
use linkpool_store::Store;

use crate::{metrics::NodeMetrics, JobRegistry};

/// State shared by the API and the services.
#[derive(Debug)]
pub struct NodeState {
    /// The database.
    pub store: Store,
    /// Active jobs.
    pub jobs: JobRegistry,
    /// The chain served.
    pub chain_id: u64,
    /// The address fulfilment transactions are sent from.
    pub sender: Address,
    /// Overhead measurements.
    pub metrics: NodeMetrics,
    head: AtomicU64,
}

impl NodeState {
    /// New state with no head seen yet.
    pub fn new(store: Store, chain_id: u64, sender: Address) -> Self {
        Self {
            store,
            jobs: JobRegistry::default(),
            chain_id,
            sender,
            metrics: NodeMetrics::default(),
            head: AtomicU64::new(0),
        }
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
