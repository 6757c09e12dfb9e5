//! Where client keys come from: `jwks_uri` fetched once and cached, a rotation picked up on
//! an unknown `kid`, a hostile `jwks_uri` refused without stalling anything else, and
//! registrations refused when their keys cannot serve what they registered.

use std::time::{Duration, Instant};

use josekit::jwk::Jwk;
use serde_json::{Value, json};

use crate::helpers::assertions::{assertion, signing_key};
use crate::helpers::jwe::{self, Answer, KeyServer};
use crate::helpers::oauth::assert_error;
use crate::helpers::{TestApp, TestClient};

async fn jwks_uri_client(app: &TestApp, uri: &str) -> TestClient {
    app.create_client(json!({
        "redirect_uris": ["http://127.0.0.1:9/callback"],
        "scope": "openid",
        "sigil_first_party": true,
        "jwks_uri": uri,
        "id_token_encrypted_response_alg": "RSA-OAEP-256",
        "id_token_encrypted_response_enc": "A128GCM",
    }))
    .await
}

#[tokio::test]
async fn a_jwks_uri_is_fetched_once_and_then_served_from_the_cache() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let (public, private) = jwe::key_pair("RSA-OAEP-256", "k1", "P-256");
    let server = KeyServer::with_keys(vec![public]).await;
    let client = jwks_uri_client(&app, &server.url).await;
    let decrypter = jwe::decrypter("RSA-OAEP-256", Some(&private), None);
    for _ in 0..3 {
        let tokens = app.tokens_for(&client, "openid", &[]).await;
        jwe::open(tokens["id_token"].as_str().unwrap(), decrypter.as_ref());
    }
    assert_eq!(server.hits(), 1, "fetched once, then cached");
}

#[tokio::test]
async fn a_key_rotated_at_the_client_is_picked_up_after_an_unknown_kid_and_only_once() {
    let app = TestApp::spawn().await;
    let (k1, private1) = signing_key("k1");
    let server = KeyServer::with_keys(vec![k1]).await;
    let client = app
        .create_client(json!({
            "redirect_uris": [],
            "response_types": [],
            "grant_types": ["client_credentials"],
            "scope": "api",
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks_uri": server.url,
        }))
        .await;
    let token_endpoint = format!("{}/token", app.issuer);
    let grant = |key: &Jwk| {
        let jwt = assertion(key, app.assertion_claims(&client.id, &token_endpoint, 60));
        app.token_request()
            .form(&[
                ("grant_type", "client_credentials"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", &jwt),
            ])
            .send()
    };
    assert_eq!(grant(&private1).await.unwrap().status(), 200);
    assert_eq!(server.hits(), 1);

    let (k2, private2) = signing_key("k2");
    server.answer(Answer::Keys(json!({ "keys": [k2] }), None));
    assert_eq!(
        grant(&private2).await.unwrap().status(),
        200,
        "rotation picked up"
    );
    assert_eq!(server.hits(), 2, "one refetch for the unknown kid");

    let (_, stranger) = signing_key("k3");
    for _ in 0..3 {
        assert_error(grant(&stranger).await.unwrap(), 401, "invalid_client").await;
    }
    assert_eq!(server.hits(), 2, "unknown kids force no further fetch");
    assert_eq!(grant(&private2).await.unwrap().status(), 200);
    assert_eq!(
        grant(&private1).await.unwrap().status(),
        401,
        "the old key is gone"
    );
}

#[tokio::test]
async fn a_jwks_uri_that_hangs_is_refused_without_stalling_other_requests() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let server = KeyServer::start(Answer::Hang).await;
    let client = jwks_uri_client(&app, &server.url).await;
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let started = Instant::now();
    let stuck = tokio::spawn({
        let (app_http, address) = (app.http.clone(), app.address.clone());
        let (id, secret, redirect) = (
            client.id.clone(),
            client.secret.clone(),
            client.redirect_uri.clone(),
        );
        async move {
            app_http
                .post(format!("{address}/token"))
                .basic_auth(id, secret)
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code.as_str()),
                    ("redirect_uri", redirect.as_str()),
                    ("code_verifier", verifier.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    for path in ["/jwks", "/.well-known/openid-configuration"] {
        let asked = Instant::now();
        assert_eq!(app.get(path).await.status(), 200);
        assert!(asked.elapsed() < Duration::from_secs(1), "{path} stalled");
    }
    let res = stuck.await.unwrap();
    let took = started.elapsed();
    let body = assert_error(res, 503, "temporarily_unavailable").await;
    assert!(
        body["error_description"].as_str().unwrap().contains("5 s"),
        "{body}"
    );
    assert!(
        took < Duration::from_secs(8),
        "gave up after the 5 s timeout, took {took:?}"
    );
}

#[tokio::test]
async fn a_huge_or_redirecting_jwks_uri_is_refused_and_a_redirect_never_followed() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let (public, _) = jwe::key_pair("RSA-OAEP-256", "k1", "P-256");
    let target = KeyServer::with_keys(vec![public]).await;
    for (answer, why) in [
        (Answer::Huge(10 * 1024 * 1024), "64 KiB"),
        (Answer::Redirect(target.url.clone()), "redirect"),
    ] {
        let server = KeyServer::start(answer).await;
        let client = jwks_uri_client(&app, &server.url).await;
        let (code, verifier) = app.code_for(&client, "openid", &[]).await;
        let res = app.redeem(&client, &code, &verifier).await;
        let body = assert_error(res, 503, "temporarily_unavailable").await;
        let text = body["error_description"].as_str().unwrap();
        assert!(text.contains(why), "{text}");
    }
    assert_eq!(target.hits(), 0, "the redirect was not followed");
}

fn create(app: &TestApp, metadata: Value) -> std::process::Output {
    app.run_cli(
        &["client", "create", "--metadata-file", "-"],
        &metadata.to_string(),
    )
}

fn refused_with(out: &std::process::Output, needle: &str) {
    assert!(!out.status.success(), "accepted: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid_client_metadata"), "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
}

// Multi-threaded: the CLI blocks this test's thread while the key servers answer it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_refuses_encryption_it_cannot_serve() {
    let app = TestApp::spawn().await;
    let base = || json!({"redirect_uris": ["https://app.example/cb"]});
    let with = |extra: Value| {
        let mut m = base();
        m.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        m
    };
    let (sig_only, _) = signing_key("s1");
    let (enc_key, _) = jwe::key_pair("RSA-OAEP-256", "e1", "P-256");
    let cases = [
        (
            json!({"id_token_encrypted_response_enc": "A128GCM"}),
            "requires id_token_encrypted_response_alg",
        ),
        (
            json!({"id_token_encrypted_response_alg": "RSA1_5", "jwks": {"keys": [enc_key]}}),
            "not supported",
        ),
        (
            json!({"userinfo_encrypted_response_alg": "RSA-OAEP-256", "userinfo_encrypted_response_enc": "A192GCM", "jwks": {"keys": [enc_key]}}),
            "not supported",
        ),
        (
            json!({"id_token_encrypted_response_alg": "PBES2-HS256+A128KW", "jwks": {"keys": [enc_key]}}),
            "not supported",
        ),
        (
            json!({"id_token_encrypted_response_alg": "RSA-OAEP-256", "jwks": {"keys": [sig_only]}}),
            "no matching key",
        ),
        (
            json!({"id_token_encrypted_response_alg": "ECDH-ES", "jwks": {"keys": [enc_key]}}),
            "no matching key",
        ),
        (
            json!({"id_token_encrypted_response_alg": "RSA-OAEP"}),
            "requires jwks or jwks_uri",
        ),
        (
            json!({"id_token_encrypted_response_alg": "A256KW", "token_endpoint_auth_method": "none"}),
            "client secret",
        ),
        (
            json!({"jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA"}]}}),
            "jwks.keys[0]",
        ),
    ];
    for (extra, needle) in cases {
        refused_with(&create(&app, with(extra)), needle);
    }
    let target = KeyServer::with_keys(vec![enc_key.clone()]).await;
    let redirecting = KeyServer::start(Answer::Redirect(target.url.clone())).await;
    let uri_case = with(json!({
        "jwks_uri": redirecting.url,
        "id_token_encrypted_response_alg": "RSA-OAEP-256",
    }));
    refused_with(&create(&app, uri_case), "redirect");
    let sig_server = KeyServer::with_keys(vec![sig_only]).await;
    let uri_case = with(json!({
        "jwks_uri": sig_server.url,
        "id_token_encrypted_response_alg": "RSA-OAEP-256",
    }));
    refused_with(&create(&app, uri_case), "no matching key");

    let good = create(
        &app,
        with(
            json!({"id_token_encrypted_response_alg": "RSA-OAEP-256", "jwks": {"keys": [enc_key]}}),
        ),
    );
    assert!(good.status.success(), "{good:?}");
    let shown: Value = serde_json::from_slice(&good.stdout).unwrap();
    assert_eq!(shown["id_token_encrypted_response_enc"], "A128CBC-HS256");
    let symmetric = create(
        &app,
        with(json!({"id_token_encrypted_response_alg": "dir"})),
    );
    assert!(symmetric.status.success(), "{symmetric:?}");
}
