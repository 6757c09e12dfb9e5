//! The account page at `/account`, for every signed-in person: their profile, a password
//! change, their sessions (each with a sign-out button) and the applications they allowed
//! (each with a revoke button). A visitor without a session goes through the sign-in page
//! and comes back here. Each form posts with its CSRF token and is answered by a redirect
//! (303) back to `/account` with a flash message, or by the page again with the errors; the
//! decisions are `manage::account`'s.

mod applications;
mod page;
mod password;
mod sessions;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::forms::{Refused, checked_form};
use super::local_login;
use crate::domain::user::UserView;
use crate::manage::{Actor, ManageError, Manager};
use crate::oauth::params::RawParams;
use crate::oauth::session::{self, Browser};
use crate::pages;
use crate::signout::EndedSession;
use crate::state::AppState;
use crate::store::sessions::SessionRow;

/// The account page's path, where every answer leads back.
const ACCOUNT: &str = "/account";

/// Registers `/account` and the paths its forms post to.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::ops::wrong_method;
    let form_limit = || web::PayloadConfig::new(16 * 1024);
    cfg.service(
        web::resource(ACCOUNT)
            .route(web::get().to(page::show))
            .default_service(wrong_method("GET")),
    )
    .service(
        web::resource("/account/password")
            .app_data(form_limit())
            .route(web::post().to(password::change))
            .default_service(wrong_method("POST")),
    )
    .service(
        web::resource("/account/sessions/end")
            .app_data(form_limit())
            .route(web::post().to(sessions::end))
            .default_service(wrong_method("POST")),
    )
    .service(
        web::resource("/account/applications/revoke")
            .app_data(form_limit())
            .route(web::post().to(applications::revoke))
            .default_service(wrong_method("POST")),
    );
}

/// The signed-in person looking at their account.
pub(super) struct Visitor {
    /// Their browser (its id binds the CSRF token).
    pub browser: Browser,
    /// The session the request comes with.
    pub session: SessionRow,
    /// The account, without its password hash.
    pub user: UserView,
}

impl Visitor {
    /// The audit log's name for them: their `sub`.
    pub fn actor(&self) -> Actor {
        Actor::new(self.user.id.clone())
    }
}

/// The visitor when the request has a live session of an existing user; otherwise the
/// answer to give: the way through the sign-in page, or the page for a storage failure.
async fn visitor(req: &HttpRequest, state: &AppState) -> Result<Visitor, HttpResponse> {
    let browser = Browser::of(req, state);
    let session = match session::current(req, state).await {
        Ok(Some(session)) => session,
        Ok(None) => return Err(local_login::through_sign_in(ACCOUNT)),
        Err(e) => return Err(unavailable(state, &e)),
    };
    match Manager::from_state(state).get_user(&session.user_id).await {
        Ok(user) => Ok(Visitor {
            browser,
            session,
            user,
        }),
        Err(ManageError::NotFound { .. }) => Err(local_login::through_sign_in(ACCOUNT)),
        Err(e) => Err(unavailable(state, &e)),
    }
}

/// A form posted to the account page: readable, from this browser with its CSRF token, by a
/// signed-in person; otherwise the page (or redirect) to answer instead.
async fn posted(
    req: &HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    state: &AppState,
) -> Result<(Visitor, RawParams), HttpResponse> {
    let Ok(body) = body else {
        return Err(pages::error_page(
            &state.branding,
            StatusCode::PAYLOAD_TOO_LARGE,
            "This form is too large",
            "The form sent more than this page accepts. Go back to your account and try again with shorter values.",
        ));
    };
    let (_, form) = checked_form(req, &body, state).map_err(|refused| match refused {
        Refused::Csrf => pages::error_page(
            &state.branding,
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form could not be accepted because it did not come from your account page in this browser. Open your account page again and retry.",
        ),
        unreadable => unreadable.page(state),
    })?;
    let visitor = visitor(req, state).await?;
    Ok((visitor, form))
}

/// A 303 back to the account page, saying what was done (`done` names the flash message).
fn back(done: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{ACCOUNT}?done={done}")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The flash message that `done` names; an unknown one shows nothing.
fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "password" => "Your password was changed. You were signed out everywhere else.",
        "session" => "That session was signed out.",
        "revoked" => "The application's access was revoked. It will have to ask you again.",
        _ => return None,
    })
}

/// Sends the back-channel logout notices owed for `ended` sessions, off the request path.
async fn notify_ended(state: &AppState, ended: Vec<EndedSession>) {
    match Manager::from_state(state).logout_notices(ended).await {
        Ok(notices) => state.backchannel.spawn(notices),
        Err(e) => tracing::error!(error = %e, "back-channel logout notices could not be made"),
    }
}

/// The page for a failure the person cannot fix (storage); its detail goes to the log.
fn unavailable(state: &AppState, e: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %e, "the account page failed on storage");
    pages::error_page(
        &state.branding,
        StatusCode::SERVICE_UNAVAILABLE,
        "Service unavailable",
        "Your account cannot be shown right now. Please try again in a moment.",
    )
}
