//! [`Store`]: connecting, picking the backend from the URL, running migrations.

use crate::{Error, Result};
use sqlx::{
    migrate::Migrator,
    postgres::{PgPool, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous},
};
use std::{path::Path, str::FromStr, sync::Arc, time::Duration};

static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite writer waits for the write lock before failing with "database is locked".
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// SQLite takes one writer at a time. With several connections, writers that find the lock
/// taken sleep in SQLite's busy handler (milliseconds at a time); one connection makes them
/// queue in sqlx's fair async queue instead, which measured ~15% more runs per second under a
/// burst of 1,000 requests (BENCHMARKS.md). Statements are short, so readers barely wait.
const SQLITE_MAX_CONNECTIONS: u32 = 1;
/// Default PostgreSQL pool size.
const POSTGRES_MAX_CONNECTIONS: u32 = 10;

/// Which database engine a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Embedded SQLite (the default; a file in the node's data dir).
    Sqlite,
    /// PostgreSQL (production, high availability).
    Postgres,
}

impl Backend {
    /// Picks the backend from a database URL: `sqlite:...` or `postgres://` / `postgresql://`.
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(Error::UnsupportedUrl { url: redact_url(url) })
        }
    }
}

/// The connection pool behind a [`Store`]; an escape hatch for SQL the store does not cover
/// (e.g. PostgreSQL advisory locks for leader election). Cheap to clone.
#[derive(Clone, Debug)]
pub enum DbPool {
    /// SQLite pool.
    Sqlite(SqlitePool),
    /// PostgreSQL pool.
    Postgres(PgPool),
}

/// Handle to the node's database. Cheap to clone (the pool is reference counted);
/// safe to use from many tasks at once.
#[derive(Clone, Debug)]
pub struct Store {
    pool: DbPool,
    /// Serializes purges of deleted jobs (see [`Store::purge_deleted_jobs`]).
    pub(crate) purge_lock: Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// Connects and runs the versioned migrations for the backend.
    ///
    /// Accepted URLs:
    /// - `sqlite://path/to/db.sqlite` or `sqlite:path` — file (and its parent dir) created if missing;
    /// - `sqlite::memory:` — private in-memory database (one connection; gone when the store is dropped);
    /// - `postgres://user@host:port/db` (or `postgresql://`).
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = match Backend::from_url(url)? {
            Backend::Sqlite => DbPool::Sqlite(connect_sqlite(url).await?),
            Backend::Postgres => DbPool::Postgres(connect_postgres(url).await?),
        };
        let store = Self::from_pool(pool);
        store.migrate().await?;
        Ok(store)
    }

    /// Wraps an existing pool without running migrations (use [`Store::migrate`]).
    pub fn from_pool(pool: DbPool) -> Self {
        Self { pool, purge_lock: Arc::default() }
    }

    /// Applies pending migrations. [`Store::connect`] already did; calling again is a no-op.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            DbPool::Sqlite(p) => SQLITE_MIGRATOR.run(p).await?,
            DbPool::Postgres(p) => POSTGRES_MIGRATOR.run(p).await?,
        }
        Ok(())
    }

    /// Which backend this store uses.
    pub fn backend(&self) -> Backend {
        match self.pool {
            DbPool::Sqlite(_) => Backend::Sqlite,
            DbPool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The underlying pool.
    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// Closes every connection; in-flight operations finish first.
    pub async fn close(&self) {
        match &self.pool {
            DbPool::Sqlite(p) => p.close().await,
            DbPool::Postgres(p) => p.close().await,
        }
    }
}

/// Takes our own `synchronous=normal|full` query parameter out of a SQLite URL
/// (sqlx rejects parameters it does not know).
fn sqlite_synchronous(url: &str) -> Result<(String, SqliteSynchronous)> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_owned(), SqliteSynchronous::Normal)) };
    let mut sync = SqliteSynchronous::Normal;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("synchronous", v)) => {
                sync = match v.to_ascii_lowercase().as_str() {
                    "normal" => SqliteSynchronous::Normal,
                    "full" => SqliteSynchronous::Full,
                    other => {
                        return Err(Error::invalid(format!(
                            "sqlite url: synchronous={other}; use synchronous=normal (default) or synchronous=full"
                        )))
                    }
                }
            }
            _ => rest.push(pair),
        }
    }
    let url = if rest.is_empty() { base.to_owned() } else { format!("{base}?{}", rest.join("&")) };
    Ok((url, sync))
}

async fn connect_sqlite(url: &str) -> Result<SqlitePool> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let (url, synchronous) = sqlite_synchronous(url)?;
    let mut options = SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        // NORMAL (default) in WAL mode: a commit survives a crash of the node process (the
        // SIGKILL test), not an OS crash or power loss, and costs no fsync. `?synchronous=full`
        // fsyncs every commit for power-loss durability, at a large throughput cost; production
        // fleets use PostgreSQL.
        .synchronous(synchronous);
    let pool_options = if in_memory {
        // Each connection would otherwise see its own database; one long-lived connection
        // holds the whole in-memory database.
        SqlitePoolOptions::new().max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
    } else {
        options = options.journal_mode(SqliteJournalMode::Wal);
        create_parent_dir(options.get_filename())?;
        SqlitePoolOptions::new().max_connections(SQLITE_MAX_CONNECTIONS)
    };
    Ok(pool_options.connect_with(options).await?)
}

fn create_parent_dir(path: &Path) -> Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => {
            std::fs::create_dir_all(dir).map_err(|e| Error::Database(sqlx::Error::Io(e)))
        }
        _ => Ok(()),
    }
}

async fn connect_postgres(url: &str) -> Result<PgPool> {
    Ok(PgPoolOptions::new().max_connections(POSTGRES_MAX_CONNECTIONS).connect(url).await?)
}

/// Hides the password of `scheme://user:password@host` URLs in error messages.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::from_url("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("sqlite://data/node.sqlite").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://u@h/db").unwrap(), Backend::Postgres);
        let err = Backend::from_url("mysql://root:hunter2@h/db").unwrap_err();
        assert!(matches!(err, Error::UnsupportedUrl { .. }));
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn redaction() {
        assert_eq!(redact_url("x://a:b@h/d"), "x://a:***@h/d");
        assert_eq!(redact_url("x://a@h/d"), "x://a@h/d");
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
    }
}
