//! The refresh token grant (RFC 6749 §6): rotate once, detect reuse, narrow scope on request.

use serde_json::json;

use crate::audit::AuditEvent;
use crate::domain::client_metadata::GrantType;
use crate::domain::scope::Scope;
use crate::error::{ErrorCode, OAuthError};
use crate::issue::Grant;
use crate::registry::Client;
use crate::secrets;
use crate::startup::AppState;
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

fn scope_too_wide() -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidScope,
        "the requested scope exceeds the scope originally granted",
    )
}

/// The scope a family was granted (empty when its record cannot be read).
fn granted_scope(family: &FamilyRow) -> Scope {
    serde_json::from_str::<Grant>(&family.grant_data)
        .map(|g| g.scope)
        .unwrap_or_default()
}

/// What the rotation found, with the user it belongs to.
enum Outcome {
    Issued(Box<(FamilyRow, UserRow, Vec<String>)>),
    Reused,
    Invalid,
    ScopeTooWide,
}

/// Rotates a refresh token and mints a new access token (and ID token when `openid` was granted).
pub async fn refresh(
    state: &AppState,
    client: &Client,
    refresh_token: &str,
    scope: Option<&Scope>,
) -> Result<TokenResponse, OAuthError> {
    if !client.metadata.allows_grant(GrantType::RefreshToken) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "the client may not use the refresh token grant",
        ));
    }
    let now = state.clock.now();
    let successor = state.refresh_tokens.successor(refresh_token);
    let (token_hash, successor_hash) =
        (secrets::digest(refresh_token), secrets::digest(&successor));
    let lifetimes = &state.settings.lifetimes;
    let sliding = client
        .metadata
        .refresh_token_lifetime
        .and_then(|s| i64::try_from(s).ok())
        .unwrap_or(lifetimes.refresh_token);
    let grace = client
        .metadata
        .refresh_token_grace_period
        .and_then(|s| i64::try_from(s).ok())
        .unwrap_or(0);
    let idle_after = now - lifetimes.session_idle;
    let client_id = client.client_id.clone();
    let asked = scope.cloned();
    let jti = secrets::random_token(16);
    let lifetime = user_tokens::access_lifetime(state, client);
    let access_jti = jti.clone();
    let outcome = state
        .store
        .run(move |c| {
            if let Some(asked) = &asked
                && let Some(family) = refresh_tokens::family_of(c, &token_hash)?
                && family.client_id == client_id
                && !asked.is_subset_of(&granted_scope(&family))
            {
                return Ok(Outcome::ScopeTooWide);
            }
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
                    exp: now + lifetime,
                },
            };
            let family = match refresh_tokens::rotate(c, attempt)? {
                Rotation::Rotated(family) | Rotation::Grace(family) => family,
                Rotation::Invalid => return Ok(Outcome::Invalid),
                Rotation::Reused(family) => {
                    AuditEvent::new(client_id.clone(), "refresh.reuse", Some(family.user_id))
                        .detail(json!({"client_id": client_id, "family": family.id}))
                        .write(c, now)?;
                    return Ok(Outcome::Reused);
                }
            };
            match users::by_id(c, &family.user_id)? {
                Some(user) => {
                    let roles = users::roles(c, &user.id)?;
                    Ok(Outcome::Issued(Box::new((family, user, roles))))
                }
                None => Ok(Outcome::Invalid),
            }
        })
        .await?;
    let (family, user, roles) = match outcome {
        Outcome::Issued(issued) => *issued,
        Outcome::Invalid => return Err(invalid_grant()),
        Outcome::ScopeTooWide => return Err(scope_too_wide()),
        Outcome::Reused => {
            tracing::warn!(client_id = %client.client_id, "refresh token reused; family revoked");
            return Err(invalid_grant());
        }
    };
    let mut grant: Grant =
        serde_json::from_str(&family.grant_data).map_err(|e| OAuthError::internal(&e))?;
    grant.nonce = None;
    let scope = match scope {
        Some(asked) if !asked.is_subset_of(&grant.scope) => return Err(scope_too_wide()),
        Some(asked) => asked.clone(),
        None => grant.scope.clone(),
    };
    user_tokens::mint(
        state,
        client,
        UserTokens {
            grant: &grant,
            scope: &scope,
            user: &user,
            roles: &roles,
            aud: &state.settings.default_audience,
            lifetime,
            jti: &jti,
            now,
            refresh_token: Some(successor),
        },
    )
}
