//! What the login and consent pages share: the pending authorization request they answer,
//! and how a posted form is accepted (readable, from this browser, with its CSRF token) or
//! which page answers instead.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::oauth::authorize::request::AuthorizeRequest;
pub use crate::oauth::authorize::resume::expired_page;
use crate::oauth::params::{self, ParamsError, RawParams, Repeat};
use crate::oauth::session::Browser;
use crate::pages;
use crate::registry::Client;
use crate::state::AppState;
use crate::store::auth_requests::{self, AuthRequestRow};

/// A pending request with its client, as the login and consent pages need it.
pub struct Pending {
    /// The stored row.
    pub row: AuthRequestRow,
    /// The request.
    pub request: AuthorizeRequest,
    /// Its client.
    pub client: Arc<Client>,
}

/// The page shown when a form's CSRF token is missing or wrong.
pub fn csrf_page(state: &AppState) -> HttpResponse {
    pages::error_page(
        &state.branding,
        StatusCode::FORBIDDEN,
        "Form expired",
        "This form could not be accepted because it did not come from this browser's sign-in page. Go back to the application and start again.",
    )
}

/// Loads the pending request `id` for this browser.
pub async fn load_pending(
    state: &AppState,
    browser: &Browser,
    id: Option<&str>,
) -> Option<Pending> {
    let id = id?.to_owned();
    let hash = browser.hash();
    let now = state.clock.now();
    let row = state
        .store
        .run(move |c| auth_requests::get(c, &id, &hash, now))
        .await
        .ok()??;
    let client = state.client(&row.client_id).await.ok()??;
    let request = serde_json::from_str(&row.params).ok()?;
    Some(Pending {
        row,
        request,
        client,
    })
}

/// The page shown when a page's query or form cannot be read (malformed, or a field twice).
pub fn unreadable_page(state: &AppState, e: &ParamsError) -> HttpResponse {
    pages::error_page(
        &state.branding,
        StatusCode::BAD_REQUEST,
        "This form could not be read",
        &format!(
            "The page sent something this server cannot use ({e}). Go back to the application and start again."
        ),
    )
}

impl Pending {
    /// Where the answer to this request's login or consent form may redirect: its redirect
    /// URI, while the client still has it registered.
    pub fn redirect_target(&self) -> Option<&str> {
        let uri = self.request.reply.redirect_uri.as_str();
        self.client
            .metadata
            .redirect_uri_registered(uri)
            .then_some(uri)
    }
}

/// Accepts a posted consent form: the browser cookie and CSRF token must match, and the
/// pending request must belong to this browser; otherwise the page to show instead.
pub async fn accept_form(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
) -> Result<(Browser, RawParams, Pending), HttpResponse> {
    let (browser, form) = checked_form(req, body, state).map_err(|r| r.page(state))?;
    let Some(pending) = load_pending(state, &browser, form.get("request")).await else {
        return Err(expired_page(state));
    };
    tracing::Span::current().record("client_id", pending.client.client_id.as_str());
    Ok((browser, form, pending))
}

/// Why a posted form was not accepted.
pub(super) enum Refused {
    /// It could not be read.
    Unreadable(ParamsError),
    /// Its browser cookie or CSRF token does not match.
    Csrf,
}

impl Refused {
    pub(super) fn page(&self, state: &AppState) -> HttpResponse {
        match self {
            Self::Unreadable(e) => unreadable_page(state, e),
            Self::Csrf => csrf_page(state),
        }
    }
}

/// A posted form with its browser, when it reads and its browser cookie and CSRF token match.
pub(super) fn checked_form(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
) -> Result<(Browser, RawParams), Refused> {
    let browser = Browser::of(req, state);
    let form = params::from_form(req, body, Repeat::NEVER).map_err(Refused::Unreadable)?;
    let token = form.get("csrf_token").unwrap_or_default();
    if browser.is_new || !state.csrf.verify(&browser.id, token) {
        return Err(Refused::Csrf);
    }
    Ok((browser, form))
}
