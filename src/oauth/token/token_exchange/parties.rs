//! Who an exchange involves: the subject (a verified token, or a user to impersonate), the
//! actor (a verified token), whether the subject's `may_act` admits that actor, and the
//! `act` and chain the new token carries.

use serde_json::Value;

use crate::domain::client_metadata::TokenExchangePolicy;
use crate::error::{ErrorCode, OAuthError};
use crate::registry::Client;
use crate::state::AppState;

use super::act::{self, Actor};
use super::party::{self, Party, Principal, Role};
use super::record::Whom;
use super::request::{ExchangeRequest, Subject};

/// The most tokens one token may have been exchanged from.
pub const MAX_CHAIN: usize = 5;

/// The parties of an exchange, verified and admitted.
#[derive(Debug, Clone)]
pub struct Parties {
    /// Whom the new token is for: a subject token's principal, or a user to impersonate.
    pub whom: Whom,
    /// The actor token, when one was presented.
    pub actor_token: Option<Party>,
    /// Who the actor token names.
    pub actor: Option<Actor>,
    /// The new token's `act`.
    pub act: Option<Value>,
    /// The `jti`s the new token comes from, nearest first.
    pub chain: Vec<String>,
    /// The clients of those tokens, other than the requesting client.
    pub chain_clients: Vec<String>,
}

impl Actor {
    /// The actor a verified token names.
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

impl Parties {
    /// Verifies the subject and actor tokens, admits the actor by the subject's `may_act`
    /// (the client itself acts when no actor token is given), and composes `act` and chain.
    pub async fn verify(
        state: &AppState,
        client: &Client,
        policy: &TokenExchangePolicy,
        req: &ExchangeRequest,
    ) -> Result<Self, OAuthError> {
        let whom = match &req.subject {
            Subject::Token(presented) => {
                let party =
                    party::verified(state, presented, Role::Subject, client, policy).await?;
                Whom::Token(Box::new(party))
            }
            Subject::Impersonated(username) => Whom::Impersonated(username.clone()),
        };
        let subject = match &whom {
            Whom::Token(party) => Some(party.as_ref()),
            Whom::Impersonated(_) => None,
        };
        let actor_token = match &req.actor {
            Some(presented) => {
                Some(party::verified(state, presented, Role::Actor, client, policy).await?)
            }
            None => None,
        };
        let actor = actor_token.as_ref().map(Actor::of);
        if let (Some(subject), Some(actor)) = (subject, &actor)
            && Actor::of(subject) == *actor
        {
            return Err(OAuthError::new(
                ErrorCode::InvalidRequest,
                "the actor_token names the subject itself: nobody acts for themselves",
            ));
        }
        if let Some(may_act) = subject.and_then(|s| s.may_act.as_ref()) {
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
        let act = act_of(client, subject, actor.as_ref())?;
        let (chain, chain_clients) = match subject {
            Some(s) => (
                s.lineage.clone(),
                s.clients
                    .iter()
                    .filter(|c| **c != client.client_id)
                    .cloned()
                    .collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        if chain.len() > MAX_CHAIN {
            return Err(OAuthError::new(
                ErrorCode::InvalidRequest,
                format!("the subject token was exchanged from {MAX_CHAIN} tokens already"),
            ));
        }
        Ok(Self {
            whom,
            actor_token,
            actor,
            act,
            chain,
            chain_clients,
        })
    }

    /// The subject token, when one was presented.
    pub fn subject(&self) -> Option<&Party> {
        match &self.whom {
            Whom::Token(party) => Some(party),
            Whom::Impersonated(_) => None,
        }
    }

    /// The audit action: impersonation, delegation, or a plain exchange.
    pub fn action(&self) -> &'static str {
        match (&self.whom, &self.actor) {
            (Whom::Impersonated(_), _) => "token.impersonate",
            (Whom::Token(_), Some(_)) => "token.delegate",
            (Whom::Token(_), None) => "token.exchange",
        }
    }

    /// Who did this: the actor this request names, else the client (an `act` carried over
    /// from the subject token names who acted before).
    pub fn acting(&self, client: &Client) -> String {
        self.actor
            .as_ref()
            .map(|a| a.sub.clone())
            .unwrap_or_else(|| client.client_id.clone())
    }
}
