//! Authorization requests waiting for the user (login, consent), bound to one browser.

use diesel::prelude::*;

use super::pool::native;
use super::schema::auth_requests::dsl as r;
use super::{DbConnection, StoreError};

/// A pending authorization request.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::auth_requests)]
pub struct AuthRequestRow {
    /// Random id, carried in the login and consent forms.
    pub id: String,
    /// SHA-256 of the browser cookie it was started in.
    pub browser_hash: String,
    /// The client.
    pub client_id: String,
    /// The validated request as JSON.
    pub params: String,
    /// Whether the user authenticated for this very request (`prompt=login`, `max_age`).
    pub login_done: bool,
    /// Created.
    pub created_at: i64,
    /// Expires.
    pub expires_at: i64,
}

/// Stores a pending request.
pub fn create(conn: &mut DbConnection, row: &AuthRequestRow) -> Result<(), StoreError> {
    native!(conn, |conn| diesel::insert_into(r::auth_requests)
        .values(row)
        .execute(conn))?;
    Ok(())
}

/// The live request with this id, if it belongs to this browser.
pub fn get(
    conn: &mut DbConnection,
    id: &str,
    browser_hash: &str,
    now: i64,
) -> Result<Option<AuthRequestRow>, StoreError> {
    Ok(native!(conn, |conn| r::auth_requests
        .find(id)
        .filter(r::browser_hash.eq(browser_hash).and(r::expires_at.gt(now)))
        .select(AuthRequestRow::as_select())
        .first(conn)
        .optional())?)
}

/// Records that the user authenticated for this request.
pub fn mark_login_done(conn: &mut DbConnection, id: &str) -> Result<(), StoreError> {
    diesel::update(r::auth_requests.find(id))
        .set(r::login_done.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Removes a finished request.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<(), StoreError> {
    take(conn, id).map(|_| ())
}

/// Removes the request to answer it: true for exactly one of any number of concurrent takers
/// (across processes), false when it was already taken or is gone.
pub fn take(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    let deleted = native!(conn, |conn| diesel::delete(r::auth_requests.find(id))
        .execute(conn))?;
    Ok(deleted == 1)
}

/// Removes expired requests.
pub fn purge(conn: &mut DbConnection, now: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(r::auth_requests.filter(r::expires_at.le(now))).execute(conn)?)
}
