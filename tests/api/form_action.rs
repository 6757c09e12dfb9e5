//! The Content-Security-Policy `form-action` of each page: browsers check it on every redirect
//! that follows a form submission, so a form whose answer redirects to a client must allow that
//! client's origin — and only the one its registration vouches for.

use crate::helpers::oauth::{PASSWORD, USER};
use crate::helpers::{TestApp, TestClient, expect_page, pkce_pair};

/// The policy of every page whose forms stay on this server.
const SELF_ONLY: &str = "default-src 'self'; img-src 'self' https:; frame-ancestors 'none'; \
                         form-action 'self'; base-uri 'none'";

/// The same policy, with forms also allowed to end at `origin`.
fn allowing(origin: &str) -> String {
    format!(
        "default-src 'self'; img-src 'self' https:; frame-ancestors 'none'; \
         form-action 'self' {origin}; base-uri 'none'"
    )
}

fn csp(res: &reqwest::Response) -> String {
    let values: Vec<_> = res
        .headers()
        .get_all("content-security-policy")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(values.len(), 1, "exactly one policy: {values:?}");
    values[0].clone()
}

/// GET `/authorize` for `client` at `redirect_uri`: the login form it shows.
async fn first_page(app: &TestApp, client: &TestClient, redirect_uri: &str) -> reqwest::Response {
    let (_, challenge) = pkce_pair();
    let res = app
        .authorize(&[
            ("client_id", client.id.as_str()),
            ("redirect_uri", redirect_uri),
            ("response_type", "code"),
            ("scope", "openid"),
            ("state", "s"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .await;
    assert_eq!(res.status(), 200, "the login form");
    res
}

#[tokio::test]
async fn login_and_consent_pages_allow_forms_to_end_at_the_clients_origin() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.web_client("openid").await;
    let expected = allowing("http://127.0.0.1:9");
    let login = first_page(&app, &client, &client.redirect_uri).await;
    assert_eq!(login.status(), 200);
    assert_eq!(csp(&login), expected, "the login page");
    let retry = app.submit_login(login, USER, "wrong password").await;
    assert_eq!(retry.status(), 400);
    assert_eq!(
        csp(&retry),
        expected,
        "the login page after a wrong password"
    );
    let res = app.submit_login(retry, USER, PASSWORD).await;
    assert_eq!(res.status(), 303);
    let consent = app.follow(&res).await;
    assert_eq!(consent.status(), 200);
    assert_eq!(csp(&consent), expected, "the consent page");
    let res = app.submit_consent(consent, "allow").await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("http://127.0.0.1:9/callback?code="),
        "{location}"
    );
}

#[tokio::test]
async fn only_the_origin_of_the_requested_redirect_uri_is_allowed() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app
        .create_client(serde_json::json!({
            "redirect_uris": ["http://127.0.0.1:9/callback", "https://app.example/cb"],
            "scope": "openid",
        }))
        .await;
    let login = first_page(&app, &client, "https://app.example/cb").await;
    assert_eq!(csp(&login), allowing("https://app.example"));
    let unregistered = app
        .authorize(&[
            ("client_id", client.id.as_str()),
            ("redirect_uri", "https://evil.example/cb"),
            ("response_type", "code"),
            ("scope", "openid"),
            ("code_challenge", pkce_pair().1.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .await;
    assert_eq!(csp(&unregistered), SELF_ONLY);
    expect_page(unregistered, 400, "Invalid redirect").await;
}

#[tokio::test]
async fn pages_not_tied_to_a_client_allow_forms_to_this_server_only() {
    let app = TestApp::spawn().await;
    let not_found = app
        .http
        .get(format!("{}/no-such-page", app.address))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(csp(&not_found), SELF_ONLY);
    expect_page(not_found, 404, "Page not found").await;
    let expired = app.get("/login?request=unknown").await;
    assert_eq!(csp(&expired), SELF_ONLY);
    expect_page(expired, 400, "This sign-in has expired").await;
    let unknown_client = app
        .authorize(&[
            ("client_id", "nobody"),
            ("redirect_uri", "http://127.0.0.1:9/callback"),
            ("response_type", "code"),
        ])
        .await;
    assert_eq!(csp(&unknown_client), SELF_ONLY);
    expect_page(unknown_client, 400, "Unknown application").await;
    let forged = app
        .post_form("/consent", &[("request", "x"), ("csrf_token", "x")])
        .await;
    assert_eq!(csp(&forged), SELF_ONLY);
    expect_page(forged, 403, "Form expired").await;
}

#[tokio::test]
async fn the_sign_out_confirmation_allows_the_registered_return_origin() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app
        .create_client(serde_json::json!({
            "client_name": "Logout App",
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "post_logout_redirect_uris": ["https://rp.example/signed-out"],
            "scope": "openid",
        }))
        .await;
    app.tokens_for(&client, "openid", &[]).await;
    let confirm = |params: Vec<(&'static str, String)>| {
        let http = app.http.clone();
        let url = format!("{}/logout", app.address);
        async move { http.get(url).query(&params).send().await.unwrap() }
    };
    let page = confirm(vec![
        ("client_id", client.id.clone()),
        (
            "post_logout_redirect_uri",
            "https://rp.example/signed-out".into(),
        ),
    ])
    .await;
    assert_eq!(csp(&page), allowing("https://rp.example"));
    expect_page(page, 200, "Sign out?").await;
    let page = confirm(vec![("client_id", client.id.clone())]).await;
    assert_eq!(csp(&page), SELF_ONLY, "no return address, nothing to allow");
    expect_page(page, 200, "Sign out?").await;
    let refused = confirm(vec![
        ("client_id", client.id.clone()),
        ("post_logout_redirect_uri", "https://evil.example/".into()),
    ])
    .await;
    assert_eq!(csp(&refused), SELF_ONLY);
    expect_page(refused, 400, "This sign-out request cannot be used").await;
}
