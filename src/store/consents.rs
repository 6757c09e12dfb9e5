//! Remembered consent: the scopes a user granted a client.

use diesel::prelude::*;

use super::pool::native;
use super::schema::consents::dsl as c;
use super::schema::users::dsl as u;
use super::users::UserRow;
use super::{DbConnection, StoreError};

/// The scopes (space-separated) `user_id` granted `client_id`, if any.
pub fn granted(
    conn: &mut DbConnection,
    user_id: &str,
    client_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(c::consents
        .find((user_id, client_id))
        .select(c::scope)
        .first(conn)
        .optional()?)
}

/// The user named `name` and the scopes they granted `client_id`, if any, in one statement.
pub fn user_with_grant(
    conn: &mut DbConnection,
    name: &str,
    client_id: &str,
) -> Result<Option<(UserRow, Option<String>)>, StoreError> {
    Ok(native!(conn, |conn| u::users
        .left_join(c::consents.on(c::user_id.eq(u::id).and(c::client_id.eq(client_id))))
        .filter(u::username.eq(name))
        .select((UserRow::as_select(), c::scope.nullable()))
        .first(conn)
        .optional())?)
}

/// A remembered consent.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = super::schema::consents)]
pub struct ConsentRow {
    /// The user who granted it.
    pub user_id: String,
    /// The client it was granted to.
    pub client_id: String,
    /// The granted scopes, space-separated.
    pub scope: String,
    /// When it was last granted, UTC Unix seconds.
    pub granted_at: i64,
}

/// The consents `user_id` granted, newest first.
pub fn for_user(conn: &mut DbConnection, user_id: &str) -> Result<Vec<ConsentRow>, StoreError> {
    Ok(c::consents
        .filter(c::user_id.eq(user_id))
        .order((c::granted_at.desc(), c::client_id.asc()))
        .select(ConsentRow::as_select())
        .load(conn)?)
}

/// Forgets the consent `user_id` granted `client_id`; returns whether there was one.
pub fn revoke(conn: &mut DbConnection, user_id: &str, client_id: &str) -> Result<bool, StoreError> {
    Ok(diesel::delete(c::consents.find((user_id, client_id))).execute(conn)? > 0)
}

/// Records (replacing) the granted scopes.
pub fn grant(
    conn: &mut DbConnection,
    user_id: &str,
    client_id: &str,
    scope: &str,
    now: i64,
) -> Result<(), StoreError> {
    let update = |conn: &mut DbConnection| {
        diesel::update(c::consents.find((user_id, client_id)))
            .set((c::scope.eq(scope), c::granted_at.eq(now)))
            .execute(conn)
    };
    if update(conn)? > 0 {
        return Ok(());
    }
    let inserted = super::savepoint(conn, |conn| {
        diesel::insert_into(c::consents)
            .values((
                c::user_id.eq(user_id),
                c::client_id.eq(client_id),
                c::scope.eq(scope),
                c::granted_at.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if StoreError::is_unique_violation(&e) => {
            update(conn).map(|_| ()).map_err(Into::into)
        }
        Err(e) => Err(e.into()),
    }
}
