//! The protocol endpoints, one module each.

pub mod authorize;
pub mod client_auth;
pub mod discovery;
pub mod form;
pub mod introspect;
pub mod jwks;
pub mod logout;
pub mod params;
pub mod register;
pub mod revoke;
pub mod session;
pub mod target;
pub mod token;
pub mod userinfo;

use actix_web::http::header::{self, ETag, EntityTag, Header, HeaderValue, IfNoneMatch};
use actix_web::{HttpRequest, HttpResponse, web};

/// The error for a response that could not be encrypted for its client: the client's key
/// server being unreachable is temporary; anything else is sigil's failure.
pub fn sealing_error(e: crate::issue::sealing::SealError) -> crate::error::OAuthError {
    use crate::error::{ErrorCode, OAuthError};
    use crate::issue::sealing::SealError;
    match e {
        SealError::Keys(keys) => {
            tracing::warn!(error = %keys, "client encryption key unavailable");
            OAuthError::new(ErrorCode::TemporarilyUnavailable, keys.to_string())
                .with_status(actix_web::http::StatusCode::SERVICE_UNAVAILABLE)
        }
        other => OAuthError::internal(&other),
    }
}

/// Registers the protocol routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::ops::{get_only, wrong_method};
    cfg.service(get_only(
        "/.well-known/openid-configuration",
        discovery::openid_configuration,
    ))
    .service(get_only(
        "/.well-known/oauth-authorization-server",
        discovery::oauth_authorization_server,
    ))
    .service(get_only("/jwks", jwks::jwks))
    .service(
        web::resource("/authorize")
            .route(web::get().to(authorize::authorize))
            .route(web::post().to(authorize::authorize))
            .default_service(wrong_method("GET, POST")),
    )
    .service(post_only("/token").route(web::post().to(token::token)))
    .service(post_only("/introspect").route(web::post().to(introspect::introspect)))
    .service(post_only("/revoke").route(web::post().to(revoke::revoke)))
    .service(
        web::resource("/userinfo")
            .route(web::get().to(userinfo::userinfo))
            .route(web::post().to(userinfo::userinfo))
            .default_service(wrong_method("GET, POST")),
    )
    .configure(register::routes);
}

/// A resource at `path` answering other methods than `POST` with the 405 error.
fn post_only(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(crate::ops::wrong_method("POST"))
}

/// The credentials of an `Authorization` value whose scheme is `scheme`, compared without
/// regard to case (RFC 9110 §11.1).
pub fn credentials<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// A public, cacheable JSON document with a strong ETag; `If-None-Match` → 304.
pub fn cacheable_json(req: &HttpRequest, body: &[u8], etag: &str, max_age: u32) -> HttpResponse {
    let cache = format!("public, max-age={max_age}");
    let ours = EntityTag::new_strong(etag.trim_matches('"').to_owned());
    // If-None-Match compares weakly (RFC 9110 §13.1.2); an unreadable header matches nothing.
    let matches = match IfNoneMatch::parse(req) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(&ours)),
        Err(_) => false,
    };
    let mut res = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::CACHE_CONTROL, cache))
        .insert_header(ETag(ours))
        .insert_header((
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ));
    if matches {
        res.finish()
    } else {
        res.content_type("application/json").body(body.to_vec())
    }
}
