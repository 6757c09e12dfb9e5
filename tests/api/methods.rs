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
    ("POST", "/jwks", "GET, HEAD"),
    ("POST", "/.well-known/openid-configuration", "GET, HEAD"),
    (
        "PUT",
        "/.well-known/oauth-authorization-server",
        "GET, HEAD",
    ),
    ("POST", "/healthz", "GET, HEAD"),
    ("POST", "/readyz", "GET, HEAD"),
    ("POST", "/metrics", "GET, HEAD"),
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

#[tokio::test]
async fn read_only_endpoints_answer_head_like_get_without_a_body() {
    let app = TestApp::spawn().await;
    for path in [
        "/jwks",
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
        "/healthz",
    ] {
        let get = app.get(path).await;
        assert_eq!(get.status(), 200, "{path}");
        let (etag, kind) = (
            get.headers().get("etag").cloned(),
            get.headers()["content-type"].clone(),
        );
        let head = app
            .http
            .head(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200, "{path}");
        assert_eq!(head.headers()["content-type"], kind, "{path}");
        assert_eq!(head.headers().get("etag").cloned(), etag, "{path}");
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
}
