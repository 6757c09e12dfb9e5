//! Revoked access tokens (`jti`), kept until nothing could accept the token anyway.

use diesel::prelude::*;

use crate::jose::policy::guard_until;

use super::pool::native;
use super::schema::clients::dsl as c;
use super::schema::token_denylist::dsl as d;
use super::schema::users::dsl as u;
use super::users::UserRow;
use super::{DbConnection, StoreError};

/// Puts the `jti` of a token expiring at `exp` on the denylist, kept until [`guard_until`].
pub fn deny(conn: &mut DbConnection, jti: &str, exp: i64) -> Result<(), StoreError> {
    let inserted = super::savepoint(conn, |c| {
        diesel::insert_into(d::token_denylist)
            .values((d::jti.eq(jti), d::expires_at.eq(guard_until(exp))))
            .execute(c)
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if StoreError::is_unique_violation(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Whether the `jti` is denied.
pub fn is_denied(conn: &mut DbConnection, jti: &str) -> Result<bool, StoreError> {
    Ok(d::token_denylist
        .find(jti)
        .select(d::jti)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// Evaluates `$then` with `$denied` (whether any of `$jtis` is on the denylist) and
/// `$registered` (how many of `$clients` are registered) bound to subqueries: with `=` for a
/// token that has one of each — a statement SQLite keeps prepared, as diesel caches no `IN`
/// list — and `IN` for an exchanged token's lineage.
macro_rules! with_lineage {
    ($jtis:expr, $clients:expr, |$denied:ident, $registered:ident| $then:expr) => {
        match ($jtis, $clients) {
            ([jti], [client]) => {
                let $denied = diesel::dsl::exists(d::token_denylist.filter(d::jti.eq(jti)));
                let $registered = c::clients
                    .filter(c::client_id.eq(client))
                    .select(diesel::dsl::count_star())
                    .single_value();
                $then
            }
            (jtis, clients) => {
                let $denied = diesel::dsl::exists(d::token_denylist.filter(d::jti.eq_any(jtis)));
                let $registered = c::clients
                    .filter(c::client_id.eq_any(clients))
                    .select(diesel::dsl::count_star())
                    .single_value();
                $then
            }
        }
    };
}

fn all_registered(registered: Option<i64>, clients: &[String]) -> bool {
    registered.unwrap_or(0) >= i64::try_from(clients.len()).unwrap_or(i64::MAX)
}

/// The user `sub` and whether the token is dead — any of `jtis` (its own and those it was
/// exchanged from) denied, or any of `clients` (its client and theirs, distinct) deleted — in
/// one statement (`None` when there is no such user): what userinfo needs to know of a user's
/// access token.
pub fn user_and_denial(
    conn: &mut DbConnection,
    sub: &str,
    jtis: &[String],
    clients: &[String],
) -> Result<Option<(UserRow, bool)>, StoreError> {
    Ok(standing(conn, Some(sub), jtis, clients)?.and_then(|s| {
        let dead = s.denied || !s.client_exists;
        s.user.map(|user| (user, dead))
    }))
}

/// What introspection needs to know of an access token, read in one statement.
#[derive(Debug)]
pub struct Standing {
    /// The token's user (`None` for a client's own token, or when the user is gone).
    pub user: Option<UserRow>,
    /// Whether its `jti`, or that of a token it was exchanged from, is on the denylist.
    pub denied: bool,
    /// Whether the client it was issued to, and those of the tokens it was exchanged from,
    /// are all still registered.
    pub client_exists: bool,
}

/// The user `sub` (when given), whether any of `jtis` (a token's own and those it was
/// exchanged from) is denied, and whether all of `clients` (distinct: its client and those of
/// the tokens it was exchanged from) are still registered, in one statement; `None` when `sub`
/// names no user.
pub fn standing(
    conn: &mut DbConnection,
    sub: Option<&str>,
    jtis: &[String],
    clients: &[String],
) -> Result<Option<Standing>, StoreError> {
    let Some(sub) = sub else {
        let (denied, registered): (bool, Option<i64>) =
            with_lineage!(jtis, clients, |denied, registered| native!(conn, |conn| {
                diesel::select((denied, registered)).get_result(conn)
            }))?;
        return Ok(Some(Standing {
            user: None,
            denied,
            client_exists: all_registered(registered, clients),
        }));
    };
    let found: Option<(UserRow, bool, Option<i64>)> =
        with_lineage!(jtis, clients, |denied, registered| native!(conn, |conn| {
            u::users
                .find(sub)
                .select((UserRow::as_select(), denied, registered))
                .first(conn)
                .optional()
        }))?;
    Ok(found.map(|(user, denied, registered)| Standing {
        user: Some(user),
        denied,
        client_exists: all_registered(registered, clients),
    }))
}

/// Removes entries whose tokens can no longer be accepted.
pub fn purge(conn: &mut DbConnection, now: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(d::token_denylist.filter(d::expires_at.le(now))).execute(conn)?)
}
