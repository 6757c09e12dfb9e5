//! The one connection type for both backends. diesel's `MultiConnection` derive generates
//! public items of its own, undocumented, so this module holds the enum alone.
#![allow(missing_docs)]

use diesel::prelude::*;

/// A connection to either backend; each query is written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL.
    Pg(PgConnection),
    /// SQLite.
    Sqlite(SqliteConnection),
}
