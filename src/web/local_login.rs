//! Signing in to sigil's own pages (the account page; any page of this server that needs a
//! signed-in person): `GET /login?next=/account` shows the sign-in form without an
//! application, and `POST /login` with `next` checks the password — throttled and counted
//! like every sign-in — starts a fresh session and sends the browser back to `next`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::login::unavailable;
use super::throttle;
use crate::manage::impersonations;
use crate::oauth::params::{self, RawParams, Repeat};
use crate::oauth::session::{self, Browser};
use crate::pages::cookies::CookiePolicy;
use crate::pages::{self, LoginPage};
use crate::secrets;
use crate::state::AppState;
use crate::store::users;

/// The longest path `next` may name.
const NEXT_MAX: usize = 512;

/// `value` when it is a path on this server: it starts with one `/` (not `//` nor `/\`, which
/// browsers read as another host), holds only printable ASCII and is at most 512 bytes.
pub fn local_path(value: &str) -> Option<&str> {
    let local = value.starts_with('/')
        && !value.starts_with("//")
        && !value.starts_with("/\\")
        && value.len() <= NEXT_MAX
        && value.bytes().all(|b| b.is_ascii_graphic());
    local.then_some(value)
}

/// A redirect (303) through the sign-in page, which sends the browser back to `next` (a local
/// path) once the person has signed in.
pub fn through_sign_in(next: &str) -> HttpResponse {
    let next = local_path(next).unwrap_or("/account");
    let location = format!(
        "/login?next={}",
        utf8_percent_encode(next, NON_ALPHANUMERIC)
    );
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// As [`through_sign_in`] for someone signed in who must sign in anew first (a sensitive
/// action long after their last sign-in): the page says why.
pub fn again_through_sign_in(next: &str) -> HttpResponse {
    let mut res = through_sign_in(next);
    let again = res
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .map(|l| format!("{l}&reauth=1"))
        .and_then(|l| header::HeaderValue::from_str(&l).ok());
    if let Some(location) = again {
        res.headers_mut().insert(header::LOCATION, location);
    }
    res
}

/// The sign-in form posting back `next`, with `username` filled in and `error` shown.
fn form_page(
    state: &AppState,
    browser: &Browser,
    next: &str,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let mut res = pages::render(
        status,
        &LoginPage {
            brand: &state.branding,
            client_name: None,
            csrf_token: state.csrf.token(&browser.id),
            action: "/login".into(),
            hidden: vec![("next".into(), next.to_owned())],
            username,
            error,
        },
    );
    browser.attach_to(&mut res, state);
    res
}

/// The page for a `next` that names no path on this server.
fn bad_next(state: &AppState) -> HttpResponse {
    pages::error_page(
        &state.branding,
        StatusCode::BAD_REQUEST,
        "This sign-in link is not valid",
        "The page to return to after signing in is not on this server. Open the page you wanted again.",
    )
}

/// `GET /login?next=PATH`.
pub fn show(req: &HttpRequest, state: &AppState, next: &str) -> HttpResponse {
    let Some(next) = local_path(next) else {
        return bad_next(state);
    };
    let browser = Browser::of(req, state);
    let again = params::from_query(req, Repeat::NEVER)
        .is_ok_and(|q| q.get("reauth").is_some())
        .then(|| "For your security, sign in again to continue.".to_owned());
    form_page(state, &browser, next, String::new(), again, StatusCode::OK)
}

/// `POST /login` with `next`: username, password, csrf_token (already checked), next.
pub async fn submit(
    req: &HttpRequest,
    state: &AppState,
    browser: &Browser,
    form: &RawParams,
    next: &str,
) -> HttpResponse {
    let Some(next) = local_path(next) else {
        return bad_next(state);
    };
    let typed = form.get("username").unwrap_or_default().to_owned();
    let password = form.get("password").unwrap_or_default().to_owned();
    let throttle::Counted {
        username,
        user_key,
        addr_key,
    } = throttle::counted(req, &typed);
    let now = state.clock.now();
    let (uk, ak) = (user_key.clone(), addr_key.clone());
    let prior = state
        .store
        .run(move |c| {
            let wait = throttle::reserve(c, &uk, &ak, now)?;
            let user = if wait > 0 || username.is_empty() {
                None
            } else {
                users::by_username(c, &username)?
            };
            Ok((wait, user))
        })
        .await;
    let (wait, user) = match prior {
        Ok(prior) => prior,
        Err(e) => return unavailable(state, &e),
    };
    if wait > 0 {
        let text = format!("Too many failed attempts. Wait {wait} seconds, then try again.");
        let res = form_page(
            state,
            browser,
            next,
            typed,
            Some(text),
            StatusCode::TOO_MANY_REQUESTS,
        );
        return throttle::retry_after(res, wait);
    }
    // Unknown users cost the same hash as known ones.
    let phc = user
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |u| u.password_hash.clone());
    let ok = state.passwords.verify(password, phc).await;
    let known = user.as_ref().map(|u| u.id.clone());
    let Some(user) = user.filter(|u| ok && !u.disabled) else {
        throttle::record_failure(state, known).await;
        let text = "The username or password is incorrect.".to_owned();
        return form_page(
            state,
            browser,
            next,
            typed,
            Some(text),
            StatusCode::BAD_REQUEST,
        );
    };
    start_session(req, state, user.id, (user_key, addr_key), next).await
}

/// Starts a fresh session for `user_id` (ending the browser's previous one) and gives back
/// the attempt on the counters `keys`, in one transaction; then sends the browser to `next`.
async fn start_session(
    req: &HttpRequest,
    state: &AppState,
    user_id: String,
    (user_key, addr_key): (String, String),
    next: &str,
) -> HttpResponse {
    let policy = CookiePolicy::for_issuer(&state.settings.issuer);
    let previous = req
        .cookie(policy.session())
        .map(|c| secrets::digest(c.value()));
    let acting = req
        .cookie(policy.acting())
        .map(|c| secrets::digest(c.value()));
    let (row, cookie) = session::fresh(state, user_id, "pwd", session::user_agent(req));
    let now = state.clock.now();
    let stored = state
        .store
        .run(move |c| {
            crate::store::transaction(c, |c| {
                throttle::settle_success(c, &user_key, &addr_key)?;
                throttle::success_event(&row.user_id).write(c, now)?;
                // A fresh sign-in is the person's own: an impersonation this browser held ends.
                if let Some(acting) = &acting {
                    impersonations::stop_by_session(c, acting, now)?;
                }
                session::replace(c, &row, previous.as_deref())
            })
        })
        .await;
    if let Err(e) = stored {
        return unavailable(state, &e);
    }
    let mut res = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, next.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish();
    let acting = policy.removal(policy.acting());
    if res.add_cookie(&cookie).is_err() || res.add_cookie(&acting).is_err() {
        tracing::warn!("could not set the session cookie");
    }
    res
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_server_are_returned_to() {
        assert_eq!(local_path("/account"), Some("/account"));
        assert_eq!(local_path("/admin/users?x=1"), Some("/admin/users?x=1"));
        for bad in [
            "",
            "account",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "/a b",
            "/\u{e9}",
            "/tab\there",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(600))), None);
    }
}
