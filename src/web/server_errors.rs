//! Server errors seen by a person are pages: a 5xx answered to a browser that is not already
//! HTML becomes the error page (its detail stays in the log).

use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::web;

use crate::pages::branding::Branding;
use crate::pages::{error_page, wants_html};

/// Middleware: turns non-HTML 5xx answers to browsers into the error page.
pub async fn pages_for_browsers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !res.status().is_server_error() || is_html || !wants_html(res.request()) {
        return Ok(res);
    }
    let status = res.status();
    let brand = res
        .request()
        .app_data::<web::Data<Branding>>()
        .map(|b| b.get_ref().clone())
        .unwrap_or_default();
    let (title, message) = if status == StatusCode::SERVICE_UNAVAILABLE {
        (
            "Service unavailable",
            "This service is temporarily unavailable. Please try again in a moment.",
        )
    } else {
        (
            "Something went wrong",
            "The server could not complete your request. Please try again; if it keeps happening, contact the administrator.",
        )
    };
    let page = error_page(&brand, status, title, message);
    Ok(res.into_response(page))
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    async fn boom() -> HttpResponse {
        HttpResponse::InternalServerError().json(serde_json::json!({"error": "server_error"}))
    }

    #[actix_web::test]
    async fn browsers_get_a_page_and_apis_keep_json() {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(pages_for_browsers))
                .route("/boom", web::get().to(boom)),
        )
        .await;
        let req = test::TestRequest::get()
            .uri("/boom")
            .insert_header(("Accept", "text/html"))
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = test::read_body(res).await;
        let html = String::from_utf8_lossy(&body);
        assert!(html.contains("Something went wrong"));
        assert!(!html.contains("server_error"));
        let req = test::TestRequest::get().uri("/boom").to_request();
        let res = test::call_service(&app, req).await;
        let body = test::read_body(res).await;
        assert!(String::from_utf8_lossy(&body).contains("server_error"));
    }
}
