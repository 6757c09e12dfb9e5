//! `GET/POST /logout` (OIDC RP-Initiated Logout 1.0) and `POST /logout/confirm`: end the
//! browser session at once when the request is tied to it, otherwise ask first.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use url::Url;

use crate::oauth::form;
use crate::oauth::logout::{self, LogoutRequest, Refusal};
use crate::oauth::params::{self, RawParams, Repeat};
use crate::state::AppState;
use crate::store::sessions::SessionRow;
use crate::{backchannel, signout};

use super::forms::csrf_page;
use crate::oauth::session::{self, Browser};
use crate::pages::cookies::CookiePolicy;
use crate::pages::csp;
use crate::pages::{self, LogoutConfirmPage, SignedOutPage};

fn refusal_page(state: &AppState, r: &Refusal) -> HttpResponse {
    pages::error_page(&state.branding, r.status, r.title, r.message)
}

fn unavailable(state: &AppState, e: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %e, "sign-out failed on storage");
    refusal_page(
        state,
        &Refusal {
            status: StatusCode::SERVICE_UNAVAILABLE,
            title: "Service unavailable",
            message: "Signing out is temporarily unavailable. Please try again in a moment.",
        },
    )
}

/// The body of a POST as strict form parameters, or the page to show instead.
async fn posted(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<RawParams, HttpResponse> {
    let refused = |status: StatusCode| {
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "The sign-out request is too large."
        } else {
            "The sign-out request could not be read. Go back to the application and try again."
        };
        refusal_page(
            state,
            &Refusal {
                status,
                title: "This sign-out request cannot be used",
                message,
            },
        )
    };
    let body = form::read(req, payload)
        .await
        .map_err(|e| refused(e.status))?;
    form::parse(req, &body).map_err(|e| refused(e.status))
}

/// `GET /logout`.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    match params::from_query(&req, Repeat::NEVER) {
        Ok(params) => handle(&req, &state, params).await,
        Err(_) => refusal_page(
            &state,
            &Refusal {
                status: StatusCode::BAD_REQUEST,
                title: "This sign-out request cannot be used",
                message: "The sign-out request could not be read.",
            },
        ),
    }
}

/// `POST /logout` (form).
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    match posted(&req, payload, &state).await {
        Ok(params) => handle(&req, &state, params).await,
        Err(page) => page,
    }
}

async fn handle(req: &HttpRequest, state: &AppState, params: RawParams) -> HttpResponse {
    let request = match logout::parse(state, &params).await {
        Ok(r) => r,
        Err(refusal) => return refusal_page(state, &refusal),
    };
    if let Some(client) = &request.client {
        tracing::Span::current().record("client_id", client.client_id.as_str());
    }
    let session = match session::current(req, state).await {
        Ok(s) => s,
        Err(e) => return unavailable(state, &e),
    };
    match session {
        None => finish(req, state, &request),
        Some(s) if request.is_tied_to(&s) => end_and_finish(req, state, &request, s).await,
        Some(_) => confirm_page(req, state, &request),
    }
}

fn confirm_page(req: &HttpRequest, state: &AppState, request: &LogoutRequest) -> HttpResponse {
    let browser = Browser::of(req, state);
    let mut res = pages::render(
        StatusCode::OK,
        &LogoutConfirmPage {
            brand: &state.branding,
            csrf_token: state.csrf.token(&browser.id),
            action: "/logout/confirm".into(),
            hidden: request.hidden_fields(),
            client_name: request.client.as_ref().map(|c| c.display_name()),
        },
    );
    csp::allow_form_redirects(&mut res, request.redirect.as_deref());
    browser.attach_to(&mut res, state);
    res
}

/// `POST /logout/confirm`: `logout=yes|no`, `csrf_token`, and the request's parameters.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn confirm(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let params = match posted(&req, payload, &state).await {
        Ok(params) => params,
        Err(page) => return page,
    };
    let browser = Browser::of(&req, &state);
    let token = params.get("csrf_token").unwrap_or_default();
    if browser.is_new || !state.csrf.verify(&browser.id, token) {
        return csrf_page(&state);
    }
    let request = match logout::parse(&state, &params).await {
        Ok(r) => r,
        Err(refusal) => return refusal_page(&state, &refusal),
    };
    match params.get("logout") {
        Some("yes") => match session::current(&req, &state).await {
            Ok(Some(s)) => end_and_finish(&req, &state, &request, s).await,
            Ok(None) => finish(&req, &state, &request),
            Err(e) => unavailable(&state, &e),
        },
        Some("no") => pages::error_page(
            &state.branding,
            StatusCode::OK,
            "You are still signed in",
            "You chose to stay signed in. You can close this window.",
        ),
        _ => pages::error_page(
            &state.branding,
            StatusCode::BAD_REQUEST,
            "Choose whether to sign out",
            "The form was sent without a choice. Go back and choose Sign out or Stay signed in.",
        ),
    }
}

/// Ends the session (one transaction), sends back-channel logout in the background, answers.
async fn end_and_finish(
    req: &HttpRequest,
    state: &AppState,
    request: &LogoutRequest,
    session: SessionRow,
) -> HttpResponse {
    let now = state.clock.now();
    let actor = session.user_id.clone();
    let ended = state
        .store
        .run(move |c| signout::end_session(c, &session, &actor, now))
        .await;
    let ended = match ended {
        Ok(ended) => ended,
        Err(e) => return unavailable(state, &e),
    };
    let keys = state.keys.current();
    let notices = backchannel::notices(&keys, &state.settings.issuer, &[ended], now);
    state.backchannel.spawn(notices);
    finish(req, state, request)
}

/// Clears the session cookie, then redirects to the registered URI (with `state`) or shows
/// the signed-out page.
fn finish(req: &HttpRequest, state: &AppState, request: &LogoutRequest) -> HttpResponse {
    let target = request.redirect.as_deref().and_then(|uri| {
        let mut url = Url::parse(uri).ok()?;
        if let Some(s) = &request.state {
            url.query_pairs_mut().append_pair("state", s);
        }
        Some(url)
    });
    let mut res = match target {
        Some(url) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, url.as_str()))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        None => pages::render(
            StatusCode::OK,
            &SignedOutPage {
                brand: &state.branding,
            },
        ),
    };
    let policy = CookiePolicy::for_issuer(&state.settings.issuer);
    if req.cookie(policy.session()).is_some()
        && res.add_cookie(&policy.removal(policy.session())).is_err()
    {
        tracing::warn!("could not clear the session cookie");
    }
    res
}
