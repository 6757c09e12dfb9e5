//! Signed introspection answers (RFC 9701): the RFC 7662 answer inside a JWT.

use serde_json::{Map, Value, json};

use crate::jose::purpose::TokenKind;
use crate::jose::sign::sign;
use crate::jose::{JoseError, KeySet, SigningAlg};

/// The algorithm signed introspection answers use.
pub const RESPONSE_ALG: SigningAlg = SigningAlg::RS256;

/// Signs `answer` for `audience` (the caller that introspected).
pub fn signed(
    keys: &KeySet,
    issuer: &str,
    audience: &str,
    now: i64,
    answer: Map<String, Value>,
) -> Result<String, JoseError> {
    let claims = json!({
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "token_introspection": answer,
    });
    let key = keys
        .signing_key(RESPONSE_ALG)
        .ok_or_else(|| JoseError("no active key for introspection answers".into()))?;
    sign(&claims, TokenKind::Introspection.typ(), &key)
}
