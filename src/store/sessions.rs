//! Browser sessions (SSO): the cookie holds a random id, the row is keyed by its SHA-256.

use diesel::prelude::*;

use super::fixed_update;
use super::pool::native;
use super::schema::sessions::dsl as s;
use super::schema::users::dsl as u;
use super::users::UserRow;
use super::{DbConnection, StoreError};

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::sessions)]
pub struct SessionRow {
    /// SHA-256 of the cookie value.
    pub id_hash: String,
    /// Public session id (the `sid` claim).
    pub sid: String,
    /// The signed-in user.
    pub user_id: String,
    /// When the user last authenticated, UTC Unix seconds.
    pub auth_time: i64,
    /// Authentication methods, space-separated (`pwd`).
    pub amr: String,
    /// Created.
    pub created_at: i64,
    /// Last request seen (idle timeout counts from here).
    pub last_seen: i64,
    /// Absolute expiry.
    pub expires_at: i64,
    /// The admin acting as the user in this session (browser impersonation), if any.
    pub actor_id: Option<String>,
    /// The browser's `User-Agent` when the session started (cut to [`USER_AGENT_MAX`] bytes).
    pub user_agent: Option<String>,
}

/// The longest `User-Agent` a session keeps, in bytes.
pub const USER_AGENT_MAX: usize = 512;

/// Inserts a session.
pub fn create(conn: &mut DbConnection, row: &SessionRow) -> Result<(), StoreError> {
    native!(conn, |conn| diesel::insert_into(s::sessions)
        .values(row)
        .execute(conn))?;
    Ok(())
}

/// The live session with this id hash: not past its absolute expiry nor idle since `idle_after`.
pub fn live(
    conn: &mut DbConnection,
    id_hash: &str,
    now: i64,
    idle_after: i64,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(native!(conn, |conn| s::sessions
        .find(id_hash)
        .filter(s::expires_at.gt(now).and(s::last_seen.gt(idle_after)))
        .select(SessionRow::as_select())
        .first(conn)
        .optional())?)
}

/// The user `user_id` while the session with public id `sid` is live (not past its absolute
/// expiry nor idle since `idle_after`), in one statement; `None` when either is gone.
pub fn user_while_live(
    conn: &mut DbConnection,
    user_id: &str,
    sid: &str,
    now: i64,
    idle_after: i64,
) -> Result<Option<UserRow>, StoreError> {
    let live = s::sessions.filter(
        s::sid
            .eq(sid)
            .and(s::expires_at.gt(now))
            .and(s::last_seen.gt(idle_after)),
    );
    Ok(native!(conn, |conn| u::users
        .find(user_id)
        .filter(diesel::dsl::exists(live))
        .select(UserRow::as_select())
        .first(conn)
        .optional())?)
}

/// Marks the session seen at `now`.
pub fn touch(conn: &mut DbConnection, id_hash: &str, now: i64) -> Result<(), StoreError> {
    let touch = fixed_update::update(s::sessions, s::last_seen.eq(now), s::id_hash.eq(id_hash));
    native!(conn, |conn| touch.execute(conn))?;
    Ok(())
}

/// Deletes one session.
pub fn delete(conn: &mut DbConnection, id_hash: &str) -> Result<(), StoreError> {
    native!(conn, |conn| diesel::delete(s::sessions.find(id_hash))
        .execute(conn))?;
    Ok(())
}

/// Deletes every session of a user but the one whose `sid` is `keep` (when given); returns
/// the deleted ones' `sid`s.
pub fn delete_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    keep: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    let keep = keep.unwrap_or_default();
    let sids = s::sessions
        .filter(s::user_id.eq(user_id).and(s::sid.ne(keep)))
        .select(s::sid)
        .load(conn)?;
    diesel::delete(s::sessions.filter(s::user_id.eq(user_id).and(s::sid.ne(keep))))
        .execute(conn)?;
    Ok(sids)
}

/// The user's sessions not past their absolute expiry at `now`, newest first.
pub fn for_user(
    conn: &mut DbConnection,
    user_id: &str,
    now: i64,
) -> Result<Vec<SessionRow>, StoreError> {
    Ok(s::sessions
        .filter(s::user_id.eq(user_id).and(s::expires_at.gt(now)))
        .order((s::created_at.desc(), s::sid.asc()))
        .select(SessionRow::as_select())
        .load(conn)?)
}

/// The session with public id `sid`.
pub fn by_sid(conn: &mut DbConnection, sid: &str) -> Result<Option<SessionRow>, StoreError> {
    Ok(s::sessions
        .filter(s::sid.eq(sid))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Deletes sessions past their absolute expiry or idle since `idle_after`.
pub fn purge(conn: &mut DbConnection, now: i64, idle_after: i64) -> Result<usize, StoreError> {
    Ok(
        diesel::delete(s::sessions.filter(s::expires_at.le(now).or(s::last_seen.le(idle_after))))
            .execute(conn)?,
    )
}
