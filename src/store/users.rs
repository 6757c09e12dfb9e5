//! Users and their roles.

use diesel::prelude::*;

use super::pool::native;
use super::schema::user_roles::dsl as r;
use super::schema::users::dsl as u;
use super::{DbConnection, StoreError};

/// A stored user.
#[derive(Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::users)]
pub struct UserRow {
    /// Opaque, stable id (the `sub`).
    pub id: String,
    /// Login name, unique.
    pub username: String,
    /// Email address.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Created, UTC Unix seconds.
    pub created_at: i64,
    /// Last changed, UTC Unix seconds.
    pub updated_at: i64,
    /// Whether the email address was verified.
    pub email_verified: bool,
    /// Further OpenID standard claims (given_name, phone_number, address, …) as a JSON object.
    pub claims: String,
    /// Bumped by "sign out everywhere": tokens minted under an older generation are dead.
    pub token_generation: i64,
    /// A disabled user cannot sign in (the password check fails as a wrong one does).
    pub disabled: bool,
}

impl std::fmt::Debug for UserRow {
    /// Everything but the password hash, which never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("token_generation", &self.token_generation)
            .finish_non_exhaustive()
    }
}

impl UserRow {
    /// The user without the password hash, as tokens and userinfo see them.
    pub fn account(&self) -> crate::domain::user::Account {
        crate::domain::user::Account {
            id: self.id.clone(),
            username: self.username.clone(),
            email: self.email.clone(),
            email_verified: self.email_verified,
            name: self.name.clone(),
            claims: self.claims.clone(),
            updated_at: self.updated_at,
            token_generation: self.token_generation,
        }
    }
}

/// Inserts a user with roles in one transaction; a taken username is `Conflict`.
pub fn create(conn: &mut DbConnection, user: &UserRow, roles: &[String]) -> Result<(), StoreError> {
    conn.transaction(|conn| {
        diesel::insert_into(u::users)
            .values(user)
            .execute(conn)
            .map_err(|e| {
                if StoreError::is_unique_violation(&e) {
                    StoreError::Conflict("username")
                } else {
                    e.into()
                }
            })?;
        for role in roles {
            diesel::insert_into(r::user_roles)
                .values((r::user_id.eq(&user.id), r::role.eq(role)))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Finds a user by username.
pub fn by_username(conn: &mut DbConnection, name: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(u::users
        .filter(u::username.eq(name))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Finds the user whose username is `value`, else the one user whose email is `value`; an
/// email that two users share names nobody (an ambiguous value never maps).
pub fn by_username_or_email(
    conn: &mut DbConnection,
    value: &str,
) -> Result<Option<UserRow>, StoreError> {
    if let Some(user) = by_username(conn, value)? {
        return Ok(Some(user));
    }
    let mut found: Vec<UserRow> = u::users
        .filter(u::email.eq(value))
        .select(UserRow::as_select())
        .limit(2)
        .load(conn)?;
    Ok(match found.len() {
        1 => found.pop(),
        _ => None,
    })
}

/// Finds a user by id.
pub fn by_id(conn: &mut DbConnection, id: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(u::users
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The user's roles, sorted.
pub fn roles(conn: &mut DbConnection, user_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(native!(conn, |conn| r::user_roles
        .filter(r::user_id.eq(user_id))
        .select(r::role)
        .order(r::role.asc())
        .load(conn))?)
}

/// Up to `limit` users whose id sorts after `after` (from the first when `None`), by id.
pub fn page(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRow>, StoreError> {
    Ok(u::users
        .filter(u::id.gt(after.unwrap_or_default()))
        .order(u::id.asc())
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?)
}

/// The roles of each of `user_ids`, as `(user_id, role)` pairs sorted by user and role.
pub fn roles_of(
    conn: &mut DbConnection,
    user_ids: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(r::user_roles
        .filter(r::user_id.eq_any(user_ids))
        .select((r::user_id, r::role))
        .order((r::user_id.asc(), r::role.asc()))
        .load(conn)?)
}

/// Replaces the user's roles with `roles` in one transaction; `NotFound` when there is no user.
pub fn set_roles(conn: &mut DbConnection, id: &str, roles: &[String]) -> Result<(), StoreError> {
    conn.transaction(|conn| {
        let found: i64 = u::users.find(id).count().get_result(conn)?;
        if found == 0 {
            return Err(StoreError::NotFound("user"));
        }
        diesel::delete(r::user_roles.filter(r::user_id.eq(id))).execute(conn)?;
        for role in roles {
            diesel::insert_into(r::user_roles)
                .values((r::user_id.eq(id), r::role.eq(role)))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Replaces the user's password hash (an argon2id PHC string); `NotFound` when there is no
/// user.
pub fn set_password_hash(
    conn: &mut DbConnection,
    id: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    match diesel::update(u::users.find(id))
        .set(u::password_hash.eq(password_hash))
        .execute(conn)?
    {
        0 => Err(StoreError::NotFound("user")),
        _ => Ok(()),
    }
}

/// Sets the user's email, name and disabled flag; `NotFound` when there is no user.
pub fn set_profile(
    conn: &mut DbConnection,
    id: &str,
    email: Option<&str>,
    name: Option<&str>,
    disabled: bool,
    now: i64,
) -> Result<(), StoreError> {
    match diesel::update(u::users.find(id))
        .set((
            u::email.eq(email),
            u::name.eq(name),
            u::disabled.eq(disabled),
            u::updated_at.eq(now),
        ))
        .execute(conn)?
    {
        0 => Err(StoreError::NotFound("user")),
        _ => Ok(()),
    }
}

/// Up to `limit` role names sorting after `after`, each with how many users hold it.
pub fn role_counts(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<(String, i64)>, StoreError> {
    use diesel::dsl::count_star;
    Ok(native!(conn, |conn| r::user_roles
        .filter(r::role.gt(after.unwrap_or_default()))
        .group_by(r::role)
        .select((r::role, count_star()))
        .order(r::role.asc())
        .limit(limit)
        .load(conn))?)
}

/// Bumps the user's token generation ("sign out everywhere"); returns the new one.
pub fn bump_generation(conn: &mut DbConnection, id: &str) -> Result<i64, StoreError> {
    diesel::update(u::users.find(id))
        .set(u::token_generation.eq(u::token_generation + 1))
        .execute(conn)?;
    Ok(u::users.find(id).select(u::token_generation).first(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_password_hash() {
        let row = UserRow {
            id: "u1".into(),
            username: "ada".into(),
            email: None,
            name: None,
            password_hash: "$argon2id$v=19$secret-hash".into(),
            created_at: 0,
            updated_at: 0,
            email_verified: false,
            claims: "{}".into(),
            token_generation: 0,
            disabled: false,
        };
        let shown = format!("{row:?}");
        assert!(shown.contains("ada"));
        assert!(!shown.contains("argon2id"), "{shown}");
    }
}
