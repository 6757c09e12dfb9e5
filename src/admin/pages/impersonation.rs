//! Acting as a user from the browser: started from the user's admin page (reason required,
//! impersonators only, never as an admin), stopped from the banner every page shows, and a
//! page saying who the browser acts as.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::enc;
use super::guard::{Admin, checked_form};
use super::view;
use crate::manage::ManageError;
use crate::manage::impersonations;
use crate::oauth::params::RawParams;
use crate::pages::cookies::CookiePolicy;
use crate::pages::{self, Branding, banner};
use crate::secrets;
use crate::state::AppState;

/// What the browser is acting as.
#[derive(Template)]
#[template(path = "admin/acting.html")]
pub struct ActingPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The user acted as, if any.
    pub username: Option<String>,
}

/// `POST /admin/users/{id}/impersonation` with `impersonation=start` and `reason` (a
/// sensitive action): sets the acting cookie and shows what the browser now acts as.
pub async fn start(
    _req: &HttpRequest,
    admin: &Admin,
    state: &AppState,
    user_id: &str,
    form: &RawParams,
) -> HttpResponse {
    let back = format!("/admin/users/{}", enc(user_id));
    if form.get("impersonation") != Some("start") {
        return view::not_found(state, "There is no such action on users.");
    }
    if let Err(res) = admin.fresh(&back) {
        return res;
    }
    let reason = form.get("reason").unwrap_or_default().to_owned();
    let started = admin
        .manager
        .start_impersonation(
            admin.session.clone(),
            user_id,
            &reason,
            state.settings.lifetimes.impersonation,
        )
        .await;
    match started {
        Ok(started) => {
            let policy = CookiePolicy::for_issuer(&state.settings.issuer);
            let cookie = policy.build(policy.acting(), started.cookie, None);
            let mut res = view::see_other("/admin/impersonation");
            if res.add_cookie(&cookie).is_err() {
                tracing::warn!("could not set the acting cookie");
            }
            res
        }
        Err(ManageError::Invalid {
            field: Some(field),
            message,
            ..
        }) if field == "impersonation" => pages::error_page(
            &state.branding,
            StatusCode::FORBIDDEN,
            "Not allowed",
            &message,
        ),
        Err(e) => match view::refusal(state, e, &["reason"]) {
            Ok(errors) => {
                super::users::user_page(admin, state, user_id, None, errors, reason).await
            }
            Err(res) => res,
        },
    }
}

/// `GET /admin/impersonation`: whom this browser acts as.
#[tracing::instrument(skip_all)]
pub async fn status(state: web::Data<AppState>) -> HttpResponse {
    let page = ActingPage {
        brand: &state.branding,
        username: banner::current().map(|b| b.username),
    };
    pages::render(StatusCode::OK, &page)
}

/// `POST /admin/impersonation` with `impersonation=stop`: ends the impersonation this
/// browser holds and goes back to the user's admin page.
#[tracing::instrument(skip_all)]
pub async fn stop(req: HttpRequest, body: web::Bytes, state: web::Data<AppState>) -> HttpResponse {
    let form = match checked_form(&req, &body, &state) {
        Ok(form) => form,
        Err(res) => return res,
    };
    if form.get("impersonation") != Some("stop") {
        return view::not_found(&state, "There is no such impersonation action.");
    }
    let policy = CookiePolicy::for_issuer(&state.settings.issuer);
    let Some(acting) = req
        .cookie(policy.acting())
        .map(|c| secrets::digest(c.value()))
    else {
        return view::see_other("/admin");
    };
    let now = state.clock.now();
    let stopped = state
        .store
        .run(move |c| impersonations::stop_by_session(c, &acting, now))
        .await;
    let location = match stopped {
        Ok(Some(Some(ended))) => {
            let location = format!("/admin/users/{}?done=stopped", enc(&ended.user_id));
            let manager = crate::manage::Manager::from_state(&state);
            match manager.logout_notices(vec![ended]).await {
                Ok(notices) if !notices.is_empty() => state.backchannel.spawn(notices),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "could not sign the logout notices"),
            }
            location
        }
        Ok(_) => "/admin".to_owned(),
        Err(e) => return view::unavailable(&state, &e),
    };
    let mut res = view::see_other(&location);
    if res.add_cookie(&policy.removal(policy.acting())).is_err() {
        tracing::warn!("could not clear the acting cookie");
    }
    res
}
