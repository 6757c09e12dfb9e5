//! The token-exchange grant (RFC 8693): a confidential client trades a token for a narrower
//! one (down-scoping), says who acts for the subject (delegation, `act`), or — with its
//! policy's permission — gets a token for a user, always naming itself in `act`
//! (impersonation). Every exchange is audited.
//!
//! One pipeline: the policy admits the kind of exchange → [`Parties::verify`] checks the
//! tokens and who acts → [`aim::aim`] decides audience, scope and lifetime → one storage step
//! ([`record::run`]) checks the tokens still stand and writes the audit row → the token is
//! minted.

mod act;
mod aim;
mod parties;
mod party;
mod record;
mod request;

pub use parties::MAX_CHAIN;
pub use request::{ExchangeRequest, Presented, Subject};

use serde_json::json;

use crate::audit::AuditEvent;
use crate::domain::client_metadata::{GrantType, TokenExchangePolicy};
use crate::error::{ErrorCode, OAuthError};
use crate::issue::access_token::{self, AccessTokenInput, Exchanged};
use crate::registry::Client;
use crate::secrets;
use crate::state::AppState;

use super::TokenResponse;
use aim::Aim;
use parties::Parties;
use party::{Principal, Role};
use record::{Outcome, Step};

fn unauthorized(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::UnauthorizedClient, description)
}

/// The client's policy, when it admits this kind of exchange; a client without one may only
/// down-scope.
fn policy_for(client: &Client, req: &ExchangeRequest) -> Result<TokenExchangePolicy, OAuthError> {
    if client.metadata.is_public() || !client.metadata.allows_grant(GrantType::TokenExchange) {
        return Err(unauthorized(
            "the client may not use the token exchange grant",
        ));
    }
    let policy = client
        .metadata
        .token_exchange
        .clone()
        .unwrap_or(TokenExchangePolicy {
            subject_audiences: Vec::new(),
            delegation: false,
            impersonation: false,
            max_lifetime: None,
        });
    if req.actor.is_some() && !policy.delegation {
        return Err(unauthorized(
            "the client's token-exchange policy does not allow delegation (actor_token)",
        ));
    }
    if matches!(req.subject, Subject::Impersonated(_)) && !policy.impersonation {
        return Err(unauthorized(
            "the client's token-exchange policy does not allow impersonation (requested_subject)",
        ));
    }
    Ok(policy)
}

/// The audit row of an exchange; never a token, only the new token's `jti`.
fn audit_event(
    client: &Client,
    req: &ExchangeRequest,
    parties: &Parties,
    aim: &Aim,
    (address, jti): (&str, &str),
) -> AuditEvent {
    let mut detail = json!({
        "client_id": client.client_id,
        "audience": aim.target.aud,
        "scope": aim.target.scope.to_string(),
        "address": address,
        "jti": jti,
        "expires_in": aim.lifetime,
    });
    if let Some(act) = &parties.act {
        detail["act"] = act.clone();
    }
    if let Subject::Token(presented) = &req.subject {
        detail["subject_token_type"] = json!(presented.kind.as_str());
    }
    let subject = parties.subject();
    if let Some(Principal::Foreign { issuer, .. }) = subject.map(|s| &s.principal) {
        detail["subject_issuer"] = json!(issuer);
    }
    AuditEvent::new(
        parties.acting(client),
        parties.action(),
        subject.map(|s| s.sub.clone()),
    )
    .detail(detail)
}

/// Runs a token exchange for an authenticated `client` calling from `address`.
pub async fn exchange(
    state: &AppState,
    client: &Client,
    req: ExchangeRequest,
    address: &str,
) -> Result<TokenResponse, OAuthError> {
    let policy = policy_for(client, &req)?;
    let parties = Parties::verify(state, client, &policy, &req).await?;
    let now = state.clock.now();
    let asked = (req.scope.as_ref(), req.target.as_deref());
    let aim = aim::aim(state, client, &policy, &parties, asked, now).await?;
    let jti = secrets::random_token(16);
    let step = Step {
        whom: parties.whom.clone(),
        actor: parties.actor_token.clone(),
        audit: audit_event(client, &req, &parties, &aim, (address, &jti)),
        want_roles: aim.target.scope.contains("roles"),
        now,
    };
    let (user, roles) = match state.store.run(move |c| record::run(c, step)).await? {
        Outcome::Granted(user, roles) => (user, roles),
        Outcome::SubjectGone => return Err(party::refused(Role::Subject)),
        Outcome::ActorGone => return Err(party::refused(Role::Actor)),
        Outcome::NotImpersonable => {
            tracing::warn!(client_id = %client.client_id, "impersonation refused");
            return Err(OAuthError::new(
                ErrorCode::InvalidGrant,
                "the requested subject cannot be impersonated",
            ));
        }
    };
    // A user's token is for the user found; a client's own token for that client.
    let subject = parties.subject();
    let sub = match &user {
        Some(user) => user.id.clone(),
        None => subject.map(|s| s.sub.clone()).unwrap_or_default(),
    };
    let target = &aim.target;
    let mut token = access_token::mint(
        &state.keys.current(),
        AccessTokenInput {
            issuer: &state.settings.issuer,
            sub: &sub,
            client_id: &client.client_id,
            aud: &target.aud,
            scope: &target.scope,
            auth_time: subject.and_then(|s| s.auth_time),
            roles: target.scope.contains("roles").then_some(roles.as_slice()),
            sid: None,
            generation: user.as_ref().map(|u| u.token_generation),
            jti: &jti,
            now,
            exp: now + aim.lifetime,
            alg: target.alg,
            exchange: Some(Exchanged {
                act: parties.act.as_ref(),
                chain: &parties.chain,
                chain_clients: &parties.chain_clients,
            }),
        },
    )
    .map_err(|e| OAuthError::internal(&e))?;
    if let Some(sealing) = &aim.sealing {
        token.token = sealing
            .seal(&token.token)
            .map_err(|e| OAuthError::internal(&e))?;
    }
    tracing::debug!(client_id = %client.client_id, action = parties.action(), aud = %target.aud, "token exchanged");
    let mut response = TokenResponse::access_only(token.token, aim.lifetime, &target.scope);
    response.issued_token_type = Some(req.requested.as_str());
    Ok(response)
}
