//! The static routes: the stylesheet embedded in the binary and the generated theme.

use std::sync::LazyLock;

use actix_web::body::MessageBody;
use actix_web::http::header::{self, EntityTag, Header, IfNoneMatch};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::pages::branding::Branding;

/// The one stylesheet, compiled into the binary so the image needs no files beside it.
pub const SIGIL_CSS: &str = include_str!("../../static/sigil.css");

/// The script that submits the form-post page, embedded in the binary.
pub const FORM_POST_JS: &str = include_str!("../../static/form_post.js");

/// Cache policy for a URL carrying the current content version: never changes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache policy for an unversioned or stale URL: keep, but revalidate with the ETag.
const REVALIDATE: &str = "public, no-cache";

static SIGIL_CSS_VERSION: LazyLock<String> = LazyLock::new(|| version_of(SIGIL_CSS));
static FORM_POST_JS_VERSION: LazyLock<String> = LazyLock::new(|| version_of(FORM_POST_JS));

/// Registers `/static/sigil.css` and `/static/theme.css` (GET and HEAD).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/static/sigil.css")
            .route(web::get().to(sigil_css))
            .route(web::head().to(sigil_css)),
    )
    .service(
        web::resource("/static/theme.css")
            .route(web::get().to(theme_css))
            .route(web::head().to(theme_css)),
    )
    .route("/static/form_post.js", web::get().to(form_post_js));
}

/// The stylesheet's URL, versioned by its content so it can be cached for a year.
pub fn sigil_css_href() -> String {
    format!("/static/sigil.css?v={}", *SIGIL_CSS_VERSION)
}

/// The theme's URL for `brand`, versioned by its content.
pub fn theme_css_href(brand: &Branding) -> String {
    format!("/static/theme.css?v={}", version_of(&brand.theme_css()))
}

/// `GET /static/sigil.css`.
pub async fn sigil_css(req: HttpRequest) -> HttpResponse {
    css_response(&req, SIGIL_CSS, &SIGIL_CSS_VERSION)
}

/// `GET /static/theme.css`: the accent colour from the registered [`Branding`].
pub async fn theme_css(req: HttpRequest, brand: Option<web::Data<Branding>>) -> HttpResponse {
    let css = match brand {
        Some(brand) => brand.theme_css(),
        None => Branding::default().theme_css(),
    };
    let version = version_of(&css);
    css_response(&req, css, &version)
}

/// `GET /static/form_post.js`.
pub async fn form_post_js(req: HttpRequest) -> HttpResponse {
    asset_response(
        &req,
        FORM_POST_JS,
        &FORM_POST_JS_VERSION,
        "text/javascript; charset=utf-8",
    )
}

fn css_response<B: MessageBody + 'static>(
    req: &HttpRequest,
    body: B,
    version: &str,
) -> HttpResponse {
    asset_response(req, body, version, "text/css; charset=utf-8")
}

fn asset_response<B: MessageBody + 'static>(
    req: &HttpRequest,
    body: B,
    version: &str,
    content_type: &'static str,
) -> HttpResponse {
    let etag = format!("\"{version}\"");
    let cache = if query_version(req) == Some(version) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    if if_none_match(req, &etag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(body)
}

/// The `v` query parameter, if any.
fn query_version(req: &HttpRequest) -> Option<&str> {
    req.query_string()
        .split('&')
        .find_map(|pair| pair.strip_prefix("v="))
}

/// True when `If-None-Match` lists `etag` (weak comparison, as RFC 9110 asks for GET) or `*`.
fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    let ours = EntityTag::new_strong(etag.trim_matches('"').to_owned());
    match IfNoneMatch::parse(req) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(&ours)),
        Err(_) => false,
    }
}

/// A short content hash: the first 16 hex digits of SHA-256.
fn version_of(content: &str) -> String {
    crate::secrets::hex(&Sha256::digest(content.as_bytes())[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn hrefs_are_versioned_by_content() {
        assert!(sigil_css_href().starts_with("/static/sigil.css?v="));
        let a = theme_css_href(&Branding::default());
        let b = theme_css_href(&Branding {
            accent_color: "#123456".into(),
            ..Branding::default()
        });
        assert_ne!(a, b);
        assert_eq!(version_of("x").len(), 16);
    }

    #[test]
    fn if_none_match_handles_lists_weak_tags_and_star() {
        let etag = "\"abc\"";
        let matches = |v: &str| {
            let req = TestRequest::default()
                .insert_header((header::IF_NONE_MATCH, v))
                .to_http_request();
            if_none_match(&req, etag)
        };
        assert!(matches("\"abc\""));
        assert!(matches("\"x\", W/\"abc\""));
        assert!(matches("*"));
        assert!(!matches("\"abcd\""));
        assert!(!if_none_match(
            &TestRequest::default().to_http_request(),
            etag
        ));
    }

    #[test]
    fn stylesheet_has_no_external_references() {
        assert!(!SIGIL_CSS.contains("@import"));
        assert!(!SIGIL_CSS.contains("url("));
    }
}
