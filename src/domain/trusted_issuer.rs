//! Trusted external issuer metadata: whose JWTs sigil accepts as RFC 8693 subject tokens
//! (`urn:ietf:params:oauth:token-type:jwt`), with which keys, for which audience, and which
//! claim names the local user.

use serde::Serialize;
use serde_json::{Map, Value};

use super::client_metadata::{check_jwks, parse_document, secure_url, unknown_member};
use super::metadata_error::quoted;

const KNOWN_FIELDS: [&str; 5] = ["issuer", "jwks", "jwks_uri", "audience", "user_claim"];

const MAX_ISSUER_CHARS: usize = 2000;
const MAX_AUDIENCE_CHARS: usize = 2000;
const MAX_CLAIM_CHARS: usize = 100;

/// Registered claims that never name a user: each is the same for every token of the issuer
/// (`iss`, `aud`), a number, or unique per token.
const NOT_USER_CLAIMS: [&str; 6] = ["iss", "aud", "exp", "nbf", "iat", "jti"];

/// Why trusted issuer metadata was rejected; reads `invalid_trusted_issuer_metadata: …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid_trusted_issuer_metadata: {0}")]
pub struct TrustedIssuerMetadataError(pub String);

fn invalid(description: impl Into<String>) -> TrustedIssuerMetadataError {
    TrustedIssuerMetadataError(description.into())
}

/// Validated trusted issuer metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrustedIssuerMetadata {
    /// The issuer identifier its tokens carry in `iss` (https, or http on a loopback host).
    pub issuer: String,
    /// Its public JWK set, by value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks: Option<Value>,
    /// The URL of its public JWK set (https, or http on a loopback host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// The `aud` its tokens must carry to be accepted here.
    pub audience: String,
    /// The claim whose string value is the local user's username or email address.
    pub user_claim: String,
}

impl TrustedIssuerMetadata {
    /// Parses and validates a JSON document; unknown members, wrong types and duplicate
    /// members are refused.
    pub fn parse(json: &str) -> Result<Self, TrustedIssuerMetadataError> {
        Self::from_value(parse_document(json).map_err(invalid)?)
    }

    /// Validates metadata already parsed as JSON.
    pub fn from_value(value: Value) -> Result<Self, TrustedIssuerMetadataError> {
        let Value::Object(mut map) = value else {
            return Err(invalid("metadata must be a JSON object"));
        };
        if let Some(unknown) = unknown_member(&map, &KNOWN_FIELDS) {
            return Err(invalid(unknown));
        }
        let issuer = string(&mut map, "issuer")?.ok_or_else(|| invalid("issuer is required"))?;
        check_issuer(&issuer)?;
        let (jwks, jwks_uri) = keys(&mut map)?;
        let audience =
            string(&mut map, "audience")?.ok_or_else(|| invalid("audience is required"))?;
        check_text("audience", &audience, MAX_AUDIENCE_CHARS)?;
        let user_claim =
            string(&mut map, "user_claim")?.ok_or_else(|| invalid("user_claim is required"))?;
        check_text("user_claim", &user_claim, MAX_CLAIM_CHARS)?;
        if NOT_USER_CLAIMS.contains(&user_claim.as_str()) {
            return Err(invalid(format!(
                "user_claim {} cannot name a user (use a claim such as \"email\" or \"sub\")",
                quoted(&user_claim)
            )));
        }
        Ok(Self {
            issuer,
            jwks,
            jwks_uri,
            audience,
            user_claim,
        })
    }
}

/// An https URL (http only on a loopback host) without query or fragment (RFC 8414 §2).
fn check_issuer(issuer: &str) -> Result<(), TrustedIssuerMetadataError> {
    let bad = |why: &str| invalid(format!("issuer {} {why}", quoted(issuer)));
    if issuer.chars().count() > MAX_ISSUER_CHARS {
        return Err(bad(&format!(
            "is longer than {MAX_ISSUER_CHARS} characters"
        )));
    }
    secure_url(issuer).map_err(|why| bad(&why))?;
    if issuer.contains('?') {
        return Err(bad("must not contain a query ('?')"));
    }
    Ok(())
}

/// Exactly one of `jwks` (public keys only) and `jwks_uri` (https, or http on loopback).
fn keys(
    map: &mut Map<String, Value>,
) -> Result<(Option<Value>, Option<String>), TrustedIssuerMetadataError> {
    let jwks = take(map, "jwks")
        .map(|v| check_jwks(v).map_err(|e| invalid(e.description)))
        .transpose()?;
    let jwks_uri = string(map, "jwks_uri")?;
    if let Some(uri) = &jwks_uri {
        secure_url(uri).map_err(|why| invalid(format!("jwks_uri {} {why}", quoted(uri))))?;
    }
    match (&jwks, &jwks_uri) {
        (Some(_), Some(_)) => Err(invalid(
            "jwks and jwks_uri are mutually exclusive; register only one of them",
        )),
        (None, None) => Err(invalid(
            "jwks or jwks_uri is required (the issuer's public keys)",
        )),
        _ => Ok((jwks, jwks_uri)),
    }
}

/// Non-empty, bounded text without control characters or surrounding whitespace.
fn check_text(name: &str, value: &str, max_chars: usize) -> Result<(), TrustedIssuerMetadataError> {
    if value.is_empty() {
        return Err(invalid(format!("{name} must not be empty")));
    }
    if value.chars().count() > max_chars {
        return Err(invalid(format!(
            "{name} must be at most {max_chars} characters long"
        )));
    }
    if value.chars().any(char::is_control) || value.trim() != value {
        return Err(invalid(format!(
            "{name} must not contain control characters or begin or end with whitespace"
        )));
    }
    Ok(())
}

/// Removes a member; `null` counts as absent.
fn take(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    map.remove(name).filter(|v| !v.is_null())
}

fn string(
    map: &mut Map<String, Value>,
    name: &str,
) -> Result<Option<String>, TrustedIssuerMetadataError> {
    match take(map, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("{name} must be a string"))),
    }
}

#[cfg(test)]
mod tests;
