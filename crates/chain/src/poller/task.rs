//! The poller's background task: one loop, one step per poll.

use std::collections::BTreeMap;

use alloy::{
    eips::BlockNumberOrTag,
    primitives::B256,
    providers::Provider,
    rpc::types::{Filter, Log},
};
use linkpool_store::{LogCursor, Store};
use tokio::sync::{mpsc, watch};
use tracing::{debug, error, info, warn};

use super::{
    cursor::{to_i64, Position},
    Checkpoint, LogFilter, LogPollerConfig, PollerEvent,
};
use crate::{rpc, ChainClient, Error, Result};

/// Headers fetched per round trip while searching for a reorg's common ancestor.
const ANCESTOR_BATCH: usize = 32;
/// Stored block hashes are pruned every this many blocks.
const PRUNE_EVERY: u64 = 64;

/// What a step achieved.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Nothing left to scan: wait for the next poll.
    CaughtUp,
    /// More blocks (or a re-scan after a reorg) are pending: go again now.
    More,
}

pub(crate) struct PollerTask {
    pub(crate) client: ChainClient,
    pub(crate) store: Store,
    pub(crate) config: LogPollerConfig,
    pub(crate) filter: watch::Receiver<LogFilter>,
    pub(crate) events: mpsc::Sender<PollerEvent>,
    pub(crate) position: Option<Position>,
    pub(crate) last_head: Option<u64>,
    pub(crate) range: u64,
    pub(crate) pruned_at: u64,
    /// Hashes of the blocks this poller delivered logs from or stopped at, newest
    /// `max_reorg_depth` blocks only. They win over the shared `blocks` table, which other
    /// pollers of the same chain also write.
    pub(crate) seen: BTreeMap<u64, B256>,
}

impl PollerTask {
    pub(crate) async fn run(mut self, mut stop: watch::Receiver<bool>) {
        info!(poller = %self.config.name, chain_id = self.client.chain_id(), "log poller started");
        let mut failures: u32 = 0;
        loop {
            let result = tokio::select! {
                result = self.step() => result,
                _ = stop.changed() => break,
            };
            let delay = match result {
                Ok(Step::More) => {
                    failures = 0;
                    continue;
                }
                Ok(Step::CaughtUp) => {
                    failures = 0;
                    self.config.poll_interval
                }
                Err(Error::Stopped(_)) => {
                    debug!(poller = %self.config.name, "event receiver dropped");
                    break;
                }
                Err(err) => {
                    failures = failures.saturating_add(1);
                    warn!(poller = %self.config.name, %err, failures, "log poll failed; retrying");
                    self.config.poll_interval * 2u32.saturating_pow(failures.min(5))
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.changed() => break,
            }
        }
        info!(poller = %self.config.name, "log poller stopped");
    }

    async fn step(&mut self) -> Result<Step> {
        let head = self.client.provider().get_block_number().await?;
        let position = match self.position {
            Some(position) => position,
            None => {
                let position = self.initial_position(head).await?;
                self.position = Some(position);
                position
            }
        };
        if self.last_head != Some(head) {
            self.last_head = Some(head);
            self.send(PollerEvent::Head(head)).await?;
        }

        let from = position.next_block();
        if head < from {
            // A head below our cursor means the chain was replaced by a shorter one.
            if let Position::At { number, hash } = position {
                if head < number && self.header_hash(number).await? != Some(hash) {
                    return self.handle_reorg(number).await;
                }
            }
            return Ok(Step::CaughtUp);
        }
        let to = head.min(from + self.range - 1);
        let filter = self.filter.borrow().clone();

        // One round trip, in this order: header(to), logs, header(cursor). If a reorg lands
        // between the calls, either the cursor check sees it now, or header(to) is the stale
        // one and the cursor check of the next poll sees it.
        let mut batch = self.client.batch();
        let to_header = rpc::add_header(&mut batch, BlockNumberOrTag::Number(to))?;
        let logs_call = if filter.is_empty() {
            None
        } else {
            Some(batch.add_call::<_, Vec<Log>>("eth_getLogs", &(rpc_filter(&filter, from, to),))?)
        };
        let cursor_header = match position {
            Position::At { number, .. } => Some(rpc::add_header(&mut batch, BlockNumberOrTag::Number(number))?),
            Position::Before(_) => None,
        };
        batch.send().await?;

        if let (Position::At { number, hash }, Some(cursor_header)) = (position, cursor_header) {
            if cursor_header.await?.map(|h| h.hash) != Some(hash) {
                return self.handle_reorg(number).await;
            }
        }
        let to_header = to_header.await?.ok_or_else(|| rpc::missing(format!("block {to} vanished during the poll")))?;
        let logs = match logs_call {
            None => Vec::new(),
            Some(call) => match call.await {
                Ok(logs) => logs,
                Err(err) => {
                    // Providers cap results or ranges: retry with a smaller range.
                    self.range = (self.range / 2).max(1);
                    return Err(err.into());
                }
            },
        };
        let logs = checked_logs(logs, from, to, to_header.hash)?;
        self.range = (self.range.saturating_mul(2)).min(self.config.max_block_range);

        // Remember the hashes we deliver from, so a later reorg can be traced back.
        let mut blocks: BTreeMap<u64, B256> =
            logs.iter().filter_map(|l| Some((l.block_number?, l.block_hash?))).collect();
        blocks.insert(to, to_header.hash);
        for (&number, &hash) in &blocks {
            self.store.record_block(self.client.chain_id(), to_i64(number), &format!("{hash:#x}")).await?;
            self.seen.insert(number, hash);
        }

        if !logs.is_empty() {
            debug!(poller = %self.config.name, from, to, count = logs.len(), "delivering logs");
            for log in logs {
                self.send(PollerEvent::Log(log)).await?;
            }
            self.checkpoint(to).await?;
        }
        self.save_position(to, to_header.hash).await?;
        self.prune(to).await?;
        Ok(if to < head { Step::More } else { Step::CaughtUp })
    }

    /// No cursor stored: anchor just before the start block, so that a reorg of the very
    /// first scanned blocks is still detected.
    async fn initial_position(&mut self, head: u64) -> Result<Position> {
        if let Some(cursor) = self.store.get_cursor(&self.config.name).await? {
            let position = Position::from_stored(&cursor)?;
            info!(poller = %self.config.name, next_block = position.next_block(), "resuming from stored cursor");
            return Ok(position);
        }
        let start = self.config.start_block.unwrap_or(head);
        info!(poller = %self.config.name, start, "no stored cursor; starting fresh");
        if start == 0 {
            return Ok(Position::Before(0));
        }
        match self.header_hash(start - 1).await? {
            Some(hash) => {
                self.store.record_block(self.client.chain_id(), to_i64(start - 1), &format!("{hash:#x}")).await?;
                self.seen.insert(start - 1, hash);
                self.save_position(start - 1, hash).await?;
                Ok(Position::At { number: start - 1, hash })
            }
            // The start block is in the future: wait for it.
            None => Ok(Position::Before(start)),
        }
    }

    /// The cursor block is no longer canonical: find the newest block we know a hash of that
    /// still is, tell the consumer, and rewind.
    async fn handle_reorg(&mut self, cursor: u64) -> Result<Step> {
        let floor = cursor.saturating_sub(self.config.max_reorg_depth);
        let ancestor = self.find_common_ancestor(cursor, floor).await?;
        let (number, hash) = match ancestor {
            Some(found) => found,
            None => {
                error!(
                    poller = %self.config.name, cursor, depth = self.config.max_reorg_depth,
                    "reorg deeper than max_reorg_depth; rescanning from the window's bottom"
                );
                let hash =
                    self.header_hash(floor).await?.ok_or_else(|| rpc::missing(format!("block {floor} missing")))?;
                (floor, hash)
            }
        };
        warn!(poller = %self.config.name, cursor, common_ancestor = number, "chain reorganisation detected");
        self.send(PollerEvent::Reorg { from_block: number + 1 }).await?;
        self.checkpoint(number).await?;
        self.save_position(number, hash).await?;
        self.store.delete_blocks_from(self.client.chain_id(), to_i64(number + 1)).await?;
        self.seen.split_off(&(number + 1));
        Ok(Step::More)
    }

    /// Walks down from `cursor - 1` to `floor` over the blocks we recorded, comparing their
    /// hashes with the chain's, a batch of headers per round trip.
    async fn find_common_ancestor(&mut self, cursor: u64, floor: u64) -> Result<Option<(u64, B256)>> {
        let mut next = cursor;
        while next > floor {
            let mut known = Vec::with_capacity(ANCESTOR_BATCH);
            while next > floor && known.len() < ANCESTOR_BATCH {
                next -= 1;
                if let Some(hash) = self.known_hash(next).await? {
                    known.push((next, hash));
                }
            }
            if known.is_empty() {
                continue;
            }
            let mut batch = self.client.batch();
            let mut calls = Vec::with_capacity(known.len());
            for &(number, _) in &known {
                calls.push(rpc::add_header(&mut batch, BlockNumberOrTag::Number(number))?);
            }
            batch.send().await?;
            for ((number, ours), call) in known.into_iter().zip(calls) {
                if call.await?.map(|h| h.hash) == Some(ours) {
                    return Ok(Some((number, ours)));
                }
            }
        }
        Ok(None)
    }

    async fn known_hash(&self, number: u64) -> Result<Option<B256>> {
        if let Some(hash) = self.seen.get(&number) {
            return Ok(Some(*hash));
        }
        match self.store.block_hash(self.client.chain_id(), to_i64(number)).await? {
            Some(text) => {
                text.parse::<B256>().map(Some).map_err(|_| Error::Corrupt(format!("block hash at {number}: {text:?}")))
            }
            None => Ok(None),
        }
    }

    async fn header_hash(&self, number: u64) -> Result<Option<B256>> {
        let header: Option<rpc::HeaderRef> = self
            .client
            .provider()
            .raw_request("eth_getBlockByNumber".into(), (BlockNumberOrTag::Number(number), false))
            .await?;
        Ok(header.map(|h| h.hash))
    }

    async fn save_position(&mut self, number: u64, hash: B256) -> Result<()> {
        self.store
            .set_cursor(&LogCursor {
                name: self.config.name.clone(),
                block_number: to_i64(number),
                block_hash: format!("{hash:#x}"),
            })
            .await?;
        self.position = Some(Position::At { number, hash });
        Ok(())
    }

    async fn prune(&mut self, at: u64) -> Result<()> {
        if at < self.pruned_at + PRUNE_EVERY {
            return Ok(());
        }
        let below = at.saturating_sub(self.config.max_reorg_depth);
        self.store.prune_blocks_below(self.client.chain_id(), to_i64(below)).await?;
        self.seen = self.seen.split_off(&below);
        self.pruned_at = at;
        Ok(())
    }

    async fn send(&self, event: PollerEvent) -> Result<()> {
        self.events.send(event).await.map_err(|_| Error::Stopped("log poller consumer"))
    }

    /// Sends a checkpoint and waits until the consumer dropped or acknowledged it.
    async fn checkpoint(&self, block: u64) -> Result<()> {
        let (checkpoint, done) = Checkpoint::new(block);
        self.send(PollerEvent::Checkpoint(checkpoint)).await?;
        let _ = done.await; // Ok (ack) and Err (dropped) both mean "handled"
        Ok(())
    }
}

fn rpc_filter(filter: &LogFilter, from: u64, to: u64) -> Filter {
    let mut rpc = Filter::new().from_block(from).to_block(to).address(filter.addresses.clone());
    if !filter.topic0.is_empty() {
        rpc = rpc.event_signature(filter.topic0.clone());
    }
    if !filter.topic1.is_empty() {
        rpc = rpc.topic1(filter.topic1.clone());
    }
    rpc
}

/// Rejects incomplete or inconsistent `eth_getLogs` answers and sorts the rest in chain order.
fn checked_logs(mut logs: Vec<Log>, from: u64, to: u64, to_hash: B256) -> Result<Vec<Log>> {
    logs.retain(|l| !l.removed);
    for log in &logs {
        let (Some(number), Some(hash), Some(_), Some(_)) =
            (log.block_number, log.block_hash, log.transaction_hash, log.log_index)
        else {
            return Err(Error::BadResponse("eth_getLogs returned a log without block/tx fields".into()));
        };
        if number < from || number > to {
            return Err(Error::BadResponse(format!(
                "eth_getLogs returned a log of block {number} outside {from}..={to}"
            )));
        }
        if number == to && hash != to_hash {
            return Err(Error::BadResponse(format!(
                "logs and header of block {to} disagree (reorg in progress); retrying"
            )));
        }
    }
    logs.sort_by_key(|l| (l.block_number, l.log_index));
    Ok(logs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{Address, LogData};

    fn log(block: u64, index: u64, hash: B256) -> Log {
        Log {
            inner: alloy::primitives::Log { address: Address::ZERO, data: LogData::default() },
            block_hash: Some(hash),
            block_number: Some(block),
            block_timestamp: None,
            transaction_hash: Some(B256::repeat_byte(7)),
            transaction_index: Some(0),
            log_index: Some(index),
            removed: false,
        }
    }

    #[test]
    fn sorts_and_checks_logs() {
        let h = B256::repeat_byte(1);
        let out = checked_logs(vec![log(5, 2, h), log(4, 9, h), log(5, 1, h)], 4, 5, h).unwrap();
        let order: Vec<_> = out.iter().map(|l| (l.block_number.unwrap(), l.log_index.unwrap())).collect();
        assert_eq!(order, vec![(4, 9), (5, 1), (5, 2)]);
    }

    #[test]
    fn rejects_inconsistent_logs() {
        let h = B256::repeat_byte(1);
        let other = B256::repeat_byte(2);
        assert!(checked_logs(vec![log(5, 0, other)], 4, 5, h).is_err(), "hash mismatch at `to`");
        assert!(checked_logs(vec![log(9, 0, h)], 4, 5, h).is_err(), "outside range");
        let mut incomplete = log(4, 0, h);
        incomplete.transaction_hash = None;
        assert!(checked_logs(vec![incomplete], 4, 5, h).is_err());
        // an older block's hash is not checked against `to`
        assert!(checked_logs(vec![log(4, 0, other)], 4, 5, h).is_ok());
    }
}
