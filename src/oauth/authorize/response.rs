//! Authorization responses: the code (or error) back to the verified redirect URI, by query
//! or form post, always with `iss` (RFC 9207) and `state` byte for byte; or an error page.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use url::Url;

use crate::pages::{self, csp};
use crate::state::AppState;

use super::request::{AuthorizeError, ReplyTo, ResponseMode};

/// `303 See Other` to a path on this server.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The code, sent to the client.
pub fn success(state: &AppState, reply: &ReplyTo, code: &str, after_post: bool) -> HttpResponse {
    send(state, reply, vec![("code", code.to_owned())], after_post)
}

/// An error: a page when nothing can be trusted, otherwise back to the client.
pub fn error(state: &AppState, err: AuthorizeError, after_post: bool) -> HttpResponse {
    match err {
        AuthorizeError::Page { title, message } => {
            pages::error_page(&state.branding, StatusCode::BAD_REQUEST, title, &message)
        }
        AuthorizeError::Unavailable => pages::error_page(
            &state.branding,
            StatusCode::SERVICE_UNAVAILABLE,
            "Service unavailable",
            "Sign-in is temporarily unavailable. Please try again in a moment.",
        ),
        AuthorizeError::Redirect {
            to,
            code,
            description,
        } => send(
            state,
            &to,
            vec![
                ("error", code.as_str().to_owned()),
                ("error_description", description),
            ],
            after_post,
        ),
    }
}

fn send(
    state: &AppState,
    reply: &ReplyTo,
    mut params: Vec<(&'static str, String)>,
    after_post: bool,
) -> HttpResponse {
    if let Some(s) = &reply.state {
        params.push(("state", s.clone()));
    }
    params.push(("iss", state.settings.issuer.clone()));
    match reply.mode {
        ResponseMode::Query => {
            let Ok(mut url) = Url::parse(&reply.redirect_uri) else {
                return pages::error_page(
                    &state.branding,
                    StatusCode::BAD_REQUEST,
                    "Invalid redirect",
                    "The application's redirect address cannot be used.",
                );
            };
            {
                let mut pairs = url.query_pairs_mut();
                for (k, v) in &params {
                    pairs.append_pair(k, v);
                }
            }
            let mut res = if after_post {
                HttpResponse::SeeOther()
            } else {
                HttpResponse::Found()
            };
            res.insert_header((header::LOCATION, url.as_str()))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish()
        }
        ResponseMode::FormPost => {
            let fields = params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            let page = pages::FormPostPage {
                brand: &state.branding,
                action: reply.redirect_uri.clone(),
                fields,
            };
            let mut res = pages::render(StatusCode::OK, &page);
            csp::allow_form_redirects(&mut res, [reply.redirect_uri.as_str()]);
            res
        }
    }
}
