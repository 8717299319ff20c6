//! Where the poller is: the last block whose logs were delivered.

use alloy::primitives::B256;
use linkpool_store::LogCursor;

use crate::{Error, Result};

/// The poller's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    /// Logs up to and including `number` (with this hash) were delivered.
    At { number: u64, hash: B256 },
    /// Nothing delivered yet: the next scan starts at this block.
    Before(u64),
}

impl Position {
    /// The first block of the next scan.
    pub(crate) fn next_block(&self) -> u64 {
        match *self {
            Self::At { number, .. } => number + 1,
            Self::Before(start) => start,
        }
    }

    pub(crate) fn from_stored(cursor: &LogCursor) -> Result<Self> {
        let number = u64::try_from(cursor.block_number)
            .map_err(|_| Error::Corrupt(format!("cursor {}: negative block", cursor.name)))?;
        let hash = cursor
            .block_hash
            .parse::<B256>()
            .map_err(|_| Error::Corrupt(format!("cursor {}: bad block hash", cursor.name)))?;
        Ok(Self::At { number, hash })
    }
}

/// u64 block numbers are stored as i64; chains never get near 2^63.
pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
