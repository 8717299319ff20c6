//! Test support (feature `testing`): [`TestDb`] hands out a fresh, migrated store per test.
//!
//! ```ignore
//! use linkpool_store::{testing::TestDb, Backend};
//!
//! let db = TestDb::sqlite().await?;                       // temp file, removed on drop
//! let Some(db) = TestDb::postgres_or_skip().await? else { return Ok(()) }; // fresh database
//! db.store().list_jobs().await?;                          // or `db.list_jobs()` via Deref
//! let again = linkpool_store::Store::connect(db.url()).await?; // "restart" on the same data
//! ```
//!
//! PostgreSQL: the server at `LINKPOOL_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) gets a uniquely named database
//! `linkpool_test_<uuid>` per [`TestDb`], dropped (best effort, `WITH (FORCE)`) on drop.
//! If the server is unreachable, [`TestDb::postgres`] fails with a message saying so;
//! [`TestDb::postgres_or_skip`] returns `None` instead when `LINKPOOL_SKIP_POSTGRES=1`.

use crate::{store::redact_url, Backend, Store};
use sqlx::{Connection, PgConnection};
use std::{ops::Deref, time::Duration};

/// Environment variable overriding the PostgreSQL server used by tests.
pub const POSTGRES_URL_ENV: &str = "LINKPOOL_TEST_POSTGRES_URL";
/// Environment variable which, set to `1`, skips PostgreSQL tests (see [`TestDb::postgres_or_skip`]).
pub const SKIP_POSTGRES_ENV: &str = "LINKPOOL_SKIP_POSTGRES";
/// Default PostgreSQL server for tests (trust auth).
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a test database could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TestDbError {
    /// The PostgreSQL test server could not be reached.
    #[error(
        "PostgreSQL test server {url} is unreachable: {reason}. Start PostgreSQL (trust auth for user \
         postgres), point {POSTGRES_URL_ENV} at one, or set {SKIP_POSTGRES_ENV}=1 to skip PostgreSQL tests"
    )]
    PostgresUnavailable {
        /// Server URL (password masked).
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Creating the temporary directory or database failed.
    #[error("creating the test database failed: {0}")]
    Setup(String),
    /// Connecting or migrating the fresh database failed.
    #[error(transparent)]
    Store(#[from] crate::Error),
}

/// A fresh, migrated [`Store`] that cleans up after itself. Derefs to [`Store`].
#[derive(Debug)]
pub struct TestDb {
    store: Store,
    url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { admin_url: String, database: String },
    Done,
}

impl TestDb {
    /// A fresh store of `backend`; `None` only for PostgreSQL skipped via `LINKPOOL_SKIP_POSTGRES=1`.
    pub async fn new(backend: Backend) -> Result<Option<Self>, TestDbError> {
        match backend {
            Backend::Sqlite => Self::sqlite().await.map(Some),
            Backend::Postgres => Self::postgres_or_skip().await,
        }
    }

    /// A fresh SQLite store in a file inside a temporary directory (removed on drop).
    pub async fn sqlite() -> Result<Self, TestDbError> {
        let dir = tempfile::tempdir().map_err(|e| TestDbError::Setup(format!("temp dir: {e}")))?;
        let path = dir.path().join("node.sqlite");
        let path = path.to_str().ok_or_else(|| TestDbError::Setup(format!("non-UTF-8 temp path {path:?}")))?;
        let url = format!("sqlite://{path}");
        let store = Store::connect(&url).await?;
        Ok(Self { store, url, cleanup: Cleanup::Sqlite { _dir: dir } })
    }

    /// A fresh PostgreSQL database on the test server; fails clearly if the server is unreachable.
    pub async fn postgres() -> Result<Self, TestDbError> {
        let admin_url = std::env::var(POSTGRES_URL_ENV).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let database = format!("linkpool_test_{}", uuid::Uuid::new_v4().simple());
        let unavailable = |reason: String| TestDbError::PostgresUnavailable { url: redact_url(&admin_url), reason };
        let mut admin = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(&admin_url))
            .await
            .map_err(|_| unavailable(format!("no connection within {CONNECT_TIMEOUT:?}")))?
            .map_err(|e| unavailable(e.to_string()))?;
        sqlx::query(&format!("CREATE DATABASE \"{database}\""))
            .execute(&mut admin)
            .await
            .map_err(|e| TestDbError::Setup(format!("CREATE DATABASE {database}: {e}")))?;
        let _ = admin.close().await;
        // From here on, drop removes the database even if connecting/migrating fails.
        let cleanup = Cleanup::Postgres { admin_url: admin_url.clone(), database: database.clone() };
        let url = with_database(&admin_url, &database);
        match Store::connect(&url).await {
            Ok(store) => Ok(Self { store, url, cleanup }),
            Err(e) => {
                drop_postgres_database(&admin_url, &database);
                Err(e.into())
            }
        }
    }

    /// Like [`TestDb::postgres`], but `Ok(None)` when `LINKPOOL_SKIP_POSTGRES=1` is set.
    pub async fn postgres_or_skip() -> Result<Option<Self>, TestDbError> {
        if std::env::var(SKIP_POSTGRES_ENV).is_ok_and(|v| v == "1") {
            eprintln!("{SKIP_POSTGRES_ENV}=1: skipping PostgreSQL test");
            return Ok(None);
        }
        Self::postgres().await.map(Some)
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The database URL, to open a second [`Store`] on the same data (e.g. to simulate a restart).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Closes the pool and removes the database now (drop does the same, blocking).
    pub async fn cleanup(mut self) {
        self.store.close().await;
        if let Cleanup::Postgres { admin_url, database } = std::mem::replace(&mut self.cleanup, Cleanup::Done) {
            if let Err(e) = drop_database(&admin_url, &database).await {
                eprintln!("warning: could not drop test database {database}: {e}");
            }
        }
    }
}

impl Deref for TestDb {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, database } = std::mem::replace(&mut self.cleanup, Cleanup::Done) {
            drop_postgres_database(&admin_url, &database);
        }
    }
}

/// `admin_url` with its database path replaced by `database` (query string kept).
fn with_database(admin_url: &str, database: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let authority = rest.split_once('/').map_or(rest, |(authority, _)| authority);
    match query {
        Some(query) => format!("{scheme}://{authority}/{database}?{query}"),
        None => format!("{scheme}://{authority}/{database}"),
    }
}

async fn drop_database(admin_url: &str, database: &str) -> Result<(), sqlx::Error> {
    let mut admin = PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)")).execute(&mut admin).await?;
    admin.close().await
}

/// Drops the database from a plain thread with its own runtime: works from `Drop`, inside or
/// outside a tokio runtime. Failures only warn (best effort).
fn drop_postgres_database(admin_url: &str, database: &str) {
    let (admin_url, database) = (admin_url.to_owned(), database.to_owned());
    let worker = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        let result = match runtime {
            Ok(rt) => rt.block_on(drop_database(&admin_url, &database)).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            eprintln!("warning: could not drop test database {database}: {e}");
        }
    });
    let _ = worker.join();
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_is_swapped_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h:1/db?sslmode=disable", "t2"),
            "postgres://u:p@h:1/t2?sslmode=disable"
        );
        assert_eq!(with_database("postgresql://h", "t3"), "postgresql://h/t3");
    }
}
