//! `GET/POST /authorize`: OIDC Core authorization code flow with PKCE.

pub mod flow;
pub mod request;
pub mod request_object;
pub mod response;
pub mod resume;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::oauth::session::{self, Browser};
use crate::oauth::target;
use crate::registry::Client;
use crate::state::{AppState, ClientLookupError};

use crate::oauth::params::{self, RawParams, Repeat};
use request::{AuthorizeError, AuthorizeRequest, parse, unknown_client, unusable_document};

/// `GET /authorize` (query) and `POST /authorize` (form body, OIDC Core §3.1.2.1).
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn authorize(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let browser = Browser::of(&req, &state);
    // Duplicates are judged by `parse`, once it knows whether it may redirect.
    let params = if req.method() == actix_web::http::Method::POST {
        params::from_form(&req, &body, Repeat::ByCaller)
    } else {
        params::from_query(&req, Repeat::ByCaller)
    };
    let result = match params {
        Ok(params) => run(&req, &state, &browser, params).await,
        Err(e) => Err(AuthorizeError::page(
            "Invalid request",
            format!(
                "The sign-in request could not be read ({e}). Go back to the application and try again."
            ),
        )),
    };
    let mut res = result.unwrap_or_else(|e| response::error(&state, e, false));
    browser.attach_to(&mut res, &state);
    res
}

async fn run(
    req: &HttpRequest,
    state: &AppState,
    browser: &Browser,
    params: RawParams,
) -> Result<HttpResponse, AuthorizeError> {
    let client_id = params
        .get("client_id")
        .ok_or_else(unknown_client)?
        .to_owned();
    tracing::Span::current().record("client_id", client_id.as_str());
    let client = state
        .find_client(&client_id)
        .await
        .map_err(|e| match e {
            ClientLookupError::Store(e) => {
                tracing::error!(error = %e, "client lookup failed");
                AuthorizeError::Unavailable
            }
            ClientLookupError::Document(reason) => {
                tracing::info!(%reason, "client ID metadata document refused");
                unusable_document(&reason)
            }
        })?
        .ok_or_else(unknown_client)?;
    let params = request_object::merge(state, &client, params).await?;
    let request = parse(&params, &client)?;
    check_resource(state, &client, &request).await?;
    let session = session::current(req, state).await.map_err(|e| {
        tracing::error!(error = %e, "session lookup failed");
        AuthorizeError::redirect(
            &request.reply,
            crate::error::ErrorCode::TemporarilyUnavailable,
            "the service is temporarily unavailable",
        )
    })?;
    resume::start(state, browser, &client, &request, session.as_ref()).await
}

/// A named resource must be registered and usable by the client with the requested scope.
async fn check_resource(
    state: &AppState,
    client: &Client,
    request: &AuthorizeRequest,
) -> Result<(), AuthorizeError> {
    if request.resource.is_none() {
        return Ok(());
    }
    let refuse = |e: crate::error::OAuthError| {
        let unavailable = e.code == crate::error::ErrorCode::ServerError;
        let code = if unavailable {
            crate::error::ErrorCode::TemporarilyUnavailable
        } else {
            e.code
        };
        AuthorizeError::redirect(&request.reply, code, e.description)
    };
    let resource = target::lookup(state, request.resource.as_deref())
        .await
        .map_err(refuse)?;
    target::decide(state, client, resource.as_ref(), None, &request.scope).map_err(refuse)?;
    Ok(())
}
