//! Registered clients: metadata as JSON, secret as a SHA-256 hash — and, only for a client
//! whose responses are encrypted with a key derived from its secret, the secret wrapped
//! under the KEK.

use diesel::prelude::*;

use super::schema::clients::dsl as c;
use super::{DbConnection, StoreError};

/// A stored client.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::clients)]
pub struct ClientRow {
    /// The `client_id`.
    pub client_id: String,
    /// Hex SHA-256 of the client secret; `None` for public and key-authenticated clients.
    pub secret_hash: Option<String>,
    /// Validated RFC 7591 metadata as JSON.
    pub metadata: String,
    /// Created, UTC Unix seconds.
    pub created_at: i64,
    /// Last changed, UTC Unix seconds.
    pub updated_at: i64,
    /// The secret as a compact JWE under the KEK, kept only when a registered encryption
    /// algorithm derives its key from it (A128KW, A256KW, dir).
    pub secret_sealed: Option<String>,
}

/// Inserts a client.
pub fn create(conn: &mut DbConnection, row: &ClientRow) -> Result<(), StoreError> {
    diesel::insert_into(c::clients)
        .values(row)
        .execute(conn)
        .map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict("client_id")
            } else {
                e.into()
            }
        })?;
    Ok(())
}

/// Finds a client by id.
pub fn get(conn: &mut DbConnection, client_id: &str) -> Result<Option<ClientRow>, StoreError> {
    Ok(c::clients
        .find(client_id)
        .select(ClientRow::as_select())
        .first(conn)
        .optional()?)
}

/// Up to `limit` clients whose id sorts after `after` (from the first when `None`), by id.
pub fn page(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ClientRow>, StoreError> {
    Ok(c::clients
        .filter(c::client_id.gt(after.unwrap_or_default()))
        .order(c::client_id.asc())
        .limit(limit)
        .select(ClientRow::as_select())
        .load(conn)?)
}

/// Replaces a client's secret hash and sealed secret; `NotFound` when there is no client.
pub fn set_secret(
    conn: &mut DbConnection,
    client_id: &str,
    secret_hash: &str,
    secret_sealed: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let changed = diesel::update(c::clients.find(client_id))
        .set((
            c::secret_hash.eq(secret_hash),
            c::secret_sealed.eq(secret_sealed),
            c::updated_at.eq(now),
        ))
        .execute(conn)?;
    match changed {
        0 => Err(StoreError::NotFound("client")),
        _ => Ok(()),
    }
}

/// Replaces a client's metadata and secret from `row`; `NotFound` when there is no client.
pub fn update(conn: &mut DbConnection, row: &ClientRow) -> Result<(), StoreError> {
    let changed = diesel::update(c::clients.find(&row.client_id))
        .set((
            c::metadata.eq(&row.metadata),
            c::secret_hash.eq(&row.secret_hash),
            c::secret_sealed.eq(&row.secret_sealed),
            c::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    match changed {
        0 => Err(StoreError::NotFound("client")),
        _ => Ok(()),
    }
}

/// Deletes a client; `NotFound` when there was none.
pub fn delete(conn: &mut DbConnection, client_id: &str) -> Result<(), StoreError> {
    match diesel::delete(c::clients.find(client_id)).execute(conn)? {
        0 => Err(StoreError::NotFound("client")),
        _ => Ok(()),
    }
}
