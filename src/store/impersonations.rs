//! Browser impersonations: an admin acting as a user through a session of the user's that
//! names the admin; each row says who, as whom, why, from which of the admin's sessions and
//! until when, and how it ended.

use diesel::prelude::*;

use super::schema::impersonations::dsl as i;
use super::{DbConnection, StoreError};

/// A stored impersonation.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::impersonations)]
pub struct ImpersonationRow {
    /// Public id.
    pub id: String,
    /// SHA-256 of the acting session's cookie (that session's `id_hash`).
    pub session_hash: String,
    /// The acting session's `sid`.
    pub sid: String,
    /// The admin (`sub`).
    pub actor_id: String,
    /// The `id_hash` of the admin's own session it was started from.
    pub actor_session: String,
    /// The user acted as (`sub`).
    pub user_id: String,
    /// Why, as the admin wrote it.
    pub reason: String,
    /// Started, UTC Unix seconds.
    pub started_at: i64,
    /// When it ends by itself.
    pub expires_at: i64,
    /// When it ended, if it did.
    pub ended_at: Option<i64>,
    /// How it ended: `stop` or `expire`.
    pub ended_by: Option<String>,
}

/// Inserts an impersonation.
pub fn create(conn: &mut DbConnection, row: &ImpersonationRow) -> Result<(), StoreError> {
    diesel::insert_into(i::impersonations)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The impersonation not yet ended whose acting session has this id hash.
pub fn open_by_session(
    conn: &mut DbConnection,
    session_hash: &str,
) -> Result<Option<ImpersonationRow>, StoreError> {
    Ok(i::impersonations
        .filter(i::session_hash.eq(session_hash).and(i::ended_at.is_null()))
        .select(ImpersonationRow::as_select())
        .first(conn)
        .optional()?)
}

/// The impersonation `id`.
pub fn by_id(conn: &mut DbConnection, id: &str) -> Result<Option<ImpersonationRow>, StoreError> {
    Ok(i::impersonations
        .find(id)
        .select(ImpersonationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks the impersonation `id` ended at `now` by `how`, unless it already ended; returns
/// whether this call ended it (so of concurrent enders exactly one records it).
pub fn end(conn: &mut DbConnection, id: &str, now: i64, how: &str) -> Result<bool, StoreError> {
    let n = diesel::update(i::impersonations.filter(i::id.eq(id).and(i::ended_at.is_null())))
        .set((i::ended_at.eq(now), i::ended_by.eq(how)))
        .execute(conn)?;
    Ok(n == 1)
}

/// Impersonations not yet ended whose time was up at `now`.
pub fn due(conn: &mut DbConnection, now: i64) -> Result<Vec<ImpersonationRow>, StoreError> {
    Ok(i::impersonations
        .filter(i::ended_at.is_null().and(i::expires_at.le(now)))
        .select(ImpersonationRow::as_select())
        .load(conn)?)
}

/// Up to `limit` impersonations whose id sorts after `after`, by id.
pub fn page(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ImpersonationRow>, StoreError> {
    Ok(i::impersonations
        .filter(i::id.gt(after.unwrap_or_default()))
        .order(i::id.asc())
        .limit(limit)
        .select(ImpersonationRow::as_select())
        .load(conn)?)
}
