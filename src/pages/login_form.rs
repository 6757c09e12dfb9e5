//! The login form, as `/authorize` shows it first and the login page shows it again.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use super::{Branding, LoginPage, csp, render};

/// What the login form shows and where its answer may redirect.
#[derive(Debug)]
pub struct LoginForm<'a> {
    /// The pending request's id, posted back with the form.
    pub request_id: &'a str,
    /// The client's name for people.
    pub client_name: String,
    /// Where the form's answer may redirect (the request's registered redirect URI).
    pub redirect_target: Option<&'a str>,
}

impl LoginForm<'_> {
    /// The page, with `username` filled in and `error` shown, under its CSRF token.
    pub fn render(
        &self,
        brand: &Branding,
        csrf_token: String,
        username: String,
        error: Option<String>,
        status: StatusCode,
    ) -> HttpResponse {
        let mut res = render(
            status,
            &LoginPage {
                brand,
                client_name: Some(self.client_name.clone()),
                csrf_token,
                action: "/login".into(),
                hidden: vec![("request".into(), self.request_id.to_owned())],
                username,
                error,
            },
        );
        csp::allow_form_redirects(&mut res, self.redirect_target);
        res
    }
}
