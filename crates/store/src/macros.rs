//! The one macro that lets every query be written once for both backends.

/// Runs `$body` with `$pool` bound to the concrete pool (`&SqlitePool` or `&PgPool`).
///
/// The body is compiled once per backend, so the SQL text and binds are shared while sqlx
/// keeps its native drivers (full connect options, native migrations, no `Any` conversions).
/// Every SQL string uses `$N` placeholders, which both SQLite and PostgreSQL accept.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store.pool() {
            $crate::DbPool::Sqlite($pool) => $body,
            $crate::DbPool::Postgres($pool) => $body,
        }
    };
}
