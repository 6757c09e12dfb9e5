//! Storage: diesel over SQLite or PostgreSQL, one set of queries for both.

pub mod audit;
pub mod auth_requests;
pub mod client_assertions;
pub mod clients;
pub mod codes;
pub mod connection;
pub mod consents;
pub mod denylist;
pub mod fixed_update;
pub mod impersonations;
pub mod keys;
pub mod login_attempts;
pub mod lookup;
pub mod migrations;
pub mod pool;
pub mod redemption;
pub mod refresh_tokens;
pub mod registrations;
pub mod resources;
pub mod schema;
pub mod session_clients;
pub mod sessions;
pub mod trusted_issuers;
pub mod users;

use std::time::Duration;

use crate::config::DatabaseUrl;

pub use pool::{DbConnection, DbPool};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No connection could be had (database down or pool exhausted).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(diesel::result::Error),
    /// A uniqueness rule was broken.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// The row asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// A stored value could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The blocking task was cancelled or panicked.
    #[error("database task failed")]
    Task,
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Self::Unavailable(info.message().to_owned())
            }
            Error::BrokenTransactionManager => Self::Unavailable("connection broken".into()),
            other => Self::Query(other),
        }
    }
}

impl StoreError {
    /// True for a unique-constraint violation.
    pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
        matches!(
            e,
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            )
        )
    }
}

/// The pool, plus a way to run blocking queries off the async executor.
#[derive(Clone)]
pub struct Store {
    pool: DbPool,
}

impl Store {
    /// Creates the pool (and, for SQLite, the database file's directory).
    pub fn connect(database: &DatabaseUrl, pool_size: u32) -> Result<Self, StoreError> {
        if let DatabaseUrl::Sqlite(path) = database
            && let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Unavailable(format!("{}: {e}", dir.display())))?;
        }
        Ok(Self {
            pool: pool::build_pool(database, pool_size)?,
        })
    }

    /// Checks out a connection, blocking the calling thread (CLI and start-up only).
    pub fn conn(&self) -> Result<r2d2_conn::Pooled, StoreError> {
        self.pool
            .get()
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    /// Applies pending migrations; blocking, for start-up and `sigil migrate`.
    pub fn migrate(&self) -> Result<usize, StoreError> {
        migrations::run_pending(&mut *self.conn()?)
    }

    /// Runs `f` with a connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool
                .get()
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            f(&mut conn)
        })
        .await
        .map_err(|_| StoreError::Task)?
    }

    /// Checks that the database answers within `timeout`.
    pub async fn ping(&self, timeout: Duration) -> Result<(), StoreError> {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool
                .get_timeout(timeout)
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            keys::probe(&mut conn)
        })
        .await
        .map_err(|_| StoreError::Task)?
    }

    /// Connections open and idle in the pool.
    pub fn pool_state(&self) -> (u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections)
    }
}

/// The pooled connection type.
pub mod r2d2_conn {
    /// A connection checked out of the pool.
    pub type Pooled = diesel::r2d2::PooledConnection<super::pool::DbManager>;
}

/// Runs `f` in one database transaction: committed on `Ok`, rolled back on `Err`.
pub fn transaction<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    use diesel::Connection;
    conn.transaction(f)
}

/// [`transaction`] for work that fails with the caller's own error type (one that a
/// [`StoreError`] converts into): committed on `Ok`, rolled back on `Err`.
pub fn try_transaction<T, E: From<StoreError>>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    use diesel::Connection;
    enum Failed<E> {
        Caller(E),
        Database(diesel::result::Error),
    }
    impl<E> From<diesel::result::Error> for Failed<E> {
        fn from(e: diesel::result::Error) -> Self {
            Self::Database(e)
        }
    }
    conn.transaction(|c| f(c).map_err(Failed::Caller))
        .map_err(|e| match e {
            Failed::Caller(e) => e,
            Failed::Database(e) => StoreError::from(e).into(),
        })
}

/// Runs `f` in a savepoint (a nested transaction), so a failed statement — a unique
/// violation, say — does not abort an enclosing PostgreSQL transaction.
pub fn savepoint<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, diesel::result::Error>,
) -> Result<T, diesel::result::Error> {
    use diesel::Connection;
    conn.transaction(f)
}
