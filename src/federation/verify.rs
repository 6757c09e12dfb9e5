//! Verification of a JWT from a trusted external issuer: the unverified `iss` only finds the
//! issuer; its keys (never the header's `jwk`, `jku`, `x5u`, `x5c`) and sigil's asymmetric
//! algorithm allowlist verify the signature; then `iss`, `aud` (the configured audience),
//! `exp` (required), `nbf` and `iat` with the clock-skew leeway, and the user claim.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::TrustedIssuer;
use crate::cache::TtlCache;
use crate::jose::policy::Policy;
use crate::jose::verify::{Expect, VerifyError, check_claims, decode_unverified};
use crate::outbound::jwks::{KeySource, KeySources, KeysError};
use crate::store::{Store, StoreError};

/// The largest subject token accepted, in bytes (as large as the whole token request form).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// `typ` values of JWTs that are never subject tokens: they say something happened or prove
/// possession, and authorize nothing.
const NOT_SUBJECT_TYPES: [&str; 4] = [
    "logout+jwt",
    "secevent+jwt",
    "dpop+jwt",
    "token-introspection+jwt",
];

/// A JWT from a trusted issuer, verified.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignToken {
    /// The trusted issuer's id.
    pub issuer_id: String,
    /// Its issuer identifier (the token's `iss`).
    pub issuer: String,
    /// Every claim of the token.
    pub claims: Map<String, Value>,
    /// The value of the issuer's `user_claim`: a local username or email address.
    pub user: String,
    /// The token's `exp`, UTC Unix seconds.
    pub exp: i64,
}

/// Why a token was refused, precisely; for the log, never for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// Longer than [`MAX_TOKEN_BYTES`].
    #[error("the token is larger than 16 KiB")]
    TooLarge,
    /// Not a compact JWS with JSON header and claims.
    #[error("{0}")]
    Malformed(VerifyError),
    /// No `iss` string.
    #[error("the token has no iss")]
    NoIssuer,
    /// `iss` names no trusted issuer.
    #[error("the issuer is not trusted")]
    UntrustedIssuer,
    /// The issuer's registered key set is unusable.
    #[error("the issuer's key set is unusable: {0}")]
    Keys(String),
    /// The `typ` header names a kind of JWT that authorizes nothing.
    #[error("typ {0:?} is not a subject token type")]
    Kind(String),
    /// Algorithm refused, no matching key, or a signature that does not verify.
    #[error("{0}")]
    Signature(VerifyError),
    /// A registered claim is wrong: `iss`, `aud`, `exp`, `nbf` or `iat`.
    #[error("{0}")]
    Claims(VerifyError),
    /// The issuer's `user_claim` is missing or not a non-empty string.
    #[error("claim {0:?} is missing or not a non-empty string")]
    UserClaim(String),
}

/// A subject token that was not accepted. The text is the same for every kind of invalid
/// token and safe for the client; the precise cause is in the variant, for the log.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Not a valid token of a trusted issuer (`invalid_grant`).
    #[error("the subject token is not a valid token of a trusted issuer")]
    Invalid {
        /// Why, for the log.
        reason: Reason,
    },
    /// The issuer's `jwks_uri` could not be fetched or read (`temporarily_unavailable`).
    #[error("the subject token's issuer keys cannot be fetched now; try again later")]
    Unavailable {
        /// The trusted issuer's id.
        issuer_id: String,
        /// What went wrong, for the log.
        reason: String,
    },
    /// Storage failed (`server_error`).
    #[error("the subject token could not be checked")]
    Store(#[from] StoreError),
}

impl Refusal {
    /// The precise cause, for the log (never a token or key material).
    pub fn detail(&self) -> String {
        match self {
            Self::Invalid { reason } => reason.to_string(),
            Self::Unavailable { issuer_id, reason } => {
                format!("trusted issuer {issuer_id}: {reason}")
            }
            Self::Store(e) => e.to_string(),
        }
    }
}

fn invalid(reason: Reason) -> Refusal {
    Refusal::Invalid { reason }
}

/// Verifies `token` as a JWT of a trusted issuer, found by its `iss` through `issuers` (then
/// the store) and checked against that issuer's keys, audience and user claim at `now`.
pub async fn verify(
    store: &Store,
    issuers: &TtlCache<TrustedIssuer>,
    sources: &KeySources,
    token: &str,
    now: i64,
) -> Result<ForeignToken, Refusal> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(invalid(Reason::TooLarge));
    }
    let decoded = decode_unverified(token).map_err(|e| invalid(Reason::Malformed(e)))?;
    let iss = decoded
        .claims
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(Reason::NoIssuer))?;
    let issuer = find(store, issuers, iss)
        .await?
        .ok_or_else(|| invalid(Reason::UntrustedIssuer))?;
    check(&issuer, sources, token, now).await
}

/// The trusted issuer `iss`, from the cache or else the store (and then cached).
async fn find(
    store: &Store,
    issuers: &TtlCache<TrustedIssuer>,
    iss: &str,
) -> Result<Option<Arc<TrustedIssuer>>, StoreError> {
    if let Some(hit) = issuers.get(iss) {
        return Ok(Some(hit));
    }
    let key = iss.to_owned();
    let Some(found) = store.run(move |c| super::by_issuer(c, &key)).await? else {
        return Ok(None);
    };
    let found = Arc::new(found);
    issuers.put(iss, found.clone());
    Ok(Some(found))
}

/// Verifies `token` against one trusted issuer: signature, kind, registered claims, user.
pub(super) async fn check(
    issuer: &TrustedIssuer,
    sources: &KeySources,
    token: &str,
    now: i64,
) -> Result<ForeignToken, Refusal> {
    let meta = &issuer.metadata;
    let source = issuer
        .key_source()
        .ok_or_else(|| invalid(Reason::Keys("no jwks or jwks_uri".into())))?;
    let unavailable = |e: KeysError| match source {
        KeySource::Uri(_) => Refusal::Unavailable {
            issuer_id: issuer.id.clone(),
            reason: e.to_string(),
        },
        KeySource::Inline(_) => invalid(Reason::Keys(e.to_string())),
    };
    let policy = Policy::default();
    let keys = sources.keys(source).await.map_err(unavailable)?;
    let decoded = match keys.verify(token, &policy) {
        Err(VerifyError::UnknownKey(kid)) => sources
            .keys_with_kid(source, &kid)
            .await
            .map_err(unavailable)?
            .verify(token, &policy),
        other => other,
    }
    .map_err(|e| invalid(Reason::Signature(e)))?;
    if let Some(typ) = decoded.header.get("typ").and_then(Value::as_str) {
        let lower = typ.to_ascii_lowercase();
        let bare = lower.strip_prefix("application/").unwrap_or(&lower);
        if NOT_SUBJECT_TYPES.contains(&bare) {
            return Err(invalid(Reason::Kind(typ.to_owned())));
        }
    }
    let claims = decoded.claims;
    check_claims(
        &claims,
        &Expect {
            issuer: &meta.issuer,
            audience: Some(&meta.audience),
            now,
        },
    )
    .map_err(|e| invalid(Reason::Claims(e)))?;
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or_else(|| {
        invalid(Reason::Claims(VerifyError::Claim {
            claim: "exp",
            problem: "missing".into(),
        }))
    })?;
    let user = match claims.get(&meta.user_claim) {
        Some(Value::String(user)) if !user.trim().is_empty() => user.clone(),
        _ => return Err(invalid(Reason::UserClaim(meta.user_claim.clone()))),
    };
    Ok(ForeignToken {
        issuer_id: issuer.id.clone(),
        issuer: meta.issuer.clone(),
        claims,
        user,
        exp,
    })
}
