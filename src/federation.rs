//! Federation: trusted external issuers — prepared for registration from validated metadata
//! (storing and auditing is `manage`'s) — and [`verify`], which accepts a JWT of one of them
//! as an RFC 8693 subject token.

use serde_json::{Map, Value, json};

use crate::domain::metadata_error::quoted;
use crate::domain::trusted_issuer::{TrustedIssuerMetadata, TrustedIssuerMetadataError};
use crate::jose::SigningAlg;
use crate::jose::client_keys::ClientKeys;
use crate::outbound::jwks::{KeySource, KeySources};
use crate::secrets;
use crate::store::trusted_issuers::{self, TrustedIssuerRow};
use crate::store::{DbConnection, StoreError};

mod verify;

pub use verify::{ForeignToken, MAX_TOKEN_BYTES, Reason, Refusal, verify};

/// Why a trusted issuer could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum TrustedIssuerError {
    /// The metadata is invalid, or its issuer is sigil's own.
    #[error(transparent)]
    Metadata(#[from] TrustedIssuerMetadataError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A registered trusted issuer as loaded for a request.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustedIssuer {
    /// Random id.
    pub id: String,
    /// Validated metadata.
    pub metadata: TrustedIssuerMetadata,
    /// When it was registered, UTC Unix seconds.
    pub created_at: i64,
}

impl TrustedIssuer {
    /// The trusted issuer as JSON: `id`, `created_at` and the metadata members.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        out.insert("created_at".into(), json!(self.created_at));
        if let Ok(Value::Object(meta)) = serde_json::to_value(&self.metadata) {
            out.extend(meta);
        }
        Value::Object(out)
    }

    /// Where its public keys come from (`jwks` or `jwks_uri`; metadata has exactly one).
    pub fn key_source(&self) -> Option<KeySource<'_>> {
        KeySource::of(
            self.metadata.jwks.as_ref(),
            self.metadata.jwks_uri.as_deref(),
        )
    }

    fn from_row(row: TrustedIssuerRow) -> Result<Self, StoreError> {
        let metadata = TrustedIssuerMetadata::parse(&row.metadata)
            .map_err(|e| StoreError::Corrupt(format!("trusted issuer {}: {e}", row.id)))?;
        Ok(Self {
            id: row.id,
            metadata,
            created_at: row.created_at,
        })
    }
}

/// Validates `json` and builds the trusted issuer to store, with its row; nothing is stored.
/// `own_issuer` is sigil's own issuer identifier, which is never a trusted external one. A
/// `jwks_uri` is not fetched here: callers that can wait on the network check it first with
/// [`check_remote_keys`].
pub fn prepare(
    json: &str,
    now: i64,
    own_issuer: &str,
) -> Result<(TrustedIssuer, TrustedIssuerRow), TrustedIssuerError> {
    let metadata = TrustedIssuerMetadata::parse(json)?;
    if same_issuer(&metadata.issuer, own_issuer) {
        return Err(TrustedIssuerMetadataError(format!(
            "issuer {} is this provider's own issuer; its tokens need no trusted issuer",
            quoted(&metadata.issuer)
        ))
        .into());
    }
    if let Some(jwks) = &metadata.jwks {
        check_keys(jwks)?;
    }
    let issuer = TrustedIssuer {
        id: secrets::random_token(16),
        metadata,
        created_at: now,
    };
    let row = TrustedIssuerRow {
        id: issuer.id.clone(),
        issuer: issuer.metadata.issuer.clone(),
        metadata: serde_json::to_string(&issuer.metadata)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_at: now,
    };
    Ok((issuer, row))
}

/// Whether two issuer identifiers name the same issuer, a trailing `/` aside.
fn same_issuer(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Refuses a JWK set that is invalid or has no key sigil can verify a signature with.
pub fn check_keys(jwks: &Value) -> Result<(), TrustedIssuerMetadataError> {
    let keys = ClientKeys::parse(jwks).map_err(|e| TrustedIssuerMetadataError(e.to_string()))?;
    usable(&keys, "jwks")
}

fn usable(keys: &ClientKeys, name: &str) -> Result<(), TrustedIssuerMetadataError> {
    if SigningAlg::ALL.into_iter().any(|alg| keys.can_verify(alg)) {
        return Ok(());
    }
    Err(TrustedIssuerMetadataError(format!(
        "{name} has no key sigil can verify signatures with: it needs an RSA (2048 bits or \
         more), P-256 or Ed25519 key with \"use\": \"sig\" (or no \"use\") for one of {}",
        SigningAlg::NAMES.join(", ")
    )))
}

/// For metadata with a `jwks_uri`: fetches it once (through `sources`) and refuses it when it
/// cannot be fetched or holds no usable signing key. Metadata with `jwks` passes untouched.
pub async fn check_remote_keys(
    metadata: &TrustedIssuerMetadata,
    sources: &KeySources,
) -> Result<(), TrustedIssuerMetadataError> {
    let Some(uri) = metadata.jwks_uri.as_deref() else {
        return Ok(());
    };
    let keys = sources
        .keys(KeySource::Uri(uri))
        .await
        .map_err(|e| TrustedIssuerMetadataError(format!("jwks_uri {}: {e}", quoted(uri))))?;
    usable(&keys, &format!("the JWK set at jwks_uri {}", quoted(uri)))
}

/// Loads one trusted issuer by id.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<TrustedIssuer>, StoreError> {
    trusted_issuers::get(conn, id)?
        .map(TrustedIssuer::from_row)
        .transpose()
}

/// Loads the trusted issuer whose identifier is `issuer` (exact match).
pub fn by_issuer(
    conn: &mut DbConnection,
    issuer: &str,
) -> Result<Option<TrustedIssuer>, StoreError> {
    trusted_issuers::by_issuer(conn, issuer)?
        .map(TrustedIssuer::from_row)
        .transpose()
}

/// Up to `limit` trusted issuers whose id sorts after `after`, by id.
pub fn page(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<TrustedIssuer>, StoreError> {
    trusted_issuers::page(conn, after, limit)?
        .into_iter()
        .map(TrustedIssuer::from_row)
        .collect()
}

#[cfg(test)]
mod tests;
