//! Operations endpoints: liveness, readiness, metrics, and the 404 answer.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{ErrorCode, OAuthError};
use crate::pages::{Branding, error_page, wants_html};
use crate::state::AppState;
use crate::telemetry::Metrics;

/// Registers `/healthz`, `/readyz` and `/metrics`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(get_only("/healthz", healthz))
        .service(get_only("/readyz", readyz))
        .service(get_only("/metrics", metrics));
}

/// A read-only resource at `path`: `GET` and `HEAD` (the same answer without its body, RFC
/// 9110 §9.3.2) go to `handler`, other methods to [`wrong_method`].
pub fn get_only<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
        .default_service(wrong_method("GET, HEAD"))
}

/// The answer to a method an endpoint does not take: 405 with `Allow: allow`, as a page for
/// browsers and as an RFC 6749 `invalid_request` for everyone else.
pub fn wrong_method(allow: &'static str) -> actix_web::Route {
    web::to(
        move |req: HttpRequest, brand: Option<web::Data<Branding>>| async move {
            let mut res = if wants_html(&req) {
                let fallback = Branding::default();
                let brand = brand.as_ref().map_or(&fallback, |b| b.get_ref());
                error_page(
                    brand,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "Method not allowed",
                    "This address cannot be used that way. Go back to the page you came from.",
                )
            } else {
                let text = format!("this endpoint takes {allow} only");
                actix_web::ResponseError::error_response(
                    &OAuthError::new(ErrorCode::InvalidRequest, text)
                        .with_status(StatusCode::METHOD_NOT_ALLOWED),
                )
            };
            res.headers_mut().insert(
                actix_web::http::header::ALLOW,
                actix_web::http::header::HeaderValue::from_static(allow),
            );
            res
        },
    )
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({"status": "ok"}))
}

/// `GET /readyz`: the database answers within two seconds.
#[tracing::instrument(skip_all)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.store.ping(Duration::from_secs(2)).await {
        Ok(()) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(serde_json::json!({"status": "ready"})),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Cache-Control", "no-store"))
                .json(
                    serde_json::json!({"status": "unavailable", "reason": "database unreachable"}),
                )
        }
    }
}

/// `GET /metrics`: Prometheus text exposition.
pub async fn metrics(state: web::Data<AppState>, metrics: web::Data<Metrics>) -> HttpResponse {
    let (connections, idle) = state.store.pool_state();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render(connections, idle))
}

/// Any unknown path: an error page for browsers, the JSON error for everyone else.
pub async fn not_found(
    req: HttpRequest,
    brand: Option<web::Data<Branding>>,
) -> Result<HttpResponse, OAuthError> {
    if wants_html(&req) {
        let fallback = Branding::default();
        let brand = brand.as_ref().map_or(&fallback, |b| b.get_ref());
        return Ok(error_page(
            brand,
            StatusCode::NOT_FOUND,
            "Page not found",
            "There is nothing at this address. Check that it is typed correctly, or go back to the page you came from.",
        ));
    }
    Err(OAuthError::new(ErrorCode::NotFound, "no such endpoint"))
}
