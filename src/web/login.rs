//! The login page: `GET /login?request=…` shows the form again (after consent asks for a
//! fresh sign-in; `/authorize` shows it first, through [`crate::pages::LoginForm`]), and
//! `POST /login` checks the password, then hands the request back to its owner. With `next`
//! instead of `request`, the sign-in is for one of sigil's own pages ([`super::local_login`]).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::scope::Scope;
use crate::oauth::authorize::resume::{Resume, Resumed, Writes, resume};
use crate::oauth::params::{self, Repeat};
use crate::secrets;
use crate::state::AppState;
use crate::store::auth_requests;
use crate::store::users::UserRow;
use crate::store::{StoreError, consents};

use super::forms::{Pending, checked_form, expired_page, load_pending, unreadable_page};
use super::throttle;
use crate::oauth::session::{self, Browser};
use crate::pages::cookies::CookiePolicy;
use crate::pages::{self, LoginForm};

fn login_page(
    state: &AppState,
    browser: &Browser,
    pending: &Pending,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let form = LoginForm {
        request_id: &pending.row.id,
        client_name: pending.client.display_name(),
        redirect_target: pending.redirect_target(),
    };
    form.render(
        &state.branding,
        state.csrf.token(&browser.id),
        username,
        error,
        status,
    )
}

/// `GET /login?request=ID`.
#[tracing::instrument(skip_all)]
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let browser = Browser::of(&req, &state);
    let query = match params::from_query(&req, Repeat::NEVER) {
        Ok(query) => query,
        Err(e) => return unreadable_page(&state, &e),
    };
    if query.get("request").is_none()
        && let Some(next) = query.get("next")
    {
        return super::local_login::show(&req, &state, next);
    }
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
    let (browser, form) = match checked_form(&req, &body, &state) {
        Ok(checked) => checked,
        Err(refused) => return refused.page(&state),
    };
    if form.get("request").is_none()
        && let Some(next) = form.get("next")
    {
        return super::local_login::submit(&req, &state, &browser, &form, next).await;
    }
    let typed = form.get("username").unwrap_or_default().to_owned();
    let password = form.get("password").unwrap_or_default().to_owned();
    let throttle::Counted {
        username,
        user_key,
        addr_key,
    } = throttle::counted(&req, &typed);
    let attempt = Attempt {
        request_id: form.get("request").map(str::to_owned),
        browser_hash: browser.hash(),
        username,
        user_key,
        addr_key,
    };
    let (pending, prior) = match read_prior(&state, attempt).await {
        Ok(Some(read)) => read,
        Ok(None) => return expired_page(&state),
        Err(e) => return unavailable(&state, &e),
    };
    tracing::Span::current().record("client_id", pending.client.client_id.as_str());
    if prior.wait > 0 {
        let wait = prior.wait;
        let text = format!("Too many failed attempts. Wait {wait} seconds, then try again.");
        let res = login_page(
            &state,
            &browser,
            &pending,
            typed,
            Some(text),
            StatusCode::TOO_MANY_REQUESTS,
        );
        return throttle::retry_after(res, wait);
    }
    // Unknown users cost the same hash as known ones.
    let phc = prior
        .user
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |u| u.password_hash.clone());
    let ok = state.passwords.verify(password, phc).await;
    // A wrong password stays counted: its attempt was taken before the check. A disabled
    // user fails exactly as a wrong password does, after the same hash.
    let known = prior.user.as_ref().map(|u| u.id.clone());
    let Some(user) = prior.user.filter(|u| ok && !u.disabled) else {
        throttle::record_failure(&state, known).await;
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
    let signed_in = SignedIn {
        user,
        granted: prior.granted,
        keys: prior.keys,
    };
    complete_login(&req, &state, &browser, pending, signed_in).await
}

/// Who is trying to sign in, for which pending request.
struct Attempt {
    request_id: Option<String>,
    browser_hash: String,
    username: String,
    user_key: String,
    addr_key: String,
}

/// What a sign-in reads, and the attempt it takes, before the password is checked.
struct Prior {
    /// Seconds to wait before another attempt; when above 0, no attempt was taken.
    wait: i64,
    /// The account's and the address's counter keys.
    keys: (String, String),
    /// The account the username names, if any.
    user: Option<UserRow>,
    /// Scopes the account already granted the client (third-party clients only).
    granted: Option<String>,
}

/// Reads, in one database task, the pending request (`None` when it is unknown, expired or
/// another browser's), then takes the attempt against the failure counters (or learns how
/// long to wait) and reads the account and its remembered consent.
async fn read_prior(
    state: &AppState,
    attempt: Attempt,
) -> Result<Option<(Pending, Prior)>, StoreError> {
    let now = state.clock.now();
    let read = state
        .store
        .run(move |c| {
            let Some(id) = &attempt.request_id else {
                return Ok(None);
            };
            let Some(row) = auth_requests::get(c, id, &attempt.browser_hash, now)? else {
                return Ok(None);
            };
            let wait = throttle::reserve(c, &attempt.user_key, &attempt.addr_key, now)?;
            let (user, granted) = if attempt.username.is_empty() || wait > 0 {
                (None, None)
            } else {
                match consents::user_with_grant(c, &attempt.username, &row.client_id)? {
                    Some((user, granted)) => (Some(user), granted),
                    None => (None, None),
                }
            };
            let prior = Prior {
                wait,
                keys: (attempt.user_key, attempt.addr_key),
                user,
                granted,
            };
            Ok(Some((row, prior)))
        })
        .await?;
    let Some((row, mut prior)) = read else {
        return Ok(None);
    };
    let Some(client) = state.client(&row.client_id).await? else {
        return Ok(None);
    };
    let Ok(request) = serde_json::from_str(&row.params) else {
        return Ok(None);
    };
    if client.metadata.first_party {
        prior.granted = None;
    }
    let pending = Pending {
        row,
        request,
        client,
    };
    Ok(Some((pending, prior)))
}

/// A user whose password was just accepted.
struct SignedIn {
    /// The account.
    user: UserRow,
    /// Scopes the account already granted the client.
    granted: Option<String>,
    /// The account's and the address's counter keys, whose attempt is given back.
    keys: (String, String),
}

/// Starts the session and hands the request back to its owner, which stores the session and
/// the attempt given back to the failure counters together with the request's next step.
async fn complete_login(
    req: &HttpRequest,
    state: &AppState,
    browser: &Browser,
    pending: Pending,
    signed_in: SignedIn,
) -> HttpResponse {
    let policy = CookiePolicy::for_issuer(&state.settings.issuer);
    let previous = req
        .cookie(policy.session())
        .map(|c| secrets::digest(c.value()));
    let (session, cookie) = session::fresh(
        state,
        signed_in.user.id.clone(),
        "pwd",
        session::user_agent(req),
    );
    let granted = signed_in.granted.and_then(|g| Scope::parse(&g).ok());
    let (stored, keys) = (session.clone(), signed_in.keys);
    let now = state.clock.now();
    let writes: Writes = Box::new(move |c| {
        throttle::settle_success(c, &keys.0, &keys.1)?;
        throttle::success_event(&stored.user_id).write(c, now)?;
        session::replace(c, &stored, previous.as_deref())
    });
    let r = Resume {
        request: &pending.request,
        client: &pending.client,
        pending: Some(&pending.row),
        session: Some(&session),
        login_done: true,
        consent_done: false,
        granted: granted.as_ref(),
        hint_sub: None,
    };
    let Resumed {
        mut response,
        stored,
    } = resume(state, browser, r, Some(writes)).await;
    if stored && response.add_cookie(&cookie).is_err() {
        tracing::warn!("could not set the session cookie");
    }
    response
}

/// The page shown when storage fails during a sign-in.
pub(super) fn unavailable(state: &AppState, e: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %e, "sign-in failed on storage");
    pages::error_page(
        &state.branding,
        StatusCode::SERVICE_UNAVAILABLE,
        "Service unavailable",
        "Sign-in is temporarily unavailable. Please try again in a moment.",
    )
}
