//! The one validator for request objects (RFC 9101, OIDC Core §6): opened with sigil's own
//! encryption keys through the hostile-input path when encrypted, signed by the client with
//! the algorithm it registered (or any supported one; `none` only for a client that
//! registered `none`), `iss` its client_id, `aud` this issuer, a short `exp`, and a `jti`.

use serde_json::{Map, Value};

use super::client_keys::ClientKeys;
use super::decrypt::{Accept, decrypt, is_jwe};
use super::policy::{CLOCK_SKEW_LEEWAY, Policy};
use super::verify::{Expect as ClaimsExpect, VerifyError, check_claims, decode_unverified};
use super::{KeySet, SigningAlg};
use crate::domain::enc_alg::{ContentAlg, KeyAlg};

/// The furthest ahead a request object's `exp` may be, in seconds.
pub const MAX_LIFETIME: i64 = 3600;

/// Longest `jti` accepted.
const MAX_JTI: usize = 256;

/// The signature a client's request objects must carry (`request_object_signing_alg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// Any supported algorithm (nothing registered); never `none`.
    Any,
    /// Exactly this one.
    Only(SigningAlg),
    /// `none`: unsigned objects only, trusted no more than query parameters.
    Unsigned,
}

/// What a request object must be.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    /// The client it must come from (`iss`, and `client_id` when present).
    pub client_id: &'a str,
    /// This provider's issuer (`aud`).
    pub issuer: &'a str,
    /// Now, UTC Unix seconds.
    pub now: i64,
    /// The signature required.
    pub signing: Signing,
    /// The encryption the client registered, which an encrypted object must use.
    pub encryption: Option<(KeyAlg, ContentAlg)>,
}

/// A verified request object.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestObject {
    /// Its claims: the authorization request parameters, and the registered claims.
    pub claims: Map<String, Value>,
    /// Its `jti`, to be refused if seen again.
    pub jti: String,
    /// Its `exp`.
    pub exp: i64,
}

/// Why a request object was refused; the text is safe for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestObjectError {
    /// Refused.
    #[error("{0}")]
    Refused(String),
    /// Signed with a `kid` the client's key set lacks (the keys may be refetched once).
    #[error("the request object is signed with a key the client has not registered")]
    UnknownKey(String),
}

fn refused(why: impl Into<String>) -> RequestObjectError {
    RequestObjectError::Refused(why.into())
}

/// Opens an encrypted request object with sigil's keys; a plain one is returned as it is.
pub fn open(token: &str, keys: &KeySet, expect: &Expect<'_>) -> Result<String, RequestObjectError> {
    if !is_jwe(token) {
        return Ok(token.to_owned());
    }
    let (algs, encs): (Vec<KeyAlg>, Vec<ContentAlg>) = match expect.encryption {
        Some((alg, enc)) => (vec![alg], vec![enc]),
        None => (KeyAlg::OWN.to_vec(), ContentAlg::ALL.to_vec()),
    };
    let accept = Accept {
        algs: &algs,
        encs: &encs,
    };
    let opened = decrypt(token, keys, &accept).map_err(|e| {
        tracing::info!(
            reason = e.reason(),
            client_id = expect.client_id,
            "request object refused"
        );
        refused("the request object could not be decrypted")
    })?;
    let inner = String::from_utf8(opened.plaintext)
        .map_err(|_| refused("the encrypted request object does not hold a JWT"))?;
    if is_jwe(&inner) {
        return Err(refused("a request object is encrypted once, around a JWT"));
    }
    Ok(inner)
}

/// Verifies the (opened) request object `token` with the client's keys.
pub fn verify(
    token: &str,
    client_keys: Option<&ClientKeys>,
    expect: &Expect<'_>,
) -> Result<RequestObject, RequestObjectError> {
    let decoded =
        decode_unverified(token).map_err(|_| refused("the request object is not a JWT"))?;
    check_typ(&decoded.header)?;
    let alg = decoded.header.get("alg").and_then(Value::as_str);
    match (alg, expect.signing) {
        (Some("none"), Signing::Unsigned) => {
            if !token.ends_with('.') {
                return Err(refused("an unsigned request object has an empty signature"));
            }
        }
        (Some("none"), _) => {
            return Err(refused(
                "the request object is unsigned, but the client registered a signature",
            ));
        }
        (_, Signing::Unsigned) => {
            return Err(refused(
                "the client registered request_object_signing_alg none",
            ));
        }
        (_, signing) => {
            let policy = match signing {
                Signing::Only(alg) => Policy { algs: vec![alg] },
                _ => Policy::default(),
            };
            let keys = client_keys.ok_or_else(|| refused("the client has no keys"))?;
            keys.verify(token, &policy).map_err(|e| match e {
                VerifyError::UnknownKey(kid) => RequestObjectError::UnknownKey(kid),
                VerifyError::Algorithm(_) => {
                    refused("the request object is not signed with the client's algorithm")
                }
                _ => refused("the request object's signature does not verify"),
            })?;
        }
    }
    check(decoded.claims, expect)
}

/// `typ` is optional; when present it must say this is a request object (or a plain JWT).
fn check_typ(header: &Map<String, Value>) -> Result<(), RequestObjectError> {
    let Some(typ) = header.get("typ") else {
        return Ok(());
    };
    let typ = typ
        .as_str()
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let typ = typ.strip_prefix("application/").unwrap_or(&typ);
    match typ {
        "jwt" | "oauth-authz-req+jwt" => Ok(()),
        _ => Err(refused(
            "the request object's typ is not oauth-authz-req+jwt",
        )),
    }
}

fn check(
    claims: Map<String, Value>,
    expect: &Expect<'_>,
) -> Result<RequestObject, RequestObjectError> {
    check_claims(
        &claims,
        &ClaimsExpect {
            issuer: expect.client_id,
            audience: Some(expect.issuer),
            now: expect.now,
        },
    )
    .map_err(|e| match e {
        VerifyError::Claim { claim, problem } => {
            refused(format!("the request object's {claim} {problem}"))
        }
        _ => refused("the request object's claims are invalid"),
    })?;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    if exp > expect.now + MAX_LIFETIME + CLOCK_SKEW_LEEWAY {
        return Err(refused(
            "the request object's exp is more than an hour ahead",
        ));
    }
    if let Some(id) = claims.get("client_id")
        && id.as_str() != Some(expect.client_id)
    {
        return Err(refused(
            "the request object's client_id is not the client_id of the request",
        ));
    }
    let jti = match claims.get("jti").and_then(Value::as_str) {
        Some(j) if !j.is_empty() && j.len() <= MAX_JTI => j.to_owned(),
        _ => return Err(refused("the request object needs a jti")),
    };
    if claims.contains_key("request") || claims.contains_key("request_uri") {
        return Err(refused("a request object cannot hold another one"));
    }
    Ok(RequestObject { claims, jti, exp })
}

#[cfg(test)]
mod tests;
