//! What an authorization request needs next — login, consent, or a code — as a pure decision,
//! and the rows a request parks as and a code is stored as.

use serde_json::Value;

use crate::domain::grant::Grant;
use crate::domain::scope::Scope;
use crate::error::ErrorCode;
use crate::jose::purpose::{Expiry, Own, TokenKind, verify_own};
use crate::oauth::session::Browser;
use crate::secrets;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::auth_requests::AuthRequestRow;
use crate::store::codes::CodeRow;
use crate::store::sessions::SessionRow;

use super::request::AuthorizeRequest;

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
    /// Whether the user consented to this very request.
    pub consent_done: bool,
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
    let needs_consent = !s.consent_done && (req.prompt.consent || (!s.first_party && !remembered));
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
        consent_done: false,
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

/// The row that parks `req` for the login and consent pages, bound to this browser.
pub fn park_row(
    state: &AppState,
    browser: &Browser,
    req: &AuthorizeRequest,
) -> Result<AuthRequestRow, StoreError> {
    let now = state.clock.now();
    Ok(AuthRequestRow {
        id: secrets::random_token(24),
        browser_hash: browser.hash(),
        client_id: req.client_id.clone(),
        params: serde_json::to_string(req).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        login_done: false,
        created_at: now,
        expires_at: now + state.settings.lifetimes.auth_request,
    })
}

/// A new code for this request and session, and the row to store for it (stored by
/// [`super::resume::resume`], the one place a code is written).
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
        act: session.actor_id.clone(),
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
mod tests;
