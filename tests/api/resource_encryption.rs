//! Access tokens encrypted to a resource's key: from every grant that issues one, opened by
//! the resource with josekit's own context, still recognised by sigil at `/introspect`,
//! `/userinfo` and `/revoke`; a resource without a key keeps getting plain JWS.

use josekit::jwk::Jwk;
use serde_json::{Value, json};

use crate::helpers::jwe;
use crate::helpers::oauth::{assert_error, jwt_parts, verifies_against};
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::resources::TestResource;
use crate::helpers::{TestApp, TestClient};

const API: &str = "https://sealed.example/";
const PLAIN: &str = "https://plain.example/";

async fn sealed_resource(app: &TestApp) -> (TestResource, Jwk) {
    let (public, private) = jwe::key_pair("ECDH-ES+A256KW", "api-enc-1", "P-256");
    let resource = app
        .create_resource(json!({
            "identifier": API,
            "scope": "api:read api:write",
            "jwks": {"keys": [public]},
            "access_token_encrypted_response_alg": "ECDH-ES+A256KW",
            "access_token_encrypted_response_enc": "A128GCM",
            "access_token_signed_response_alg": "ES256",
            "introspection": true,
        }))
        .await;
    (resource, private)
}

/// Opens an access token as the resource would, checks both layers; returns the claims.
async fn open_as_resource(app: &TestApp, token: &str, private: &Jwk) -> Value {
    let decrypter = jwe::decrypter("ECDH-ES+A256KW", Some(private), None);
    let (header, inner) = jwe::open(token, decrypter.as_ref());
    assert_eq!(header.content_type(), Some("JWT"));
    assert_eq!(header.algorithm(), Some("ECDH-ES+A256KW"));
    assert_eq!(header.content_encryption(), Some("A128GCM"));
    assert_eq!(header.key_id(), Some("api-enc-1"));
    assert!(verifies_against(&app.jwks().await, &inner));
    let (inner_header, claims) = jwt_parts(&inner);
    assert_eq!(inner_header["typ"], "at+jwt");
    assert_eq!(inner_header["alg"], "ES256");
    assert_eq!(claims["aud"], API);
    claims
}

async fn active(app: &TestApp, who: (&str, &str), token: &str) -> bool {
    let res = app.introspect_as(who.0, who.1, &[("token", token)]).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["active"].as_bool().unwrap()
}

fn credentials(client: &TestClient) -> (&str, &str) {
    (client.id.as_str(), client.secret.as_deref().unwrap())
}

#[tokio::test]
async fn client_credentials_tokens_are_encrypted_to_the_resource_and_still_introspect() {
    let app = TestApp::spawn().await;
    let (resource, private) = sealed_resource(&app).await;
    app.create_resource(json!({"identifier": PLAIN, "scope": "plain:read"}))
        .await;
    let client = app.service_client("api:read plain:read").await;
    let body = app.service_token(&client, &[("resource", API)]).await;
    let token = body["access_token"].as_str().unwrap();
    let claims = open_as_resource(&app, token, &private).await;
    assert_eq!(claims["client_id"], client.id.as_str());
    assert_eq!(claims["scope"], "api:read");

    assert!(
        active(&app, credentials(&client), token).await,
        "the client's view"
    );
    let own = (resource.id.as_str(), resource.secret.as_deref().unwrap());
    assert!(active(&app, own, token).await, "the resource's view");

    let plain = app.service_token(&client, &[("resource", PLAIN)]).await;
    let plain = plain["access_token"].as_str().unwrap();
    assert_eq!(plain.split('.').count(), 3, "no key, plain JWS");

    let decoded = app.run_cli(&["token", "decode", "--verify", token], "");
    assert!(decoded.status.success(), "{decoded:?}");
    let shown: Value = serde_json::from_slice(&decoded.stdout).unwrap();
    assert_eq!(shown["encryption_header"]["alg"], "ECDH-ES+A256KW");
    assert_eq!(shown["claims"]["aud"], API);

    app.revoke_as(&client, token).await;
    assert!(!active(&app, own, token).await, "revoked");
}

#[tokio::test]
async fn code_and_refresh_grants_encrypt_the_access_token_and_userinfo_still_recognises_it() {
    let app = TestApp::spawn().await;
    let (_, private) = sealed_resource(&app).await;
    app.create_ada(&[]).await;
    let client = app
        .refreshing_client(json!({
            "sigil_first_party": true,
            "scope": "openid offline_access api:read",
        }))
        .await;
    let tokens = app
        .tokens_for(
            &client,
            "openid offline_access api:read",
            &[("resource", API)],
        )
        .await;
    let token = tokens["access_token"].as_str().unwrap();
    let claims = open_as_resource(&app, token, &private).await;
    assert_eq!(claims["scope"], "api:read");
    assert!(active(&app, credentials(&client), token).await);
    // Recognised as sigil's own token: refused for its scope, not as an unknown token.
    let res = app.userinfo(token).await;
    assert_eq!(res.status(), 403);
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("insufficient_scope")
    );

    let refreshed = app.refreshed(&client, &refresh_token_of(&tokens)).await;
    let token = refreshed["access_token"].as_str().unwrap();
    open_as_resource(&app, token, &private).await;
    assert!(active(&app, credentials(&client), token).await);
}

#[tokio::test]
async fn a_tampered_or_foreign_encrypted_token_is_inactive_and_unknown_at_userinfo() {
    let app = TestApp::spawn().await;
    let (resource, _) = sealed_resource(&app).await;
    let client = app.service_client("api:read").await;
    let body = app.service_token(&client, &[("resource", API)]).await;
    let token = body["access_token"].as_str().unwrap();
    let tampered = jwe::tamper(token, 3);
    let own = (resource.id.as_str(), resource.secret.as_deref().unwrap());
    assert!(!active(&app, own, &tampered).await);
    assert_error(app.userinfo(&tampered).await, 401, "invalid_token").await;
}

#[tokio::test]
async fn resource_registration_refuses_encryption_it_cannot_serve() {
    let app = TestApp::spawn().await;
    let (public, _) = jwe::key_pair("RSA-OAEP-256", "r1", "P-256");
    let cases = [
        (
            json!({"access_token_encrypted_response_alg": "RSA-OAEP-256"}),
            "requires jwks",
        ),
        (
            json!({"access_token_encrypted_response_enc": "A128GCM"}),
            "requires access_token_encrypted_response_alg",
        ),
        (
            json!({"access_token_encrypted_response_alg": "dir", "jwks": {"keys": [public]}}),
            "not supported",
        ),
        (
            json!({"access_token_encrypted_response_alg": "RSA1_5", "jwks": {"keys": [public]}}),
            "not supported",
        ),
        (
            json!({"access_token_encrypted_response_alg": "ECDH-ES", "jwks": {"keys": [public]}}),
            "no matching key",
        ),
        (
            json!({"jwks": {"keys": [public]}, "jwks_uri": "https://a.example/jwks"}),
            "mutually exclusive",
        ),
        (json!({"jwks_uri": "http://a.example/jwks"}), "https"),
    ];
    for (i, (extra, needle)) in cases.into_iter().enumerate() {
        let mut metadata =
            json!({"identifier": format!("https://r{i}.example/"), "scope": "r:read"});
        metadata
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let out = app.run_cli(
            &["resource", "create", "--metadata-file", "-"],
            &metadata.to_string(),
        );
        assert!(!out.status.success(), "accepted {metadata}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
}
