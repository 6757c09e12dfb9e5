//! Signing keys: public JWK, private key wrapped under the KEK, lifecycle timestamps.

use diesel::prelude::*;

use crate::jose::keys::StoredKey;

use super::schema::signing_keys::dsl as k;
use super::{DbConnection, StoreError};

/// One stored signing key, as its table holds it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = super::schema::signing_keys)]
pub struct KeyRow {
    /// Key id, published as `kid`.
    pub kid: String,
    /// JWS algorithm the key is for.
    pub alg: String,
    /// Public JWK as JSON.
    pub public_jwk: String,
    /// Private JWK, encrypted as a compact JWE under the KEK.
    pub private_jwe: String,
    /// When it was made.
    pub created_at: i64,
    /// When a newer key replaced it; `None` while active.
    pub retired_at: Option<i64>,
    /// When it leaves the JWKS; `None` while active.
    pub expires_at: Option<i64>,
}

impl From<KeyRow> for StoredKey {
    fn from(r: KeyRow) -> Self {
        Self {
            kid: r.kid,
            alg: r.alg,
            public_jwk: r.public_jwk,
            private_jwe: r.private_jwe,
            created_at: r.created_at,
            retired_at: r.retired_at,
            expires_at: r.expires_at,
        }
    }
}

impl From<&StoredKey> for KeyRow {
    fn from(k: &StoredKey) -> Self {
        Self {
            kid: k.kid.clone(),
            alg: k.alg.clone(),
            public_jwk: k.public_jwk.clone(),
            private_jwe: k.private_jwe.clone(),
            created_at: k.created_at,
            retired_at: k.retired_at,
            expires_at: k.expires_at,
        }
    }
}

/// Every key still published at `now` (active, or retired but not yet expired), newest first.
pub fn published(conn: &mut DbConnection, now: i64) -> Result<Vec<StoredKey>, StoreError> {
    let rows: Vec<KeyRow> = k::signing_keys
        .filter(k::expires_at.is_null().or(k::expires_at.gt(now)))
        .order(k::created_at.desc())
        .select(KeyRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(StoredKey::from).collect())
}

/// Every key, newest first.
pub fn all(conn: &mut DbConnection) -> Result<Vec<StoredKey>, StoreError> {
    let rows: Vec<KeyRow> = k::signing_keys
        .order(k::created_at.desc())
        .select(KeyRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(StoredKey::from).collect())
}

/// A cheap fingerprint of the published set, to notice rotation by another process.
pub fn fingerprint(conn: &mut DbConnection, now: i64) -> Result<Vec<String>, StoreError> {
    let mut kids: Vec<(String, Option<i64>)> = k::signing_keys
        .filter(k::expires_at.is_null().or(k::expires_at.gt(now)))
        .select((k::kid, k::retired_at))
        .load(conn)?;
    kids.sort();
    Ok(kids
        .into_iter()
        .map(|(kid, retired)| format!("{kid}:{}", retired.is_some()))
        .collect())
}

/// Adds `row` as the active key for its algorithm unless one exists; returns whether it was added.
pub fn insert_if_no_active(conn: &mut DbConnection, key: &StoredKey) -> Result<bool, StoreError> {
    let row = KeyRow::from(key);
    conn.transaction(|conn| {
        let active: i64 = k::signing_keys
            .filter(k::alg.eq(&row.alg).and(k::retired_at.is_null()))
            .count()
            .get_result(conn)?;
        if active > 0 {
            return Ok(false);
        }
        match diesel::insert_into(k::signing_keys)
            .values(row)
            .execute(conn)
        {
            Ok(_) => Ok(true),
            Err(e) if StoreError::is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    })
}

/// Retires the active key of `row.alg` (published until `now + retention`) and makes `row` active.
pub fn rotate(
    conn: &mut DbConnection,
    key: &StoredKey,
    now: i64,
    retention: i64,
) -> Result<Option<String>, StoreError> {
    let row = KeyRow::from(key);
    conn.transaction(|conn| {
        let old: Option<String> = k::signing_keys
            .filter(k::alg.eq(&row.alg).and(k::retired_at.is_null()))
            .select(k::kid)
            .first(conn)
            .optional()?;
        diesel::update(k::signing_keys.filter(k::alg.eq(&row.alg).and(k::retired_at.is_null())))
            .set((k::retired_at.eq(now), k::expires_at.eq(now + retention)))
            .execute(conn)?;
        diesel::insert_into(k::signing_keys)
            .values(row)
            .execute(conn)?;
        Ok(old)
    })
}

/// Deletes keys that left the JWKS before `now`; returns how many.
pub fn purge_expired(conn: &mut DbConnection, now: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(k::signing_keys.filter(k::expires_at.le(now))).execute(conn)?)
}

/// A one-row read of a real table: the readiness probe.
pub fn probe(conn: &mut DbConnection) -> Result<(), StoreError> {
    k::signing_keys
        .select(k::kid)
        .first::<String>(conn)
        .optional()?;
    Ok(())
}
