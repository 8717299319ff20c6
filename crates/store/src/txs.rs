//! Transactions and their broadcast attempts (the transaction manager's durable queue).

use crate::{
    codec::{address, decimal_u256, hash32, i64_to_u64, now_millis, placeholders, u64_to_i64, TextEnum},
    Error, Inserted, Result, Store,
};
use serde::{Deserialize, Serialize};

/// Lifecycle of a transaction; stored as snake_case TEXT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxState {
    /// Queued; no nonce yet.
    Unstarted,
    /// Nonce assigned; attempts may have been broadcast.
    Unconfirmed,
    /// Mined with status 1.
    Confirmed,
    /// Mined with status 0.
    Reverted,
    /// Gave up (e.g. the node refused to sign or the RPC rejected it for good).
    Fatal,
}

impl TextEnum for TxState {
    const NAME: &'static str = "tx state";
    const ALL: &'static [Self] = &[Self::Unstarted, Self::Unconfirmed, Self::Confirmed, Self::Reverted, Self::Fatal];

    fn as_str(self) -> &'static str {
        match self {
            Self::Unstarted => "unstarted",
            Self::Unconfirmed => "unconfirmed",
            Self::Confirmed => "confirmed",
            Self::Reverted => "reverted",
            Self::Fatal => "fatal",
        }
    }
}

impl TxState {
    /// The stored text, e.g. `"unconfirmed"`.
    pub fn as_str(self) -> &'static str {
        TextEnum::as_str(self)
    }
}

impl std::fmt::Display for TxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TxState {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::from_text(s).map_err(|_| Error::invalid(format!("unknown tx state {s:?}")))
    }
}

/// A transaction to enqueue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTx {
    /// Unique key (e.g. `"run:<id>/task:<task id>"`); at most one tx per key, ever.
    pub idempotency_key: String,
    /// EVM chain id (at most `i64::MAX`).
    pub chain_id: u64,
    /// Sender address, 0x hex (any case; stored lowercase).
    pub from: String,
    /// Recipient address, 0x hex (any case; stored lowercase).
    pub to: String,
    /// Calldata.
    pub data: Vec<u8>,
    /// Wei sent, decimal U256.
    pub value: String,
    /// Gas limit (at most `i64::MAX`).
    pub gas_limit: u64,
    /// The run that enqueued it, if any.
    pub run_id: Option<i64>,
}

/// A stored transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRecord {
    /// Database id.
    pub id: i64,
    /// Unique key.
    pub idempotency_key: String,
    /// EVM chain id.
    pub chain_id: u64,
    /// Sender address, lowercase 0x hex.
    pub from: String,
    /// Recipient address, lowercase 0x hex.
    pub to: String,
    /// Calldata.
    pub data: Vec<u8>,
    /// Wei sent, decimal U256.
    pub value: String,
    /// Gas limit.
    pub gas_limit: u64,
    /// The run that enqueued it (NULL once that run's job is deleted).
    pub run_id: Option<i64>,
    /// Nonce, once assigned.
    pub nonce: Option<i64>,
    /// Current state.
    pub state: TxState,
    /// Why it is fatal.
    pub error: Option<String>,
    /// Hash of the attempt that got mined.
    pub confirmed_hash: Option<String>,
    /// Block it got mined in.
    pub block_number: Option<i64>,
    /// Gas used by the mined attempt.
    pub gas_used: Option<i64>,
    /// Creation time, unix millis.
    pub created_at: i64,
}

/// One signed attempt of a transaction (a gas bump makes a new one); persisted before broadcast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxAttempt {
    /// The transaction.
    pub tx_id: i64,
    /// Tx hash, 0x hex (stored lowercase). Unique.
    pub hash: String,
    /// EIP-1559 max fee per gas, decimal U256.
    pub max_fee_per_gas: String,
    /// EIP-1559 max priority fee per gas, decimal U256.
    pub max_priority_fee_per_gas: String,
    /// Signed raw transaction (what `eth_sendRawTransaction` takes).
    pub raw: Vec<u8>,
    /// When it was (or is about to be) broadcast, unix millis.
    pub broadcast_at: i64,
}

#[derive(sqlx::FromRow)]
struct TxRow {
    id: i64,
    idempotency_key: String,
    chain_id: i64,
    from_address: String,
    to_address: String,
    data: Vec<u8>,
    value: String,
    gas_limit: i64,
    run_id: Option<i64>,
    nonce: Option<i64>,
    state: String,
    error: Option<String>,
    confirmed_hash: Option<String>,
    block_number: Option<i64>,
    gas_used: Option<i64>,
    created_at: i64,
}

impl TryFrom<TxRow> for TxRecord {
    type Error = Error;

    fn try_from(row: TxRow) -> Result<Self> {
        let what = |field: &str| format!("tx {} {field}", row.id);
        Ok(Self {
            id: row.id,
            chain_id: i64_to_u64(row.chain_id, &what("chain_id"))?,
            gas_limit: i64_to_u64(row.gas_limit, &what("gas_limit"))?,
            state: TxState::from_text(&row.state).map_err(|e| Error::corrupt(format!("{}: {e}", what("state"))))?,
            idempotency_key: row.idempotency_key,
            from: row.from_address,
            to: row.to_address,
            data: row.data,
            value: row.value,
            run_id: row.run_id,
            nonce: row.nonce,
            error: row.error,
            confirmed_hash: row.confirmed_hash,
            block_number: row.block_number,
            gas_used: row.gas_used,
            created_at: row.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    tx_id: i64,
    hash: String,
    max_fee_per_gas: String,
    max_priority_fee_per_gas: String,
    raw: Vec<u8>,
    broadcast_at: i64,
}

impl From<AttemptRow> for TxAttempt {
    fn from(row: AttemptRow) -> Self {
        Self {
            tx_id: row.tx_id,
            hash: row.hash,
            max_fee_per_gas: row.max_fee_per_gas,
            max_priority_fee_per_gas: row.max_priority_fee_per_gas,
            raw: row.raw,
            broadcast_at: row.broadcast_at,
        }
    }
}

const TX_COLUMNS: &str = "id, idempotency_key, chain_id, from_address, to_address, data, value, gas_limit, \
                          run_id, nonce, state, error, confirmed_hash, block_number, gas_used, created_at";

impl Store {
    /// Enqueues a transaction as `Unstarted`, idempotently on `idempotency_key`: a second call
    /// returns [`Inserted::Existing`] with the stored row, so a key never yields two txs.
    /// [`Error::Invalid`] for bad addresses/amounts, [`Error::NotFound`] if `run_id` does not exist.
    pub async fn insert_tx(&self, tx: &NewTx) -> Result<Inserted<TxRecord>> {
        let chain_id = u64_to_i64(tx.chain_id, "chain_id")?;
        let gas_limit = u64_to_i64(tx.gas_limit, "gas_limit")?;
        let from = address(&tx.from, "from")?;
        let to = address(&tx.to, "to")?;
        let value = decimal_u256(&tx.value, "value")?;
        let insert = format!(
            "INSERT INTO txs (idempotency_key, chain_id, from_address, to_address, data, value, gas_limit, \
             run_id, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING {TX_COLUMNS}"
        );
        let select = format!("SELECT {TX_COLUMNS} FROM txs WHERE idempotency_key = $1");
        let row: Option<TxRow> = with_pool!(self, |p| sqlx::query_as(&insert)
            .bind(&tx.idempotency_key)
            .bind(chain_id)
            .bind(&from)
            .bind(&to)
            .bind(&tx.data)
            .bind(&value)
            .bind(gas_limit)
            .bind(tx.run_id)
            .bind(TxState::Unstarted.as_str())
            .bind(now_millis())
            .fetch_optional(p)
            .await)
        .map_err(|e| Error::from_write(e, &format!("tx {:?}", tx.idempotency_key)))?;
        if let Some(row) = row {
            return Ok(Inserted::New(row.try_into()?));
        }
        // txs are never deleted, so the conflicting row is still there.
        let row: Option<TxRow> =
            with_pool!(self, |p| sqlx::query_as(&select).bind(&tx.idempotency_key).fetch_optional(p).await)?;
        match row {
            Some(row) => Ok(Inserted::Existing(row.try_into()?)),
            None => Err(Error::not_found(format!("tx {:?} vanished after a key conflict", tx.idempotency_key))),
        }
    }

    /// The transaction with id `id`.
    pub async fn get_tx(&self, id: i64) -> Result<Option<TxRecord>> {
        let sql = format!("SELECT {TX_COLUMNS} FROM txs WHERE id = $1");
        let row: Option<TxRow> = with_pool!(self, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await)?;
        row.map(TxRecord::try_from).transpose()
    }

    /// The transaction with that idempotency key.
    pub async fn get_tx_by_key(&self, idempotency_key: &str) -> Result<Option<TxRecord>> {
        let sql = format!("SELECT {TX_COLUMNS} FROM txs WHERE idempotency_key = $1");
        let row: Option<TxRow> =
            with_pool!(self, |p| sqlx::query_as(&sql).bind(idempotency_key).fetch_optional(p).await)?;
        row.map(TxRecord::try_from).transpose()
    }

    /// Assigns a nonce and moves the tx `Unstarted -> Unconfirmed`.
    /// [`Error::Conflict`] if the tx is not `Unstarted` or another tx of that sender holds the
    /// nonce; [`Error::NotFound`] if the tx does not exist; [`Error::Invalid`] if `nonce < 0`.
    pub async fn assign_nonce(&self, tx_id: i64, nonce: i64) -> Result<()> {
        if nonce < 0 {
            return Err(Error::invalid(format!("nonce {nonce} for tx {tx_id} is negative")));
        }
        let affected =
            with_pool!(self, |p| sqlx::query("UPDATE txs SET nonce = $2, state = $3 WHERE id = $1 AND state = $4")
                .bind(tx_id)
                .bind(nonce)
                .bind(TxState::Unconfirmed.as_str())
                .bind(TxState::Unstarted.as_str())
                .execute(p)
                .await
                .map(|r| r.rows_affected()))
            .map_err(|e| Error::from_write(e, &format!("nonce {nonce} for tx {tx_id}")))?;
        if affected == 0 {
            return match self.get_tx(tx_id).await? {
                None => Err(Error::not_found(format!("tx {tx_id}"))),
                Some(tx) => {
                    Err(Error::conflict(format!("tx {tx_id} is {} (nonce {:?}), not unstarted", tx.state, tx.nonce)))
                }
            };
        }
        Ok(())
    }

    /// [`Store::assign_nonce`] then [`Store::insert_attempt`] for every `(tx_id, nonce, first
    /// attempt)`, all in ONE transaction (one commit per batch instead of two per tx, which is
    /// what bounds the sender's rate on SQLite). All or nothing: if any item is refused, no tx of
    /// the batch gets its nonce or attempt. Errors as those two methods give them:
    /// [`Error::Conflict`] (a tx not `Unstarted`, a nonce or hash already taken),
    /// [`Error::NotFound`], [`Error::Invalid`] (also when `attempt.tx_id` differs from `tx_id`).
    pub async fn start_txs(&self, items: &[(i64, i64, TxAttempt)]) -> Result<()> {
        let Some((first_id, _, _)) = items.first() else { return Ok(()) };
        let mut checked = Vec::with_capacity(items.len());
        for (tx_id, nonce, attempt) in items {
            if *nonce < 0 {
                return Err(Error::invalid(format!("nonce {nonce} for tx {tx_id} is negative")));
            }
            if attempt.tx_id != *tx_id {
                return Err(Error::invalid(format!("attempt of tx {} given for tx {tx_id}", attempt.tx_id)));
            }
            checked.push((
                hash32(&attempt.hash, "attempt hash")?,
                decimal_u256(&attempt.max_fee_per_gas, "max_fee_per_gas")?,
                decimal_u256(&attempt.max_priority_fee_per_gas, "max_priority_fee_per_gas")?,
            ));
        }
        /// Why the batch was rolled back, for the item at that index.
        enum Refused {
            NotUnstarted,
            HashOwnedBy(i64),
        }
        let refused: Option<(usize, Refused)> = with_pool!(self, |p| async {
            let mut tx = p.begin().await?;
            for (i, ((tx_id, nonce, attempt), (hash, max_fee, max_priority))) in items.iter().zip(&checked).enumerate()
            {
                let affected = sqlx::query("UPDATE txs SET nonce = $2, state = $3 WHERE id = $1 AND state = $4")
                    .bind(tx_id)
                    .bind(nonce)
                    .bind(TxState::Unconfirmed.as_str())
                    .bind(TxState::Unstarted.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if affected == 0 {
                    tx.rollback().await?;
                    return Ok(Some((i, Refused::NotUnstarted)));
                }
                let affected = sqlx::query(
                    "INSERT INTO tx_attempts (tx_id, hash, max_fee_per_gas, max_priority_fee_per_gas, raw, \
                     broadcast_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING",
                )
                .bind(tx_id)
                .bind(hash)
                .bind(max_fee)
                .bind(max_priority)
                .bind(&attempt.raw)
                .bind(attempt.broadcast_at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if affected == 0 {
                    let owner: Option<i64> = sqlx::query_scalar("SELECT tx_id FROM tx_attempts WHERE hash = $1")
                        .bind(hash)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if let Some(owner) = owner.filter(|owner| owner != tx_id) {
                        tx.rollback().await?;
                        return Ok(Some((i, Refused::HashOwnedBy(owner))));
                    }
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(None)
        }
        .await)
        .map_err(|e| Error::from_write(e, &format!("nonces and attempts of {} txs from tx {first_id}", items.len())))?;
        let Some((i, refused)) = refused else { return Ok(()) };
        let (tx_id, nonce, attempt) = &items[i];
        match refused {
            Refused::HashOwnedBy(owner) => {
                Err(Error::conflict(format!("attempt {} belongs to tx {owner}, not tx {tx_id}", checked[i].0)))
            }
            Refused::NotUnstarted => match self.get_tx(*tx_id).await? {
                None => Err(Error::not_found(format!("tx {tx_id}"))),
                Some(tx) => Err(Error::conflict(format!(
                    "tx {tx_id} is {} (nonce {:?}), not unstarted; nonce {nonce} and attempt {} not stored",
                    tx.state, tx.nonce, attempt.hash
                ))),
            },
        }
    }

    /// Highest nonce assigned to any tx of `(chain_id, from)`, whatever its state.
    pub async fn max_nonce(&self, chain_id: u64, from: &str) -> Result<Option<i64>> {
        let chain_id = u64_to_i64(chain_id, "chain_id")?;
        let from = address(from, "from")?;
        let max: Option<i64> = with_pool!(self, |p| sqlx::query_scalar(
            "SELECT MAX(nonce) FROM txs WHERE chain_id = $1 AND from_address = $2"
        )
        .bind(chain_id)
        .bind(&from)
        .fetch_one(p)
        .await)?;
        Ok(max)
    }

    /// Persists a signed attempt; call it BEFORE broadcasting. Idempotent on `hash` for the same
    /// tx; [`Error::Conflict`] if the hash belongs to another tx, [`Error::NotFound`] if the tx
    /// does not exist, [`Error::Invalid`] for a bad hash or fee.
    pub async fn insert_attempt(&self, attempt: &TxAttempt) -> Result<()> {
        let hash = hash32(&attempt.hash, "attempt hash")?;
        let max_fee = decimal_u256(&attempt.max_fee_per_gas, "max_fee_per_gas")?;
        let max_priority = decimal_u256(&attempt.max_priority_fee_per_gas, "max_priority_fee_per_gas")?;
        let affected = with_pool!(self, |p| sqlx::query(
            "INSERT INTO tx_attempts (tx_id, hash, max_fee_per_gas, max_priority_fee_per_gas, raw, broadcast_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING"
        )
        .bind(attempt.tx_id)
        .bind(&hash)
        .bind(&max_fee)
        .bind(&max_priority)
        .bind(&attempt.raw)
        .bind(attempt.broadcast_at)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| Error::from_write(e, &format!("attempt {hash} of tx {}", attempt.tx_id)))?;
        if affected == 0 {
            let owner: Option<i64> =
                with_pool!(self, |p| sqlx::query_scalar("SELECT tx_id FROM tx_attempts WHERE hash = $1")
                    .bind(&hash)
                    .fetch_optional(p)
                    .await)?;
            if let Some(owner) = owner.filter(|owner| *owner != attempt.tx_id) {
                return Err(Error::conflict(format!("attempt {hash} belongs to tx {owner}, not tx {}", attempt.tx_id)));
            }
        }
        Ok(())
    }

    /// Every attempt of a tx, oldest first.
    pub async fn attempts(&self, tx_id: i64) -> Result<Vec<TxAttempt>> {
        let rows: Vec<AttemptRow> = with_pool!(self, |p| sqlx::query_as(
            "SELECT tx_id, hash, max_fee_per_gas, max_priority_fee_per_gas, raw, broadcast_at \
             FROM tx_attempts WHERE tx_id = $1 ORDER BY id"
        )
        .bind(tx_id)
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().map(TxAttempt::from).collect())
    }

    /// The attempts of many txs in one query per 500 ids (oldest first for each): a restarted
    /// sender takes over hundreds of in-flight txs without a round trip each.
    pub async fn attempts_of(&self, tx_ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<TxAttempt>>> {
        let mut out: std::collections::HashMap<i64, Vec<TxAttempt>> = std::collections::HashMap::new();
        for chunk in tx_ids.chunks(500) {
            let sql = format!(
                "SELECT tx_id, hash, max_fee_per_gas, max_priority_fee_per_gas, raw, broadcast_at \
                 FROM tx_attempts WHERE tx_id IN ({}) ORDER BY id",
                placeholders(1, chunk.len())
            );
            let rows: Vec<AttemptRow> = with_pool!(self, |p| {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(p).await
            })?;
            for row in rows {
                let a = TxAttempt::from(row);
                out.entry(a.tx_id).or_default().push(a);
            }
        }
        Ok(out)
    }

    /// Records the mined attempt: state `Confirmed` (or `Reverted` if `reverted`), its hash, block
    /// and gas used. Calling again (e.g. re-mined after a reorg) overwrites. [`Error::NotFound`] if
    /// the tx does not exist.
    pub async fn mark_tx_confirmed(
        &self,
        tx_id: i64,
        hash: &str,
        block_number: i64,
        gas_used: i64,
        reverted: bool,
    ) -> Result<()> {
        let hash = hash32(hash, "confirmed hash")?;
        let state = if reverted { TxState::Reverted } else { TxState::Confirmed };
        let affected = with_pool!(self, |p| {
            sqlx::query(
                "UPDATE txs SET state = $2, confirmed_hash = $3, block_number = $4, gas_used = $5, error = NULL \
             WHERE id = $1",
            )
            .bind(tx_id)
            .bind(state.as_str())
            .bind(&hash)
            .bind(block_number)
            .bind(gas_used)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        })?;
        if affected == 0 {
            return Err(Error::not_found(format!("tx {tx_id}")));
        }
        Ok(())
    }

    /// [`Store::mark_tx_confirmed`] for every `(tx_id, hash, block_number, gas_used, reverted)`,
    /// in ONE transaction. All or nothing: [`Error::NotFound`] (and nothing marked) if any tx
    /// does not exist, [`Error::Invalid`] for a bad hash.
    pub async fn mark_txs_confirmed(&self, items: &[(i64, String, i64, i64, bool)]) -> Result<()> {
        let Some((first_id, ..)) = items.first() else { return Ok(()) };
        let hashes = items.iter().map(|(_, hash, ..)| hash32(hash, "confirmed hash")).collect::<Result<Vec<_>>>()?;
        let missing: Option<i64> = with_pool!(self, |p| async {
            let mut tx = p.begin().await?;
            for ((tx_id, _, block_number, gas_used, reverted), hash) in items.iter().zip(&hashes) {
                let state = if *reverted { TxState::Reverted } else { TxState::Confirmed };
                let affected = sqlx::query(
                    "UPDATE txs SET state = $2, confirmed_hash = $3, block_number = $4, gas_used = $5, error = NULL \
                     WHERE id = $1",
                )
                .bind(tx_id)
                .bind(state.as_str())
                .bind(hash)
                .bind(block_number)
                .bind(gas_used)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if affected == 0 {
                    tx.rollback().await?;
                    return Ok(Some(*tx_id));
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(None)
        }
        .await)
        .map_err(|e| Error::from_write(e, &format!("confirmation of {} txs from tx {first_id}", items.len())))?;
        match missing {
            Some(tx_id) => Err(Error::not_found(format!("tx {tx_id}"))),
            None => Ok(()),
        }
    }

    /// Gives up on a tx: state `Fatal` with `error`. [`Error::NotFound`] if the tx does not exist.
    pub async fn mark_tx_fatal(&self, tx_id: i64, error: &str) -> Result<()> {
        let affected = with_pool!(self, |p| sqlx::query("UPDATE txs SET state = $2, error = $3 WHERE id = $1")
            .bind(tx_id)
            .bind(TxState::Fatal.as_str())
            .bind(error)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        if affected == 0 {
            return Err(Error::not_found(format!("tx {tx_id}")));
        }
        Ok(())
    }

    /// Txs of `(chain_id, from)` in any of `states`, by nonce (unassigned last), then id.
    pub async fn txs_in_state(&self, chain_id: u64, from: &str, states: &[TxState]) -> Result<Vec<TxRecord>> {
        let chain_id = u64_to_i64(chain_id, "chain_id")?;
        let from = address(from, "from")?;
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {TX_COLUMNS} FROM txs WHERE chain_id = $1 AND from_address = $2 AND state IN ({}) \
             ORDER BY nonce ASC NULLS LAST, id ASC",
            placeholders(3, states.len())
        );
        let rows: Vec<TxRow> = with_pool!(self, |p| {
            let mut query = sqlx::query_as(&sql).bind(chain_id).bind(&from);
            for state in states {
                query = query.bind(state.as_str());
            }
            query.fetch_all(p).await
        })?;
        rows.into_iter().map(TxRecord::try_from).collect()
    }
}
