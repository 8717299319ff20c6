//! Log poller configuration.

use std::time::Duration;

use alloy::primitives::{Address, B256};

use crate::{Error, Result};

/// Which logs a poller delivers: emitted by one of `addresses`, with topic0 in `topic0` and
/// topic1 in `topic1`. An empty topic set matches any value; an empty address list matches
/// nothing (the poller then only follows the head).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Contracts to watch (e.g. the Operator contracts of all direct-request jobs).
    pub addresses: Vec<Address>,
    /// Event signatures (e.g. `OracleRequest`, `CancelOracleRequest`).
    pub topic0: Vec<B256>,
    /// Indexed first argument, e.g. a job's externalJobID in both encodings
    /// (UUID bytes left-aligned and the 32-char hex string as bytes32).
    pub topic1: Vec<B256>,
}

impl LogFilter {
    /// True if no contract is watched.
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty()
    }
}

/// Configuration of one [`LogPoller`](super::LogPoller).
#[derive(Debug, Clone)]
pub struct LogPollerConfig {
    /// Name of the persisted cursor. Must be unique per chain and per poller
    /// (e.g. `"direct-request/31337"`).
    pub name: String,
    /// Initial filter; change it at runtime with
    /// [`PollerHandle::set_filter`](super::PollerHandle::set_filter).
    pub filter: LogFilter,
    /// First block to scan when no cursor is stored. `None`: start at the current head.
    pub start_block: Option<u64>,
    /// Largest block range of one `eth_getLogs` call (halved automatically on errors).
    pub max_block_range: u64,
    /// Delay between polls when caught up.
    pub poll_interval: Duration,
    /// How many blocks back a reorg is searched for, and how long block hashes are kept.
    pub max_reorg_depth: u64,
    /// Capacity of the event channel (back-pressure: the poller waits when it is full).
    pub channel_capacity: usize,
}

impl LogPollerConfig {
    /// Defaults: 1 s polls, ranges of 1,000 blocks, 256-block reorg window, start at head.
    pub fn new(name: impl Into<String>, filter: LogFilter) -> Self {
        Self {
            name: name.into(),
            filter,
            start_block: None,
            max_block_range: 1_000,
            poll_interval: Duration::from_secs(1),
            max_reorg_depth: 256,
            channel_capacity: 1_024,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::Config(format!("log poller {:?}: {what}", self.name)));
        if self.name.is_empty() {
            return bad("empty cursor name");
        }
        if self.max_block_range == 0 {
            return bad("max_block_range must be at least 1");
        }
        if self.max_reorg_depth == 0 {
            return bad("max_reorg_depth must be at least 1");
        }
        if self.channel_capacity == 0 {
            return bad("channel_capacity must be at least 1");
        }
        if self.poll_interval.is_zero() {
            return bad("poll_interval must be positive");
        }
        Ok(())
    }
}
