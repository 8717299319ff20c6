//! Shared fixtures and the macro that instantiates each test for both backends.

use linkpool_store::{testing::TestDb, DbPool, JobRecord, NewJob, NewRun, RunRecord, RunStatus, Store};
use serde_json::json;
use uuid::Uuid;

/// For each `async fn name(db: &TestDb)` in the current module, generates `sqlite::name` and
/// `postgres::name` tests. PostgreSQL unreachable = failure, unless `LINKPOOL_SKIP_POSTGRES=1`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = linkpool_store::testing::TestDb::sqlite().await.unwrap_or_else(|e| panic!("{e}"));
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = linkpool_store::testing::TestDb::postgres_or_skip()
                        .await
                        .unwrap_or_else(|e| panic!("{e}"))
                    else {
                        return;
                    };
                    super::$name(&db).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}

pub(crate) async fn job(store: &Store, name: &str) -> JobRecord {
    store
        .insert_job(&NewJob {
            external_job_id: Uuid::new_v4(),
            name: Some(name.to_owned()),
            job_type: "directrequest".to_owned(),
            spec_toml: format!("type = \"directrequest\"\nname = \"{name}\"\n"),
        })
        .await
        .expect("insert job")
}

pub(crate) fn new_run(job_id: i64, key: &str) -> NewRun {
    NewRun {
        job_id,
        idempotency_key: key.to_owned(),
        inputs: json!({ "key": key }),
        request_id: None,
        ready_at_block: None,
        status: RunStatus::Running,
    }
}

pub(crate) async fn run(store: &Store, job_id: i64, key: &str) -> RunRecord {
    store.insert_run(&new_run(job_id, key)).await.expect("insert run").into_inner()
}

/// Executes raw SQL (no binds) on whichever backend; for fixtures the API cannot create.
pub(crate) async fn exec(db: &TestDb, sql: &str) -> u64 {
    match db.pool() {
        DbPool::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
        DbPool::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// `SELECT COUNT(*)` of a raw query.
pub(crate) async fn count(db: &TestDb, sql: &str) -> i64 {
    match db.pool() {
        DbPool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        DbPool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}
