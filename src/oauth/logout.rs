//! OIDC RP-Initiated Logout 1.0: the request parsed and checked. The `id_token_hint` must be
//! ours (signature, `iss`; an expired one is fine), the client it names must agree with any
//! `client_id`, and a `post_logout_redirect_uri` is kept only when that client registered it.

use actix_web::http::StatusCode;
use serde_json::Value;

use crate::jose::purpose::{Expiry, Own, TokenKind, verify_own};
use crate::oauth::params::RawParams;
use crate::registry::{self, Client};
use crate::state::AppState;
use crate::store::sessions::SessionRow;

/// Who an `id_token_hint` was issued for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hint {
    /// Its `sub`.
    pub sub: Option<String>,
    /// Its `sid`.
    pub sid: Option<String>,
}

/// A checked logout request.
#[derive(Debug, Clone, Default)]
pub struct LogoutRequest {
    /// The client, when named by the hint or `client_id`.
    pub client: Option<Client>,
    /// The verified hint.
    pub hint: Option<Hint>,
    /// A registered `post_logout_redirect_uri` of `client`.
    pub redirect: Option<String>,
    /// `state`, returned with the redirect.
    pub state: Option<String>,
}

impl LogoutRequest {
    /// Whether the request comes from the signed-in browser session: the hint names its
    /// `sid` or its user.
    pub fn is_tied_to(&self, session: &SessionRow) -> bool {
        self.hint.as_ref().is_some_and(|h| {
            h.sid.as_deref() == Some(session.sid.as_str())
                || h.sub.as_deref() == Some(session.user_id.as_str())
        })
    }

    /// The parameters that carry the request through the confirmation form.
    pub fn hidden_fields(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(client) = &self.client {
            out.push(("client_id".to_owned(), client.client_id.clone()));
        }
        if let Some(uri) = &self.redirect {
            out.push(("post_logout_redirect_uri".to_owned(), uri.clone()));
        }
        if let Some(state) = &self.state {
            out.push(("state".to_owned(), state.clone()));
        }
        out
    }
}

/// Why a logout request is refused: shown as a page, never redirected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status.
    pub status: StatusCode,
    /// Page heading.
    pub title: &'static str,
    /// What happened, for a person.
    pub message: &'static str,
}

fn refuse(message: &'static str) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        title: "This sign-out request cannot be used",
        message,
    }
}

/// Parses and checks a logout request's parameters (query or form).
pub async fn parse(state: &AppState, params: &RawParams) -> Result<LogoutRequest, Refusal> {
    let hint = params
        .get("id_token_hint")
        .map(|token| verify_hint(state, token))
        .transpose()?;
    let named = params.get("client_id").map(str::to_owned);
    let client_id = match (hint.as_ref().map(|(_, aud)| aud.clone()), named) {
        (Some(aud), Some(named)) if aud != named => {
            return Err(refuse(
                "The sign-out request names two different applications.",
            ));
        }
        (Some(id), _) | (None, Some(id)) => Some(id),
        (None, None) => None,
    };
    let client = match client_id {
        None => None,
        Some(id) => {
            let found = state.store.run(move |c| registry::get(c, &id)).await;
            match found {
                Ok(Some(client)) => Some(client),
                Ok(None) => {
                    return Err(refuse("The application asking to sign you out is unknown."));
                }
                Err(e) => {
                    tracing::error!(error = %e, "logout client lookup failed");
                    return Err(Refusal {
                        status: StatusCode::SERVICE_UNAVAILABLE,
                        title: "Service unavailable",
                        message: "Signing out is temporarily unavailable. Please try again in a moment.",
                    });
                }
            }
        }
    };
    let redirect = match params.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let registered = client.as_ref().is_some_and(|c| {
                c.metadata
                    .post_logout_redirect_uris
                    .iter()
                    .any(|r| r.as_str() == uri)
            });
            if !registered {
                return Err(refuse(
                    "The address the application asked to return to after signing out is not registered for it.",
                ));
            }
            Some(uri.to_owned())
        }
    };
    Ok(LogoutRequest {
        client,
        hint: hint.map(|(h, _)| h),
        redirect,
        state: params.get("state").map(str::to_owned),
    })
}

/// Verifies an ID token of ours (expired is acceptable) and returns who it names and its client.
fn verify_hint(state: &AppState, token: &str) -> Result<(Hint, String), Refusal> {
    let invalid = || refuse("The sign-out link carries a sign-in token that is not valid here.");
    let keys = state.keys.current();
    let own = Own {
        kind: TokenKind::IdToken,
        issuer: &state.settings.issuer,
        now: state.clock.now(),
        expiry: Expiry::Ignored,
    };
    let decoded = verify_own(token, &keys, &own).map_err(|_| invalid())?;
    let claims = &decoded.claims;
    let aud = match claims.get("aud") {
        Some(Value::String(aud)) => aud.clone(),
        Some(Value::Array(list)) if list.len() == 1 => {
            list[0].as_str().map(str::to_owned).ok_or_else(invalid)?
        }
        Some(Value::Array(_)) => claims
            .get("azp")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(invalid)?,
        _ => return Err(invalid()),
    };
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    Ok((
        Hint {
            sub: text("sub"),
            sid: text("sid"),
        },
        aud,
    ))
}
