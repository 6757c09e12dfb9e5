//! What the new token is for: its resource, scope (never wider than the subject token's nor
//! the client's), lifetime (never longer than the subject's, the actor's or the policy's)
//! and encryption.

use crate::domain::client_metadata::TokenExchangePolicy;
use crate::domain::scope::Scope;
use crate::error::{ErrorCode, OAuthError};
use crate::issue::sealing::Sealing;
use crate::oauth::authorize::request::allowed_scope;
use crate::oauth::target::{self, Target};
use crate::registry::Client;
use crate::state::AppState;

use super::parties::Parties;
use super::party::{self, Party, Role};

/// The new token's target, lifetime and sealing.
#[derive(Debug)]
pub struct Aim {
    /// Audience, scope, algorithm.
    pub target: Target,
    /// Lifetime in seconds.
    pub lifetime: i64,
    /// How it is encrypted to its resource, when the resource registered a key.
    pub sealing: Option<Sealing>,
}

/// The scope a subject can pass on to this client: the subject token's (without
/// `offline_access`: an exchange yields no refresh token) within what the client may have.
fn passable(
    client: &Client,
    subject: Option<&Party>,
    asked: Option<&Scope>,
) -> Result<Scope, OAuthError> {
    let allowed = Scope::parse(
        &allowed_scope(client)
            .iter()
            .filter(|s| *s != "offline_access")
            .collect::<Vec<_>>()
            .join(" "),
    )
    .unwrap_or_default();
    let Some(scope) = subject.and_then(|s| s.scope.as_ref()) else {
        return Ok(allowed);
    };
    if asked.is_some_and(|a| !a.is_subset_of(scope)) {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "the requested scope is wider than the subject token's",
        ));
    }
    Ok(scope.intersection(&allowed))
}

/// Decides the new token's target and lifetime at `now`, and has its sealing.
pub async fn aim(
    state: &AppState,
    client: &Client,
    policy: &TokenExchangePolicy,
    parties: &Parties,
    (scope, resource): (Option<&Scope>, Option<&str>),
    now: i64,
) -> Result<Aim, OAuthError> {
    let granted = passable(client, parties.subject(), scope)?;
    let resource = target::lookup(state, resource).await?;
    let target = target::decide(state, client, resource.as_ref(), scope, &granted)?;
    if target.scope.is_empty() {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "the client may pass on none of the subject token's scope",
        ));
    }
    let lifetime = [
        Some(target.lifetime),
        parties.subject().map(|s| s.exp - now),
        parties.actor_token.as_ref().map(|a| a.exp - now),
        policy.max_lifetime.and_then(|m| i64::try_from(m).ok()),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(target.lifetime);
    if lifetime <= 0 {
        // A trusted issuer's token within the clock leeway, but past its `exp`.
        return Err(party::refused(Role::Subject));
    }
    let sealing = target::access_token_sealing(state, &target).await?;
    Ok(Aim {
        target,
        lifetime,
        sealing,
    })
}
