//! The admin pages at `/admin`: server-rendered, usable without JavaScript, for users with
//! the role `admin` (see [`guard`]). Every change goes through [`crate::manage`] with the
//! admin as actor; the pages render and collect, they do not decide.

// A refused request is answered with its page: the `Err` of these checks is the response.
#![allow(clippy::result_large_err)]

pub mod client_edit;
pub mod clients;
pub mod dashboard;
pub mod guard;
pub mod impersonation;
pub mod keys;
pub mod resources;
pub mod sessions;
pub mod users;
pub mod view;

use actix_web::{HttpRequest, web};
use askama::Template;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::manage::PageRequest;
use crate::oauth::params::{self, RawParams, Repeat};
use crate::ops::wrong_method;
use crate::pages::Branding;

/// Items per page of the admin lists.
pub const PAGE_SIZE: u32 = 50;

/// A confirmation step before a destructive change.
#[derive(Template)]
#[template(path = "admin/confirm.html")]
pub struct Confirm<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token.
    pub csrf_token: String,
    /// The heading.
    pub title: String,
    /// What is about to happen.
    pub question: String,
    /// Where the confirming form posts.
    pub action: String,
    /// The confirming button's label.
    pub button: String,
    /// Where "cancel" goes.
    pub back: String,
}

/// The query of a page, empty when it cannot be read.
pub fn query(req: &HttpRequest) -> RawParams {
    params::from_query(req, Repeat::NEVER).unwrap_or_default()
}

/// A list's search text (`q`) and page (`after`).
pub fn list_query(query: &RawParams) -> (String, PageRequest) {
    let q = query.get("q").unwrap_or_default().trim().to_owned();
    let page = PageRequest {
        limit: Some(PAGE_SIZE),
        after: query
            .get("after")
            .filter(|a| !a.is_empty())
            .map(str::to_owned),
    };
    (q, page)
}

/// What [`enc`] escapes: everything but RFC 3986's unreserved characters.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` percent-encoded for a path segment or query value.
pub fn enc(value: &str) -> String {
    utf8_percent_encode(value, ESCAPED).to_string()
}

/// Registers the admin pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let form = || web::PayloadConfig::new(64 * 1024);
    cfg.service(
        web::scope("/admin")
            .app_data(form())
            .service(
                web::resource("")
                    .route(web::get().to(dashboard::show))
                    .default_service(wrong_method("GET")),
            )
            .service(
                web::resource("/clients")
                    .route(web::get().to(clients::list))
                    .route(web::post().to(clients::create))
                    .default_service(wrong_method("GET, POST")),
            )
            .service(
                web::resource("/clients/{client_id}")
                    .route(web::get().to(client_edit::show))
                    .default_service(wrong_method("GET")),
            )
            .service(
                web::resource("/clients/{client_id}/edit")
                    .route(web::post().to(client_edit::edit))
                    .default_service(wrong_method("POST")),
            )
            .service(
                web::resource("/clients/{client_id}/secret")
                    .route(web::post().to(clients::rotate))
                    .default_service(wrong_method("POST")),
            )
            .service(
                web::resource("/clients/{client_id}/delete")
                    .route(web::get().to(clients::confirm_delete))
                    .route(web::post().to(clients::delete))
                    .default_service(wrong_method("GET, POST")),
            )
            .service(
                web::resource("/users")
                    .route(web::get().to(users::list))
                    .route(web::post().to(users::create))
                    .default_service(wrong_method("GET, POST")),
            )
            .service(
                web::resource("/users/{id}")
                    .route(web::get().to(users::show))
                    .default_service(wrong_method("GET")),
            )
            .service(
                web::resource("/users/{id}/{action}")
                    .route(web::post().to(users::act))
                    .default_service(wrong_method("POST")),
            )
            .service(
                web::resource("/resources")
                    .route(web::get().to(resources::list))
                    .route(web::post().to(resources::create))
                    .default_service(wrong_method("GET, POST")),
            )
            .service(
                web::resource("/resources/{id}/delete")
                    .route(web::get().to(resources::confirm_delete))
                    .route(web::post().to(resources::delete))
                    .default_service(wrong_method("GET, POST")),
            )
            .service(
                web::resource("/keys")
                    .route(web::get().to(keys::list))
                    .default_service(wrong_method("GET")),
            )
            .service(
                web::resource("/keys/rotate")
                    .route(web::post().to(keys::rotate))
                    .default_service(wrong_method("POST")),
            )
            .service(
                web::resource("/sessions")
                    .route(web::get().to(sessions::list))
                    .default_service(wrong_method("GET")),
            )
            .service(
                web::resource("/sessions/{sid}/end")
                    .route(web::post().to(sessions::end))
                    .default_service(wrong_method("POST")),
            )
            .service(
                web::resource("/impersonations/{id}/stop")
                    .route(web::post().to(sessions::stop_impersonation))
                    .default_service(wrong_method("POST")),
            )
            .service(
                web::resource("/audit")
                    .route(web::get().to(sessions::audit))
                    .default_service(wrong_method("GET")),
            )
            .service(
                web::resource("/impersonation")
                    .route(web::get().to(impersonation::status))
                    .route(web::post().to(impersonation::stop))
                    .default_service(wrong_method("GET, POST")),
            ),
    );
}
