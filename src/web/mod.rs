//! Browser pages: the login, consent and logout handlers and the static assets.

pub mod account;
pub mod acting;
pub mod assets;
pub mod consent;
pub mod forms;
pub mod local_login;
pub mod login;
pub mod logout;
pub mod server_errors;

pub mod throttle;

pub use assets::routes;

use actix_web::web;

/// Registers the login, consent, logout and account pages.
pub fn browser_routes(cfg: &mut web::ServiceConfig) {
    use crate::ops::wrong_method;
    cfg.configure(account::routes);
    cfg.service(
        web::resource("/login")
            .app_data(web::PayloadConfig::new(16 * 1024))
            .route(web::get().to(login::show))
            .route(web::post().to(login::submit))
            .default_service(wrong_method("GET, POST")),
    )
    .service(
        web::resource("/consent")
            .app_data(web::PayloadConfig::new(16 * 1024))
            .route(web::get().to(consent::show))
            .route(web::post().to(consent::submit))
            .default_service(wrong_method("GET, POST")),
    )
    .service(
        web::resource("/logout")
            .route(web::get().to(logout::get))
            .route(web::post().to(logout::post))
            .default_service(wrong_method("GET, POST")),
    )
    .service(
        web::resource("/logout/confirm")
            .route(web::post().to(logout::confirm))
            .default_service(wrong_method("POST")),
    );
}
