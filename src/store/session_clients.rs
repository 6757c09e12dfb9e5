//! Which clients received tokens in which browser session, for back-channel logout.

use diesel::prelude::*;

use super::pool::native;
use super::schema::session_clients::dsl as sc;
use super::{DbConnection, StoreError};

/// Records that `client_id` received tokens in session `sid` (idempotent).
pub fn record(
    conn: &mut DbConnection,
    sid: &str,
    client_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    let row = (
        sc::sid.eq(sid),
        sc::client_id.eq(client_id),
        sc::created_at.eq(now),
    );
    native!(conn, |conn| diesel::insert_into(sc::session_clients)
        .values(row)
        .on_conflict_do_nothing()
        .execute(conn))?;
    Ok(())
}

/// The clients that received tokens in session `sid`.
pub fn clients_of(conn: &mut DbConnection, sid: &str) -> Result<Vec<String>, StoreError> {
    Ok(sc::session_clients
        .filter(sc::sid.eq(sid))
        .select(sc::client_id)
        .order(sc::created_at)
        .load(conn)?)
}

/// Forgets session `sid`.
pub fn forget(conn: &mut DbConnection, sid: &str) -> Result<usize, StoreError> {
    Ok(diesel::delete(sc::session_clients.filter(sc::sid.eq(sid))).execute(conn)?)
}

/// Removes rows older than `before` (sessions never outlive their absolute lifetime).
pub fn purge(conn: &mut DbConnection, before: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(sc::session_clients.filter(sc::created_at.le(before))).execute(conn)?)
}
