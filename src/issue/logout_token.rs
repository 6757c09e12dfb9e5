//! Logout tokens (OIDC Back-Channel Logout 1.0 §2.4): `typ: logout+jwt`, never a `nonce`.

use serde_json::json;

use crate::jose::purpose::TokenKind;
use crate::jose::sign::sign;
use crate::jose::{JoseError, KeySet, SigningAlg};

/// The event member every logout token carries.
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Seconds a logout token is valid.
pub const LIFETIME: i64 = 120;

/// Everything a logout token is made from.
#[derive(Debug, Clone, Copy)]
pub struct LogoutTokenInput<'a> {
    /// The issuer.
    pub issuer: &'a str,
    /// The client it is for (`aud`).
    pub client_id: &'a str,
    /// The user signed out.
    pub sub: &'a str,
    /// The ended session.
    pub sid: &'a str,
    /// Signing algorithm: the client's ID token algorithm.
    pub alg: SigningAlg,
    /// Now, UTC Unix seconds.
    pub now: i64,
}

/// Signs a logout token with a fresh `jti`.
pub fn mint(keys: &KeySet, input: LogoutTokenInput<'_>) -> Result<String, JoseError> {
    let key = keys
        .signing_key(input.alg)
        .ok_or_else(|| JoseError(format!("no active {} key", input.alg)))?;
    let claims = json!({
        "iss": input.issuer,
        "aud": input.client_id,
        "iat": input.now,
        "exp": input.now + LIFETIME,
        "jti": crate::secrets::random_token(16),
        "sub": input.sub,
        "sid": input.sid,
        "events": { BACKCHANNEL_LOGOUT_EVENT: {} },
    });
    sign(&claims, TokenKind::LogoutToken.typ(), &key)
}
