//! Dynamic registration: initial access tokens (`sigil registration-token create`) and the
//! registration access token of each client registered at `/register` — hashes only.

use diesel::prelude::*;

use super::schema::client_registrations::dsl as r;
use super::schema::clients::dsl as c;
use super::schema::registration_tokens::dsl as t;
use super::{DbConnection, StoreError};

/// A stored initial access token.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::registration_tokens)]
pub struct InitialTokenRow {
    /// Its id, named in audit rows.
    pub id: String,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// Registrations it may still make; `None` for no limit.
    pub uses_left: Option<i32>,
    /// When it stops working, UTC Unix seconds; `None` for never.
    pub expires_at: Option<i64>,
    /// Created, UTC Unix seconds.
    pub created_at: i64,
}

/// Why an initial access token was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No token has this hash.
    Unknown,
    /// Its uses are spent.
    UsedUp,
    /// It expired.
    Expired,
}

/// Stores an initial access token.
pub fn create_initial(conn: &mut DbConnection, row: &InitialTokenRow) -> Result<(), StoreError> {
    diesel::insert_into(t::registration_tokens)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The initial access token with `hash`, if it can still be used at `now`, or why not.
pub fn find_initial(
    conn: &mut DbConnection,
    hash: &str,
    now: i64,
) -> Result<Result<InitialTokenRow, Refusal>, StoreError> {
    let Some(row) = t::registration_tokens
        .filter(t::token_hash.eq(hash))
        .select(InitialTokenRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(Err(Refusal::Unknown));
    };
    if row.expires_at.is_some_and(|at| at <= now) {
        return Ok(Err(Refusal::Expired));
    }
    if row.uses_left.is_some_and(|left| left <= 0) {
        return Ok(Err(Refusal::UsedUp));
    }
    Ok(Ok(row))
}

/// Takes one use of the initial access token with `hash` at `now` and answers its id, or why
/// it cannot be used. The conditional update keeps concurrent registrations within its uses.
pub fn use_initial(
    conn: &mut DbConnection,
    hash: &str,
    now: i64,
) -> Result<Result<String, Refusal>, StoreError> {
    let row = match find_initial(conn, hash, now)? {
        Ok(row) => row,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if row.uses_left.is_none() {
        return Ok(Ok(row.id));
    }
    let taken = diesel::update(
        t::registration_tokens
            .find(&row.id)
            .filter(t::uses_left.gt(0)),
    )
    .set(t::uses_left.eq(t::uses_left - 1))
    .execute(conn)?;
    Ok(if taken == 1 {
        Ok(row.id)
    } else {
        Err(Refusal::UsedUp)
    })
}

/// Records the registration access token hash of the client `client_id` (registered at `now`).
pub fn create(
    conn: &mut DbConnection,
    client_id: &str,
    hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    diesel::insert_into(r::client_registrations)
        .values((
            r::client_id.eq(client_id),
            r::access_token_hash.eq(hash),
            r::created_at.eq(now),
            r::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The registration access token hash of the client `client_id`, if it registered itself.
pub fn access_token_hash(
    conn: &mut DbConnection,
    client_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(r::client_registrations
        .find(client_id)
        .select(r::access_token_hash)
        .first(conn)
        .optional()?)
}

/// Replaces the registration access token hash of `client_id`; `NotFound` without one.
pub fn rotate(
    conn: &mut DbConnection,
    client_id: &str,
    hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    let changed = diesel::update(r::client_registrations.find(client_id))
        .set((r::access_token_hash.eq(hash), r::updated_at.eq(now)))
        .execute(conn)?;
    match changed {
        0 => Err(StoreError::NotFound("client registration")),
        _ => Ok(()),
    }
}

/// Replaces a client's metadata and secret (RFC 7592 update); `NotFound` without the client.
pub fn replace_client(
    conn: &mut DbConnection,
    client_id: &str,
    metadata: &str,
    secret: (Option<&str>, Option<&str>),
    now: i64,
) -> Result<(), StoreError> {
    let (hash, sealed) = secret;
    let changed = diesel::update(c::clients.find(client_id))
        .set((
            c::metadata.eq(metadata),
            c::secret_hash.eq(hash),
            c::secret_sealed.eq(sealed),
            c::updated_at.eq(now),
        ))
        .execute(conn)?;
    match changed {
        0 => Err(StoreError::NotFound("client")),
        _ => Ok(()),
    }
}
