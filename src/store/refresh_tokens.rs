//! Refresh-token families: each token is stored as SHA-256, rotated once by a conditional
//! update, and a second use of a rotated token revokes its whole family.

use diesel::prelude::*;

use super::fixed_update;
use super::pool::native;
use super::schema::family_access_tokens::dsl as a;
use super::schema::refresh_families::dsl as f;
use super::schema::refresh_tokens::dsl as t;
use super::schema::sessions::dsl as s;
use super::schema::users::dsl as u;
use super::users::UserRow;
use super::{DbConnection, StoreError};

/// A family: every token descended from one grant.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::refresh_families)]
pub struct FamilyRow {
    /// Random id.
    pub id: String,
    /// The client the tokens belong to.
    pub client_id: String,
    /// The user.
    pub user_id: String,
    /// The browser session the family dies with; `None` for offline access.
    pub sid: Option<String>,
    /// What was granted (scope, auth_time, amr, claims) as JSON.
    pub grant_data: String,
    /// The user's token generation when the family began.
    pub generation: i64,
    /// Started.
    pub created_at: i64,
    /// Absolute expiry: rotation never extends it.
    pub expires_at: i64,
    /// When the family was revoked.
    pub revoked_at: Option<i64>,
}

impl FamilyRow {
    /// The grant the family carries.
    pub fn grant(&self) -> Result<crate::domain::grant::Grant, StoreError> {
        serde_json::from_str(&self.grant_data).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// One refresh token of a family.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::refresh_tokens)]
pub struct TokenRow {
    /// SHA-256 of the token.
    pub token_hash: String,
    /// Its family.
    pub family_id: String,
    /// Issued.
    pub created_at: i64,
    /// Sliding expiry.
    pub expires_at: i64,
    /// When it was rotated.
    pub used_at: Option<i64>,
}

/// An access token minted from a family, remembered so revoking the family revokes it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessRecord<'a> {
    /// Its `jti`.
    pub jti: &'a str,
    /// Its `exp`.
    pub exp: i64,
}

/// Starts a family with its first token and the access token issued beside it. Call it
/// inside a transaction: the three rows stand or fall together.
pub fn create(
    conn: &mut DbConnection,
    family: &FamilyRow,
    token: &TokenRow,
    access: AccessRecord<'_>,
) -> Result<(), StoreError> {
    native!(conn, |conn| diesel::insert_into(f::refresh_families)
        .values(family)
        .execute(conn))?;
    native!(conn, |conn| diesel::insert_into(t::refresh_tokens)
        .values(token)
        .execute(conn))?;
    remember(conn, &family.id, access)
}

fn remember(
    conn: &mut DbConnection,
    family_id: &str,
    access: AccessRecord<'_>,
) -> Result<(), StoreError> {
    native!(conn, |conn| diesel::insert_into(a::family_access_tokens)
        .values((
            a::jti.eq(access.jti),
            a::family_id.eq(family_id),
            a::expires_at.eq(access.exp),
        ))
        .execute(conn))?;
    Ok(())
}

/// A family that may go on, with its user as read in the same statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The family.
    pub family: FamilyRow,
    /// Its user.
    pub user: UserRow,
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// First use: the token is spent and its successor stored.
    Rotated(Box<Standing>),
    /// The previous token again, inside the client's grace window: the successor stands.
    Grace(Box<Standing>),
    /// A rotated token outside the grace window: the family is now revoked.
    Reused(FamilyRow),
    /// Unknown, expired, revoked, another client's, or its session or generation is gone.
    Invalid,
}

/// A rotation to attempt.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// SHA-256 of the presented token.
    pub token_hash: &'a str,
    /// SHA-256 of the successor it would be rotated to.
    pub successor_hash: &'a str,
    /// The authenticated client.
    pub client_id: &'a str,
    /// Now, UTC Unix seconds.
    pub now: i64,
    /// Sliding lifetime of the successor.
    pub sliding: i64,
    /// Seconds after a rotation during which the previous token may come back (0: none).
    pub grace: i64,
    /// A session counts as idle when `last_seen` is at or before this.
    pub idle_after: i64,
    /// The access token to be minted with the successor.
    pub access: AccessRecord<'a>,
}

/// Rotates atomically (`UPDATE … WHERE used_at IS NULL`): of concurrent presenters, across
/// processes, exactly one sees `Rotated`; the others see the token spent and revoke the family.
pub fn rotate(conn: &mut DbConnection, a: Attempt<'_>) -> Result<Rotation, StoreError> {
    super::transaction(conn, |conn| {
        let live_families = f::refresh_families
            .filter(
                f::client_id
                    .eq(a.client_id)
                    .and(f::revoked_at.is_null())
                    .and(f::expires_at.gt(a.now)),
            )
            .select(f::id);
        let spend = fixed_update::update(
            t::refresh_tokens,
            t::used_at.eq(a.now),
            t::token_hash
                .eq(a.token_hash)
                .and(t::used_at.is_null())
                .and(t::expires_at.gt(a.now))
                .and(t::family_id.eq_any(live_families)),
        );
        let spent = native!(conn, |conn| spend.execute(conn))?;
        let found: Option<(TokenRow, FamilyRow, Option<UserRow>)> = native!(conn, |conn| {
            t::refresh_tokens
                .inner_join(f::refresh_families)
                .left_join(u::users.on(u::id.eq(f::user_id)))
                .filter(t::token_hash.eq(a.token_hash))
                .select((
                    TokenRow::as_select(),
                    FamilyRow::as_select(),
                    Option::<UserRow>::as_select(),
                ))
                .first(conn)
                .optional()
        })?;
        let Some((token, family, user)) = found else {
            return Ok(Rotation::Invalid);
        };
        if family.client_id != a.client_id || family.revoked_at.is_some() {
            return Ok(Rotation::Invalid);
        }
        if spent == 1 {
            let Some(user) = still_valid(conn, &family, user, a.now, a.idle_after)? else {
                revoke_family(conn, &family.id, a.now)?;
                return Ok(Rotation::Invalid);
            };
            let successor = TokenRow {
                token_hash: a.successor_hash.to_owned(),
                family_id: family.id.clone(),
                created_at: a.now,
                expires_at: (a.now + a.sliding).min(family.expires_at),
                used_at: None,
            };
            native!(conn, |conn| diesel::insert_into(t::refresh_tokens)
                .values(&successor)
                .execute(conn))?;
            remember(conn, &family.id, a.access)?;
            return Ok(Rotation::Rotated(Box::new(Standing { family, user })));
        }
        let Some(used_at) = token.used_at else {
            return Ok(Rotation::Invalid);
        };
        if a.grace > 0 && a.now - used_at <= a.grace && family.expires_at > a.now {
            let successor_unused = t::refresh_tokens
                .filter(
                    t::token_hash
                        .eq(a.successor_hash)
                        .and(t::family_id.eq(&family.id))
                        .and(t::used_at.is_null()),
                )
                .count()
                .get_result::<i64>(conn)?
                == 1;
            if successor_unused
                && let Some(user) = still_valid(conn, &family, user, a.now, a.idle_after)?
            {
                remember(conn, &family.id, a.access)?;
                return Ok(Rotation::Grace(Box::new(Standing { family, user })));
            }
        }
        revoke_family(conn, &family.id, a.now)?;
        Ok(Rotation::Reused(family))
    })
}

/// The family's user, when it still exists and has not signed out everywhere since, and the
/// family's session (if bound to one) is still alive; a live session counts the refresh as
/// activity.
fn still_valid(
    conn: &mut DbConnection,
    family: &FamilyRow,
    user: Option<UserRow>,
    now: i64,
    idle_after: i64,
) -> Result<Option<UserRow>, StoreError> {
    let Some(user) = user.filter(|u| u.token_generation == family.generation) else {
        return Ok(None);
    };
    let Some(sid) = &family.sid else {
        return Ok(Some(user));
    };
    let touch = fixed_update::update(
        s::sessions,
        s::last_seen.eq(now),
        s::sid
            .eq(sid)
            .and(s::user_id.eq(&family.user_id))
            .and(s::expires_at.gt(now))
            .and(s::last_seen.gt(idle_after)),
    );
    let touched = native!(conn, |conn| touch.execute(conn))?;
    Ok((touched == 1).then_some(user))
}

/// Revokes a family and denylists the unexpired access tokens minted from it (idempotent);
/// returns whether it was live.
pub fn revoke_family(conn: &mut DbConnection, id: &str, now: i64) -> Result<bool, StoreError> {
    let n = diesel::update(f::refresh_families.filter(f::id.eq(id).and(f::revoked_at.is_null())))
        .set(f::revoked_at.eq(now))
        .execute(conn)?;
    deny_access_tokens(conn, &[id.to_owned()], now)?;
    Ok(n == 1)
}

/// Puts the unexpired access tokens of `families` on the denylist.
fn deny_access_tokens(
    conn: &mut DbConnection,
    families: &[String],
    now: i64,
) -> Result<(), StoreError> {
    let issued: Vec<(String, i64)> = a::family_access_tokens
        .filter(a::family_id.eq_any(families).and(a::expires_at.gt(now)))
        .select((a::jti, a::expires_at))
        .load(conn)?;
    for (jti, exp) in issued {
        super::denylist::deny(conn, &jti, exp)?;
    }
    Ok(())
}

/// The family of a token, in any state (callers check its client).
pub fn family_of(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Option<FamilyRow>, StoreError> {
    Ok(t::refresh_tokens
        .inner_join(f::refresh_families)
        .filter(t::token_hash.eq(token_hash))
        .select(FamilyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Revokes every family bound to a browser session, with their access tokens; returns how
/// many were live.
pub fn revoke_for_session(
    conn: &mut DbConnection,
    sid: &str,
    now: i64,
) -> Result<usize, StoreError> {
    let live: Vec<String> = f::refresh_families
        .filter(f::sid.eq(sid).and(f::revoked_at.is_null()))
        .select(f::id)
        .load(conn)?;
    let n = diesel::update(f::refresh_families.filter(f::id.eq_any(&live)))
        .set(f::revoked_at.eq(now))
        .execute(conn)?;
    deny_access_tokens(conn, &live, now)?;
    Ok(n)
}

/// Revokes every family of a user; returns how many were live.
pub fn revoke_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    now: i64,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        f::refresh_families.filter(f::user_id.eq(user_id).and(f::revoked_at.is_null())),
    )
    .set(f::revoked_at.eq(now))
    .execute(conn)?)
}

/// Revokes every family the user `user_id` holds at the client `client_id`, with their
/// access tokens; returns how many were live.
pub fn revoke_for_user_client(
    conn: &mut DbConnection,
    user_id: &str,
    client_id: &str,
    now: i64,
) -> Result<usize, StoreError> {
    let live: Vec<String> = f::refresh_families
        .filter(f::user_id.eq(user_id).and(f::client_id.eq(client_id)))
        .filter(f::revoked_at.is_null())
        .select(f::id)
        .load(conn)?;
    let n = diesel::update(f::refresh_families.filter(f::id.eq_any(&live)))
        .set(f::revoked_at.eq(now))
        .execute(conn)?;
    deny_access_tokens(conn, &live, now)?;
    Ok(n)
}

/// Removes families past their absolute expiry (their tokens go with them) and records of
/// access tokens that have expired.
pub fn purge(conn: &mut DbConnection, before: i64) -> Result<usize, StoreError> {
    super::transaction(conn, |conn| {
        diesel::delete(a::family_access_tokens.filter(a::expires_at.le(before))).execute(conn)?;
        let expired = f::refresh_families
            .filter(f::expires_at.le(before))
            .select(f::id);
        diesel::delete(a::family_access_tokens.filter(a::family_id.eq_any(expired)))
            .execute(conn)?;
        let expired = f::refresh_families
            .filter(f::expires_at.le(before))
            .select(f::id);
        diesel::delete(t::refresh_tokens.filter(t::family_id.eq_any(expired))).execute(conn)?;
        Ok(diesel::delete(f::refresh_families.filter(f::expires_at.le(before))).execute(conn)?)
    })
}

/// A refresh token with its family and the family user's current token generation, for
/// introspection (read-only; `None` when the hash is unknown).
pub fn lookup(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Option<(TokenRow, FamilyRow, Option<i64>)>, StoreError> {
    let found: Option<(TokenRow, FamilyRow)> = t::refresh_tokens
        .inner_join(f::refresh_families)
        .filter(t::token_hash.eq(token_hash))
        .select((TokenRow::as_select(), FamilyRow::as_select()))
        .first(conn)
        .optional()?;
    let Some((token, family)) = found else {
        return Ok(None);
    };
    let generation: Option<i64> = u::users
        .find(&family.user_id)
        .select(u::token_generation)
        .first(conn)
        .optional()?;
    Ok(Some((token, family, generation)))
}
