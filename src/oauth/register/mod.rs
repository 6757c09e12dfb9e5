//! `/register` (RFC 7591) and `/register/{client_id}` (RFC 7592): clients registering
//! themselves, as `SIGIL_REGISTRATION` allows, through the management core. Each handler
//! parses, calls `manage`, and answers.

pub mod limit;
pub mod parse;
pub mod respond;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::config::RegistrationMode;
use crate::domain::client_metadata::SelfServiceRules;
use crate::manage::Manager;
use crate::state::AppState;
pub use limit::RegistrationLimiter;
use parse::Gate;

/// Registers the routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::ops::wrong_method;
    cfg.service(
        web::resource("/register")
            .route(web::post().to(register))
            .default_service(wrong_method("POST")),
    )
    .service(
        web::resource("/register/{client_id}")
            .route(web::get().to(read))
            .route(web::put().to(update))
            .route(web::delete().to(delete))
            .default_service(wrong_method("GET, PUT, DELETE")),
    );
}

/// What self-registration may ask, from the settings.
fn rules(state: &AppState) -> SelfServiceRules {
    SelfServiceRules {
        client_credentials: state.settings.self_service.client_credentials,
        https_for_web: true,
    }
}

/// The answer before any work when registration is off or the address is over its limit.
fn refused_early(
    state: &AppState,
    limiter: &RegistrationLimiter,
    req: &HttpRequest,
) -> Option<HttpResponse> {
    if state.settings.self_service.registration == RegistrationMode::Off {
        return Some(gate(Gate::Off));
    }
    let wait = limiter.check(req).err()?;
    tracing::warn!("registration rate limit reached");
    let mut res = respond::error_body(
        StatusCode::TOO_MANY_REQUESTS,
        "temporarily_unavailable",
        "too many registration requests from this address, try again later",
    );
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    if let Ok(value) = seconds.max(1).to_string().parse() {
        res.headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, value);
    }
    Some(res)
}

fn gate(g: Gate) -> HttpResponse {
    match g {
        Gate::Off => respond::error_body(StatusCode::NOT_FOUND, "not_found", "no such endpoint"),
        Gate::NoToken => respond::unauthorized("an access token is required", false),
    }
}

/// `POST /register`: RFC 7591 registration.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn register(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    limiter: web::Data<RegistrationLimiter>,
) -> HttpResponse {
    if let Some(res) = refused_early(&state, &limiter, &req) {
        return res;
    }
    let access = match parse::access(&req, state.settings.self_service.registration) {
        Ok(access) => access,
        Err(g) => return gate(g),
    };
    let json = match parse::metadata(&body) {
        Ok(json) => json,
        Err(e) => {
            return respond::error_body(StatusCode::BAD_REQUEST, e.code.as_str(), &e.description);
        }
    };
    let manage = Manager::from_state(&state);
    match manage.register_client(json, rules(&state), access).await {
        Ok(reg) => {
            tracing::Span::current().record("client_id", reg.client.client.client_id());
            tracing::info!("client registered itself");
            respond::registered(&state.settings.issuer, &reg, StatusCode::CREATED)
        }
        Err(e) => respond::error(&e),
    }
}

/// The path's client id and the request's registration access token.
fn holder(req: &HttpRequest, path: &web::Path<String>) -> Option<(String, String)> {
    let id = path.as_str().to_owned();
    tracing::Span::current().record("client_id", id.as_str());
    Some((id, parse::bearer(req)?))
}

/// `GET /register/{client_id}`: RFC 7592 §2.1 read.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn read(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    limiter: web::Data<RegistrationLimiter>,
) -> HttpResponse {
    if let Some(res) = refused_early(&state, &limiter, &req) {
        return res;
    }
    let Some((id, token)) = holder(&req, &path) else {
        return gate(Gate::NoToken);
    };
    match Manager::from_state(&state)
        .read_registration(&id, &token)
        .await
    {
        Ok(client) => respond::read(&state.settings.issuer, &client),
        Err(e) => respond::error(&e),
    }
}

/// `PUT /register/{client_id}`: RFC 7592 §2.2 update; the registration access token rotates
/// and the cached client is dropped.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn update(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
    limiter: web::Data<RegistrationLimiter>,
) -> HttpResponse {
    if let Some(res) = refused_early(&state, &limiter, &req) {
        return res;
    }
    let Some((id, token)) = holder(&req, &path) else {
        return gate(Gate::NoToken);
    };
    let manage = Manager::from_state(&state);
    // The token is judged before the body, so a stranger learns nothing from the answer.
    if let Err(e) = manage.read_registration(&id, &token).await {
        return respond::error(&e);
    }
    let (json, secret) = match parse::update(&body, &id) {
        Ok(parts) => parts,
        Err(e) => {
            return respond::error_body(StatusCode::BAD_REQUEST, e.code.as_str(), &e.description);
        }
    };
    let update = crate::manage::registration::Update {
        json,
        client_secret: secret,
    };
    match manage
        .replace_registration(&id, &token, update, rules(&state))
        .await
    {
        Ok(reg) => respond::registered(&state.settings.issuer, &reg, StatusCode::OK),
        Err(e) => respond::error(&e),
    }
}

/// `DELETE /register/{client_id}`: RFC 7592 §2.3 deregistration (204); the cached client is
/// dropped with it.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn delete(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
    limiter: web::Data<RegistrationLimiter>,
) -> HttpResponse {
    if let Some(res) = refused_early(&state, &limiter, &req) {
        return res;
    }
    let Some((id, token)) = holder(&req, &path) else {
        return gate(Gate::NoToken);
    };
    match Manager::from_state(&state)
        .delete_registration(&id, &token)
        .await
    {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(e) => respond::error(&e),
    }
}
