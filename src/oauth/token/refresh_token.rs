//! The refresh token grant (RFC 6749 §6): rotate once, detect reuse, narrow scope or audience
//! on request.

use serde_json::json;

use crate::audit::AuditEvent;
use crate::domain::client_metadata::GrantType;
use crate::domain::scope::Scope;
use crate::error::{ErrorCode, OAuthError};
use crate::oauth::target::{self, Target};
use crate::registry::Client;
use crate::resources::Resource;
use crate::secrets;
use crate::state::AppState;
use crate::store::refresh_tokens::{self, AccessRecord, Attempt, FamilyRow, Rotation};
use crate::store::users::{self, UserRow};

use super::TokenResponse;
use super::user_tokens::{self, UserTokens};

fn invalid_grant() -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidGrant,
        "the refresh token is invalid, expired, revoked, or was issued to another client",
    )
}

/// What the client asked to narrow.
#[derive(Debug, Clone, Copy, Default)]
pub struct Asked<'a> {
    /// A scope within the one granted.
    pub scope: Option<&'a Scope>,
    /// A resource identifier for the access token's audience.
    pub target: Option<&'a str>,
}

/// What the rotation found, with the user it belongs to.
enum Outcome {
    Issued(Box<(FamilyRow, UserRow, Vec<String>)>),
    Reused,
    Invalid,
}

/// Rotates a refresh token and mints a new access token (and ID token when `openid` was granted).
pub async fn refresh(
    state: &AppState,
    client: &Client,
    refresh_token: &str,
    asked: Asked<'_>,
) -> Result<TokenResponse, OAuthError> {
    if !client.metadata.allows_grant(GrantType::RefreshToken) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "the client may not use the refresh token grant",
        ));
    }
    let token_hash = secrets::digest(refresh_token);
    // Had before the token rotates, so an unreachable key server costs a retry, not the family.
    let id_sealing = user_tokens::id_token_sealing(state, client).await?;
    let checked = if asked.scope.is_some() || asked.target.is_some() {
        Some(aim_before_spending(state, client, &token_hash, asked).await?)
    } else {
        None
    };
    let now = state.clock.now();
    let successor = state.refresh_tokens.successor(refresh_token);
    let successor_hash = secrets::digest(&successor);
    let lifetimes = &state.settings.lifetimes;
    let sliding = user_tokens::seconds_or(
        client.metadata.refresh_token_lifetime,
        lifetimes.refresh_token,
    );
    let grace = user_tokens::seconds_or(client.metadata.refresh_token_grace_period, 0);
    let idle_after = now - lifetimes.session_idle;
    let client_id = client.client_id.clone();
    let jti = secrets::random_token(16);
    let longest = target::longest_lifetime(state);
    let access_jti = jti.clone();
    let outcome = state
        .store
        .run(move |c| {
            let attempt = Attempt {
                token_hash: &token_hash,
                successor_hash: &successor_hash,
                client_id: &client_id,
                now,
                sliding,
                grace,
                idle_after,
                access: AccessRecord {
                    jti: &access_jti,
                    exp: now + longest,
                },
            };
            let standing = match refresh_tokens::rotate(c, attempt)? {
                Rotation::Rotated(standing) | Rotation::Grace(standing) => *standing,
                Rotation::Invalid => return Ok(Outcome::Invalid),
                Rotation::Reused(family) => {
                    AuditEvent::new(client_id.clone(), "refresh.reuse", Some(family.user_id))
                        .detail(json!({"client_id": client_id, "family": family.id}))
                        .write(c, now)?;
                    return Ok(Outcome::Reused);
                }
            };
            if let Ok(grant) = standing.family.grant() {
                user_tokens::issue_event(&grant, "refresh_token", &access_jti).write(c, now)?;
            }
            let roles = users::roles(c, &standing.user.id)?;
            Ok(Outcome::Issued(Box::new((
                standing.family,
                standing.user,
                roles,
            ))))
        })
        .await?;
    let (family, user, roles) = match outcome {
        Outcome::Issued(issued) => *issued,
        Outcome::Invalid => return Err(invalid_grant()),
        Outcome::Reused => {
            tracing::warn!(client_id = %client.client_id, "refresh token reused; family revoked");
            return Err(invalid_grant());
        }
    };
    let mut grant = family.grant()?;
    grant.nonce = None;
    let resource = match checked {
        Some(resource) => resource,
        None => target::lookup(state, grant.resource.as_deref()).await?,
    };
    let aimed: Target =
        target::decide(state, client, resource.as_ref(), asked.scope, &grant.scope)?;
    let id_scope = asked.scope.unwrap_or(&grant.scope).clone();
    let access_sealing = target::access_token_sealing(state, &aimed).await?;
    user_tokens::mint(
        state,
        client,
        UserTokens {
            grant: &grant,
            id_scope: &id_scope,
            target: &aimed,
            user: &user.account(),
            roles: &roles,
            jti: &jti,
            now,
            refresh_token: Some(successor),
            id_sealing: id_sealing.as_ref(),
            access_sealing: access_sealing.as_ref(),
        },
    )
}

/// Finds the resource the new access token is for (the one asked, else the grant's) and
/// refuses a scope or resource the family cannot have before the token is spent, so a
/// refused request leaves the client its token.
async fn aim_before_spending(
    state: &AppState,
    client: &Client,
    token_hash: &str,
    asked: Asked<'_>,
) -> Result<Option<Resource>, OAuthError> {
    let hash = token_hash.to_owned();
    let family = state
        .store
        .run(move |c| refresh_tokens::family_of(c, &hash))
        .await?;
    let Some(family) = family.filter(|f| f.client_id == client.client_id) else {
        return target::lookup(state, asked.target).await;
    };
    let grant = family.grant()?;
    let named = target::reconcile(asked.target, grant.resource.as_deref())?;
    let resource = target::lookup(state, named).await?;
    target::decide(state, client, resource.as_ref(), asked.scope, &grant.scope)?;
    Ok(resource)
}
