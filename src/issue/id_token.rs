//! ID tokens (OIDC Core §2), signed with the client's chosen algorithm.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256, Sha512};

use crate::issue::access_token::GENERATION;
use crate::jose::purpose::TokenKind;
use crate::jose::sign::sign;
use crate::jose::{JoseError, KeySet, SigningAlg};

use crate::domain::grant::Grant;
use crate::domain::scope::Scope;
use crate::domain::user::Account;

use super::claims::{all_claims, release};

/// Everything an ID token is made from.
#[derive(Debug)]
pub struct IdTokenInput<'a> {
    /// The issuer.
    pub issuer: &'a str,
    /// The grant behind it.
    pub grant: &'a Grant,
    /// The user.
    pub account: &'a Account,
    /// The user's roles.
    pub roles: &'a [String],
    /// The scope whose claims it carries (the grant's, or narrower on refresh).
    pub scope: &'a Scope,
    /// The access token issued beside it (for `at_hash`).
    pub access_token: Option<&'a str>,
    /// Signing algorithm.
    pub alg: SigningAlg,
    /// Now, UTC Unix seconds.
    pub now: i64,
    /// Lifetime in seconds.
    pub lifetime: i64,
}

/// `at_hash`: the left half of the access token's hash under the signing algorithm's hash.
pub fn at_hash(access_token: &str, alg: SigningAlg) -> String {
    let digest: Vec<u8> = match alg {
        SigningAlg::EdDSA => Sha512::digest(access_token.as_bytes()).to_vec(),
        SigningAlg::RS256 | SigningAlg::PS256 | SigningAlg::ES256 => {
            Sha256::digest(access_token.as_bytes()).to_vec()
        }
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// Signs an ID token.
pub fn mint(keys: &KeySet, input: IdTokenInput<'_>) -> Result<String, JoseError> {
    let key = keys
        .signing_key(input.alg)
        .ok_or_else(|| JoseError(format!("no active {} key", input.alg)))?;
    let g = input.grant;
    let mut claims = release(&all_claims(input.account, input.roles), input.scope);
    let registered = json!({
        "iss": input.issuer,
        "sub": g.user_id,
        "aud": g.client_id,
        "azp": g.client_id,
        "exp": input.now + input.lifetime,
        "iat": input.now,
        "auth_time": g.auth_time,
        "acr": "1",
        "amr": g.amr,
        "sid": g.sid,
        GENERATION: input.account.token_generation,
    });
    if let Value::Object(map) = registered {
        claims.extend(map);
    }
    if let Some(actor) = &g.act {
        claims.insert("act".into(), json!({ "sub": actor }));
    }
    if let Some(nonce) = &g.nonce {
        claims.insert("nonce".into(), Value::String(nonce.clone()));
    }
    if let Some(at) = input.access_token {
        claims.insert("at_hash".into(), Value::String(at_hash(at, input.alg)));
    }
    sign(&claims, TokenKind::IdToken.typ(), &key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_matches_the_oidc_example() {
        // OIDC Core A.3: access token "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y" → "77QmUPtjPfzWtF2AnpK9RQ".
        assert_eq!(
            at_hash(
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
                SigningAlg::RS256
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        assert_eq!(at_hash("x", SigningAlg::EdDSA).len(), 43);
    }
}
