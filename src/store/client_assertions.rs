//! Seen `jti`s of client assertions (RFC 7523), so none is accepted twice.

use diesel::prelude::*;

use crate::jose::policy::guard_until;

use super::schema::client_assertions::dsl as a;
use super::{DbConnection, StoreError};

/// Records a `jti` of an assertion expiring at `exp`, kept while the assertion could still be
/// accepted ([`guard_until`]); false when this client already used it.
pub fn record(
    conn: &mut DbConnection,
    client_id: &str,
    jti: &str,
    exp: i64,
) -> Result<bool, StoreError> {
    let inserted = super::savepoint(conn, |c| {
        diesel::insert_into(a::client_assertions)
            .values((
                a::client_id.eq(client_id),
                a::jti.eq(jti),
                a::expires_at.eq(guard_until(exp)),
            ))
            .execute(c)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if StoreError::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Forgets `jti`s whose assertions can no longer be accepted.
pub fn purge(conn: &mut DbConnection, now: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(a::client_assertions.filter(a::expires_at.le(now))).execute(conn)?)
}
