//! Browser pages: the stylesheets and the content-negotiated 404.

use serde_json::Value;

use crate::helpers::TestApp;

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn get_with(app: &TestApp, path: &str, name: &str, value: &str) -> reqwest::Response {
    app.http
        .get(format!("{}{path}", app.address))
        .header(name, value)
        .send()
        .await
        .expect("request")
}

/// The `href` of the stylesheet link in `html` whose URL starts with `prefix`.
fn href(html: &str, prefix: &str) -> String {
    let start = html.find(prefix).expect("stylesheet link");
    let end = start + html[start..].find('"').expect("closing quote");
    html[start..end].to_owned()
}

async fn html_404(app: &TestApp) -> String {
    let res = get_with(app, "/no-such-page", "Accept", "text/html,*/*;q=0.8").await;
    res.text().await.unwrap()
}

#[tokio::test]
async fn stylesheets_are_css_with_etags_and_revalidate() {
    let app = TestApp::spawn().await;
    for path in ["/static/sigil.css", "/static/theme.css"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "content-type"), "text/css; charset=utf-8");
        assert_eq!(header(&res, "cache-control"), "public, no-cache");
        let etag = header(&res, "etag");
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        assert!(!res.text().await.unwrap().is_empty());

        let res = get_with(&app, path, "If-None-Match", &etag).await;
        assert_eq!(res.status(), 304, "{path}");
        assert_eq!(header(&res, "etag"), etag);
        assert!(res.text().await.unwrap().is_empty());

        let res = get_with(&app, path, "If-None-Match", "\"stale\"").await;
        assert_eq!(res.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn versioned_stylesheet_links_are_cached_for_a_year() {
    let app = TestApp::spawn().await;
    let html = html_404(&app).await;
    for prefix in ["/static/sigil.css?v=", "/static/theme.css?v="] {
        let res = app.get(&href(&html, prefix)).await;
        assert_eq!(res.status(), 200, "{prefix}");
        assert_eq!(
            header(&res, "cache-control"),
            "public, max-age=31536000, immutable"
        );
    }
}

#[tokio::test]
async fn theme_carries_the_default_accent() {
    let app = TestApp::spawn().await;
    let css = app.get("/static/theme.css").await.text().await.unwrap();
    assert!(css.contains("--accent: #2f5bd3;"), "{css}");
}

#[tokio::test]
async fn a_browser_gets_a_404_page() {
    let app = TestApp::spawn().await;
    let res = get_with(&app, "/no-such-page", "Accept", "text/html,*/*;q=0.8").await;
    assert_eq!(res.status(), 404);
    assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&res, "cache-control"), "no-store");
    assert!(header(&res, "content-security-policy").contains("default-src 'self'"));
    let body = res.text().await.unwrap();
    assert!(body.contains("Page not found"));
    assert!(body.starts_with("<!doctype html>"));
    for leak in ["not_found", "no such endpoint", "panicked", "src/", "{\""] {
        assert!(!body.contains(leak), "{leak} in {body}");
    }
    assert!(!body.contains("<script"));
}

#[tokio::test]
async fn other_clients_still_get_the_json_404() {
    let app = TestApp::spawn().await;
    for accept in [None, Some("application/json"), Some("*/*")] {
        let res = match accept {
            Some(a) => get_with(&app, "/no-such-page", "Accept", a).await,
            None => app.get("/no-such-page").await,
        };
        assert_eq!(res.status(), 404, "{accept:?}");
        assert!(header(&res, "content-type").starts_with("application/json"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "not_found", "{accept:?}");
    }
}
