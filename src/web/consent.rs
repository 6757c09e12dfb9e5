//! The consent page: `GET /consent?request=…` asks, `POST /consent` records the decision.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::scope::Scope;
use crate::error::ErrorCode;
use crate::oauth::authorize::flow;
use crate::oauth::authorize::request::AuthorizeError;
use crate::oauth::authorize::response;
use crate::oauth::authorize::resume::{Resume, Writes, resume};
use crate::oauth::params::{self, Repeat};
use crate::state::AppState;
use crate::store::{auth_requests, consents, users};

use super::forms::{accept_form, expired_page, load_pending, unreadable_page};
use crate::oauth::session::{self, Browser};
use crate::pages::csp;
use crate::pages::{self, ConsentPage, ScopeLine};

/// `GET /consent?request=ID`.
#[tracing::instrument(skip_all)]
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let browser = Browser::of(&req, &state);
    let query = match params::from_query(&req, Repeat::NEVER) {
        Ok(query) => query,
        Err(e) => return unreadable_page(&state, &e),
    };
    let Some(pending) = load_pending(&state, &browser, query.get("request")).await else {
        return expired_page(&state);
    };
    let Ok(Some(session)) = session::current(&req, &state).await else {
        return response::see_other(&format!("/login?request={}", pending.row.id));
    };
    let user_id = session.user_id.clone();
    let user = state
        .store
        .run(move |c| users::by_id(c, &user_id))
        .await
        .ok()
        .flatten();
    let user_display = user
        .map(|u| u.name.unwrap_or(u.username))
        .unwrap_or_default();
    let mut res = pages::render(
        StatusCode::OK,
        &ConsentPage {
            brand: &state.branding,
            client_name: pending.client.display_name(),
            client_uri: pending.client.metadata.client_uri.clone(),
            client_host: pending.client.document_host(),
            scopes: pending
                .request
                .scope
                .iter()
                .map(ScopeLine::for_scope)
                .collect(),
            csrf_token: state.csrf.token(&browser.id),
            action: "/consent".into(),
            hidden: vec![("request".into(), pending.row.id.clone())],
            user_display,
        },
    );
    csp::allow_form_redirects(&mut res, pending.redirect_target());
    res
}

/// `POST /consent`: decision=allow|deny, csrf_token, request.
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
    let Ok(Some(session)) = session::current(&req, &state).await else {
        return response::see_other(&format!("/login?request={}", pending.row.id));
    };
    if flow::needs_login(&state, &pending.request, &session, pending.row.login_done) {
        return response::see_other(&format!("/login?request={}", pending.row.id));
    }
    let id = pending.row.id.clone();
    match form.get("decision") {
        Some("deny") => {
            // Answered once: a concurrent answer that took the request first wins.
            match state.store.run(move |c| auth_requests::take(c, &id)).await {
                Ok(true) => {}
                Ok(false) => return expired_page(&state),
                Err(e) => tracing::error!(error = %e, "a denied request could not be removed"),
            }
            let err = AuthorizeError::redirect(
                &pending.request.reply,
                ErrorCode::AccessDenied,
                "the user denied the request",
            );
            response::error(&state, err, true)
        }
        Some("allow") => {
            let (user, client_id) = (session.user_id.clone(), pending.client.client_id.clone());
            let asked = pending.request.scope.clone();
            let now = state.clock.now();
            // The consent is stored with the code, in one transaction, by the request's owner.
            let writes: Writes = Box::new(move |c| {
                let before = consents::granted(c, &user, &client_id)?
                    .and_then(|g| Scope::parse(&g).ok())
                    .unwrap_or_default();
                let union = Scope::parse(format!("{before} {asked}").trim()).unwrap_or(asked);
                consents::grant(c, &user, &client_id, &union.to_string(), now)
            });
            let r = Resume {
                request: &pending.request,
                client: &pending.client,
                pending: Some(&pending.row),
                session: Some(&session),
                login_done: pending.row.login_done,
                consent_done: true,
                granted: None,
                hint_sub: None,
            };
            resume(&state, &browser, r, Some(writes)).await.response
        }
        _ => pages::error_page(
            &state.branding,
            StatusCode::BAD_REQUEST,
            "Choose allow or deny",
            "The form was sent without a decision. Go back and choose Allow or Deny.",
        ),
    }
}
