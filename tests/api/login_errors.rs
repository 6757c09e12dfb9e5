//! The login and consent pages: CSRF, expired requests, denial, the error pages
//! themselves, and what `prompt`, `login_hint` and `id_token_hint` show.

use serde_json::Value;

use crate::authorize_errors::{base, expect_error, set, signed_in};
use crate::helpers::{
    TestApp, TestClient, TestDatabase, browser, expect_page, hidden_value, location_params,
    manual_clock, pkce_pair,
};
use crate::signin::id_token_claims;

const PASSWORD: &str = "correct horse battery";

/// Starts a request for `client` (see [`base`]) with `extra` parameters.
pub async fn start(
    app: &TestApp,
    client: &TestClient,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let (_, challenge) = pkce_pair();
    let mut params = base(client, &challenge);
    params.extend_from_slice(extra);
    app.authorize(&params).await
}

/// The HTML of the login page for a fresh request, with its CSRF token and request id.
async fn login_form(app: &TestApp, client: &TestClient) -> (String, String, String) {
    let res = start(app, client, &[]).await;
    let html = expect_page(res, 200, "Sign in").await;
    let csrf = hidden_value(&html, "csrf_token").unwrap();
    let request = hidden_value(&html, "request").unwrap();
    (html, csrf, request)
}

/// Posts ada's right password on a login form with `csrf` and `request`.
async fn post_ada(app: &TestApp, csrf: &str, request: &str) -> reqwest::Response {
    let form = [
        ("username", "ada"),
        ("password", PASSWORD),
        ("csrf_token", csrf),
        ("request", request),
    ];
    app.post_form("/login", &form).await
}

/// After a refused form, the browser still has no session: `prompt=none` says so.
pub async fn expect_silent(app: &TestApp, client: &TestClient, error: &str) {
    let res = start(app, client, &[("prompt", "none")]).await;
    assert_eq!(res.status(), 302);
    let back = location_params(&res);
    assert_eq!(back["error"], error);
    assert_eq!(back["state"], "s-1");
    assert_eq!(back["iss"], app.issuer);
}

#[tokio::test]
async fn login_without_or_with_a_wrong_csrf_token_is_forbidden() {
    let app = TestApp::spawn().await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    let (_, csrf, request) = login_form(&app, &client).await;
    let wrong = format!("{}x", &csrf[1..]);
    for token in [None, Some(wrong.as_str())] {
        let mut form = vec![
            ("username", "ada"),
            ("password", PASSWORD),
            ("request", request.as_str()),
        ];
        form.extend(token.map(|t| ("csrf_token", t)));
        let res = app.post_form("/login", &form).await;
        let body = expect_page(res, 403, "Form expired").await;
        assert!(!body.contains(PASSWORD));
    }
    expect_silent(&app, &client, "login_required").await;
}

#[tokio::test]
async fn a_login_form_posted_from_another_browser_is_forbidden() {
    let mut app = TestApp::spawn().await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    let page = start(&app, &client, &[]).await;
    let first = std::mem::replace(&mut app.http, browser());
    let res = app.submit_login(page, "ada", PASSWORD).await;
    expect_page(res, 403, "Form expired").await;

    let (_, csrf, request) = login_form(&app, &client).await;
    app.http = first;
    let res = post_ada(&app, &csrf, &request).await;
    expect_page(res, 403, "Form expired").await;
    expect_silent(&app, &client, "login_required").await;
}

#[tokio::test]
async fn consent_without_or_with_a_wrong_csrf_token_is_forbidden() {
    let app = TestApp::spawn().await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    let page = start(&app, &client, &[]).await;
    let res = app.submit_login(page, "ada", PASSWORD).await;
    let html = expect_page(app.follow(&res).await, 200, "wants to access your account").await;
    let csrf = hidden_value(&html, "csrf_token").unwrap();
    let request = hidden_value(&html, "request").unwrap();
    let wrong = format!("{}x", &csrf[1..]);
    for token in [None, Some(wrong.as_str())] {
        let mut form = vec![("decision", "allow"), ("request", request.as_str())];
        form.extend(token.map(|t| ("csrf_token", t)));
        let res = app.post_form("/consent", &form).await;
        expect_page(res, 403, "Form expired").await;
    }
    expect_silent(&app, &client, "consent_required").await;
}

#[tokio::test]
async fn an_unknown_request_id_shows_the_expired_page() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    let (_, csrf, _) = login_form(&app, &client).await;
    let res = app.get("/login?request=no-such-request").await;
    expect_page(res, 400, "expired").await;
    let res = app.get("/login").await;
    expect_page(res, 400, "expired").await;
    let res = post_ada(&app, &csrf, "no-such-request").await;
    expect_page(res, 400, "expired").await;
}

#[tokio::test]
async fn an_expired_request_shows_the_expired_page() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    let (_, csrf, request) = login_form(&app, &client).await;
    clock.advance(app.state.settings.lifetimes.auth_request + 1);
    let shown = app.get(&format!("/login?request={request}")).await;
    expect_page(shown, 400, "expired").await;
    let res = post_ada(&app, &csrf, &request).await;
    expect_page(res, 400, "expired").await;
    expect_silent(&app, &client, "login_required").await;
}

/// Expects the login page refusing an attempt for `seconds` more; returns its HTML.
#[tokio::test]
async fn denying_consent_redirects_access_denied_with_state_and_iss() {
    let app = TestApp::spawn().await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    let page = start(&app, &client, &[]).await;
    let res = app.submit_login(page, "ada", PASSWORD).await;
    let page = app.follow(&res).await;
    let res = app.submit_consent(page, "deny").await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&client.redirect_uri), "{location}");
    let back = location_params(&res);
    assert_eq!(back["error"], "access_denied");
    assert_eq!(back["state"], "s-1");
    assert_eq!(back["iss"], app.issuer);
    assert!(!back.contains_key("code"));
    expect_silent(&app, &client, "consent_required").await;
}

#[tokio::test]
async fn pages_never_show_a_code_or_the_typed_password() {
    let app = TestApp::spawn().await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app
        .create_client(serde_json::json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "sigil_first_party": true,
        }))
        .await;
    let page = start(&app, &client, &[]).await;
    let res = app
        .submit_login(page, "ada", "hunter2 typed by mistake")
        .await;
    let html = expect_page(res, 400, "Sign in").await;
    assert!(!html.contains("hunter2"), "the password is not echoed");
    assert_eq!(hidden_value(&html, "username").unwrap(), "ada");

    let page = start(&app, &client, &[]).await;
    let res = app.submit_login(page, "ada", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let code = location_params(&res)["code"].clone();
    let body = res.text().await.unwrap();
    assert!(!body.contains(&code) && !body.contains(PASSWORD), "{body}");
}

#[tokio::test]
async fn a_browser_gets_a_404_page() {
    let app = TestApp::spawn().await;
    let res = app
        .http
        .get(format!("{}/no-such-page", app.address))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    expect_page(res, 404, "Page not found").await;
}

#[tokio::test]
async fn prompt_consent_shows_the_consent_page_even_when_remembered() {
    let app = TestApp::spawn().await;
    let (client, _) = signed_in(&app).await;
    let (_, challenge) = pkce_pair();
    let res = app.authorize(&base(&client, &challenge)).await;
    assert!(location_params(&res).contains_key("code"), "remembered");
    let params = set(base(&client, &challenge), "prompt", Some("consent"));
    let res = app.authorize(&params).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/consent?"), "{location}");
    let html = expect_page(app.follow(&res).await, 200, "wants to access your account").await;
    assert!(html.contains("name=\"decision\" value=\"allow\""));
}

#[tokio::test]
async fn login_hint_prefills_the_username_and_select_account_shows_the_form() {
    let app = TestApp::spawn().await;
    let (client, _) = signed_in(&app).await;
    let (_, challenge) = pkce_pair();
    let hinted = set(base(&client, &challenge), "login_hint", Some("<bob>\""));
    let hinted = set(hinted, "prompt", Some("login"));
    let html = expect_page(app.authorize(&hinted).await, 200, "Sign in").await;
    assert!(!html.contains("<bob>"), "the hint is escaped");
    assert_eq!(
        crate::helpers::hidden_value(&html, "username").unwrap(),
        "<bob>\""
    );

    let params = set(base(&client, &challenge), "prompt", Some("select_account"));
    let res = app.authorize(&params).await;
    let html = expect_page(res, 200, "Sign in").await;
    assert!(html.contains("name=\"password\""));
}

#[tokio::test]
async fn id_token_hint_is_checked_against_the_signed_in_user() {
    let mut app = TestApp::spawn().await;
    app.create_user("bob", PASSWORD, &[]).await;
    let (client, bob_tokens) = {
        let client = app.web_client("openid").await;
        let (verifier, challenge) = pkce_pair();
        let res = app
            .browser_flow(&client, "openid", &challenge, "bob", PASSWORD)
            .await;
        let code = location_params(&res)["code"].clone();
        let tokens: Value = app
            .redeem(&client, &code, &verifier)
            .await
            .json()
            .await
            .unwrap();
        (client, tokens)
    };
    app.http = browser();
    app.create_user("ada", PASSWORD, &[]).await;
    let (verifier, challenge) = pkce_pair();
    let res = app
        .browser_flow(&client, "openid", &challenge, "ada", PASSWORD)
        .await;
    let code = location_params(&res)["code"].clone();
    let ada_tokens: Value = app
        .redeem(&client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let ada_hint = ada_tokens["id_token"].as_str().unwrap();
    let bob_hint = bob_tokens["id_token"].as_str().unwrap();
    assert_ne!(
        id_token_claims(&ada_tokens)["sub"],
        id_token_claims(&bob_tokens)["sub"]
    );

    let silent = set(base(&client, &challenge), "prompt", Some("none"));
    let res = app
        .authorize(&set(silent.clone(), "id_token_hint", Some(ada_hint)))
        .await;
    assert_eq!(res.status(), 302);
    let back = location_params(&res);
    assert!(back.contains_key("code"), "{back:?}");
    assert_eq!(back["iss"], app.issuer);

    let res = app
        .authorize(&set(silent.clone(), "id_token_hint", Some(bob_hint)))
        .await;
    assert_eq!(
        expect_error(&app, &res, &client, "login_required")["state"],
        "s-1"
    );

    let res = app
        .authorize(&set(silent, "id_token_hint", Some("not.a-token")))
        .await;
    assert_eq!(
        expect_error(&app, &res, &client, "invalid_request")["state"],
        "s-1"
    );

    let shown = set(base(&client, &challenge), "id_token_hint", Some(bob_hint));
    let html = expect_page(app.authorize(&shown).await, 200, "Sign in").await;
    assert!(
        !html.contains(bob_hint),
        "the hint is not echoed on the page"
    );
}
