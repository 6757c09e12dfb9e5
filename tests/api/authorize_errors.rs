//! `/authorize` and code redemption refusals: what is redirected back (with `error`, `state`
//! and `iss`, RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6, RFC 9207) and what stops on a page.

use std::collections::HashMap;

use serde_json::Value;

use crate::helpers::{TestApp, TestClient, expect_page, location_params, pkce_pair};

const PASSWORD: &str = "correct horse battery";

/// A valid request for `client`: code flow, `openid`, `state=s-1`, S256 PKCE.
pub fn base<'a>(client: &'a TestClient, challenge: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", client.id.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "s-1"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
}

/// `params` with `key` replaced by `value`, or removed when `value` is `None`.
pub fn set<'a>(
    mut params: Vec<(&'a str, &'a str)>,
    key: &'a str,
    value: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    params.retain(|(k, _)| *k != key);
    params.extend(value.map(|v| (key, v)));
    params
}

/// Checks an error redirect to `client` carrying `error` and `iss`; returns its parameters.
pub fn expect_error(
    app: &TestApp,
    res: &reqwest::Response,
    client: &TestClient,
    error: &str,
) -> HashMap<String, String> {
    assert_eq!(res.status(), 302, "an error redirect");
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&client.redirect_uri), "{location}");
    let params = location_params(res);
    assert_eq!(params["error"], error, "{location}");
    assert!(!params["error_description"].is_empty());
    assert_eq!(params["iss"], app.issuer, "iss in every error redirect");
    assert!(!params.contains_key("code"));
    params
}

/// Refused with `error`, `state=s-1` and `iss`.
async fn expect_refused(app: &TestApp, params: &[(&str, &str)], client: &TestClient, error: &str) {
    let res = app.authorize(params).await;
    let back = expect_error(app, &res, client, error);
    assert_eq!(back["state"], "s-1", "{params:?}");
}

/// Signs in through the browser flow and redeems the code: (client, tokens).
pub async fn signed_in(app: &TestApp) -> (TestClient, Value) {
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid profile").await;
    let (verifier, challenge) = pkce_pair();
    let res = app
        .browser_flow(&client, "openid", &challenge, "ada", PASSWORD)
        .await;
    let code = location_params(&res)["code"].clone();
    let tokens = app.redeem(&client, &code, &verifier).await.json().await;
    (client, tokens.unwrap())
}

async fn token_error(res: reqwest::Response, status: u16, error: &str) {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
}

#[tokio::test]
async fn a_public_client_without_code_challenge_gets_invalid_request() {
    let app = TestApp::spawn().await;
    let client = app
        .create_client(serde_json::json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "token_endpoint_auth_method": "none",
        }))
        .await;
    assert!(client.secret.is_none(), "a public client");
    let params = set(base(&client, ""), "code_challenge", None);
    expect_refused(&app, &params, &client, "invalid_request").await;
}

#[tokio::test]
async fn a_confidential_client_without_code_challenge_gets_invalid_request() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    assert!(client.secret.is_some(), "a confidential client");
    let params = set(base(&client, ""), "code_challenge", None);
    expect_refused(&app, &params, &client, "invalid_request").await;
}

#[tokio::test]
async fn the_plain_code_challenge_method_is_refused() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    let (verifier, _) = pkce_pair();
    let params = set(
        base(&client, &verifier),
        "code_challenge_method",
        Some("plain"),
    );
    expect_refused(&app, &params, &client, "invalid_request").await;
}

#[tokio::test]
async fn a_wrong_code_verifier_is_invalid_grant() {
    let app = TestApp::spawn().await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let (other_verifier, _) = pkce_pair();
    let res = app
        .browser_flow(&client, "openid", &challenge, "ada", PASSWORD)
        .await;
    let code = location_params(&res)["code"].clone();
    let res = app.redeem(&client, &code, &other_verifier).await;
    token_error(res, 400, "invalid_grant").await;
}

#[tokio::test]
async fn a_reused_code_is_refused_and_revokes_the_first_access_token() {
    let app = TestApp::spawn().await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    let (verifier, challenge) = pkce_pair();
    let res = app
        .browser_flow(&client, "openid", &challenge, "ada", PASSWORD)
        .await;
    let code = location_params(&res)["code"].clone();
    let first = app.redeem(&client, &code, &verifier).await;
    assert_eq!(first.status(), 200);
    let tokens: Value = first.json().await.unwrap();
    let access_token = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(access_token).await.status(), 200);

    let second = app.redeem(&client, &code, &verifier).await;
    token_error(second, 400, "invalid_grant").await;

    let res = app.userinfo(access_token).await;
    assert_eq!(res.status(), 401);
    let challenge = res.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let events = app
        .state
        .store
        .run(|c| sigil::store::audit::list(c, &Default::default()))
        .await
        .unwrap();
    let reuse = events.iter().find(|e| e.action == "code.reuse");
    let reuse = reuse.expect("a code.reuse audit row");
    assert_eq!(reuse.actor, client.id);
    assert!(!reuse.detail.contains(&code), "no code in the audit log");
}

#[tokio::test]
async fn another_clients_code_is_invalid_grant_and_stays_usable_by_its_owner() {
    let app = TestApp::spawn().await;
    app.create_user("ada", PASSWORD, &[]).await;
    let owner = app.web_client("openid").await;
    let thief = app.web_client("openid").await;
    let (verifier, challenge) = pkce_pair();
    let res = app
        .browser_flow(&owner, "openid", &challenge, "ada", PASSWORD)
        .await;
    let code = location_params(&res)["code"].clone();
    let res = app.redeem(&thief, &code, &verifier).await;
    token_error(res, 400, "invalid_grant").await;
    let res = app.redeem(&owner, &code, &verifier).await;
    assert_eq!(res.status(), 200, "the owner still redeems it");
}

#[tokio::test]
async fn a_redirect_uri_that_is_not_registered_exactly_stops_on_a_page() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    assert_eq!(client.redirect_uri, "http://127.0.0.1:9/callback");
    let (_, challenge) = pkce_pair();
    for wrong in [
        "http://127.0.0.1:9/callbacc",
        "http://127.0.0.1:9/callback/",
        "http://127.0.0.1:9/Callback",
        "http://127.0.0.1:9/callback?x=1",
    ] {
        let params = set(base(&client, &challenge), "redirect_uri", Some(wrong));
        let res = app.authorize(&params).await;
        let body = expect_page(res, 400, "Invalid redirect").await;
        assert!(!body.contains(wrong), "the unverified URI is not linked");
    }
    let params = set(base(&client, &challenge), "redirect_uri", None);
    expect_page(app.authorize(&params).await, 400, "Invalid request").await;
}

#[tokio::test]
async fn an_unknown_or_missing_client_id_stops_on_a_page() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let unknown = set(
        base(&client, &challenge),
        "client_id",
        Some("no-such-client"),
    );
    expect_page(app.authorize(&unknown).await, 400, "Unknown application").await;
    let missing = set(base(&client, &challenge), "client_id", None);
    expect_page(app.authorize(&missing).await, 400, "Unknown application").await;
}

#[tokio::test]
async fn unsupported_or_missing_response_types_are_redirected() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    for response_type in ["token", "id_token", "code id_token"] {
        let params = set(
            base(&client, &challenge),
            "response_type",
            Some(response_type),
        );
        expect_refused(&app, &params, &client, "unsupported_response_type").await;
    }
    let params = set(base(&client, &challenge), "response_type", None);
    expect_refused(&app, &params, &client, "invalid_request").await;
}

#[tokio::test]
async fn a_scope_the_client_may_not_have_is_invalid_scope() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let params = set(base(&client, &challenge), "scope", Some("openid email"));
    expect_refused(&app, &params, &client, "invalid_scope").await;
}

#[tokio::test]
async fn prompt_none_with_another_value_is_invalid_request() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let params = set(base(&client, &challenge), "prompt", Some("none login"));
    expect_refused(&app, &params, &client, "invalid_request").await;
}

#[tokio::test]
async fn a_duplicated_parameter_is_invalid_request() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid profile").await;
    let (_, challenge) = pkce_pair();
    let mut params = base(&client, &challenge);
    params.push(("scope", "profile"));
    expect_refused(&app, &params, &client, "invalid_request").await;
}

#[tokio::test]
async fn a_duplicated_redirect_uri_or_client_id_stops_on_a_page() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let mut params = base(&client, &challenge);
    params.push(("redirect_uri", client.redirect_uri.as_str()));
    expect_page(app.authorize(&params).await, 400, "Invalid redirect").await;
    let mut params = base(&client, &challenge);
    params.push(("client_id", client.id.as_str()));
    expect_page(app.authorize(&params).await, 400, "Unknown application").await;
}

#[tokio::test]
async fn an_unsigned_request_object_is_refused_for_a_client_that_registered_no_none() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let params = set(
        base(&client, &challenge),
        "request",
        Some("eyJhbGciOiJub25lIn0.e30."),
    );
    expect_refused(&app, &params, &client, "invalid_request_object").await;
}

#[tokio::test]
async fn state_round_trips_byte_for_byte_in_success_and_error_redirects() {
    let app = TestApp::spawn().await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app
        .create_client(serde_json::json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "sigil_first_party": true,
        }))
        .await;
    let (_, challenge) = pkce_pair();
    let state = "a b&c=d/é?#%+";
    let params = set(base(&client, &challenge), "state", Some(state));

    let none = set(params.clone(), "prompt", Some("none"));
    let res = app.authorize(&none).await;
    let back = expect_error(&app, &res, &client, "login_required");
    assert_eq!(back["state"], state);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(
        !location.contains(['#', ' ']),
        "state is escaped: {location}"
    );

    let page = app.authorize(&params).await;
    assert_eq!(page.status(), 200, "the login form");
    let res = app.submit_login(page, "ada", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let back = location_params(&res);
    assert!(back.contains_key("code"));
    assert_eq!(back["state"], state);
    assert_eq!(back["iss"], app.issuer, "iss in the success redirect");
    let location = res.headers()["location"].to_str().unwrap();
    assert!(
        !location.contains(['#', ' ']),
        "state is escaped: {location}"
    );
}

#[tokio::test]
async fn without_state_no_state_is_returned() {
    let app = TestApp::spawn().await;
    let (client, _) = signed_in(&app).await;
    let (_, challenge) = pkce_pair();
    let params = set(base(&client, &challenge), "state", None);
    let res = app.authorize(&params).await;
    assert_eq!(res.status(), 302);
    let back = location_params(&res);
    assert!(back.contains_key("code"));
    assert!(!back.contains_key("state"));
    assert_eq!(back["iss"], app.issuer);

    let res = app
        .authorize(&set(params, "scope", Some("openid email")))
        .await;
    let back = expect_error(&app, &res, &client, "invalid_scope");
    assert!(!back.contains_key("state"));
}

#[tokio::test]
async fn post_authorize_with_a_form_body_works_like_get() {
    let app = TestApp::spawn().await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    let (verifier, challenge) = pkce_pair();
    let page = app.authorize_post(&base(&client, &challenge)).await;
    assert_eq!(page.status(), 200, "the login form");
    let res = app.submit_login(page, "ada", PASSWORD).await;
    let page = app.follow(&res).await;
    let res = app.submit_consent(page, "allow").await;
    let back = location_params(&res);
    assert_eq!(back["state"], "s-1");
    assert_eq!(back["iss"], app.issuer);
    let res = app.redeem(&client, &back["code"], &verifier).await;
    assert_eq!(res.status(), 200);

    let params = set(base(&client, &challenge), "code_challenge", None);
    let res = app.authorize_post(&params).await;
    assert_eq!(
        expect_error(&app, &res, &client, "invalid_request")["state"],
        "s-1"
    );
}

#[tokio::test]
async fn error_descriptions_keep_to_the_rfc_6749_character_set() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let mut params = base(&client, &challenge);
    params.extend([("x\"é\\", "1"), ("x\"é\\", "2")]);
    let res = app.authorize(&params).await;
    let back = expect_error(&app, &res, &client, "invalid_request");
    let description = &back["error_description"];
    let allowed = |c: char| matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e');
    assert!(description.chars().all(allowed), "{description:?}");
}
