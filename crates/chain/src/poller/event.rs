//! What a log poller emits.

use alloy::rpc::types::Log;
use tokio::sync::oneshot;

/// An event on a poller's channel, in chain order.
#[derive(Debug)]
pub enum PollerEvent {
    /// The chain head moved to this block number (it can move backwards after a reorg).
    /// Sent at most once per poll, before the logs found in that poll, so a consumer that
    /// counts confirmations already knows the head when a backfilled log arrives.
    Head(u64),
    /// A matching log, delivered as soon as it is seen (zero confirmations). Block hash,
    /// block number, transaction hash and log index are always set. Delivery is
    /// at-least-once: after a crash or a reorg the same log may come again, so key
    /// side effects by `(block_hash, log_index)`.
    Log(Log),
    /// Blocks from `from_block` on were replaced. Every log delivered earlier with
    /// `block_number >= from_block` is gone (its block is no longer canonical): cancel what
    /// was started for it. Logs of the new canonical chain follow as ordinary `Log` events.
    Reorg {
        /// First block that is no longer canonical.
        from_block: u64,
    },
    /// Every event before this one has been sent. The poller persists its cursor (up to
    /// [`Checkpoint::block`]) only after this value is dropped or acknowledged, so a
    /// consumer that handles events one by one and durably (e.g. persists a run per log)
    /// gets at-least-once delivery across crashes simply by dropping it after the events
    /// before it are handled.
    Checkpoint(Checkpoint),
}

/// See [`PollerEvent::Checkpoint`].
#[derive(Debug)]
pub struct Checkpoint {
    block: u64,
    ack: Option<oneshot::Sender<()>>,
}

impl Checkpoint {
    pub(crate) fn new(block: u64) -> (Self, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        (Self { block, ack: Some(tx) }, rx)
    }

    /// Logs up to and including this block have been sent.
    pub fn block(&self) -> u64 {
        self.block
    }

    /// Acknowledges explicitly (dropping does the same).
    pub fn ack(mut self) {
        if let Some(tx) = self.ack.take() {
            let _ = tx.send(());
        }
    }
}
