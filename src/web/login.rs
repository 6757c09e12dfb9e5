//! The login page: `GET /login?request=…` shows the form, `POST /login` checks the password.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::user::Username;
use crate::oauth::authorize::flow;
use crate::oauth::authorize::request::{AuthorizeError, AuthorizeRequest, RawParams};
use crate::oauth::authorize::response;
use crate::registry::{self, Client};
use crate::secrets;
use crate::startup::AppState;
use crate::store::auth_requests::{self, AuthRequestRow};
use crate::store::users::{self, UserRow};

use super::cookies::CookiePolicy;
use super::csp;
use super::pages::{self, LoginPage};
use super::session::{self, Browser};
use super::throttle;

/// A pending request with its client, as the login and consent pages need it.
pub struct Pending {
    /// The stored row.
    pub row: AuthRequestRow,
    /// The request.
    pub request: AuthorizeRequest,
    /// Its client.
    pub client: Client,
}

/// The page shown when the request id is unknown, expired, or from another browser.
pub fn expired_page(state: &AppState) -> HttpResponse {
    pages::error_page(
        &state.branding,
        StatusCode::BAD_REQUEST,
        "This sign-in has expired",
        "This sign-in link has expired or was opened in another browser. Go back to the application and start again.",
    )
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
    let found = state
        .store
        .run(move |c| {
            let Some(row) = auth_requests::get(c, &id, &hash, now)? else {
                return Ok(None);
            };
            let client = registry::get(c, &row.client_id)?;
            Ok(client.map(|client| (row, client)))
        })
        .await
        .ok()??;
    let (row, client) = found;
    let request = serde_json::from_str(&row.params).ok()?;
    Some(Pending {
        row,
        request,
        client,
    })
}

/// Parses a form body leniently (browser forms), keeping the first value of each field.
pub fn browser_form(body: &[u8]) -> RawParams {
    RawParams::new(serde_urlencoded::from_bytes(body).unwrap_or_default())
}

fn login_page(
    state: &AppState,
    browser: &Browser,
    pending: &Pending,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let client_name = Some(display_name(&pending.client));
    let mut res = pages::render(
        status,
        &LoginPage {
            brand: &state.branding,
            client_name,
            csrf_token: state.csrf.token(&browser.id),
            action: "/login".into(),
            hidden: vec![("request".into(), pending.row.id.clone())],
            username,
            error,
        },
    );
    csp::allow_form_redirects(&mut res, pending.redirect_target());
    res
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

/// The client's name for people: its registered name, else its id.
pub fn display_name(client: &Client) -> String {
    client
        .metadata
        .client_name
        .clone()
        .unwrap_or_else(|| client.client_id.clone())
}

/// Accepts a posted login or consent form: the browser cookie and CSRF token must match, and
/// the pending request must belong to this browser; otherwise the page to show instead.
pub async fn accept_form(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
) -> Result<(Browser, RawParams, Pending), HttpResponse> {
    let browser = Browser::of(req, state);
    let form = browser_form(body);
    let token = form.get("csrf_token").unwrap_or_default();
    if browser.is_new || !state.csrf.verify(&browser.id, token) {
        return Err(csrf_page(state));
    }
    let Some(pending) = load_pending(state, &browser, form.get("request")).await else {
        return Err(expired_page(state));
    };
    tracing::Span::current().record("client_id", pending.client.client_id.as_str());
    Ok((browser, form, pending))
}

/// `GET /login?request=ID`.
#[tracing::instrument(skip_all)]
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let browser = Browser::of(&req, &state);
    let query = RawParams::new(serde_urlencoded::from_str(req.query_string()).unwrap_or_default());
    let mut res = match load_pending(&state, &browser, query.get("request")).await {
        None => expired_page(&state),
        Some(p) => {
            let hint = p.request.login_hint.clone().unwrap_or_default();
            login_page(&state, &browser, &p, hint, None, StatusCode::OK)
        }
    };
    browser.attach_to(&mut res, &state);
    res
}

/// `POST /login`: username, password, csrf_token, request.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn submit(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (browser, form, pending) = match accept_form(&req, &body, &state).await {
        Ok(accepted) => accepted,
        Err(page) => return page,
    };
    let typed = form.get("username").unwrap_or_default().to_owned();
    let password = form.get("password").unwrap_or_default().to_owned();
    let username = Username::parse(&typed)
        .map(|u| u.as_str().to_owned())
        .unwrap_or_default();
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let counted_as = if username.is_empty() {
        typed.trim().to_lowercase()
    } else {
        username.clone()
    };
    let (user_key, addr_key) = throttle::keys(&counted_as, &address);
    match throttle::wait_needed(&state, user_key.clone(), addr_key.clone()).await {
        Ok(0) => {}
        Ok(wait) => {
            let text = format!("Too many failed attempts. Wait {wait} seconds, then try again.");
            let mut res = login_page(
                &state,
                &browser,
                &pending,
                typed,
                Some(text),
                StatusCode::TOO_MANY_REQUESTS,
            );
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&wait.to_string()) {
                res.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, value);
            }
            return res;
        }
        Err(e) => return unavailable(&state, &e),
    }
    let user = match check_password(&state, &username, password).await {
        Ok(user) => user,
        Err(e) => return unavailable(&state, &e),
    };
    let Some(user) = user else {
        if let Err(e) = throttle::record_failure(&state, user_key, addr_key).await {
            return unavailable(&state, &e);
        }
        let text = "The username or password is incorrect.".to_owned();
        return login_page(
            &state,
            &browser,
            &pending,
            typed,
            Some(text),
            StatusCode::BAD_REQUEST,
        );
    };
    let _ = throttle::clear(&state, user_key).await;
    complete_login(&req, &state, &browser, pending, user).await
}

/// Verifies the password on the blocking pool; unknown users cost the same hash as known ones.
async fn check_password(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<Option<UserRow>, crate::store::StoreError> {
    let name = username.to_owned();
    let user = if name.is_empty() {
        None
    } else {
        state
            .store
            .run(move |c| users::by_username(c, &name))
            .await?
    };
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.clone());
    let ok = state.passwords.verify(password, phc).await;
    Ok(user.filter(|_| ok))
}

async fn complete_login(
    req: &HttpRequest,
    state: &AppState,
    browser: &Browser,
    mut pending: Pending,
    user: UserRow,
) -> HttpResponse {
    let policy = CookiePolicy::for_issuer(&state.settings.issuer);
    let previous = req
        .cookie(policy.session())
        .map(|c| secrets::digest(c.value()));
    let (session, cookie) = match session::start(state, user.id.clone(), "pwd", previous).await {
        Ok(s) => s,
        Err(e) => return unavailable(state, &e),
    };
    let id = pending.row.id.clone();
    if let Err(e) = state
        .store
        .run(move |c| auth_requests::mark_login_done(c, &id))
        .await
    {
        return unavailable(state, &e);
    }
    pending.row.login_done = true;
    let result = flow::proceed(
        state,
        browser,
        &pending.client,
        pending.request,
        Some(session),
        Some(pending.row),
        true,
    )
    .await;
    let mut res = result.unwrap_or_else(|e: AuthorizeError| response::error(state, e, true));
    if res.add_cookie(&cookie).is_err() {
        tracing::warn!("could not set the session cookie");
    }
    res
}

fn unavailable(state: &AppState, e: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %e, "sign-in failed on storage");
    pages::error_page(
        &state.branding,
        StatusCode::SERVICE_UNAVAILABLE,
        "Service unavailable",
        "Sign-in is temporarily unavailable. Please try again in a moment.",
    )
}
