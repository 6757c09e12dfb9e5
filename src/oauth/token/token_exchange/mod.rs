//! The token-exchange grant (RFC 8693): a confidential client trades a token for a narrower
//! one (down-scoping), says who acts for the subject (delegation, `act`), or — with its
//! policy's permission — gets a token for a user, always naming itself in `act`
//! (impersonation). Every exchange is audited.

mod act;
mod party;
mod record;
mod request;

pub use request::{ExchangeRequest, Presented, Subject};

use serde_json::{Value, json};

use crate::audit::AuditEvent;
use crate::domain::client_metadata::{GrantType, TokenExchangePolicy};
use crate::domain::scope::Scope;
use crate::error::{ErrorCode, OAuthError};
use crate::issue::access_token::{self, AccessTokenInput, Exchanged};
use crate::oauth::authorize::request::allowed_scope;
use crate::oauth::target;
use crate::registry::Client;
use crate::secrets;
use crate::state::AppState;

use super::TokenResponse;
use act::Actor;
use party::{Party, Principal, Role};
use record::{Outcome, Step, Whom};

/// The most tokens one token may have been exchanged from.
pub const MAX_CHAIN: usize = 5;

fn unauthorized(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::UnauthorizedClient, description)
}

impl Actor {
    fn of(party: &Party) -> Self {
        match &party.principal {
            Principal::Client(id) => Self::client(id),
            Principal::User { id, .. } => Self {
                sub: id.clone(),
                client_id: None,
                iss: None,
            },
            Principal::Foreign { issuer, .. } => Self {
                sub: party.sub.clone(),
                client_id: None,
                iss: Some(issuer.clone()),
            },
        }
    }
}

/// The client's policy; a client without one may only down-scope.
fn policy_of(client: &Client) -> Result<TokenExchangePolicy, OAuthError> {
    if client.metadata.is_public() || !client.metadata.allows_grant(GrantType::TokenExchange) {
        return Err(unauthorized(
            "the client may not use the token exchange grant",
        ));
    }
    Ok(client
        .metadata
        .token_exchange
        .clone()
        .unwrap_or(TokenExchangePolicy {
            subject_audiences: Vec::new(),
            delegation: false,
            impersonation: false,
            max_lifetime: None,
        }))
}

/// The new token's `act`: the actor over whoever acted before; for an impersonation, the
/// client itself (under any actor it names), so that an impersonation is never silent.
fn act_of(
    client: &Client,
    subject: Option<&Party>,
    actor: Option<&Actor>,
) -> Result<Option<Value>, OAuthError> {
    match (subject, actor) {
        (None, None) => Actor::client(&client.client_id).over(None).map(Some),
        (None, Some(actor)) => {
            let client_act = Actor::client(&client.client_id).over(None)?;
            actor.over(Some(&client_act)).map(Some)
        }
        (Some(subject), Some(actor)) => actor.over(subject.act.as_ref()).map(Some),
        (Some(subject), None) => subject.act.as_ref().map(act::sanitized).transpose(),
    }
}

/// The scope a subject can pass on to this client: the subject token's (without
/// `offline_access`: an exchange yields no refresh token) within what the client may have.
fn passable(
    client: &Client,
    subject: Option<&Party>,
    asked: Option<&Scope>,
) -> Result<Scope, OAuthError> {
    let allowed = allowed_scope(client);
    let allowed = Scope::parse(
        &allowed
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

/// Runs a token exchange for an authenticated `client` calling from `address`.
pub async fn exchange(
    state: &AppState,
    client: &Client,
    req: ExchangeRequest,
    address: &str,
) -> Result<TokenResponse, OAuthError> {
    let policy = policy_of(client)?;
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
    let whom = match &req.subject {
        Subject::Token(presented) => {
            let party = party::verified(state, presented, Role::Subject, client, &policy).await?;
            Whom::Token(Box::new(party))
        }
        Subject::Impersonated(username) => Whom::Impersonated(username.clone()),
    };
    let subject = match &whom {
        Whom::Token(party) => Some(Party::clone(party)),
        Whom::Impersonated(_) => None,
    };
    let actor_party = match &req.actor {
        Some(presented) => {
            Some(party::verified(state, presented, Role::Actor, client, &policy).await?)
        }
        None => None,
    };
    let actor = actor_party.as_ref().map(Actor::of);
    if let Some(may_act) = subject.as_ref().and_then(|s| s.may_act.as_ref()) {
        let acting = actor
            .clone()
            .unwrap_or_else(|| Actor::client(&client.client_id));
        if !acting.admitted_by(may_act, &state.settings.issuer) {
            return Err(OAuthError::new(
                ErrorCode::InvalidGrant,
                "the subject token's may_act does not name this actor",
            ));
        }
    }
    let act = act_of(client, subject.as_ref(), actor.as_ref())?;
    let chain = subject
        .as_ref()
        .map(|s| s.lineage.clone())
        .unwrap_or_default();
    let chain_clients: Vec<String> = subject
        .as_ref()
        .map(|s| {
            s.clients
                .iter()
                .filter(|c| **c != client.client_id)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if chain.len() > MAX_CHAIN {
        return Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            format!("the subject token was exchanged from {MAX_CHAIN} tokens already"),
        ));
    }
    let granted = passable(client, subject.as_ref(), req.scope.as_ref())?;
    let resource = target::lookup(state, req.target.as_deref()).await?;
    let aimed = target::decide(
        state,
        client,
        resource.as_ref(),
        req.scope.as_ref(),
        &granted,
    )?;
    if aimed.scope.is_empty() {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "the client may pass on none of the subject token's scope",
        ));
    }
    let now = state.clock.now();
    let lifetime = [
        Some(aimed.lifetime),
        subject.as_ref().map(|s| s.exp - now),
        actor_party.as_ref().map(|a| a.exp - now),
        policy.max_lifetime.and_then(|m| i64::try_from(m).ok()),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(aimed.lifetime);
    if lifetime <= 0 {
        // A trusted issuer's token within the clock leeway, but past its `exp`.
        return Err(party::refused(Role::Subject));
    }
    let sealing = target::access_token_sealing(state, &aimed).await?;
    let jti = secrets::random_token(16);
    let action = match (&whom, &actor) {
        (Whom::Impersonated(_), _) => "token.impersonate",
        (Whom::Token(_), Some(_)) => "token.delegate",
        (Whom::Token(_), None) => "token.exchange",
    };
    // Who did this: the actor this request names, else the client (an `act` carried over
    // from the subject token names who acted before).
    let acting = actor
        .as_ref()
        .map(|a| a.sub.clone())
        .unwrap_or_else(|| client.client_id.clone());
    let mut detail = json!({
        "client_id": client.client_id,
        "audience": aimed.aud,
        "scope": aimed.scope.to_string(),
        "address": address,
        "jti": jti,
        "expires_in": lifetime,
    });
    if let Some(act) = &act {
        detail["act"] = act.clone();
    }
    if let Subject::Token(presented) = &req.subject {
        detail["subject_token_type"] = json!(presented.kind.as_str());
    }
    if let Some(Principal::Foreign { issuer, .. }) = subject.as_ref().map(|s| &s.principal) {
        detail["subject_issuer"] = json!(issuer);
    }
    let audit =
        AuditEvent::new(acting, action, subject.as_ref().map(|s| s.sub.clone())).detail(detail);
    let step = Step {
        whom,
        actor: actor_party,
        audit,
        want_roles: aimed.scope.contains("roles"),
        now,
    };
    let outcome = state.store.run(move |c| record::run(c, step)).await?;
    let (user, roles) = match outcome {
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
    let sub = match (&user, &subject) {
        (Some(user), _) => user.id.clone(),
        (None, subject) => subject.as_ref().map(|s| s.sub.clone()).unwrap_or_default(),
    };
    let keys = state.keys.current();
    let mut token = access_token::mint(
        &keys,
        AccessTokenInput {
            issuer: &state.settings.issuer,
            sub: &sub,
            client_id: &client.client_id,
            aud: &aimed.aud,
            scope: &aimed.scope,
            auth_time: subject.as_ref().and_then(|s| s.auth_time),
            roles: aimed.scope.contains("roles").then_some(roles.as_slice()),
            sid: None,
            generation: user.as_ref().map(|u| u.token_generation),
            jti: &jti,
            now,
            exp: now + lifetime,
            alg: aimed.alg,
            exchange: Some(Exchanged {
                act: act.as_ref(),
                chain: &chain,
                chain_clients: &chain_clients,
            }),
        },
    )
    .map_err(|e| OAuthError::internal(&e))?;
    if let Some(sealing) = sealing {
        token.token = sealing
            .seal(&token.token)
            .map_err(|e| OAuthError::internal(&e))?;
    }
    tracing::info!(client_id = %client.client_id, action, aud = %aimed.aud, "token exchanged");
    let mut response = TokenResponse::access_only(token.token, lifetime, &aimed.scope);
    response.issued_token_type = Some(req.requested.as_str());
    Ok(response)
}
