//! The one owner of the sign-in. `/authorize` starts a request here, and the login and
//! consent pages come back here once they have authenticated the user or recorded consent:
//! [`resume`] decides what comes next, stores it together with what the page stores, in one
//! transaction — the code is written here and nowhere else — and answers.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use crate::domain::scope::Scope;
use crate::error::ErrorCode;
use crate::oauth::session::Browser;
use crate::pages::{self, LoginForm};
use crate::registry::Client;
use crate::state::AppState;
use crate::store::auth_requests::{self, AuthRequestRow};
use crate::store::sessions::SessionRow;
use crate::store::{DbConnection, StoreError, codes, consents, transaction};

use super::flow::{self, Situation, Step};
use super::request::{AuthorizeError, AuthorizeRequest};
use super::response;

/// What a page stores in the same transaction as the request's next step.
pub type Writes = Box<dyn FnOnce(&mut DbConnection) -> Result<(), StoreError> + Send>;

/// An authorization request and what is known of its user, to be taken one step further.
#[derive(Debug, Clone, Copy)]
pub struct Resume<'a> {
    /// The request.
    pub request: &'a AuthorizeRequest,
    /// Its client.
    pub client: &'a Client,
    /// The parked request being resumed; `None` when `/authorize` starts it.
    pub pending: Option<&'a AuthRequestRow>,
    /// The browser's live session (the new one, after a login).
    pub session: Option<&'a SessionRow>,
    /// Whether the user authenticated for this very request.
    pub login_done: bool,
    /// Whether the user consented to this very request.
    pub consent_done: bool,
    /// Scopes the user had granted the client before.
    pub granted: Option<&'a Scope>,
    /// `sub` of a valid `id_token_hint`.
    pub hint_sub: Option<&'a str>,
}

/// The answer, and whether the page's writes were stored (false when a concurrent answer to
/// the same request won, or storage failed).
#[derive(Debug)]
pub struct Resumed {
    /// The HTTP answer.
    pub response: HttpResponse,
    /// Whether the writes committed.
    pub stored: bool,
}

/// Starts a request that arrived at `/authorize`: the hint and the remembered consent are read
/// here, and the request goes on as [`resume`] decides.
pub async fn start(
    state: &AppState,
    browser: &Browser,
    client: &Client,
    request: &AuthorizeRequest,
    session: Option<&SessionRow>,
) -> Result<HttpResponse, AuthorizeError> {
    let hint_sub = match &request.id_token_hint {
        None => None,
        Some(hint) => Some(flow::hint_subject(state, hint).ok_or_else(|| {
            AuthorizeError::redirect(
                &request.reply,
                ErrorCode::InvalidRequest,
                "id_token_hint is not an ID token issued here",
            )
        })?),
    };
    let granted = match session {
        Some(s) => {
            let (user, client_id) = (s.user_id.clone(), client.client_id.clone());
            state
                .store
                .run(move |c| consents::granted(c, &user, &client_id))
                .await
                .map_err(|e| server_error(request, &e))?
                .and_then(|g| Scope::parse(&g).ok())
        }
        None => None,
    };
    let r = Resume {
        request,
        client,
        pending: None,
        session,
        login_done: false,
        consent_done: false,
        granted: granted.as_ref(),
        hint_sub: hint_sub.as_deref(),
    };
    Ok(resume(state, browser, r, None).await.response)
}

/// Takes the request one step further: decides (login, consent, or a code), stores in one
/// transaction the page's `writes` with the outcome — the request parked, marked signed in,
/// or taken and answered with a new code — and answers.
pub async fn resume(
    state: &AppState,
    browser: &Browser,
    r: Resume<'_>,
    writes: Option<Writes>,
) -> Resumed {
    let req = r.request;
    let situation = Situation {
        session: r.session,
        login_done: r.login_done,
        consent_done: r.consent_done,
        // A client ID metadata document's client is asked about every time.
        granted: r.granted.filter(|_| r.client.document_host().is_none()),
        first_party: r.client.metadata.first_party,
        hint_sub: r.hint_sub,
        now: state.clock.now(),
    };
    let step = flow::decide(req, &situation);
    let planned = plan(state, browser, &r, &step);
    let Ok(plan) = planned else {
        return failed(state, req, r.pending.is_some(), planned.err());
    };
    let Plan { code, parked } = plan;
    let pending_id = r.pending.map(|p| p.id.clone());
    let code_row = code.as_ref().map(|(_, row)| row.clone());
    let park = parked.clone();
    let login_done = r.login_done;
    let written = state
        .store
        .run(move |c| store(c, pending_id, code_row, park, login_done, writes))
        .await;
    let after_post = r.pending.is_some();
    match written {
        Ok(()) => {}
        Err(StoreError::NotFound(_)) => {
            return Resumed {
                response: expired_page(state),
                stored: false,
            };
        }
        Err(e) => return failed(state, req, after_post, Some(e)),
    }
    let id = r
        .pending
        .map(|p| p.id.clone())
        .or_else(|| parked.as_ref().map(|p| p.id.clone()))
        .unwrap_or_default();
    let response = match (step, code) {
        (Ok(Step::Issue), Some((code, _))) => {
            response::success(state, &req.reply, &code, after_post)
        }
        (Ok(Step::Consent), _) => response::see_other(&format!("/consent?request={id}")),
        // A new request that needs the password gets the form at once, sparing the browser a
        // redirect and the server a request.
        (Ok(_), _) if parked.is_some() => first_page(state, browser, &id, r.client, req),
        (Ok(_), _) => response::see_other(&format!("/login?request={id}")),
        (Err((code, text)), _) => response::error(
            state,
            AuthorizeError::redirect(&req.reply, code, text),
            after_post,
        ),
    };
    Resumed {
        response,
        stored: true,
    }
}

/// What the next step stores besides the page's writes.
struct Plan {
    /// The new code and its row, when a code is issued.
    code: Option<(String, codes::CodeRow)>,
    /// The request parked for the login or consent page, when `/authorize` just got it.
    parked: Option<AuthRequestRow>,
}

fn plan(
    state: &AppState,
    browser: &Browser,
    r: &Resume<'_>,
    step: &Result<Step, (ErrorCode, &'static str)>,
) -> Result<Plan, StoreError> {
    let code = match (step, r.session) {
        (Ok(Step::Issue), Some(session)) => Some(flow::code_row(state, r.request, session)?),
        _ => None,
    };
    let parked = match (step, r.pending) {
        (Ok(Step::Login | Step::Consent), None) => Some(flow::park_row(state, browser, r.request)?),
        _ => None,
    };
    Ok(Plan { code, parked })
}

/// The one transaction of a step: a pending request answered with a code is taken first (of
/// concurrent answers exactly one wins; the others roll back as `NotFound`), then the page's
/// writes, then the code, the login mark or the parked request.
fn store(
    c: &mut DbConnection,
    pending_id: Option<String>,
    code: Option<codes::CodeRow>,
    parked: Option<AuthRequestRow>,
    login_done: bool,
    writes: Option<Writes>,
) -> Result<(), StoreError> {
    let single = writes.is_none() && pending_id.is_none();
    let work = move |c: &mut DbConnection| {
        if let (Some(_), Some(id)) = (&code, &pending_id)
            && !auth_requests::take(c, id)?
        {
            return Err(StoreError::NotFound("pending request"));
        }
        if let Some(writes) = writes {
            writes(c)?;
        }
        match (&code, &pending_id, &parked) {
            (Some(row), _, _) => codes::create(c, row),
            (None, Some(id), _) if login_done => auth_requests::mark_login_done(c, id),
            (None, None, Some(row)) => auth_requests::create(c, row),
            _ => Ok(()),
        }
    };
    // A request that only parks or only gets its code writes one row: no transaction needed.
    if single {
        work(c)
    } else {
        transaction(c, work)
    }
}

fn failed(
    state: &AppState,
    req: &AuthorizeRequest,
    after_post: bool,
    e: Option<StoreError>,
) -> Resumed {
    if let Some(e) = &e {
        tracing::error!(error = %e, "authorization failed on storage");
    }
    let err = AuthorizeError::redirect(
        &req.reply,
        ErrorCode::ServerError,
        "the server could not complete the request",
    );
    Resumed {
        response: response::error(state, err, after_post),
        stored: false,
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
        StatusCode::OK,
    )
}

/// The page shown when a request is unknown, expired, taken, or from another browser.
pub fn expired_page(state: &AppState) -> HttpResponse {
    pages::error_page(
        &state.branding,
        StatusCode::BAD_REQUEST,
        "This sign-in has expired",
        "This sign-in link has expired or was opened in another browser. Go back to the application and start again.",
    )
}
