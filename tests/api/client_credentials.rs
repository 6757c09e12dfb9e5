//! The client_credentials grant: who may use it, scope and target rules, the token's shape.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::oauth::{assert_error, jwt_parts, verifies_against};

const API: &str = "https://api.example/";

/// An app with an `API` resource (`api:read api:write`, 600 s) and a service client.
async fn setup(client_scope: &str) -> (TestApp, crate::helpers::TestClient) {
    let app = TestApp::spawn().await;
    app.create_resource(json!({
        "identifier": API, "scope": "api:read api:write", "access_token_lifetime": 600,
    }))
    .await;
    let client = app.service_client(client_scope).await;
    (app, client)
}

#[tokio::test]
async fn a_service_client_gets_a_token_for_the_requested_resource() {
    let app = TestApp::spawn().await;
    let api = app
        .create_resource(json!({
            "identifier": API, "scope": "api:read api:write", "access_token_lifetime": 600,
        }))
        .await;
    let client = app
        .create_client(json!({
            "grant_types": ["client_credentials"], "redirect_uris": [], "response_types": [],
            "scope": "api:read other", "sigil_access_token_lifetime": 300,
        }))
        .await;
    assert!(api.secret.is_none() && !api.id.is_empty());
    let body = app
        .service_token(&client, &[("resource", api.identifier.as_str())])
        .await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "api:read");
    assert_eq!(body["expires_in"], 600, "the resource's lifetime wins");
    assert!(body.get("refresh_token").is_none());
    assert!(body.get("id_token").is_none());
    let (header, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["aud"], API);
    assert_eq!(claims["sub"], client.id.as_str());
    assert_eq!(claims["client_id"], client.id.as_str());
    assert_eq!(claims["scope"], "api:read");
    assert_eq!(claims["iss"], app.issuer.as_str());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );
    for absent in ["sigil_gen", "sid", "auth_time", "roles"] {
        assert!(claims.get(absent).is_none(), "{absent} in {claims}");
    }
    let asked = app
        .service_token(&client, &[("audience", API), ("scope", "api:read")])
        .await;
    assert_eq!(
        jwt_parts(asked["access_token"].as_str().unwrap()).1["aud"],
        API
    );
}

#[tokio::test]
async fn an_es256_resource_gets_an_es256_token_that_verifies_against_the_jwks() {
    let (app, client) = setup("api:read").await;
    let es = "https://es.example/";
    app.create_resource(json!({
        "identifier": es, "scope": "api:read", "access_token_signed_response_alg": "ES256",
    }))
    .await;
    let body = app.service_token(&client, &[("resource", es)]).await;
    let token = body["access_token"].as_str().unwrap();
    let (header, claims) = jwt_parts(token);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(claims["aud"], es);
    assert_eq!(body["expires_in"], 600, "the configured default lifetime");
    assert!(verifies_against(&app.jwks().await, token));
}

#[tokio::test]
async fn without_a_target_the_token_has_the_default_audience_and_registered_scope() {
    let (app, client) = setup("openid api:read api:write").await;
    let body = app.service_token(&client, &[]).await;
    assert_eq!(
        body["scope"], "api:read api:write",
        "openid is never granted here"
    );
    let claims = jwt_parts(body["access_token"].as_str().unwrap()).1;
    assert_eq!(claims["aud"], app.issuer.as_str());
    let narrowed = app.service_token(&client, &[("scope", "api:write")]).await;
    assert_eq!(narrowed["scope"], "api:write");
    let cc = ("grant_type", "client_credentials");
    for scope in [
        "api:admin",
        "api:read api:admin",
        "openid",
        "offline_access api:read",
    ] {
        let res = app.token_as(&client, &[cc, ("scope", scope)]).await;
        assert_error(res, 400, "invalid_scope").await;
    }
    let res = app.token_as(&client, &[cc, ("scope", "a  b")]).await;
    assert_error(res, 400, "invalid_scope").await;
}

#[tokio::test]
async fn only_confidential_clients_registered_for_the_grant_may_use_it() {
    let (app, _) = setup("api:read").await;
    let web = app.web_client("openid api:read").await;
    let cc = [("grant_type", "client_credentials")];
    assert_error(app.token_as(&web, &cc).await, 400, "unauthorized_client").await;
    let public = app
        .create_client(json!({
            "redirect_uris": ["http://127.0.0.1:9/cb"], "token_endpoint_auth_method": "none",
            "scope": "api:read",
        }))
        .await;
    let res = app
        .token_request()
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &public.id),
        ])
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "unauthorized_client").await;
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client_with_a_basic_challenge() {
    let (app, client) = setup("api:read").await;
    let res = app
        .token_request()
        .basic_auth(&client.id, Some("not-the-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Basic"), "{challenge}");
    assert_error(res, 401, "invalid_client").await;
}

#[tokio::test]
async fn targets_the_client_may_not_have_are_invalid_target() {
    let (app, client) = setup("api:read misc").await;
    app.create_resource(json!({"identifier": "https://other.example/", "scope": "other:read"}))
        .await;
    let cc = ("grant_type", "client_credentials");
    let refused: [&[(&str, &str)]; 6] = [
        &[cc, ("resource", "https://unknown.example/")],
        &[cc, ("resource", "https://other.example/")],
        &[
            cc,
            ("resource", API),
            ("resource", "https://other.example/"),
        ],
        &[
            cc,
            ("resource", API),
            ("audience", "https://other.example/"),
        ],
        &[cc, ("resource", API), ("scope", "misc")],
        &[cc, ("audience", "not a uri")],
    ];
    for form in refused {
        let body = assert_error(app.token_as(&client, form).await, 400, "invalid_target").await;
        assert!(!body["error_description"].as_str().unwrap().is_empty());
    }
    let same_twice = app
        .service_token(
            &client,
            &[("resource", API), ("resource", API), ("audience", API)],
        )
        .await;
    assert_eq!(same_twice["scope"], "api:read");
    let beyond = app
        .token_as(&client, &[cc, ("resource", API), ("scope", "api:write")])
        .await;
    assert_error(beyond, 400, "invalid_scope").await;
}

#[tokio::test]
async fn bad_requests_keep_their_rfc_errors() {
    let (app, client) = setup("api:read").await;
    let cc = ("grant_type", "client_credentials");
    let dup = app
        .token_as(&client, &[cc, ("scope", "api:read"), ("scope", "api:read")])
        .await;
    assert_error(dup, 400, "invalid_request").await;
    let dup_grant = app.token_as(&client, &[cc, cc]).await;
    assert_error(dup_grant, 400, "invalid_request").await;
    let json = app
        .token_request()
        .basic_auth(&client.id, client.secret.as_deref())
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_error(json, 400, "invalid_request").await;
    let padding = "a".repeat(20 * 1024);
    let big = app.token_as(&client, &[cc, ("scope", &padding)]).await;
    assert_error(big, 413, "invalid_request").await;
    let unknown = app
        .token_as(&client, &[("grant_type", "password"), ("resource", API)])
        .await;
    assert_error(unknown, 400, "unsupported_grant_type").await;
    let none: Value = app.service_token(&client, &[]).await;
    assert_eq!(none["scope"], "api:read");
}
