//! Signing and encryption keys: the published keys' public information, and rotation — new
//! keys made off the transaction, each swap recorded as `keys.rotate` in the same one.

use serde::Serialize;
use serde_json::{Value, json};

use super::{Actor, Audit, ManageError, Manager, audited};
use crate::jose::keys::{StoredKey, generate_for};
use crate::jose::{Kek, KeyError, KeyPurpose, KeySet};
use crate::keyring;
use crate::store::{DbConnection, keys};

/// A published key's public information: never its private half.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyView {
    /// Key id (`kid`).
    pub kid: String,
    /// Algorithm (`alg`).
    pub alg: String,
    /// `sig` or `enc`.
    #[serde(rename = "use")]
    pub key_use: &'static str,
    /// `active`, or `retired` (still published until `expires_at`).
    pub status: &'static str,
    /// Created, UTC Unix seconds.
    pub created_at: i64,
    /// When a newer key replaced it.
    pub retired_at: Option<i64>,
    /// When it leaves the JWKS.
    pub expires_at: Option<i64>,
    /// The public JWK, as the JWKS publishes it.
    pub public_jwk: Value,
}

impl KeyView {
    fn of(key: StoredKey) -> Result<Self, ManageError> {
        let key_use = match KeyPurpose::parse(&key.alg) {
            Some(KeyPurpose::Sign(_)) => "sig",
            Some(KeyPurpose::Encrypt(_)) => "enc",
            None => {
                return Err(ManageError::Internal(format!(
                    "stored key {} has an unknown algorithm",
                    key.kid
                )));
            }
        };
        let public_jwk = serde_json::from_str(&key.public_jwk)
            .map_err(|e| ManageError::Internal(format!("stored key {}: {e}", key.kid)))?;
        Ok(Self {
            status: if key.retired_at.is_none() {
                "active"
            } else {
                "retired"
            },
            kid: key.kid,
            alg: key.alg,
            key_use,
            created_at: key.created_at,
            retired_at: key.retired_at,
            expires_at: key.expires_at,
            public_jwk,
        })
    }
}

/// What one rotation did, as `sigil keys rotate` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RotatedKey {
    /// The algorithm.
    pub alg: &'static str,
    /// The new active key.
    pub kid: String,
    /// The key it replaced, when there was one.
    pub retired_kid: Option<String>,
    /// Until when the replaced key stays published.
    pub retired_published_until: i64,
}

/// The kinds of key `alg` names — every kind when `None`; an unknown name is refused.
pub fn purposes(alg: Option<&str>) -> Result<Vec<KeyPurpose>, ManageError> {
    let Some(name) = alg else {
        return Ok(KeyPurpose::all());
    };
    match KeyPurpose::parse(name) {
        Some(purpose) => Ok(vec![purpose]),
        None => Err(ManageError::invalid_request(
            "alg",
            format!(
                "unknown algorithm '{name}' (use one of {})",
                KeyPurpose::names().join(", ")
            ),
        )),
    }
}

/// Every key published at `now` (active, or retired but not expired), newest first.
pub fn list(conn: &mut DbConnection, now: i64) -> Result<Vec<KeyView>, ManageError> {
    keys::published(conn, now)?
        .into_iter()
        .map(KeyView::of)
        .collect()
}

/// Makes `key` the active key of its kind, the old one published `retention` seconds more,
/// and records `keys.rotate`, in one transaction.
pub fn swap(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    purpose: KeyPurpose,
    key: &StoredKey,
    retention: i64,
) -> Result<RotatedKey, ManageError> {
    audited(conn, actor, now, |conn| {
        let retired = keys::rotate(conn, key, now, retention)?;
        let audit = Audit::new("keys.rotate", &key.kid)
            .detail(json!({"alg": purpose.as_str(), "retired": retired}));
        let rotated = RotatedKey {
            alg: purpose.as_str(),
            kid: key.kid.clone(),
            retired_kid: retired,
            retired_published_until: now.saturating_add(retention),
        };
        Ok((rotated, audit))
    })
}

/// Refuses to rotate under a KEK that does not open the published keys: the new keys would
/// be unreadable beside them.
fn check_kek(conn: &mut DbConnection, kek: &Kek, now: i64) -> Result<(), ManageError> {
    KeySet::load(&keys::published(conn, now)?, kek)?;
    Ok(())
}

impl Manager {
    /// The published keys (see [`list`]).
    pub async fn list_keys(&self) -> Result<Vec<KeyView>, ManageError> {
        let now = self.now();
        self.run(move |c| list(c, now)).await
    }

    /// Rotates the keys of each kind in `algs` (see [`purposes`]): creates any missing kind
    /// first, checks the KEK, makes the new keys on the blocking pool, then swaps each in
    /// (see [`swap`]).
    pub async fn rotate_keys(
        &self,
        actor: &Actor,
        algs: Vec<KeyPurpose>,
    ) -> Result<Vec<RotatedKey>, ManageError> {
        let (store, kek, actor, now) = (self.store.clone(), self.kek()?, actor.clone(), self.now());
        let retention = i64::try_from(self.key_retention.as_secs()).unwrap_or(i64::MAX / 2);
        super::blocking(move || {
            keyring::ensure_keys(&store, &kek, now)?;
            let mut conn = store.conn()?;
            check_kek(&mut conn, &kek, now)?;
            let made = algs
                .into_iter()
                .map(|alg| Ok((alg, generate_for(alg, &kek, now).map_err(KeyError::from)?)))
                .collect::<Result<Vec<_>, ManageError>>()?;
            made.iter()
                .map(|(alg, key)| swap(&mut conn, &actor, now, *alg, key, retention))
                .collect()
        })
        .await
    }
}
