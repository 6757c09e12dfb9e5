//! Trusted external issuers: validated metadata as JSON, unique by issuer identifier.

use diesel::prelude::*;

use super::schema::trusted_issuers::dsl as t;
use super::{DbConnection, StoreError};

/// A stored trusted issuer.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::trusted_issuers)]
pub struct TrustedIssuerRow {
    /// Random id.
    pub id: String,
    /// The issuer identifier (`iss`), unique.
    pub issuer: String,
    /// Validated metadata as JSON.
    pub metadata: String,
    /// Created, UTC Unix seconds.
    pub created_at: i64,
}

/// Inserts a trusted issuer; a taken issuer identifier is `Conflict("issuer")`.
pub fn create(conn: &mut DbConnection, row: &TrustedIssuerRow) -> Result<(), StoreError> {
    super::savepoint(conn, |c| {
        diesel::insert_into(t::trusted_issuers)
            .values(row)
            .execute(c)
    })
    .map_err(|e| {
        if StoreError::is_unique_violation(&e) {
            StoreError::Conflict("issuer")
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// Finds a trusted issuer by id.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<TrustedIssuerRow>, StoreError> {
    Ok(t::trusted_issuers
        .find(id)
        .select(TrustedIssuerRow::as_select())
        .first(conn)
        .optional()?)
}

/// Finds a trusted issuer by its issuer identifier (exact match).
pub fn by_issuer(
    conn: &mut DbConnection,
    issuer: &str,
) -> Result<Option<TrustedIssuerRow>, StoreError> {
    Ok(t::trusted_issuers
        .filter(t::issuer.eq(issuer))
        .select(TrustedIssuerRow::as_select())
        .first(conn)
        .optional()?)
}

/// Up to `limit` trusted issuers whose id sorts after `after` (from the first when `None`),
/// by id.
pub fn page(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<TrustedIssuerRow>, StoreError> {
    Ok(t::trusted_issuers
        .filter(t::id.gt(after.unwrap_or_default()))
        .order(t::id.asc())
        .limit(limit)
        .select(TrustedIssuerRow::as_select())
        .load(conn)?)
}

/// Deletes a trusted issuer; `NotFound` when there was none.
pub fn delete(conn: &mut DbConnection, id: &str) -> Result<(), StoreError> {
    match diesel::delete(t::trusted_issuers.find(id)).execute(conn)? {
        0 => Err(StoreError::NotFound("trusted issuer")),
        _ => Ok(()),
    }
}
