//! Who may use the admin pages: a signed-in user with the role `admin`. A visitor without a
//! session goes through the sign-in page and comes back; anyone else gets a 403 page. Forms
//! are accepted only with this browser's CSRF token, and sensitive ones only within
//! [`FRESH_FOR`] seconds of the admin's last sign-in.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::domain::user::UserView;
use crate::manage::impersonations::{ADMIN, IMPERSONATOR};
use crate::manage::{Actor, Manager};
use crate::oauth::params::{self, RawParams, Repeat};
use crate::oauth::session::{self, Browser};
use crate::pages;
use crate::state::AppState;
use crate::store::sessions::SessionRow;
use crate::web::local_login;

/// Seconds after a sign-in that sensitive actions go ahead without signing in again.
pub const FRESH_FOR: i64 = 15 * 60;

/// A signed-in administrator, as the pages serve them.
pub struct Admin {
    /// Their session.
    pub session: SessionRow,
    /// Their account.
    pub user: UserView,
    /// Their browser.
    pub browser: Browser,
    /// The CSRF token of the forms shown to them.
    pub csrf_token: String,
    /// The management core, acting for them.
    pub manager: Manager,
    /// Now, UTC Unix seconds.
    pub now: i64,
}

impl Admin {
    /// The actor their changes are recorded as (their `sub`).
    pub fn actor(&self) -> Actor {
        Actor::new(self.user.id.clone())
    }

    /// Whether they may act as users.
    pub fn is_impersonator(&self) -> bool {
        self.user.roles.iter().any(|r| r == IMPERSONATOR)
    }

    /// Goes ahead when they signed in within [`FRESH_FOR`] seconds; else the sign-in page,
    /// returning to `back`.
    pub fn fresh(&self, back: &str) -> Result<(), HttpResponse> {
        if self.now - self.session.auth_time > FRESH_FOR {
            return Err(local_login::again_through_sign_in(back));
        }
        Ok(())
    }
}

/// The administrator of this request, or the answer instead: the sign-in page (returning to
/// the page asked for, or `back` for a form) without a session, a 403 page without the role.
pub async fn admin(req: &HttpRequest, state: &AppState, back: &str) -> Result<Admin, HttpResponse> {
    // A page asked for comes back whole, query included; a form's page is `back`.
    let asked = req.uri().path_and_query().map(|p| p.as_str());
    let back = match asked {
        Some(asked) if req.method() == actix_web::http::Method::GET => asked,
        _ => back,
    };
    let browser = Browser::of(req, state);
    let session = match session::current(req, state).await {
        Ok(Some(session)) => session,
        Ok(None) => return Err(local_login::through_sign_in(back)),
        Err(e) => return Err(super::view::unavailable(state, &e)),
    };
    let manager = Manager::from_state(state);
    let user = match manager.get_user(&session.user_id).await {
        Ok(user) => user,
        Err(crate::manage::ManageError::NotFound { .. }) => {
            return Err(local_login::through_sign_in(back));
        }
        Err(e) => return Err(super::view::unavailable(state, &e)),
    };
    if !user.roles.iter().any(|r| r == ADMIN) {
        return Err(forbidden(state));
    }
    Ok(Admin {
        csrf_token: state.csrf.token(&browser.id),
        now: state.clock.now(),
        session,
        user,
        browser,
        manager,
    })
}

/// A posted admin form: readable, with this browser's CSRF token, from an administrator.
pub async fn admin_form(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
    back: &str,
) -> Result<(Admin, RawParams), HttpResponse> {
    let form = checked_form(req, body, state)?;
    let admin = admin(req, state, back).await?;
    Ok((admin, form))
}

/// A posted form with this browser's CSRF token, else the page refusing it.
pub fn checked_form(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
) -> Result<RawParams, HttpResponse> {
    let browser = Browser::of(req, state);
    let form = params::from_form(req, body, Repeat::NEVER)
        .map_err(|e| crate::web::forms::unreadable_page(state, &e))?;
    let token = form.get("csrf_token").unwrap_or_default();
    if browser.is_new || !state.csrf.verify(&browser.id, token) {
        return Err(pages::error_page(
            &state.branding,
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form could not be accepted because it did not come from this browser. Open the page again and retry.",
        ));
    }
    Ok(form)
}

/// The page for a signed-in user without the role `admin`.
pub fn forbidden(state: &AppState) -> HttpResponse {
    pages::error_page(
        &state.branding,
        StatusCode::FORBIDDEN,
        "Administrators only",
        "You are signed in, but your account does not have the administrator role. Ask an administrator if you need access.",
    )
}
