//! Parameters are read one way everywhere: a malformed query or form, or a parameter given
//! twice, gets the same answer at every endpoint — RFC 6749 JSON on the OAuth endpoints, a
//! page in the browser — in the same words.

use crate::helpers::TestApp;
use crate::helpers::oauth::assert_error;

const MALFORMED: &str = "the parameters are not a valid form";

async fn post_raw(app: &TestApp, path: &str, body: &'static str) -> reqwest::Response {
    app.http
        .post(format!("{}{path}", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn oauth_endpoints_refuse_malformed_and_repeated_parameters_alike() {
    let app = TestApp::spawn().await;
    for path in ["/token", "/introspect", "/revoke"] {
        let body = assert_error(
            post_raw(&app, path, "token=a%G1").await,
            400,
            "invalid_request",
        )
        .await;
        assert_eq!(body["error_description"], MALFORMED, "{path}");
        let body = assert_error(
            post_raw(&app, path, "token=a&token=b&grant_type=x&grant_type=y").await,
            400,
            "invalid_request",
        )
        .await;
        let text = body["error_description"].as_str().unwrap();
        assert!(text.ends_with("is given more than once"), "{path}: {text}");
    }
}

#[tokio::test]
async fn pages_refuse_malformed_and_repeated_parameters_alike() {
    let app = TestApp::spawn().await;
    let page = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 400);
        let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        res.text().await.unwrap()
    };
    let html = page(app.get("/authorize?client_id=%G1").await).await;
    assert!(html.contains(MALFORMED), "{html}");
    for path in ["/login?request=%G1", "/consent?request=%ZZ"] {
        let html = page(app.get(path).await).await;
        assert!(html.contains(MALFORMED), "{path}");
    }
    for path in ["/login?request=a&request=b", "/consent?request=a&request=b"] {
        let html = page(app.get(path).await).await;
        assert!(
            html.contains("parameter request is given more than once"),
            "{path}"
        );
    }
    let html = page(post_raw(&app, "/login", "csrf_token=a&csrf_token=b").await).await;
    assert!(html.contains("parameter csrf_token is given more than once"));
    let html = page(post_raw(&app, "/consent", "decision=%FF").await).await;
    assert!(html.contains(MALFORMED));
    page(app.get("/logout?state=a&state=b").await).await;
    page(app.get("/logout?state=%G1").await).await;
}
