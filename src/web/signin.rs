//! Signing in to sigil's own pages (`/admin`, …) rather than to a client: `GET
//! /login?return_to=PATH` shows the form, and `POST /login` with `return_to` (and no pending
//! request) checks the password under the same throttle as the authorization flow's sign-in,
//! starts a fresh session and sends the browser back to PATH — only ever a path on this server.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::domain::user::Username;
use crate::manage::impersonations;
use crate::oauth::params::RawParams;
use crate::oauth::session::{self, Browser};
use crate::pages::cookies::CookiePolicy;
use crate::pages::{self, LoginPage};
use crate::secrets;
use crate::state::AppState;
use crate::store::users::{self, UserRow};

use super::throttle;

/// `return_to` when it is a path on this server (`/…`, not `//…`, no backslash or control
/// character), else `None`.
pub fn local_path(raw: &str) -> Option<&str> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && !raw.chars().any(char::is_control)
        && raw.len() <= 2048;
    ok.then_some(raw)
}

/// A redirect (303) to the sign-in page, returning to `path` once signed in; `again` says the
/// person is already signed in and must prove it anew.
pub fn to_sign_in(path: &str, again: bool) -> HttpResponse {
    let mut location = format!(
        "/login?return_to={}",
        utf8_percent_encode(path, NON_ALPHANUMERIC)
    );
    if again {
        location.push_str("&reauth=1");
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The sign-in form returning to `return_to`.
pub fn form(
    state: &AppState,
    browser: &Browser,
    return_to: &str,
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
            hidden: vec![("return_to".into(), return_to.to_owned())],
            username,
            error,
        },
    );
    browser.attach_to(&mut res, state);
    res
}

/// `GET /login?return_to=PATH` (`reauth=1` when a fresh sign-in is asked for).
pub fn show(state: &AppState, browser: &Browser, query: &RawParams) -> HttpResponse {
    let Some(return_to) = query.get("return_to").and_then(local_path) else {
        return super::forms::expired_page(state);
    };
    let error = query
        .get("reauth")
        .map(|_| "For your security, sign in again to continue.".to_owned());
    form(
        state,
        browser,
        return_to,
        String::new(),
        error,
        StatusCode::OK,
    )
}

/// `POST /login` with `return_to`: username, password, csrf_token (already checked).
pub async fn submit(
    req: &HttpRequest,
    state: &AppState,
    browser: &Browser,
    form_data: &RawParams,
) -> HttpResponse {
    let Some(return_to) = form_data.get("return_to").and_then(local_path) else {
        return super::forms::expired_page(state);
    };
    let typed = form_data.get("username").unwrap_or_default().to_owned();
    let password = form_data.get("password").unwrap_or_default().to_owned();
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
    let now = state.clock.now();
    let keys = (user_key.clone(), addr_key.clone());
    let read = state
        .store
        .run(move |c| {
            let wait = throttle::reserve(c, &user_key, &addr_key, now)?;
            let user = if username.is_empty() || wait > 0 {
                None
            } else {
                users::by_username(c, &username)?
            };
            Ok((wait, user))
        })
        .await;
    let (wait, user) = match read {
        Ok(read) => read,
        Err(e) => return unavailable(state, &e),
    };
    if wait > 0 {
        let text = format!("Too many failed attempts. Wait {wait} seconds, then try again.");
        let mut res = form(
            state,
            browser,
            return_to,
            typed,
            Some(text),
            StatusCode::TOO_MANY_REQUESTS,
        );
        if let Ok(value) = header::HeaderValue::from_str(&wait.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return res;
    }
    let phc = user
        .as_ref()
        .map_or_else(|| state.dummy_hash.clone(), |u| u.password_hash.clone());
    let ok = state.passwords.verify(password, phc).await;
    let known = user.as_ref().map(|u| u.id.clone());
    let Some(user) = user.filter(|_| ok) else {
        throttle::record_failure(state, known).await;
        let text = "The username or password is incorrect.".to_owned();
        return form(
            state,
            browser,
            return_to,
            typed,
            Some(text),
            StatusCode::BAD_REQUEST,
        );
    };
    signed_in(req, state, user, keys, return_to).await
}

/// Starts the session of `user` (ending the browser's previous one), gives the attempt back
/// and sends the browser to `return_to`.
async fn signed_in(
    req: &HttpRequest,
    state: &AppState,
    user: UserRow,
    keys: (String, String),
    return_to: &str,
) -> HttpResponse {
    let policy = CookiePolicy::for_issuer(&state.settings.issuer);
    let previous = req
        .cookie(policy.session())
        .map(|c| secrets::digest(c.value()));
    let acting = req
        .cookie(policy.acting())
        .map(|c| secrets::digest(c.value()));
    let (row, cookie) = session::fresh(state, user.id, "pwd");
    let now = state.clock.now();
    let stored = state
        .store
        .run(move |c| {
            throttle::settle_success(c, &keys.0, &keys.1)?;
            throttle::success_event(&row.user_id).write(c, now)?;
            if let Some(acting) = &acting {
                impersonations::stop_by_session(c, acting, now)?;
            }
            session::replace(c, &row, previous.as_deref())
        })
        .await;
    if let Err(e) = stored {
        return unavailable(state, &e);
    }
    let mut res = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, return_to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish();
    // A fresh sign-in is the person's own: any impersonation this browser held is over.
    let acting = policy.removal(policy.acting());
    if res.add_cookie(&cookie).is_err() || res.add_cookie(&acting).is_err() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_server_are_returned_to() {
        assert_eq!(local_path("/admin/users?q=a"), Some("/admin/users?q=a"));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "admin",
            "/a\nb",
            "",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
