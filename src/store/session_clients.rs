//! Which clients received tokens in which browser session, for back-channel logout.

use diesel::prelude::*;

use super::schema::session_clients::dsl as sc;
use super::{DbConnection, StoreError};

/// Records that `client_id` received tokens in session `sid` (idempotent).
pub fn record(
    conn: &mut DbConnection,
    sid: &str,
    client_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    let exists = sc::session_clients
        .filter(sc::sid.eq(sid).and(sc::client_id.eq(client_id)))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        let inserted = super::savepoint(conn, |conn| {
            diesel::insert_into(sc::session_clients)
                .values((
                    sc::sid.eq(sid),
                    sc::client_id.eq(client_id),
                    sc::created_at.eq(now),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(_) => {}
            Err(e) if StoreError::is_unique_violation(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
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
