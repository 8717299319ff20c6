use crate::common::{job, run};
use linkpool_store::{testing::TestDb, Backend, DbPool, Error, Store};

both_backends!(reconnect_sees_data_and_migrations_are_idempotent);

async fn reconnect_sees_data_and_migrations_are_idempotent(db: &TestDb) {
    let j = job(db, "persisted").await;
    let r = run(db, j.id, "r").await;
    let again = Store::connect(db.url()).await.unwrap();
    assert_eq!(again.backend(), db.backend());
    assert_eq!(again.get_job(j.id).await.unwrap(), Some(j));
    assert_eq!(again.get_run(r.id).await.unwrap(), Some(r));
    again.migrate().await.unwrap();
    again.close().await;
}

#[tokio::test]
async fn unsupported_urls_are_typed_errors() {
    for url in ["mysql://root:secret@localhost/db", "", "file:///tmp/x.sqlite", "postgre://x"] {
        let err = Store::connect(url).await.unwrap_err();
        assert!(matches!(err, Error::UnsupportedUrl { .. }), "{url}: {err:?}");
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}

#[tokio::test]
async fn sqlite_file_is_created_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/data/node.sqlite");
    let url = format!("sqlite://{}", path.display());
    let store = Store::connect(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(path.exists());
    let DbPool::Sqlite(pool) = store.pool() else { panic!("expected sqlite pool") };
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await.unwrap();
    assert_eq!(journal, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(pool).await.unwrap();
    assert_eq!(fk, 1);
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(pool).await.unwrap();
    assert!(busy >= 5_000, "busy_timeout {busy}");
    let j = job(&store, "file").await;
    store.close().await;

    let reopened = Store::connect(&url).await.unwrap();
    assert_eq!(reopened.list_jobs().await.unwrap(), vec![j]);
}

#[tokio::test]
async fn sqlite_memory_keeps_data_for_the_store_lifetime() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let j = job(&store, "mem").await;
    let r = run(&store, j.id, "r").await;
    assert_eq!(store.get_run(r.id).await.unwrap(), Some(r));
    // a second in-memory store is a different database
    let other = Store::connect("sqlite::memory:").await.unwrap();
    assert!(other.list_jobs().await.unwrap().is_empty());
    assert_eq!(store.list_jobs().await.unwrap(), vec![j]);
}

#[tokio::test]
async fn unreachable_postgres_is_a_database_error() {
    // port 1 on localhost: connection refused, immediately
    let err = Store::connect("postgres://postgres@127.0.0.1:1/postgres").await.unwrap_err();
    assert!(matches!(err, Error::Database(_)), "{err:?}");
}
