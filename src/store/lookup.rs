//! What administration reads across aggregates: clients and users matching a text, row
//! counts, pages of the audit log newest first, and audit actions over a time window.

use diesel::prelude::*;

use super::clients::ClientRow;
use super::schema::audit_events::dsl as a;
use super::schema::clients::dsl as c;
use super::schema::impersonations::dsl as i;
use super::schema::resources::dsl as r;
use super::schema::sessions::dsl as s;
use super::schema::users::dsl as u;
use super::users::UserRow;
use super::{DbConnection, StoreError};

/// `%text%` for `LIKE … ESCAPE '\'`, with `%`, `_` and `\` in `text` taken literally.
fn contains(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// Up to `limit` clients after `after` (by id) whose id or metadata contains `text`.
pub fn clients_matching(
    conn: &mut DbConnection,
    text: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ClientRow>, StoreError> {
    let pattern = contains(text);
    Ok(c::clients
        .filter(c::client_id.gt(after.unwrap_or_default()))
        .filter(
            c::client_id
                .like(pattern.clone())
                .escape('\\')
                .or(c::metadata.like(pattern).escape('\\')),
        )
        .order(c::client_id.asc())
        .limit(limit)
        .select(ClientRow::as_select())
        .load(conn)?)
}

/// Up to `limit` users after `after` (by id) whose username, email or name contains `text`.
pub fn users_matching(
    conn: &mut DbConnection,
    text: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRow>, StoreError> {
    let pattern = contains(text);
    Ok(u::users
        .filter(u::id.gt(after.unwrap_or_default()))
        .filter(
            u::username
                .like(pattern.clone())
                .escape('\\')
                .or(u::email.like(pattern.clone()).escape('\\'))
                .or(u::name.like(pattern).escape('\\')),
        )
        .order(u::id.asc())
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?)
}

/// How many rows each list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Registered clients.
    pub clients: i64,
    /// Users.
    pub users: i64,
    /// Resources.
    pub resources: i64,
    /// Sessions not past their absolute expiry.
    pub sessions: i64,
    /// Impersonations in force.
    pub impersonations: i64,
}

/// The counts at `now`.
pub fn counts(conn: &mut DbConnection, now: i64) -> Result<Counts, StoreError> {
    Ok(Counts {
        clients: c::clients.count().get_result(conn)?,
        users: u::users.count().get_result(conn)?,
        resources: r::resources.count().get_result(conn)?,
        sessions: s::sessions
            .filter(s::expires_at.gt(now))
            .count()
            .get_result(conn)?,
        impersonations: i::impersonations
            .filter(i::ended_at.is_null().and(i::expires_at.gt(now)))
            .count()
            .get_result(conn)?,
    })
}

/// The time of each event of one of `actions` at or after `since`.
pub fn actions_since(
    conn: &mut DbConnection,
    actions: &[&str],
    since: i64,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(a::audit_events
        .filter(a::at.ge(since).and(a::action.eq_any(actions)))
        .select((a::action, a::at))
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::contains;

    #[test]
    fn wildcards_in_the_text_are_literal() {
        assert_eq!(contains("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
