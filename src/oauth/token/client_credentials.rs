//! The client credentials grant (RFC 6749 §4.4): a confidential client gets an access token
//! for itself — no user, no refresh token, no ID token. Accepts `scope`, `resource`, `audience`.

use crate::domain::client_metadata::GrantType;
use crate::domain::resource::RESERVED_SCOPES;
use crate::domain::scope::Scope;
use crate::error::{ErrorCode, OAuthError};
use crate::issue::access_token::{self, AccessTokenInput};
use crate::oauth::authorize::request::allowed_scope;
use crate::oauth::target;
use crate::registry::Client;
use crate::secrets;
use crate::state::AppState;

use super::TokenResponse;

fn invalid_scope(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidScope, description)
}

/// Issues a client's own access token: `sub` = `client_id`, scope within its registered
/// scope (without `openid` / `offline_access`), narrowed to the target resource.
pub async fn grant(
    state: &AppState,
    client: &Client,
    scope: Option<&Scope>,
    resource: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    if client.metadata.is_public() || !client.metadata.allows_grant(GrantType::ClientCredentials) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "the client may not use the client credentials grant",
        ));
    }
    if scope.is_some_and(|s| RESERVED_SCOPES.iter().any(|r| s.contains(r))) {
        return Err(invalid_scope(
            "openid and offline_access need a user and cannot be used with client credentials",
        ));
    }
    let reserved = Scope::parse(&RESERVED_SCOPES.join(" ")).unwrap_or_default();
    let allowed = Scope::parse(
        &allowed_scope(client)
            .iter()
            .filter(|s| !reserved.contains(s))
            .collect::<Vec<_>>()
            .join(" "),
    )
    .unwrap_or_default();
    let aimed = target::select(state, client, scope, &allowed, resource).await?;
    if aimed.scope.is_empty() {
        return Err(invalid_scope(
            "the client has no scope it may use with client credentials",
        ));
    }
    let sealing = target::access_token_sealing(state, &aimed).await?;
    let now = state.clock.now();
    let jti = secrets::random_token(16);
    let keys = state.keys.current();
    let mut token = access_token::mint(
        &keys,
        AccessTokenInput {
            issuer: &state.settings.issuer,
            sub: &client.client_id,
            client_id: &client.client_id,
            aud: &aimed.aud,
            scope: &aimed.scope,
            auth_time: None,
            roles: None,
            sid: None,
            generation: None,
            jti: &jti,
            now,
            exp: now + aimed.lifetime,
            alg: aimed.alg,
            exchange: None,
        },
    )
    .map_err(|e| OAuthError::internal(&e))?;
    if let Some(sealing) = sealing {
        token.token = sealing
            .seal(&token.token)
            .map_err(|e| OAuthError::internal(&e))?;
    }
    tracing::debug!(client_id = %client.client_id, aud = %aimed.aud, "client credentials token issued");
    Ok(TokenResponse::access_only(
        token.token,
        aimed.lifetime,
        &aimed.scope,
    ))
}
