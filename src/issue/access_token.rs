//! JWT access tokens (RFC 9068): `typ: at+jwt`.

use serde_json::{Value, json};

use crate::domain::scope::Scope;
use crate::jose::purpose::TokenKind;
use crate::jose::sign::sign;
use crate::jose::{JoseError, KeySet, SigningAlg};

/// The algorithm access tokens are signed with unless their resource names another.
pub const ACCESS_TOKEN_ALG: SigningAlg = SigningAlg::RS256;

/// Everything an access token is made from.
#[derive(Debug)]
pub struct AccessTokenInput<'a> {
    /// The issuer.
    pub issuer: &'a str,
    /// Subject: the user, or the client itself.
    pub sub: &'a str,
    /// The client it was issued to.
    pub client_id: &'a str,
    /// Audience.
    pub aud: &'a str,
    /// Granted scope.
    pub scope: &'a Scope,
    /// When the user authenticated (absent for client-only tokens).
    pub auth_time: Option<i64>,
    /// The user's roles, when the `roles` scope was granted.
    pub roles: Option<&'a [String]>,
    /// Session id, when bound to a browser session.
    pub sid: Option<&'a str>,
    /// The user's token generation (absent for client-only tokens): "sign out everywhere"
    /// bumps it, and tokens of an older generation are inactive.
    pub generation: Option<i64>,
    /// The token's unique id (made beforehand so storage can record it first).
    pub jti: &'a str,
    /// Now, UTC Unix seconds.
    pub now: i64,
    /// Expiry, UTC Unix seconds.
    pub exp: i64,
    /// The signing algorithm (the resource's choice; [`ACCESS_TOKEN_ALG`] by default).
    pub alg: SigningAlg,
    /// For an exchanged token: its `act` and the tokens it came from.
    pub exchange: Option<Exchanged<'a>>,
}

/// What an exchanged token (RFC 8693) carries beyond an access token's claims.
#[derive(Debug, Clone, Copy)]
pub struct Exchanged<'a> {
    /// The `act` claim (RFC 8693 §4.1), when someone acts for the subject.
    pub act: Option<&'a Value>,
    /// The `jti`s of the tokens it was exchanged from, nearest first: revoking any of them
    /// makes it inactive.
    pub chain: &'a [String],
    /// The clients those tokens were issued to: deleting any of them makes it inactive.
    pub chain_clients: &'a [String],
}

/// The private claim carrying the user's token generation.
pub const GENERATION: &str = "sigil_gen";

/// The private claim listing the `jti`s an exchanged token came from.
pub const CHAIN: &str = "sigil_chain";

/// The private claim listing the clients of the tokens an exchanged token came from.
pub const CHAIN_CLIENTS: &str = "sigil_chain_clients";

/// The `jti`s whose revocation makes a token with these claims inactive: its own, then those
/// it was exchanged from; empty when it has no `jti`.
pub fn lineage(claims: &serde_json::Map<String, Value>) -> Vec<String> {
    let Some(jti) = claims.get("jti").and_then(Value::as_str) else {
        return Vec::new();
    };
    let mut out = vec![jti.to_owned()];
    if let Some(Value::Array(chain)) = claims.get(CHAIN) {
        out.extend(chain.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    out
}

/// The clients whose deletion makes a token with these claims inactive: its own `client_id`,
/// then (distinct) those of the tokens it was exchanged from.
pub fn clients(claims: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = claims
        .get("client_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .into_iter()
        .collect();
    if let Some(Value::Array(chain)) = claims.get(CHAIN_CLIENTS) {
        for client in chain.iter().filter_map(Value::as_str) {
            if !out.iter().any(|c| c == client) {
                out.push(client.to_owned());
            }
        }
    }
    out
}

/// A minted access token with its `jti` and `exp`.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// The compact JWS.
    pub token: String,
    /// Its unique id.
    pub jti: String,
    /// Its expiry.
    pub exp: i64,
}

/// Signs an access token.
pub fn mint(keys: &KeySet, input: AccessTokenInput<'_>) -> Result<AccessToken, JoseError> {
    let key = keys
        .signing_key(input.alg)
        .ok_or_else(|| JoseError(format!("no active {} access-token key", input.alg)))?;
    let (jti, exp) = (input.jti.to_owned(), input.exp);
    let mut claims = json!({
        "iss": input.issuer,
        "sub": input.sub,
        "aud": input.aud,
        "exp": exp,
        "iat": input.now,
        "nbf": input.now,
        "jti": jti,
        "client_id": input.client_id,
        "scope": input.scope.to_string(),
    });
    if let Value::Object(map) = &mut claims {
        if let Some(t) = input.auth_time {
            map.insert("auth_time".into(), Value::from(t));
        }
        if let Some(roles) = input.roles {
            map.insert("roles".into(), json!(roles));
        }
        if let Some(generation) = input.generation {
            map.insert(GENERATION.into(), Value::from(generation));
        }
        if let Some(sid) = input.sid {
            map.insert("sid".into(), Value::String(sid.to_owned()));
        }
        if let Some(exchange) = input.exchange {
            if let Some(act) = exchange.act {
                map.insert("act".into(), act.clone());
            }
            if !exchange.chain.is_empty() {
                map.insert(CHAIN.into(), json!(exchange.chain));
            }
            if !exchange.chain_clients.is_empty() {
                map.insert(CHAIN_CLIENTS.into(), json!(exchange.chain_clients));
            }
        }
    }
    let token = sign(&claims, TokenKind::AccessToken.typ(), &key)?;
    Ok(AccessToken { token, jti, exp })
}
