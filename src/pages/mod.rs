//! What every browser page needs, below the handlers that show them: one askama template and
//! one struct per page and how they are answered, the branding, the Content-Security-Policy,
//! the cookie policy and the CSRF tokens.

pub mod account;
pub mod banner;
pub mod branding;
pub mod cookies;
pub mod csp;
pub mod csrf;
pub mod login_form;

pub use account::AccountPage;
pub use branding::Branding;
pub use login_form::LoginForm;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

/// One line of the consent page: what a scope lets the client do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeLine {
    /// The scope as requested, e.g. `email`.
    pub name: String,
    /// What it means, in plain words.
    pub description: String,
}

impl ScopeLine {
    /// The line for `scope`, with its plain-words description or a generic one.
    pub fn for_scope(scope: &str) -> Self {
        let description = match scope_description(scope) {
            Some(text) => text.to_owned(),
            None => format!("Use the \u{201c}{scope}\u{201d} permission"),
        };
        Self {
            name: scope.to_owned(),
            description,
        }
    }
}

/// What a well-known scope lets the client do, in plain words.
pub fn scope_description(scope: &str) -> Option<&'static str> {
    Some(match scope {
        "openid" => "Sign you in with your account",
        "profile" => "See your name and basic profile details",
        "email" => "See your email address",
        "phone" => "See your phone number",
        "address" => "See your postal address",
        "offline_access" => "Stay signed in when you are away",
        "roles" => "See the roles you have been given",
        _ => return None,
    })
}

/// The `response_mode=form_post` answer: hidden fields posted to the client, submitted by a
/// same-origin script (no inline script), with a button when scripts are off.
#[derive(Template)]
#[template(path = "form_post.html")]
pub struct FormPostPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The client's redirect URI.
    pub action: String,
    /// The response parameters.
    pub fields: Vec<(String, String)>,
}

/// The sign-in form: `username`, `password` and the CSRF token, posted to `action`.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The client the person is signing in to, when known.
    pub client_name: Option<String>,
    /// The CSRF token, sent back as the `csrf_token` hidden input.
    pub csrf_token: String,
    /// The form's action URL (POST).
    pub action: String,
    /// Extra hidden inputs, such as the pending request's id.
    pub hidden: Vec<(String, String)>,
    /// The username to prefill; may be empty.
    pub username: String,
    /// Why the last attempt failed, in words a person understands.
    pub error: Option<String>,
}

/// The consent form: what the client asks for, with allow and deny buttons.
#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The client asking for access.
    pub client_name: String,
    /// The client's home page; linked only when it is an http(s) URL.
    pub client_uri: Option<String>,
    /// The host of the metadata document describing the client, for a client whose
    /// `client_id` is a URL.
    pub client_host: Option<String>,
    /// The requested scopes, one line each.
    pub scopes: Vec<ScopeLine>,
    /// The CSRF token, sent back as the `csrf_token` hidden input.
    pub csrf_token: String,
    /// The form's action URL (POST).
    pub action: String,
    /// Extra hidden inputs, such as the pending request's id.
    pub hidden: Vec<(String, String)>,
    /// Who is signed in, as shown to them.
    pub user_display: String,
}

impl ConsentPage<'_> {
    /// The client's home page when it is safe to link to (http or https only).
    pub fn client_link(&self) -> Option<&str> {
        self.client_uri.as_deref().filter(|uri| {
            url::Url::parse(uri).is_ok_and(|u| matches!(u.scheme(), "https" | "http"))
        })
    }
}

/// A page explaining what went wrong, in words a person understands.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The heading, e.g. "Page not found".
    pub title: String,
    /// What happened and what to do next.
    pub message: String,
    /// The HTTP status, shown small for support requests.
    pub status: u16,
}

/// The page shown after signing out.
#[derive(Template)]
#[template(path = "signed_out.html")]
pub struct SignedOutPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
}

/// Asks whether to sign out, with `logout=yes` and `logout=no` buttons.
#[derive(Template)]
#[template(path = "logout_confirm.html")]
pub struct LogoutConfirmPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token, sent back as the `csrf_token` hidden input.
    pub csrf_token: String,
    /// The form's action URL (POST).
    pub action: String,
    /// Extra hidden inputs, such as the sign-out request's own parameters.
    pub hidden: Vec<(String, String)>,
    /// The client that asked for the sign-out, when known.
    pub client_name: Option<String>,
}

/// True when the request's `Accept` header asks for HTML, as browsers' navigations do.
pub fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("text/html"))
}

/// Renders `page` as an uncached HTML response; a template failure becomes a bare 500.
pub fn render<T: Template>(status: StatusCode, page: &T) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body),
        Err(error) => {
            tracing::error!(%error, "page template failed to render");
            HttpResponse::InternalServerError()
                .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body("Something went wrong")
        }
    }
}

/// Renders the error page with `status`, `title` and `message`.
pub fn error_page(
    brand: &Branding,
    status: StatusCode,
    title: &str,
    message: &str,
) -> HttpResponse {
    let page = ErrorPage {
        brand,
        title: title.to_owned(),
        message: message.to_owned(),
        status: status.as_u16(),
    };
    render(status, &page)
}

#[cfg(test)]
mod tests;
