//! What an authorization request needs next — login, consent, or a code — and the code itself.

use actix_web::HttpResponse;
use serde_json::Value;

use crate::domain::scope::Scope;
use crate::error::ErrorCode;
use crate::issue::Grant;
use crate::jose::purpose::{Expiry, Own, TokenKind, verify_own};
use crate::oauth::session::Browser;
use crate::pages::LoginForm;
use crate::registry::Client;
use crate::secrets;
use crate::state::AppState;
use crate::store::auth_requests::{self, AuthRequestRow};
use crate::store::codes::{self, CodeRow};
use crate::store::sessions::SessionRow;
use crate::store::{StoreError, consents};

use super::request::{AuthorizeError, AuthorizeRequest};
use super::response;

/// The next step of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Show the login form.
    Login,
    /// Show the consent page.
    Consent,
    /// Issue a code.
    Issue,
}

/// What is known about the browser and user when deciding.
#[derive(Debug, Clone, Default)]
pub struct Situation<'a> {
    /// The live session, if any.
    pub session: Option<&'a SessionRow>,
    /// Whether the user authenticated for this very request.
    pub login_done: bool,
    /// Scopes the user already granted this client.
    pub granted: Option<&'a Scope>,
    /// Whether the client skips consent.
    pub first_party: bool,
    /// `sub` of a valid `id_token_hint`.
    pub hint_sub: Option<&'a str>,
    /// Now.
    pub now: i64,
}

/// Pure decision: OIDC Core §3.1.2 (`prompt`, `max_age`, `id_token_hint`) and remembered consent.
pub fn decide(
    req: &AuthorizeRequest,
    s: &Situation<'_>,
) -> Result<Step, (ErrorCode, &'static str)> {
    let needs_login = match s.session {
        None => true,
        Some(session) => {
            let stale = req
                .max_age
                .is_some_and(|max| s.now - session.auth_time >= max);
            let forced = req.prompt.login || req.prompt.select_account;
            let other_user = s.hint_sub.is_some_and(|sub| sub != session.user_id);
            !s.login_done && (stale || forced || other_user)
        }
    };
    if needs_login {
        return if req.prompt.none {
            Err((ErrorCode::LoginRequired, "the user must sign in"))
        } else {
            Ok(Step::Login)
        };
    }
    let remembered = s.granted.is_some_and(|g| req.scope.is_subset_of(g));
    let needs_consent = req.prompt.consent || (!s.first_party && !remembered);
    if needs_consent {
        return if req.prompt.none {
            Err((ErrorCode::ConsentRequired, "the user must consent"))
        } else {
            Ok(Step::Consent)
        };
    }
    Ok(Step::Issue)
}

/// Whether the request still needs the user to (re-)authenticate, whatever the consent.
pub fn needs_login(
    state: &AppState,
    req: &AuthorizeRequest,
    session: &SessionRow,
    login_done: bool,
) -> bool {
    let hint_sub = req
        .id_token_hint
        .as_deref()
        .and_then(|h| hint_subject(state, h));
    let situation = Situation {
        session: Some(session),
        login_done,
        granted: Some(&req.scope),
        first_party: true,
        hint_sub: hint_sub.as_deref(),
        now: state.clock.now(),
    };
    !matches!(decide(req, &situation), Ok(Step::Issue | Step::Consent))
}

/// The `sub` of an `id_token_hint` this provider signed (an expired hint still names its user).
pub fn hint_subject(state: &AppState, hint: &str) -> Option<String> {
    let own = Own {
        kind: TokenKind::IdToken,
        issuer: &state.settings.issuer,
        now: state.clock.now(),
        expiry: Expiry::Ignored,
    };
    let decoded = verify_own(hint, &state.keys.current(), &own).ok()?;
    decoded
        .claims
        .get("sub")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Takes the request one step further: parks it behind the login or consent page, or issues
/// the code and answers the client.
pub async fn proceed(
    state: &AppState,
    browser: &Browser,
    client: &Client,
    req: AuthorizeRequest,
    session: Option<SessionRow>,
    pending: Option<AuthRequestRow>,
    after_post: bool,
) -> Result<HttpResponse, AuthorizeError> {
    let now = state.clock.now();
    let hint_sub = match &req.id_token_hint {
        None => None,
        Some(hint) => Some(hint_subject(state, hint).ok_or_else(|| {
            AuthorizeError::redirect(
                &req.reply,
                ErrorCode::InvalidRequest,
                "id_token_hint is not an ID token issued here",
            )
        })?),
    };
    let granted = match &session {
        Some(s) => {
            let (user, client_id) = (s.user_id.clone(), client.client_id.clone());
            state
                .store
                .run(move |c| consents::granted(c, &user, &client_id))
                .await
                .map_err(|e| server_error(&req, &e))?
                .and_then(|g| Scope::parse(&g).ok())
        }
        None => None,
    };
    let situation = Situation {
        session: session.as_ref(),
        login_done: pending.as_ref().is_some_and(|p| p.login_done),
        granted: granted.as_ref(),
        first_party: client.metadata.first_party,
        hint_sub: hint_sub.as_deref(),
        now,
    };
    let step = decide(&req, &situation)
        .map_err(|(code, text)| AuthorizeError::redirect(&req.reply, code, text))?;
    match (step, session) {
        (Step::Issue, Some(session)) => {
            let code = issue_code(state, &req, &session)
                .await
                .map_err(|e| server_error(&req, &e))?;
            if let Some(p) = pending {
                let _ = state
                    .store
                    .run(move |c| auth_requests::delete(c, &p.id))
                    .await;
            }
            Ok(response::success(state, &req.reply, &code, after_post))
        }
        (step, _) => {
            let id = match pending {
                Some(p) => p.id,
                None => {
                    let id = park(state, browser, &req)
                        .await
                        .map_err(|e| server_error(&req, &e))?;
                    // A new request that needs the password gets the form at once, sparing
                    // the browser a redirect and the server a request.
                    if step == Step::Login {
                        return Ok(first_page(state, browser, &id, client, &req));
                    }
                    id
                }
            };
            let page = if step == Step::Consent {
                "/consent"
            } else {
                "/login"
            };
            Ok(response::see_other(&format!("{page}?request={id}")))
        }
    }
}

fn server_error(req: &AuthorizeRequest, e: &StoreError) -> AuthorizeError {
    tracing::error!(error = %e, "authorization failed on storage");
    AuthorizeError::redirect(
        &req.reply,
        ErrorCode::ServerError,
        "the server could not complete the request",
    )
}

/// Stores the request for the login and consent pages, bound to this browser.
async fn park(
    state: &AppState,
    browser: &Browser,
    req: &AuthorizeRequest,
) -> Result<String, StoreError> {
    let now = state.clock.now();
    let row = AuthRequestRow {
        id: secrets::random_token(24),
        browser_hash: browser.hash(),
        client_id: req.client_id.clone(),
        params: serde_json::to_string(req).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        login_done: false,
        created_at: now,
        expires_at: now + state.settings.lifetimes.auth_request,
    };
    let id = row.id.clone();
    state
        .store
        .run(move |c| auth_requests::create(c, &row))
        .await?;
    Ok(id)
}

/// Creates a single-use code (256 bits, stored as SHA-256) for this request and session.
pub async fn issue_code(
    state: &AppState,
    req: &AuthorizeRequest,
    session: &SessionRow,
) -> Result<String, StoreError> {
    let (code, row) = code_row(state, req, session)?;
    state.store.run(move |c| codes::create(c, &row)).await?;
    Ok(code)
}

/// A new code for this request and session, and the row to store for it (the caller stores
/// it, possibly in a transaction with other writes).
pub fn code_row(
    state: &AppState,
    req: &AuthorizeRequest,
    session: &SessionRow,
) -> Result<(String, CodeRow), StoreError> {
    let now = state.clock.now();
    let code = secrets::random_token(32);
    let grant = Grant {
        user_id: session.user_id.clone(),
        client_id: req.client_id.clone(),
        scope: req.scope.clone(),
        redirect_uri: req.reply.redirect_uri.clone(),
        nonce: req.nonce.clone(),
        code_challenge: req.code_challenge.clone(),
        auth_time: session.auth_time,
        amr: session.amr.split(' ').map(str::to_owned).collect(),
        sid: session.sid.clone(),
        claims: req.claims.clone(),
        resource: req.resource.clone(),
    };
    let row = CodeRow {
        code_hash: secrets::digest(&code),
        client_id: req.client_id.clone(),
        user_id: session.user_id.clone(),
        grant_data: serde_json::to_string(&grant)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        created_at: now,
        expires_at: now + state.settings.lifetimes.code,
        used_at: None,
        issued_jti: None,
        issued_exp: None,
        issued_family: None,
    };
    Ok((code, row))
}

#[cfg(test)]
#[path = "flow_tests.rs"]
mod tests;

/// The login form of a just-parked request, as `/authorize` shows it straight away.
fn first_page(
    state: &AppState,
    browser: &Browser,
    request_id: &str,
    client: &Client,
    request: &AuthorizeRequest,
) -> HttpResponse {
    let uri = request.reply.redirect_uri.as_str();
    let form = LoginForm {
        request_id,
        client_name: client.display_name(),
        redirect_target: client.metadata.redirect_uri_registered(uri).then_some(uri),
    };
    let hint = request.login_hint.clone().unwrap_or_default();
    form.render(
        &state.branding,
        state.csrf.token(&browser.id),
        hint,
        None,
        actix_web::http::StatusCode::OK,
    )
}
