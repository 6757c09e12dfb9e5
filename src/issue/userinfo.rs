//! Userinfo answers (OIDC Core §5.3.2): the claims the granted scope releases, as JSON or,
//! for a client registered with `userinfo_signed_response_alg`, as a signed JWT.

use serde_json::{Map, Value};

use crate::domain::scope::Scope;
use crate::domain::user::Account;
use crate::jose::purpose::TokenKind;
use crate::jose::sign::sign;
use crate::jose::{JoseError, KeySet, SigningAlg};

use super::claims::{all_claims, release};

/// Everything a userinfo answer is made from.
#[derive(Debug)]
pub struct UserInfoInput<'a> {
    /// The issuer.
    pub issuer: &'a str,
    /// The client asking (the `aud` of a signed answer).
    pub client_id: &'a str,
    /// The user.
    pub account: &'a Account,
    /// The user's roles.
    pub roles: &'a [String],
    /// The access token's scope.
    pub scope: &'a Scope,
    /// The client's registered signing algorithm, when it wants a JWT.
    pub signed: Option<SigningAlg>,
    /// Now, UTC Unix seconds.
    pub now: i64,
}

/// A userinfo answer.
#[derive(Debug, Clone, PartialEq)]
pub enum UserInfo {
    /// `application/json`.
    Json(Map<String, Value>),
    /// `application/jwt`.
    Jwt(String),
}

/// Assembles (and, when asked, signs) the answer.
pub fn answer(keys: &KeySet, input: UserInfoInput<'_>) -> Result<UserInfo, JoseError> {
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::String(input.account.id.clone()));
    claims.extend(release(
        &all_claims(input.account, input.roles),
        input.scope,
    ));
    let Some(alg) = input.signed else {
        return Ok(UserInfo::Json(claims));
    };
    claims.insert("iss".into(), Value::String(input.issuer.to_owned()));
    claims.insert("aud".into(), Value::String(input.client_id.to_owned()));
    claims.insert("iat".into(), Value::from(input.now));
    let key = keys
        .signing_key(alg)
        .ok_or_else(|| JoseError(format!("no active {alg} key for userinfo")))?;
    Ok(UserInfo::Jwt(sign(
        &claims,
        TokenKind::UserInfo.typ(),
        &key,
    )?))
}
