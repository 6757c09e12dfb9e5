//! Encrypted ID tokens, userinfo and introspection answers: every alg/enc pair opens with
//! josekit's own decryption context and the client's key (or the key derived from its secret
//! by hand), and the inner JWT passes the `openidconnect` crate's ID token checks.

use std::str::FromStr;

use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet};
use openidconnect::{ClientId, ClientSecret, IssuerUrl, Nonce};
use serde_json::{Value, json};

use crate::helpers::jwe::{self, ALGS, ENCS, symmetric};
use crate::helpers::oauth::{jwt_parts, verifies_against};
use crate::helpers::{TestApp, TestClient};

/// A first-party client whose ID tokens and userinfo answers are encrypted with `alg`/`enc`,
/// with the decrypter the client would use.
async fn encrypting_client(
    app: &TestApp,
    alg: &str,
    enc: &str,
    curve: &str,
) -> (TestClient, Box<dyn josekit::jwe::JweDecrypter>) {
    let mut metadata = json!({
        "client_name": "Encrypting App",
        "redirect_uris": ["http://127.0.0.1:9/callback"],
        "scope": "openid email profile",
        "sigil_first_party": true,
        "id_token_encrypted_response_alg": alg,
        "id_token_encrypted_response_enc": enc,
        "userinfo_encrypted_response_alg": alg,
        "userinfo_encrypted_response_enc": enc,
    });
    if symmetric(alg) {
        let client = app.create_client(metadata).await;
        let key = jwe::secret_key(alg, enc, client.secret.as_deref().unwrap());
        let decrypter = jwe::decrypter(alg, None, Some(&key));
        return (client, decrypter);
    }
    let (public, private) = jwe::key_pair(alg, "client-enc-1", curve);
    metadata["jwks"] = json!({ "keys": [public] });
    let client = app.create_client(metadata).await;
    (client, jwe::decrypter(alg, Some(&private), None))
}

/// Every ID-token check of the `openidconnect` crate, against the app's JWKS.
async fn check_id_token(app: &TestApp, client: &TestClient, inner: &str) -> Value {
    let jwks: CoreJsonWebKeySet = app.get("/jwks").await.json().await.unwrap();
    let verifier = CoreIdTokenVerifier::new_confidential_client(
        ClientId::new(client.id.clone()),
        ClientSecret::new(client.secret.clone().unwrap()),
        IssuerUrl::new(app.issuer.clone()).unwrap(),
        jwks,
    );
    let token = CoreIdToken::from_str(inner).expect("an ID token");
    token
        .claims(&verifier, &Nonce::new("n-1".into()))
        .expect("the inner ID token passes every check");
    jwt_parts(inner).1
}

#[tokio::test]
async fn every_pair_encrypts_id_tokens_and_userinfo_that_an_independent_implementation_opens() {
    let app = TestApp::spawn().await;
    let sub = app.create_ada(&[]).await;
    let jwks: Value = app.get("/jwks").await.json().await.unwrap();
    for alg in ALGS {
        for enc in ENCS {
            let (client, decrypter) = encrypting_client(&app, alg, enc, "P-256").await;
            let tokens = app.tokens_for(&client, "openid email", &[]).await;
            let encrypted = tokens["id_token"].as_str().unwrap();
            let (header, inner) = jwe::open(encrypted, decrypter.as_ref());
            assert_eq!(header.content_type(), Some("JWT"), "{alg} {enc}");
            assert_eq!(header.algorithm(), Some(alg));
            assert_eq!(header.content_encryption(), Some(enc));
            assert_eq!(header.compression(), None);
            let claims = check_id_token(&app, &client, &inner).await;
            assert_eq!(claims["sub"], sub.as_str());
            assert_eq!(claims["email"], "ada@example.com");

            let res = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["content-type"], "application/jwt");
            let (header, inner) = jwe::open(&res.text().await.unwrap(), decrypter.as_ref());
            assert_eq!(header.content_type(), Some("JWT"));
            assert!(verifies_against(&jwks, &inner), "{alg} {enc} userinfo");
            let (inner_header, claims) = jwt_parts(&inner);
            assert_eq!(inner_header["alg"], "RS256");
            assert_eq!(claims["sub"], sub.as_str());
            assert_eq!(claims["aud"], client.id.as_str());
            assert_eq!(claims["email"], "ada@example.com");
        }
    }
}

#[tokio::test]
async fn ecdh_encrypts_to_every_supported_curve() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    for curve in ["P-384", "P-521", "X25519"] {
        let (client, decrypter) = encrypting_client(&app, "ECDH-ES+A256KW", "A256GCM", curve).await;
        let tokens = app.tokens_for(&client, "openid", &[]).await;
        let (header, inner) = jwe::open(tokens["id_token"].as_str().unwrap(), decrypter.as_ref());
        let epk = header.claim("epk").unwrap();
        assert_eq!(epk["crv"], curve);
        check_id_token(&app, &client, &inner).await;
    }
}

#[tokio::test]
async fn refreshed_id_tokens_are_encrypted_too_and_plain_clients_get_plain_ones() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let (public, private) = jwe::key_pair("RSA-OAEP-256", "k1", "P-256");
    let client = app
        .refreshing_client(json!({
            "sigil_first_party": true,
            "jwks": {"keys": [public]},
            "id_token_encrypted_response_alg": "RSA-OAEP-256",
        }))
        .await;
    let tokens = app.tokens_for(&client, "openid offline_access", &[]).await;
    let refreshed = app
        .refreshed(&client, tokens["refresh_token"].as_str().unwrap())
        .await;
    let decrypter = jwe::decrypter("RSA-OAEP-256", Some(&private), None);
    let (header, inner) = jwe::open(refreshed["id_token"].as_str().unwrap(), decrypter.as_ref());
    assert_eq!(
        header.content_encryption(),
        Some("A128CBC-HS256"),
        "the default enc"
    );
    let jwks: Value = app.get("/jwks").await.json().await.unwrap();
    assert!(verifies_against(&jwks, &inner));

    let plain = app.web_client("openid").await;
    let tokens = app.tokens_for(&plain, "openid", &[]).await;
    assert_eq!(tokens["id_token"].as_str().unwrap().split('.').count(), 3);
    let res = app.userinfo(tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(res.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn a_signed_introspection_answer_is_encrypted_for_a_client_that_registered_it() {
    let app = TestApp::spawn().await;
    let (public, private) = jwe::key_pair("ECDH-ES", "k1", "P-256");
    let client = app
        .create_client(json!({
            "redirect_uris": [],
            "response_types": [],
            "grant_types": ["client_credentials"],
            "scope": "api",
            "jwks": {"keys": [public]},
            "introspection_encrypted_response_alg": "ECDH-ES",
            "introspection_encrypted_response_enc": "A256GCM",
        }))
        .await;
    let secret = client.secret.clone().unwrap();
    let token: Value = app
        .token_request()
        .basic_auth(&client.id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().unwrap();
    let asked = |accept: &'static str| {
        app.http
            .post(format!("{}/introspect", app.address))
            .basic_auth(&client.id, Some(&secret))
            .header("accept", accept)
            .form(&[("token", access)])
            .send()
    };
    let res = asked("application/token-introspection+jwt").await.unwrap();
    assert_eq!(res.status(), 200);
    let decrypter = jwe::decrypter("ECDH-ES", Some(&private), None);
    let (header, inner) = jwe::open(&res.text().await.unwrap(), decrypter.as_ref());
    assert_eq!(header.content_type(), Some("JWT"));
    let jwks: Value = app.get("/jwks").await.json().await.unwrap();
    assert!(verifies_against(&jwks, &inner));
    let (inner_header, claims) = jwt_parts(&inner);
    assert_eq!(inner_header["typ"], "token-introspection+jwt");
    assert_eq!(claims["token_introspection"]["active"], true);
    let plain: Value = asked("application/json")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(plain["active"], true, "a JSON answer stays JSON");
}
