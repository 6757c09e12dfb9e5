//! A method an endpoint does not take: 405 with `Allow`, in the format its callers read.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;

/// Every endpoint, a method it refuses, and the methods it takes.
const REFUSED: &[(&str, &str, &str)] = &[
    ("GET", "/token", "POST"),
    ("PUT", "/token", "POST"),
    ("GET", "/introspect", "POST"),
    ("DELETE", "/revoke", "POST"),
    ("PUT", "/authorize", "GET, POST"),
    ("DELETE", "/userinfo", "GET, POST"),
    ("POST", "/jwks", "GET"),
    ("POST", "/.well-known/openid-configuration", "GET"),
    ("PUT", "/.well-known/oauth-authorization-server", "GET"),
    ("POST", "/healthz", "GET"),
    ("POST", "/readyz", "GET"),
    ("POST", "/metrics", "GET"),
    ("PUT", "/login", "GET, POST"),
    ("PATCH", "/consent", "GET, POST"),
    ("DELETE", "/logout", "GET, POST"),
    ("GET", "/logout/confirm", "POST"),
];

#[tokio::test]
async fn other_methods_get_405_with_allow_and_an_oauth_error() {
    let app = TestApp::spawn().await;
    for (method, path, allow) in REFUSED {
        let res = app
            .http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", app.address),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405, "{method} {path}");
        assert_eq!(res.headers()["allow"], *allow, "{method} {path}");
        assert_eq!(
            res.headers()["cache-control"],
            "no-store",
            "{method} {path}"
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{method} {path}");
        assert_eq!(
            body["error_description"],
            format!("this endpoint takes {allow} only"),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn a_browser_gets_a_page_for_a_method_a_page_does_not_take() {
    let app = TestApp::spawn().await;
    for path in ["/login", "/logout"] {
        let res = app
            .http
            .put(format!("{}{path}", app.address))
            .header("accept", "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405, "{path}");
        assert_eq!(res.headers()["allow"], "GET, POST", "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Method not allowed"), "{path}: {html}");
    }
}
