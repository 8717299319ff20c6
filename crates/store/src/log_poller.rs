//! Log poller state: named cursors and the canonical block hashes seen (reorg detection).

use crate::{
    codec::{hash32, now_millis, u64_to_i64},
    Result, Store,
};

/// How far a named log poller got: the last fully processed block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCursor {
    /// Poller name (e.g. `"directrequest:1:0xoperator"`). Unique.
    pub name: String,
    /// Last processed block number.
    pub block_number: i64,
    /// Its hash, 0x hex (stored lowercase), to detect a reorg under the cursor.
    pub block_hash: String,
}

impl Store {
    /// The cursor named `name`.
    pub async fn get_cursor(&self, name: &str) -> Result<Option<LogCursor>> {
        let row: Option<(String, i64, String)> = with_pool!(self, |p| sqlx::query_as(
            "SELECT name, block_number, block_hash FROM log_cursors WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|(name, block_number, block_hash)| LogCursor { name, block_number, block_hash }))
    }

    /// Creates or moves the cursor `cursor.name` (backwards too, after a reorg).
    pub async fn set_cursor(&self, cursor: &LogCursor) -> Result<()> {
        let hash = hash32(&cursor.block_hash, "cursor block hash")?;
        with_pool!(self, |p| {
            sqlx::query(
                "INSERT INTO log_cursors (name, block_number, block_hash, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET block_number = excluded.block_number, \
             block_hash = excluded.block_hash, updated_at = excluded.updated_at",
            )
            .bind(&cursor.name)
            .bind(cursor.block_number)
            .bind(&hash)
            .bind(now_millis())
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Records (or replaces) the canonical hash of block `number` on `chain_id`.
    pub async fn record_block(&self, chain_id: u64, number: i64, hash: &str) -> Result<()> {
        let chain_id = u64_to_i64(chain_id, "chain_id")?;
        let hash = hash32(hash, "block hash")?;
        with_pool!(self, |p| sqlx::query(
            "INSERT INTO blocks (chain_id, number, hash) VALUES ($1, $2, $3) \
             ON CONFLICT (chain_id, number) DO UPDATE SET hash = excluded.hash"
        )
        .bind(chain_id)
        .bind(number)
        .bind(&hash)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The recorded hash of block `number` on `chain_id`.
    pub async fn block_hash(&self, chain_id: u64, number: i64) -> Result<Option<String>> {
        let chain_id = u64_to_i64(chain_id, "chain_id")?;
        let hash: Option<String> =
            with_pool!(self, |p| sqlx::query_scalar("SELECT hash FROM blocks WHERE chain_id = $1 AND number = $2")
                .bind(chain_id)
                .bind(number)
                .fetch_optional(p)
                .await)?;
        Ok(hash)
    }

    /// Forgets blocks `>= number` on `chain_id` (they were reorged out).
    pub async fn delete_blocks_from(&self, chain_id: u64, number: i64) -> Result<()> {
        let chain_id = u64_to_i64(chain_id, "chain_id")?;
        with_pool!(self, |p| sqlx::query("DELETE FROM blocks WHERE chain_id = $1 AND number >= $2")
            .bind(chain_id)
            .bind(number)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Forgets blocks `< number` on `chain_id` (deeper than any reorg we care about).
    pub async fn prune_blocks_below(&self, chain_id: u64, number: i64) -> Result<()> {
        let chain_id = u64_to_i64(chain_id, "chain_id")?;
        with_pool!(self, |p| sqlx::query("DELETE FROM blocks WHERE chain_id = $1 AND number < $2")
            .bind(chain_id)
            .bind(number)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
