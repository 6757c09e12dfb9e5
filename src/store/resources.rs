//! Registered resources (APIs): metadata as JSON, introspection secret as a SHA-256 hash.

use diesel::prelude::*;

use super::schema::resources::dsl as r;
use super::{DbConnection, StoreError};

/// A stored resource.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::resources)]
pub struct ResourceRow {
    /// Random id (also its introspection client id).
    pub id: String,
    /// The identifier URI, unique.
    pub identifier: String,
    /// Validated metadata as JSON.
    pub metadata: String,
    /// Hex SHA-256 of the introspection secret, when it has one.
    pub secret_hash: Option<String>,
    /// Created, UTC Unix seconds.
    pub created_at: i64,
}

/// Inserts a resource; a taken identifier is `Conflict("identifier")`.
pub fn create(conn: &mut DbConnection, row: &ResourceRow) -> Result<(), StoreError> {
    super::savepoint(conn, |c| {
        diesel::insert_into(r::resources).values(row).execute(c)
    })
    .map_err(|e| {
        if StoreError::is_unique_violation(&e) {
            StoreError::Conflict("identifier")
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// Finds a resource by id.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<ResourceRow>, StoreError> {
    Ok(r::resources
        .find(id)
        .select(ResourceRow::as_select())
        .first(conn)
        .optional()?)
}

/// Finds a resource by its identifier URI (exact match).
pub fn by_identifier(
    conn: &mut DbConnection,
    identifier: &str,
) -> Result<Option<ResourceRow>, StoreError> {
    Ok(r::resources
        .filter(r::identifier.eq(identifier))
        .select(ResourceRow::as_select())
        .first(conn)
        .optional()?)
}

/// Up to `limit` resources whose id sorts after `after` (from the first when `None`), by id.
pub fn page(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ResourceRow>, StoreError> {
    Ok(r::resources
        .filter(r::id.gt(after.unwrap_or_default()))
        .order(r::id.asc())
        .limit(limit)
        .select(ResourceRow::as_select())
        .load(conn)?)
}

/// Deletes a resource; `NotFound` when there was none.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<(), StoreError> {
    match diesel::delete(r::resources.find(id)).execute(conn)? {
        0 => Err(StoreError::NotFound("resource")),
        _ => Ok(()),
    }
}
