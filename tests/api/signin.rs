//! Browser sign-in end to end: the `openidconnect` crate as the relying party, SSO, prompts.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};
use serde_json::Value;

use crate::helpers::{TestApp, TestDatabase, location_params, manual_clock, pkce_pair};

fn rp_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn openidconnect_relying_party_completes_the_code_flow() {
    let app = TestApp::spawn().await;
    app.create_user("ada", "correct horse battery", &["admin"])
        .await;
    let client = app.web_client("openid profile email roles").await;
    let http = rp_http();

    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.issuer.clone()).unwrap(), &http)
            .await
            .expect("discovery parses");
    let rp = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client.id.clone()),
        client.secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(RedirectUrl::new(client.redirect_uri.clone()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = rp
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("roles".into()))
        .set_pkce_challenge(challenge)
        .url();

    let login = app.http.get(url.as_str()).send().await.unwrap();
    assert_eq!(login.status(), 200, "the login form");
    let res = app
        .submit_login(login, "ada", "correct horse battery")
        .await;
    assert_eq!(res.status(), 303);
    let consent = app.follow(&res).await;
    let html = consent.text().await.unwrap();
    assert!(html.contains("Test App"), "client name on the consent page");
    assert!(html.contains("See your email address"));
    let consent = app.follow(&res).await;
    let res = app.submit_consent(consent, "allow").await;
    assert_eq!(res.status(), 303);
    let params = location_params(&res);
    assert_eq!(params["state"], *csrf.secret());
    assert_eq!(params["iss"], app.issuer);
    let code = params["code"].clone();
    assert!(code.len() >= 43, "at least 256 bits");

    let tokens = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token response");
    let id_token = tokens.id_token().expect("an ID token");
    let verifier = rp.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("ID token verifies");
    assert_eq!(claims.issuer().as_str(), app.issuer);
    assert_ne!(claims.subject().as_str(), "ada", "sub is opaque");
    assert_eq!(claims.email().unwrap().as_str(), "ada@example.com");
    assert!(claims.auth_time().is_some());
    let expected = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected));

    let info: CoreUserInfoClaims = rp
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.subject(), claims.subject());
    assert_eq!(info.email().unwrap().as_str(), "ada@example.com");

    let at = tokens.access_token().secret();
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            at.split('.').next().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(header["typ"], "at+jwt");
    let shown = app.run_cli(&["token", "decode", at], "");
    let decoded: Value = serde_json::from_slice(&shown.stdout).unwrap();
    let at_claims = &decoded["claims"];
    assert_eq!(at_claims["client_id"], client.id.as_str());
    assert_eq!(at_claims["roles"], serde_json::json!(["admin"]));
    assert_eq!(at_claims["aud"], app.issuer.as_str());
    for claim in ["iss", "sub", "exp", "iat", "jti", "scope", "auth_time"] {
        assert!(at_claims.get(claim).is_some(), "{claim} missing");
    }
}

#[tokio::test]
async fn one_login_signs_in_to_a_second_client_without_the_password_form() {
    let app = TestApp::spawn().await;
    app.create_user("ada", "correct horse battery", &[]).await;
    let first = app.web_client("openid").await;
    let second = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let done = app
        .browser_flow(&first, "openid", &challenge, "ada", "correct horse battery")
        .await;
    assert!(location_params(&done).contains_key("code"));

    let res = app
        .authorize(&[
            ("client_id", second.id.as_str()),
            ("redirect_uri", second.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .await;
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/consent"),
        "no password form: {location}"
    );
    let page = app.follow(&res).await;
    let res = app.submit_consent(page, "allow").await;
    assert!(location_params(&res).contains_key("code"));

    // Remembered consent: the first client now gets a code straight away.
    let res = app
        .authorize(&[
            ("client_id", first.id.as_str()),
            ("redirect_uri", first.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .await;
    assert_eq!(res.status(), 302);
    assert!(location_params(&res).contains_key("code"));

    // prompt=login forces the form even with a session.
    let res = app
        .authorize(&[
            ("client_id", first.id.as_str()),
            ("redirect_uri", first.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid"),
            ("prompt", "login"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .await;
    assert_eq!(res.status(), 200, "the login form");
    assert!(res.text().await.unwrap().contains("name=\"password\""));
}

#[tokio::test]
async fn prompt_none_without_a_session_returns_login_required_with_iss_and_state() {
    let app = TestApp::spawn().await;
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let state = "a b&c=d/é?#%";
    let res = app
        .authorize(&[
            ("client_id", client.id.as_str()),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid"),
            ("prompt", "none"),
            ("state", state),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .await;
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&client.redirect_uri));
    let params = location_params(&res);
    assert_eq!(params["error"], "login_required");
    assert_eq!(params["state"], state, "state round-trips byte for byte");
    assert_eq!(params["iss"], app.issuer);
}

#[tokio::test]
async fn max_age_zero_forces_reauthentication_and_auth_time_moves() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_user("ada", "correct horse battery", &[]).await;
    let client = app.web_client("openid").await;
    let (verifier, challenge) = pkce_pair();
    let res = app
        .browser_flow(
            &client,
            "openid",
            &challenge,
            "ada",
            "correct horse battery",
        )
        .await;
    let tokens: Value = app
        .redeem(&client, &location_params(&res)["code"], &verifier)
        .await
        .json()
        .await
        .unwrap();
    let first_auth = id_token_claims(&tokens)["auth_time"].as_i64().unwrap();

    clock.advance(120);
    let res = app
        .authorize(&[
            ("client_id", client.id.as_str()),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid"),
            ("max_age", "0"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .await;
    assert_eq!(res.status(), 200, "the login form");
    let res = app.submit_login(res, "ada", "correct horse battery").await;
    let code = location_params(&res)["code"].clone();
    let tokens: Value = app
        .redeem(&client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let second_auth = id_token_claims(&tokens)["auth_time"].as_i64().unwrap();
    assert_eq!(second_auth, first_auth + 120);
}

#[tokio::test]
async fn a_registered_default_max_age_applies_unless_the_request_names_its_own() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_user("ada", "correct horse battery", &[]).await;
    let client = app
        .create_client(serde_json::json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "sigil_first_party": true,
            "default_max_age": 60,
        }))
        .await;
    let (_, challenge) = pkce_pair();
    let res = app
        .browser_flow(
            &client,
            "openid",
            &challenge,
            "ada",
            "correct horse battery",
        )
        .await;
    assert!(location_params(&res).contains_key("code"));
    clock.advance(120);
    let ask = |max_age: Option<&'static str>| {
        let mut params = vec![
            ("client_id", client.id.clone()),
            ("redirect_uri", client.redirect_uri.clone()),
            ("response_type", "code".to_owned()),
            ("scope", "openid".to_owned()),
            ("code_challenge", challenge.clone()),
            ("code_challenge_method", "S256".to_owned()),
        ];
        if let Some(m) = max_age {
            params.push(("max_age", m.to_owned()));
        }
        params
    };
    let params = ask(None);
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        app.authorize(&borrowed).await.status(),
        200,
        "the login form"
    );
    let params = ask(Some("3600"));
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.authorize(&borrowed).await;
    assert!(
        location_params(&res).contains_key("code"),
        "the request's own max_age"
    );
}

#[tokio::test]
async fn form_post_response_mode_posts_the_code_back() {
    let app = TestApp::spawn().await;
    app.create_user("ada", "correct horse battery", &[]).await;
    let client = app
        .create_client(serde_json::json!({
            "redirect_uris": ["https://app.example/cb"],
            "sigil_first_party": true,
        }))
        .await;
    let (_, challenge) = pkce_pair();
    let page = app
        .authorize(&[
            ("client_id", client.id.as_str()),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("response_type", "code"),
            ("response_mode", "form_post"),
            ("scope", "openid"),
            ("state", "<s>"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .await;
    let res = app.submit_login(page, "ada", "correct horse battery").await;
    assert_eq!(res.status(), 200, "first-party: no consent page");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("; form-action 'self' https://app.example; "),
        "{csp}"
    );
    assert!(
        csp.starts_with("default-src 'self'; img-src 'self' https:;"),
        "{csp}"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("action=\"https://app.example/cb\""));
    assert!(html.contains("name=\"code\""));
    assert!(!html.contains("<s>"), "state escaped");
    assert_eq!(crate::helpers::hidden_value(&html, "state").unwrap(), "<s>");
    assert_eq!(
        crate::helpers::hidden_value(&html, "iss").unwrap(),
        app.issuer
    );
    assert!(!html.contains("<script>"), "no inline script");
}

/// The claims of the ID token in a token response (signature checked elsewhere).
pub fn id_token_claims(tokens: &Value) -> Value {
    let jwt = tokens["id_token"].as_str().unwrap();
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap()
}
