//! Keeps [`NodeState::head`] current on a node without `directrequest` jobs.
//!
//! The direct-request service's log poller reports heads while it runs, but it
//! only runs while there are directrequest jobs. `ethtx` waits on the head for
//! its `minConfirmations`, so a node with only cron and webhook jobs needs
//! heads from somewhere else: this task polls `eth_blockNumber` then, and
//! nothing otherwise.

use std::{sync::Arc, time::Duration};

use alloy::providers::Provider;
use linkpool_chain::ChainClient;
use linkpool_job::JobSpec;
use tokio_util::sync::CancellationToken;

use crate::NodeState;

/// Polls the chain head while no directrequest job's log poller does.
pub struct HeadTracker {
    state: Arc<NodeState>,
    client: ChainClient,
    poll_interval: Duration,
}

impl HeadTracker {
    /// A tracker polling every `poll_interval`.
    pub fn new(state: Arc<NodeState>, client: ChainClient, poll_interval: Duration) -> Self {
        Self { state, client, poll_interval }
    }

    /// Runs until `shutdown` fires.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            let polled_elsewhere =
                self.state.jobs.snapshot().iter().any(|(_, s)| matches!(s.as_ref(), JobSpec::DirectRequest(_)));
            if !polled_elsewhere {
                match self.client.provider().get_block_number().await {
                    Ok(n) => self.state.set_head(n),
                    Err(e) => tracing::debug!(error = %e, "polling the head failed; retrying"),
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(self.poll_interval) => {}
            }
        }
    }
}
