//! `/userinfo` (OIDC Core §5.3) with RFC 6750 bearer errors.

use serde_json::{Value, json};

use crate::helpers::oauth::{assert_error, jwt_parts, verifies_against};
use crate::helpers::{TestApp, TestDatabase, manual_clock};

fn url(app: &TestApp) -> String {
    format!("{}/userinfo", app.address)
}

/// The `WWW-Authenticate` challenge of `res`.
fn challenge(res: &reqwest::Response) -> String {
    res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned()
}

async fn access_token(app: &TestApp, client_scope: &str, scope: &str) -> String {
    let client = app.web_client(client_scope).await;
    let tokens = app.tokens_for(&client, scope, &[]).await;
    tokens["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn claims_follow_the_scope_by_get_and_by_post() {
    let app = TestApp::spawn().await;
    let sub = app.create_ada(&[]).await;
    let token = access_token(&app, "openid profile email", "openid email").await;
    let res = app
        .http
        .get(url(&app))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let claims: Value = res.json().await.unwrap();
    assert_eq!(claims["sub"], sub.as_str());
    assert_eq!(claims["email"], "ada@example.com");
    assert_eq!(claims["email_verified"], true);
    assert!(claims.get("name").is_none(), "no profile scope: {claims}");

    let res = app
        .http
        .post(url(&app))
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let by_post: Value = res.json().await.unwrap();
    assert_eq!(by_post, claims);

    let res = app
        .http
        .get(url(&app))
        .header("authorization", format!("BEARER {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the scheme is case-insensitive");
}

#[tokio::test]
async fn a_missing_token_is_challenged_without_an_error_code() {
    let app = TestApp::spawn().await;
    let res = app.http.get(url(&app)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let value = challenge(&res);
    assert!(value.starts_with("Bearer realm="), "{value}");
    assert!(!value.contains("error="), "{value}");
}

#[tokio::test]
async fn a_garbage_token_is_invalid_token() {
    let app = TestApp::spawn().await;
    for garbage in ["not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        let res = app
            .http
            .get(url(&app))
            .bearer_auth(garbage)
            .send()
            .await
            .unwrap();
        let value = challenge(&res);
        assert!(value.starts_with("Bearer realm="), "{value}");
        assert!(value.contains("error=\"invalid_token\""), "{value}");
        assert_error(res, 401, "invalid_token").await;
    }
}

#[tokio::test]
async fn a_token_in_the_header_and_the_body_is_invalid_request() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let token = access_token(&app, "openid", "openid").await;
    let res = app
        .http
        .post(url(&app))
        .bearer_auth(&token)
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "invalid_request").await;
}

#[tokio::test]
async fn an_oversized_body_is_413_with_the_json_error() {
    let app = TestApp::spawn().await;
    let padding = "a".repeat(20 * 1024);
    let res = app
        .http
        .post(url(&app))
        .form(&[("access_token", padding.as_str())])
        .send()
        .await
        .unwrap();
    assert_error(res, 413, "invalid_request").await;
}

#[tokio::test]
async fn a_token_without_openid_is_insufficient_scope() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let token = access_token(&app, "openid profile", "profile").await;
    let res = app
        .http
        .get(url(&app))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        challenge(&res).contains("error=\"insufficient_scope\""),
        "{}",
        challenge(&res)
    );
    assert_error(res, 403, "insufficient_scope").await;
}

#[tokio::test]
async fn an_id_token_is_not_an_access_token() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.web_client("openid").await;
    let tokens = app.tokens_for(&client, "openid", &[]).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let res = app
        .http
        .get(url(&app))
        .bearer_auth(id_token)
        .send()
        .await
        .unwrap();
    assert_error(res, 401, "invalid_token").await;
}

#[tokio::test]
async fn an_expired_access_token_is_invalid_token() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_ada(&[]).await;
    let token = access_token(&app, "openid", "openid").await;
    clock.advance(600 - 1);
    let res = app
        .http
        .get(url(&app))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "one second before exp");
    clock.advance(1);
    let res = app
        .http
        .get(url(&app))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_error(res, 401, "invalid_token").await;
}

#[tokio::test]
async fn a_client_registered_for_signed_userinfo_gets_a_jwt() {
    let app = TestApp::spawn().await;
    let sub = app.create_ada(&[]).await;
    let client = app
        .create_client(json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "scope": "openid email",
            "userinfo_signed_response_alg": "ES256",
        }))
        .await;
    let tokens = app.tokens_for(&client, "openid email", &[]).await;
    let token = tokens["access_token"].as_str().unwrap();
    let res = app
        .http
        .get(url(&app))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/jwt");
    let jwt = res.text().await.unwrap();
    let (header, claims) = jwt_parts(&jwt);
    assert_eq!(header["alg"], "ES256");
    assert!(verifies_against(
        &app.get("/jwks").await.json().await.unwrap(),
        &jwt
    ));
    assert_eq!(claims["iss"], app.issuer.as_str());
    assert_eq!(claims["aud"], client.id.as_str());
    assert_eq!(claims["sub"], sub.as_str());
    assert_eq!(claims["email"], "ada@example.com");
}

#[tokio::test]
async fn the_claims_parameter_releases_nothing_the_granted_scope_does_not_cover() {
    let app = TestApp::spawn().await;
    app.create_ada(&["admin"]).await;
    let client = app.web_client("openid").await;
    let asked = json!({
        "id_token": {"email": null, "name": null, "preferred_username": null},
        "userinfo": {"email": null, "name": null, "phone_number": null, "roles": null},
    })
    .to_string();
    let tokens = app
        .tokens_for(&client, "openid", &[("claims", asked.as_str())])
        .await;
    let (_, id_claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    for name in ["email", "name", "preferred_username"] {
        assert!(id_claims.get(name).is_none(), "{name}: {id_claims}");
    }
    let body: Value = app
        .userinfo(tokens["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["sub"],
        "{body}"
    );

    let wider = app.web_client("openid email").await;
    let tokens = app
        .tokens_for(&wider, "openid email", &[("claims", asked.as_str())])
        .await;
    let (_, id_claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(
        id_claims["email"], "ada@example.com",
        "its scope was granted"
    );
    assert!(id_claims.get("name").is_none());
}
