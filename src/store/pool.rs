//! The r2d2 pool over the connection type of both backends ([`super::connection`]), and the
//! `native!` macro that runs a statement on the backend's own connection.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, R2D2Connection};

use crate::config::DatabaseUrl;

use super::StoreError;

pub use super::connection::DbConnection;

/// Opens connections of the configured backend (never guessing from the URL).
#[derive(Debug, Clone)]
pub struct DbManager {
    database: DatabaseUrl,
}

/// Connection errors from the manager.
#[derive(Debug, thiserror::Error)]
pub enum ManagerError {
    /// Could not open a connection.
    #[error("cannot connect: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// A query on the connection failed.
    #[error("query failed: {0}")]
    Query(#[from] diesel::result::Error),
}

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

impl ManageConnection for DbManager {
    type Connection = DbConnection;
    type Error = ManagerError;

    fn connect(&self) -> Result<DbConnection, ManagerError> {
        match &self.database {
            DatabaseUrl::Postgres(url) => {
                crate::secrets::init_openssl();
                Ok(DbConnection::Pg(PgConnection::establish(url)?))
            }
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(SQLITE_PRAGMAS)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ManagerError> {
        Ok(conn.ping()?)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// The connection pool.
pub type DbPool = Pool<DbManager>;

/// Builds the pool; PostgreSQL connections are opened lazily so start-up reports a clear error later.
pub fn build_pool(database: &DatabaseUrl, size: u32) -> Result<DbPool, StoreError> {
    let manager = DbManager {
        database: database.clone(),
    };
    let builder = r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(5))
        .test_on_check_out(false);
    Ok(builder.build_unchecked(manager))
}

/// Runs a diesel statement on the backend's own connection. Through the multi-backend layer
/// diesel renders a statement's SQL anew at every execution, cached or not; on the backend's
/// own connection a cached statement is found by its type and only its values are bound.
macro_rules! native {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::DbConnection::Pg($c) => $body,
            $crate::store::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use native;
