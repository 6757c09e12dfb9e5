//! Driving the admin pages in tests: signing in through the sign-in page, reading forms,
//! and reading the audit log.

use scraper::{Html, Selector};
use serde_json::Value;

use super::TestApp;
use super::html::hidden_value;

/// The password every admin-page test user has.
pub const PASSWORD: &str = "correct horse battery";

/// The text of the error shown beside `field`, if any.
pub fn field_error(html: &str, field: &str) -> Option<String> {
    let selector = Selector::parse(&format!("#{field}-error")).ok()?;
    Html::parse_document(html)
        .select(&selector)
        .next()
        .map(|e| e.text().collect::<String>())
}

/// The text of the element `css` selects, if any.
pub fn text_of(html: &str, css: &str) -> Option<String> {
    let selector = Selector::parse(css).ok()?;
    Html::parse_document(html)
        .select(&selector)
        .next()
        .map(|e| e.text().collect::<String>())
}

/// Whether the page has an element `css` selects.
pub fn has(html: &str, css: &str) -> bool {
    let selector = Selector::parse(css).expect("selector");
    Html::parse_document(html)
        .select(&selector)
        .next()
        .is_some()
}

impl TestApp {
    /// Opens `path` without a session, follows the sign-in page as `username` and returns
    /// the page it lands on.
    pub async fn sign_in_to(&self, path: &str, username: &str) -> reqwest::Response {
        let res = self.get(path).await;
        assert_eq!(res.status(), 303, "{path} without a session");
        let login = self.follow(&res).await;
        assert_eq!(login.status(), 200);
        let res = self.submit_return_login(login, username, PASSWORD).await;
        assert_eq!(res.status(), 303, "signed in");
        assert_eq!(
            res.headers()["location"],
            path,
            "back to the page asked for"
        );
        self.follow(&res).await
    }

    /// Submits a sign-in page that returns to a page of sigil's own.
    pub async fn submit_return_login(
        &self,
        page: reqwest::Response,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let html = page.text().await.unwrap();
        let csrf = hidden_value(&html, "csrf_token").expect("csrf_token on the login page");
        let back = hidden_value(&html, "next").expect("next on the login page");
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf_token", &csrf),
                ("next", &back),
            ],
        )
        .await
    }

    /// A signed-in admin (roles `admin` plus `extra`) in this app's browser; returns its id.
    pub async fn admin_signed_in(&self, username: &str, extra: &[&str]) -> String {
        let mut roles = vec!["admin"];
        roles.extend_from_slice(extra);
        let id = self.create_user(username, PASSWORD, &roles).await;
        let page = self.sign_in_to("/admin", username).await;
        assert_eq!(page.status(), 200);
        id
    }

    /// The CSRF token of the page at `path`, and its HTML.
    pub async fn page_with_csrf(&self, path: &str) -> (String, String) {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap();
        let csrf = hidden_value(&html, "csrf_token").expect("a form with its csrf_token");
        (csrf, html)
    }

    /// Posts `form` to `path` with the CSRF token of the page at `from`.
    pub async fn post_admin(
        &self,
        from: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let (csrf, _) = self.page_with_csrf(from).await;
        let mut fields = form.to_vec();
        fields.push(("csrf_token", &csrf));
        self.post_form(path, &fields).await
    }

    /// The audit rows about `subject`, oldest first, as (actor, action, detail).
    pub async fn audit_about(&self, subject: &str) -> Vec<(String, String, Value)> {
        let filter = sigil::store::audit::AuditFilter {
            subject: Some(subject.to_owned()),
            ..Default::default()
        };
        let rows = self
            .state
            .store
            .run(move |c| sigil::store::audit::list(c, &filter))
            .await
            .unwrap();
        rows.into_iter()
            .map(|r| (r.actor, r.action, serde_json::from_str(&r.detail).unwrap()))
            .collect()
    }
}
