//! Reading sigil's pages in tests, with an HTML parser.

use scraper::{Html, Selector};

/// The `value` of the hidden input named `name` in an HTML page.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let selector = Selector::parse(&format!("input[name=\"{name}\"]")).ok()?;
    Html::parse_document(html)
        .select(&selector)
        .next()?
        .value()
        .attr("value")
        .map(str::to_owned)
}

/// Checks that `res` is an HTML page (no redirect) with `status` and `title`, rendered cleanly,
/// and returns its body.
pub async fn expect_page(res: reqwest::Response, status: u16, title: &str) -> String {
    assert_eq!(res.status(), status, "status of the {title:?} page");
    assert!(
        res.headers().get("location").is_none(),
        "a page, not a redirect"
    );
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let body = res.text().await.unwrap();
    assert!(body.contains("<main"), "page layout: {body}");
    assert!(body.contains(title), "{title:?} in {body}");
    for leak in ["{{", "{%", "panicked", "backtrace", "src/", "\"error\":"] {
        assert!(!body.contains(leak), "{leak:?} in {body}");
    }
    body
}

/// The text of the login page's error message, if any.
pub fn login_error(html: &str) -> Option<String> {
    let selector = Selector::parse("#login-error").ok()?;
    Html::parse_document(html)
        .select(&selector)
        .next()
        .map(|e| e.text().collect::<String>())
}
