//! The authorization code grant: redeem once, check PKCE and redirect URI, mint tokens.

use serde_json::{Value, json};

use crate::audit::AuditEvent;
use crate::domain::client_metadata::GrantType;
use crate::error::{ErrorCode, OAuthError};
use crate::issue::Grant;
use crate::issue::access_token::{self, AccessTokenInput};
use crate::issue::claims::{all_claims, release};
use crate::issue::id_token::{self, IdTokenInput};
use crate::jose::SigningAlg;
use crate::oauth::target;
use crate::registry::Client;
use crate::secrets;
use crate::startup::AppState;
use crate::store::codes::{self, Redemption};
use crate::store::{denylist, session_clients, transaction, users};

use super::TokenResponse;

fn invalid_grant() -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidGrant,
        "the authorization code is invalid, expired, already used, or was issued to another client",
    )
}

/// Exchanges a code for tokens; with a `target` resource, the access token's scope is
/// narrowed to the resource's (the ID token is unchanged).
pub async fn exchange(
    state: &AppState,
    client: &Client,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
    target: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    if !client.metadata.allows_grant(GrantType::AuthorizationCode) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "the client may not use the authorization code grant",
        ));
    }
    let resource = target::lookup(state, target).await?;
    let now = state.clock.now();
    let lifetime = target::lifetime(state, client, resource.as_ref());
    let jti = secrets::random_token(16);
    let exp = now + lifetime;
    let code_hash = secrets::digest(code);
    let client_id = client.client_id.clone();
    let record_jti = jti.clone();
    let redemption = state
        .store
        .run(move |c| codes::redeem(c, &code_hash, &client_id, now, &record_jti, exp))
        .await?;
    let row = match redemption {
        Redemption::Redeemed(row) => row,
        Redemption::Invalid => return Err(invalid_grant()),
        Redemption::Reused(row) => {
            revoke_first_use(state, row, now).await?;
            return Err(invalid_grant());
        }
    };
    let grant: Grant =
        serde_json::from_str(&row.grant_data).map_err(|e| OAuthError::internal(&e))?;
    if grant.redirect_uri != redirect_uri || !grant.code_challenge.verify(code_verifier) {
        return Err(invalid_grant());
    }
    let aimed = target::decide(state, client, resource.as_ref(), None, &grant.scope)?;
    let user_id = grant.user_id.clone();
    let (sid, client_id) = (grant.sid.clone(), client.client_id.clone());
    let (user, roles) = state
        .store
        .run(move |c| {
            session_clients::record(c, &sid, &client_id, now)?;
            Ok((users::by_id(c, &user_id)?, users::roles(c, &user_id)?))
        })
        .await?;
    let user = user.ok_or_else(invalid_grant)?;
    let keys = state.keys.current();
    let issuer = state.settings.issuer.as_str();
    let access = access_token::mint(
        &keys,
        AccessTokenInput {
            issuer,
            sub: &grant.user_id,
            client_id: &client.client_id,
            aud: &aimed.aud,
            scope: &aimed.scope,
            auth_time: Some(grant.auth_time),
            roles: aimed.scope.contains("roles").then_some(roles.as_slice()),
            sid: Some(&grant.sid),
            userinfo_claims: grant
                .claims
                .as_ref()
                .and_then(|c| c.get("userinfo"))
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect()),
            generation: Some(user.token_generation),
            jti: &jti,
            now,
            exp,
            alg: aimed.alg,
        },
    )
    .map_err(|e| OAuthError::internal(&e))?;
    let id_token = if grant.scope.contains("openid") {
        let alg = client
            .metadata
            .id_token_signed_response_alg
            .as_deref()
            .and_then(SigningAlg::parse)
            .unwrap_or(SigningAlg::RS256);
        let requested = grant.claims.as_ref().and_then(|c| c.get("id_token"));
        let user_claims = release(&all_claims(&user, &roles), &grant.scope, requested);
        Some(
            id_token::mint(
                &keys,
                IdTokenInput {
                    issuer,
                    grant: &grant,
                    user_claims,
                    access_token: Some(&access.token),
                    alg,
                    now,
                    lifetime: state.settings.lifetimes.id_token,
                },
            )
            .map_err(|e| OAuthError::internal(&e))?,
        )
    } else {
        None
    };
    Ok(TokenResponse {
        access_token: access.token,
        token_type: "Bearer",
        expires_in: lifetime,
        scope: aimed.scope.to_string(),
        id_token,
    })
}

/// A code presented twice: the access token its first use issued is revoked (RFC 6749 §4.1.2).
async fn revoke_first_use(
    state: &AppState,
    row: codes::CodeRow,
    now: i64,
) -> Result<(), OAuthError> {
    tracing::warn!(client_id = %row.client_id, "authorization code reused; revoking its tokens");
    state
        .store
        .run(move |c| {
            transaction(c, |c| {
                if let (Some(jti), Some(exp)) = (&row.issued_jti, row.issued_exp) {
                    denylist::deny(c, jti, exp)?;
                }
                AuditEvent::new(
                    row.client_id.clone(),
                    "code.reuse",
                    Some(row.user_id.clone()),
                )
                .detail(json!({"client_id": row.client_id}))
                .write(c, now)
            })
        })
        .await?;
    Ok(())
}
