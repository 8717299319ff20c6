//! The log poller: contract logs, in chain order, at least once, across restarts and reorgs.
//!
//! # Lifecycle
//!
//! [`LogPoller::spawn`] starts one tokio task and returns a [`PollerHandle`] and the
//! receiving end of a bounded channel of [`PollerEvent`]s. Each poll the task
//!
//! 1. asks for the head number (`eth_blockNumber`, the only call when nothing changed) and
//!    emits [`PollerEvent::Head`] when it moved;
//! 2. if there are new blocks, sends **one batch request** with `eth_getBlockByNumber(to)`,
//!    `eth_getLogs(from..=to)` (at most `max_block_range` blocks, halved after provider
//!    errors) and `eth_getBlockByNumber(cursor)`;
//! 3. if the cursor block's hash changed, handles a **reorg**: walks back over the block
//!    hashes it recorded (store `record_block`) to the newest one the chain still has,
//!    emits [`PollerEvent::Reorg`], waits for the consumer, rewinds the persisted cursor and
//!    scans again from there (so the new chain's logs are delivered);
//! 4. otherwise emits the logs as [`PollerEvent::Log`] followed by a
//!    [`PollerEvent::Checkpoint`], waits until the consumer dropped the checkpoint, and only
//!    then persists the cursor (`set_cursor`): delivery is at-least-once, a crash can only
//!    repeat logs;
//! 5. repeats at once while behind the head (backfill), else sleeps `poll_interval`.
//!
//! On start it resumes from the stored cursor, else from `start_block`, else from the
//! current head. RPC errors are logged and retried with exponential backoff (up to 32
//! polls). The task ends when the handle is shut down or dropped, or the receiver is
//! dropped.
//!
//! A same-height reorg (a replaced head, without a new block) is noticed when the next
//! block arrives. Logs are delivered with zero confirmations; counting confirmations is the
//! consumer's job, from the `Head` events.

mod config;
mod cursor;
mod event;
mod task;

use std::collections::BTreeMap;

pub use config::{LogFilter, LogPollerConfig};
pub use event::{Checkpoint, PollerEvent};
use linkpool_store::Store;
use tokio::{
    sync::{mpsc, watch},
    task::JoinHandle,
};

use crate::{ChainClient, Result};

/// A configured, not yet running log poller.
#[derive(Debug)]
pub struct LogPoller {
    client: ChainClient,
    store: Store,
    config: LogPollerConfig,
}

impl LogPoller {
    /// A poller over `client`'s chain, persisting its cursor and block hashes in `store`.
    pub fn new(client: ChainClient, store: Store, config: LogPollerConfig) -> Self {
        Self { client, store, config }
    }

    /// Validates the config and spawns the polling task (see the module docs).
    pub fn spawn(self) -> Result<(PollerHandle, mpsc::Receiver<PollerEvent>)> {
        self.config.validate()?;
        let (events_tx, events_rx) = mpsc::channel(self.config.channel_capacity);
        let (filter_tx, filter_rx) = watch::channel(self.config.filter.clone());
        let (stop_tx, stop_rx) = watch::channel(false);
        let task = task::PollerTask {
            client: self.client,
            store: self.store,
            range: self.config.max_block_range,
            config: self.config,
            filter: filter_rx,
            events: events_tx,
            position: None,
            last_head: None,
            pruned_at: 0,
            seen: BTreeMap::new(),
        };
        let join = tokio::spawn(task.run(stop_rx));
        Ok((PollerHandle { stop: stop_tx, filter: filter_tx, join: Some(join) }, events_rx))
    }
}

/// Controls a running poller. Dropping it stops the poller.
#[derive(Debug)]
pub struct PollerHandle {
    stop: watch::Sender<bool>,
    filter: watch::Sender<LogFilter>,
    join: Option<JoinHandle<()>>,
}

impl PollerHandle {
    /// Replaces the filter from the next poll on (e.g. a job was added). Newly watched
    /// contracts are scanned from the current cursor on, not backfilled.
    pub fn set_filter(&self, filter: LogFilter) {
        self.filter.send_replace(filter);
    }

    /// The current filter.
    pub fn filter(&self) -> LogFilter {
        self.filter.borrow().clone()
    }

    /// True once the task has ended (shut down, receiver dropped, or panicked).
    pub fn is_finished(&self) -> bool {
        self.join.as_ref().is_none_or(|j| j.is_finished())
    }

    /// Stops the poller and waits for its task to end. The cursor stays where the last
    /// acknowledged checkpoint put it.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(join) = self.join.take() {
            let _ = join.await;
        }
    }
}

impl Drop for PollerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
