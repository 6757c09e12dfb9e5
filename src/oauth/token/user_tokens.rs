//! Minting the tokens a user grant yields: the access token, the ID token when `openid` is in
//! the scope, and the refresh token when one was issued.

use crate::audit::AuditEvent;
use crate::domain::grant::Grant;
use crate::domain::scope::Scope;
use crate::domain::user::Account;
use crate::error::OAuthError;
use crate::issue::access_token::{self, AccessTokenInput};
use crate::issue::id_token::{self, IdTokenInput};
use crate::issue::sealing::{Response, Sealing, sealing_for};
use crate::jose::SigningAlg;
use crate::oauth::target::Target;
use crate::registry::Client;
use crate::state::AppState;

use super::TokenResponse;

/// Everything a user grant's response is made from.
#[derive(Debug)]
pub struct UserTokens<'a> {
    /// The grant (the nonce is released only when present).
    pub grant: &'a Grant,
    /// The scope the ID token and its claims follow (the grant's, or narrower).
    pub id_scope: &'a Scope,
    /// The access token's audience, scope, lifetime and algorithm.
    pub target: &'a Target,
    /// The user.
    pub user: &'a Account,
    /// The user's roles.
    pub roles: &'a [String],
    /// The access token's `jti` (chosen before storage recorded it).
    pub jti: &'a str,
    /// Now, UTC Unix seconds.
    pub now: i64,
    /// The refresh token to hand out, if any.
    pub refresh_token: Option<String>,
    /// How the ID token is encrypted, when the client registered it.
    pub id_sealing: Option<&'a Sealing>,
    /// How the access token is encrypted, when its resource registered a key.
    pub access_sealing: Option<&'a Sealing>,
}

/// How the client wants its ID tokens encrypted, had before anything is spent.
pub async fn id_token_sealing(
    state: &AppState,
    client: &Client,
) -> Result<Option<Sealing>, OAuthError> {
    sealing_for(
        &state.key_sources,
        state.keys.kek(),
        client,
        Response::IdToken,
    )
    .await
    .map_err(crate::oauth::sealing_error)
}

/// The audit row of tokens issued from `grant` (`token.issue`; the dashboard counts them, and
/// those issued while an admin acts as the user name the admin as `act`).
pub fn issue_event(grant: &Grant, grant_type: &str, jti: &str) -> AuditEvent {
    let mut detail = serde_json::json!({
        "grant_type": grant_type,
        "client_id": grant.client_id,
        "jti": jti,
    });
    if let (Some(act), Some(map)) = (&grant.act, detail.as_object_mut()) {
        map.insert("act".into(), serde_json::json!({ "sub": act }));
    }
    AuditEvent::new(
        grant.client_id.clone(),
        "token.issue",
        Some(grant.user_id.clone()),
    )
    .detail(detail)
}

/// A client's lifetime setting in seconds, or `default` when it has none.
pub fn seconds_or(setting: Option<u64>, default: i64) -> i64 {
    setting
        .and_then(|s| i64::try_from(s).ok())
        .unwrap_or(default)
}

/// Signs the tokens and assembles the response.
pub fn mint(
    state: &AppState,
    client: &Client,
    t: UserTokens<'_>,
) -> Result<TokenResponse, OAuthError> {
    let keys = state.keys.current();
    let issuer = state.settings.issuer.as_str();
    let grant = t.grant;
    let target = t.target;
    // Tokens minted while an admin acts as the user name the admin (RFC 8693 §4.1).
    let act = grant
        .act
        .as_ref()
        .map(|sub| serde_json::json!({ "sub": sub }));
    let exchange = act.as_ref().map(|act| access_token::Exchanged {
        act: Some(act),
        chain: &[],
        chain_clients: &[],
    });
    let mut access = access_token::mint(
        &keys,
        AccessTokenInput {
            issuer,
            sub: &grant.user_id,
            client_id: &client.client_id,
            aud: &target.aud,
            scope: &target.scope,
            auth_time: Some(grant.auth_time),
            roles: target.scope.contains("roles").then_some(t.roles),
            sid: Some(&grant.sid),
            generation: Some(t.user.token_generation),
            jti: t.jti,
            now: t.now,
            exp: t.now + target.lifetime,
            alg: target.alg,
            exchange,
        },
    )
    .map_err(|e| OAuthError::internal(&e))?;
    if let Some(sealing) = t.access_sealing {
        access.token = sealing
            .seal(&access.token)
            .map_err(|e| OAuthError::internal(&e))?;
    }
    let id_token = if t.id_scope.contains("openid") {
        // Registration admits only algorithms sigil signs with; anything else fails closed.
        let alg = match client.metadata.id_token_signed_response_alg.as_deref() {
            None => SigningAlg::RS256,
            Some(name) => SigningAlg::parse(name).ok_or_else(|| {
                OAuthError::internal(&"the client's id_token_signed_response_alg is not supported")
            })?,
        };
        let signed = id_token::mint(
            &keys,
            IdTokenInput {
                issuer,
                grant,
                account: t.user,
                roles: t.roles,
                scope: t.id_scope,
                access_token: Some(&access.token),
                alg,
                now: t.now,
                lifetime: state.settings.lifetimes.id_token,
            },
        )
        .map_err(|e| OAuthError::internal(&e))?;
        Some(match t.id_sealing {
            Some(sealing) => sealing
                .seal(&signed)
                .map_err(|e| OAuthError::internal(&e))?,
            None => signed,
        })
    } else {
        None
    };
    Ok(TokenResponse {
        access_token: access.token,
        token_type: "Bearer",
        expires_in: target.lifetime,
        scope: target.scope.to_string(),
        refresh_token: t.refresh_token,
        id_token,
        issued_token_type: None,
    })
}
