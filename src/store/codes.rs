//! Authorization codes: stored as SHA-256, redeemed once by a conditional update.

use diesel::prelude::*;

use super::fixed_update;
use super::pool::native;
use super::schema::auth_codes::dsl as c;
use super::{DbConnection, StoreError};

/// A stored authorization code.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::auth_codes)]
pub struct CodeRow {
    /// SHA-256 of the code.
    pub code_hash: String,
    /// The client it was issued to.
    pub client_id: String,
    /// The user.
    pub user_id: String,
    /// The grant (redirect URI, scope, nonce, PKCE challenge, session…) as JSON.
    pub grant_data: String,
    /// Issued.
    pub created_at: i64,
    /// Expires.
    pub expires_at: i64,
    /// When it was redeemed.
    pub used_at: Option<i64>,
    /// `jti` of the access token the redemption issued.
    pub issued_jti: Option<String>,
    /// `exp` of that access token.
    pub issued_exp: Option<i64>,
    /// Refresh-token family the redemption started, revoked with the access token on reuse.
    pub issued_family: Option<String>,
}

/// What an attempt to redeem a code found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// First use: the code is now spent.
    Redeemed(CodeRow),
    /// Already used: the tokens it issued must die.
    Reused(CodeRow),
    /// Unknown or expired.
    Invalid,
}

/// What the redemption is about to issue, recorded so a later reuse can revoke it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The access token's `jti`.
    pub jti: String,
    /// The access token's `exp`.
    pub exp: i64,
    /// The refresh-token family, when one is started.
    pub family: Option<String>,
}

/// Stores a new code.
pub fn create(conn: &mut DbConnection, row: &CodeRow) -> Result<(), StoreError> {
    native!(conn, |conn| diesel::insert_into(c::auth_codes)
        .values(row)
        .execute(conn))?;
    Ok(())
}

/// Spends the code atomically (`UPDATE … WHERE used_at IS NULL`), recording what is about to
/// be issued: of concurrent redeemers, across processes, exactly one sees `Redeemed`, and a
/// later reuse finds what to revoke.
pub fn redeem(
    conn: &mut DbConnection,
    code_hash: &str,
    client_id: &str,
    now: i64,
    issued: &Issued,
) -> Result<Redemption, StoreError> {
    let spend = fixed_update::update(
        c::auth_codes,
        (
            c::used_at.eq(now),
            c::issued_jti.eq(&issued.jti),
            c::issued_exp.eq(issued.exp),
            c::issued_family.eq(&issued.family),
        ),
        c::code_hash
            .eq(code_hash)
            .and(c::client_id.eq(client_id))
            .and(c::used_at.is_null())
            .and(c::expires_at.gt(now)),
    )
    .returning(super::schema::auth_codes::all_columns);
    let spent: Option<CodeRow> = native!(conn, |conn| spend.get_result(conn).optional())?;
    if let Some(row) = spent {
        return Ok(Redemption::Redeemed(row));
    }
    // Not spent now: spent before (by this client, a reuse), or unknown, expired, another's.
    let row: Option<CodeRow> = native!(conn, |conn| c::auth_codes
        .find(code_hash)
        .select(CodeRow::as_select())
        .first(conn)
        .optional())?;
    Ok(match row {
        Some(row) if row.used_at.is_some() && row.client_id == client_id => Redemption::Reused(row),
        _ => Redemption::Invalid,
    })
}

/// Removes codes that expired before `before` and whose access token can no longer be
/// accepted at `now` (a spent code is the record that lets a late reuse revoke that token).
pub fn purge(conn: &mut DbConnection, before: i64, now: i64) -> Result<usize, StoreError> {
    let token_dead = c::issued_exp
        .is_null()
        .or(c::issued_exp.le(now - crate::jose::policy::CLOCK_SKEW_LEEWAY));
    Ok(
        diesel::delete(c::auth_codes.filter(c::expires_at.le(before).and(token_dead)))
            .execute(conn)?,
    )
}
