//! The subject and actor tokens of an exchange, verified through the one inbound path for
//! sigil's own tokens ([`verify_own`], which also opens sigil's encrypted ones), and read into
//! who they speak for.

use serde_json::{Map, Value};

use crate::domain::client_metadata::TokenExchangePolicy;
use crate::domain::scope::Scope;
use crate::domain::token_type::TokenType;
use crate::error::{ErrorCode, OAuthError};
use crate::federation::{self, Refusal};
use crate::issue::access_token::{GENERATION, clients, lineage};
use crate::jose::purpose::{Expiry, Own, TokenKind, verify_own};
use crate::registry::Client;
use crate::state::AppState;

use super::request::Presented;

/// Which of the two tokens of a request a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `subject_token`.
    Subject,
    /// `actor_token`.
    Actor,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Self::Subject => "subject_token",
            Self::Actor => "actor_token",
        }
    }
}

/// The refusal of a token that is not a valid, current token of its declared type.
pub fn refused(role: Role) -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidGrant,
        format!(
            "the {} is invalid, expired, revoked, of another type than declared, \
             or not addressed to this client",
            role.name()
        ),
    )
}

/// Who a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A user of sigil, at the token generation the token was issued in.
    User {
        /// The user's id.
        id: String,
        /// The token generation.
        generation: i64,
    },
    /// A client acting for itself (`sub` = its `client_id`).
    Client(String),
    /// A user of a trusted issuer, named locally by the issuer's user claim.
    Foreign {
        /// The trusted issuer.
        issuer: String,
        /// The user claim's value: a local username or email address.
        user: String,
    },
}

/// A verified token of the exchange, read.
#[derive(Debug, Clone)]
pub struct Party {
    /// Whom it speaks for.
    pub principal: Principal,
    /// Its `sub`.
    pub sub: String,
    /// The client it was issued to (an access token's `client_id`, an ID token's `aud`).
    pub client_id: String,
    /// Its `jti` and those it was exchanged from: revoking any of them ends it.
    pub lineage: Vec<String>,
    /// Its client and those of the tokens it was exchanged from: deleting any of them ends it.
    pub clients: Vec<String>,
    /// What it authorizes: an access token's scope; an ID token stands for `openid` only; a
    /// trusted issuer's token its `scope` claim, or (without one) whatever the client may have.
    pub scope: Option<Scope>,
    /// Its expiry.
    pub exp: i64,
    /// Its `act` claim, when someone acts for its subject.
    pub act: Option<Value>,
    /// Its `may_act` claim: the only party that may act for its subject.
    pub may_act: Option<Map<String, Value>>,
    /// When its user authenticated.
    pub auth_time: Option<i64>,
}

fn names(aud: Option<&Value>, who: &str) -> bool {
    match aud {
        Some(Value::String(s)) => s == who,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(who)),
        _ => false,
    }
}

/// Verifies a subject or actor token of the declared type: sigil's own, or (`…:jwt`) a
/// trusted issuer's.
pub async fn verified(
    state: &AppState,
    presented: &Presented,
    role: Role,
    client: &Client,
    policy: &TokenExchangePolicy,
) -> Result<Party, OAuthError> {
    if presented.kind != TokenType::Jwt {
        return own(state, presented, role, client, policy);
    }
    let now = state.clock.now();
    let foreign = federation::verify(
        &state.store,
        &state.trusted_issuers,
        &state.key_sources,
        &presented.token,
        now,
    )
    .await
    .map_err(|refusal| {
        tracing::debug!(role = role.name(), error = %refusal.detail(), "foreign token refused");
        match refusal {
            Refusal::Invalid { .. } => refused(role),
            Refusal::Unavailable { .. } => OAuthError::new(
                ErrorCode::TemporarilyUnavailable,
                "the trusted issuer's keys cannot be fetched now; try again later",
            )
            .with_status(actix_web::http::StatusCode::SERVICE_UNAVAILABLE),
            Refusal::Store(e) => OAuthError::internal(&e),
        }
    })?;
    let claims = &foreign.claims;
    let scope = match claims.get("scope") {
        None => None,
        Some(Value::String(s)) => Some(Scope::parse(s).map_err(|_| refused(role))?),
        Some(_) => return Err(refused(role)),
    };
    Ok(Party {
        principal: Principal::Foreign {
            issuer: foreign.issuer.clone(),
            user: foreign.user.clone(),
        },
        sub: claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or(&foreign.user)
            .to_owned(),
        client_id: String::new(),
        lineage: Vec::new(),
        clients: Vec::new(),
        scope,
        exp: foreign.exp,
        act: claims.get("act").cloned(),
        may_act: claims.get("may_act").and_then(Value::as_object).cloned(),
        auth_time: claims.get("auth_time").and_then(Value::as_i64),
    })
}

/// Verifies one of sigil's own tokens of the declared type and reads it; the token must be
/// addressed to `client`: issued to it, or with an `aud` that is its `client_id` or one of its
/// policy's `subject_audiences`.
fn own(
    state: &AppState,
    presented: &Presented,
    role: Role,
    client: &Client,
    policy: &TokenExchangePolicy,
) -> Result<Party, OAuthError> {
    let kind = match presented.kind {
        TokenType::AccessToken => TokenKind::AccessToken,
        TokenType::IdToken => TokenKind::IdToken,
        TokenType::Jwt | TokenType::RefreshToken => return Err(refused(role)),
    };
    let keys = state.keys.current();
    let checks = Own {
        kind,
        issuer: &state.settings.issuer,
        now: state.clock.now(),
        expiry: Expiry::Enforced,
    };
    let claims = verify_own(&presented.token, &keys, &checks)
        .map_err(|e| {
            tracing::debug!(role = role.name(), error = %e, "exchange token refused");
            refused(role)
        })?
        .claims;
    let party = read(&claims, kind).ok_or_else(|| refused(role))?;
    let aud = claims.get("aud");
    let addressed = party.client_id == client.client_id
        || names(aud, &client.client_id)
        || policy.subject_audiences.iter().any(|a| names(aud, a));
    if !addressed {
        tracing::debug!(
            role = role.name(),
            "exchange token not addressed to the client"
        );
        return Err(refused(role));
    }
    Ok(party)
}

/// Reads the claims of a verified token of `kind`; `None` when one it needs is missing.
fn read(claims: &Map<String, Value>, kind: TokenKind) -> Option<Party> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let sub = text("sub")?;
    let generation = claims.get(GENERATION).and_then(Value::as_i64);
    let (client_id, scope, lineage) = match kind {
        TokenKind::AccessToken => {
            let lineage = lineage(claims);
            if lineage.is_empty() {
                return None;
            }
            (
                text("client_id")?,
                Some(Scope::parse(&text("scope")?).ok()?),
                lineage,
            )
        }
        _ => {
            // An ID token is issued to the one client it names in `azp` (and `aud`).
            let client_id = text("azp").or_else(|| text("aud"))?;
            (client_id, Some(Scope::parse("openid").ok()?), Vec::new())
        }
    };
    let principal = match generation {
        Some(generation) => Principal::User {
            id: sub.clone(),
            generation,
        },
        // Only a client's own token names no user; an ID token always has a generation.
        None if kind == TokenKind::AccessToken && sub == client_id => {
            Principal::Client(sub.clone())
        }
        None => return None,
    };
    let mut clients = clients(claims);
    if clients.is_empty() {
        clients.push(client_id.clone());
    }
    Some(Party {
        principal,
        sub,
        client_id,
        lineage,
        clients,
        scope,
        exp: claims.get("exp").and_then(Value::as_i64)?,
        act: claims.get("act").cloned(),
        may_act: claims.get("may_act").and_then(Value::as_object).cloned(),
        auth_time: claims.get("auth_time").and_then(Value::as_i64),
    })
}
