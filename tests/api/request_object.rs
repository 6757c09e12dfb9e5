//! Request objects (RFC 9101): signed by the client, encrypted to sigil's published `use: enc`
//! key with josekit's own context, accepted with their parameters winning over the query's;
//! every tampered, misaddressed, stale, replayed or foreign object is `invalid_request_object`.

use josekit::jwk::Jwk;
use josekit::jws::{ES256, RS256};
use serde_json::{Value, json};

use crate::helpers::assertions::{assertion, assertion_by};
use crate::helpers::jwe;
use crate::helpers::oauth::{PASSWORD, USER, jwt_parts};
use crate::helpers::{TestApp, TestClient, location_params, pkce_pair};

const CB1: &str = "http://127.0.0.1:9/one";
const CB2: &str = "http://127.0.0.1:9/two";

struct Rp {
    client: TestClient,
    key: Jwk,
}

async fn rp(app: &TestApp, extra: Value) -> Rp {
    let pair = ES256.generate_key_pair().unwrap();
    let (mut public, mut private) = (pair.to_jwk_public_key(), pair.to_jwk_private_key());
    for jwk in [&mut public, &mut private] {
        jwk.set_key_id("rp-sig-1");
        jwk.set_key_use("sig");
    }
    let mut metadata = json!({
        "redirect_uris": [CB1, CB2],
        "scope": "openid email",
        "sigil_first_party": true,
        "jwks": {"keys": [Value::Object(public.as_ref().clone())]},
    });
    metadata
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    Rp {
        client: app.create_client(metadata).await,
        key: private,
    }
}

fn object_claims(app: &TestApp, client_id: &str, challenge: &str) -> Value {
    let now = app.state.clock.now();
    json!({
        "iss": client_id,
        "aud": app.issuer,
        "exp": now + 300,
        "iat": now,
        "jti": sigil::secrets::random_token(12),
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": CB2,
        "scope": "openid email",
        "state": "from-object",
        "nonce": "n-object",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    })
}

/// Encrypts `jws` to the app's published encryption key for `alg`, as a client would.
async fn encrypt_to_sigil(app: &TestApp, jws: &str, alg: &str) -> String {
    jwe::to_sigil(&app.jwks().await, jws, alg)
}

fn query<'a>(client: &'a TestClient, request: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", client.id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", CB1),
        ("scope", "openid"),
        ("state", "from-query"),
        ("request", request),
    ]
}

/// Follows login (and never consent: first-party) to the final redirect.
async fn finish(app: &TestApp, mut res: reqwest::Response) -> reqwest::Response {
    if res.status() == 200 {
        res = app.submit_login(res, USER, PASSWORD).await;
    }
    while res.status().is_redirection() {
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        if !location.starts_with("/login") {
            break;
        }
        let page = app.follow(&res).await;
        res = app.submit_login(page, USER, PASSWORD).await;
    }
    res
}

fn refused(res: &reqwest::Response, why: &str) {
    assert!(res.status().is_redirection(), "{why}: {}", res.status());
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(CB1), "{why}: {location}");
    let params = location_params(res);
    assert_eq!(
        params["error"], "invalid_request_object",
        "{why}: {params:?}"
    );
    assert_eq!(params["state"], "from-query", "{why}");
}

#[tokio::test]
async fn an_encrypted_signed_request_object_is_accepted_and_its_parameters_win() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    for (alg, method) in [("RSA-OAEP-256", "GET"), ("ECDH-ES+A256KW", "POST")] {
        let rp = rp(&app, json!({})).await;
        let (verifier, challenge) = pkce_pair();
        let signed = assertion(&rp.key, object_claims(&app, &rp.client.id, &challenge));
        let request = encrypt_to_sigil(&app, &signed, alg).await;
        let params = query(&rp.client, &request);
        let res = match method {
            "GET" => app.authorize(&params).await,
            _ => app.authorize_post(&params).await,
        };
        let res = finish(&app, res).await;
        assert!(res.status().is_redirection());
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with(CB2),
            "the object's redirect_uri wins: {location}"
        );
        let params = location_params(&res);
        assert_eq!(params["state"], "from-object");
        let client = TestClient {
            redirect_uri: CB2.into(),
            ..rp.client.clone()
        };
        let res = app.redeem(&client, &params["code"], &verifier).await;
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["scope"], "openid email", "the object's scope wins");
        let (_, claims) = jwt_parts(body["id_token"].as_str().unwrap());
        assert_eq!(claims["nonce"], "n-object");
        assert_eq!(claims["email"], "ada@example.com");
    }
}

#[tokio::test]
async fn tampered_misaddressed_stale_replayed_or_foreign_objects_are_refused() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let rp = rp(&app, json!({})).await;
    let (_, challenge) = pkce_pair();
    let claims = || object_claims(&app, &rp.client.id, &challenge);
    let ask = |request: String| {
        let params: Vec<(String, String)> = query(&rp.client, &request)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let app = &app;
        async move {
            let params: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            app.authorize(&params).await
        }
    };
    let sealed = |claims: Value| {
        let signed = assertion(&rp.key, claims);
        let app = &app;
        async move { encrypt_to_sigil(app, &signed, "RSA-OAEP-256").await }
    };

    let good = sealed(claims()).await;
    refused(&ask(jwe::tamper(&good, 3)).await, "tampered ciphertext");

    let mut wrong_aud = claims();
    wrong_aud["aud"] = json!("https://elsewhere.example");
    refused(&ask(sealed(wrong_aud).await).await, "wrong aud");

    let mut expired = claims();
    expired["exp"] = json!(app.state.clock.now() - 120);
    refused(&ask(sealed(expired).await).await, "expired");

    let mut far = claims();
    far["exp"] = json!(app.state.clock.now() + 7200);
    refused(&ask(sealed(far).await).await, "exp more than an hour ahead");

    let mut other_client = claims();
    other_client["client_id"] = json!("someone-else");
    refused(
        &ask(sealed(other_client).await).await,
        "mismatched client_id",
    );

    let stranger = ES256.generate_key_pair().unwrap().to_jwk_private_key();
    let mut stranger = stranger;
    stranger.set_key_id("rp-sig-1");
    let forged = assertion(&stranger, claims());
    refused(
        &ask(encrypt_to_sigil(&app, &forged, "RSA-OAEP-256").await).await,
        "foreign key",
    );

    let once = sealed(claims()).await;
    let first = ask(once.clone()).await;
    assert_eq!(first.status(), 200, "accepted the first time (login page)");
    refused(&ask(once).await, "replayed jti");

    // Signed but not encrypted is accepted too; the request_uri parameter never is.
    let plain = assertion(&rp.key, claims());
    assert_eq!(ask(plain).await.status(), 200);
    let mut params = query(&rp.client, "");
    params.retain(|(k, _)| *k != "request");
    params.push(("request_uri", "https://rp.example/request.jwt"));
    let res = app.authorize(&params).await;
    assert_eq!(location_params(&res)["error"], "request_uri_not_supported");
}

#[tokio::test]
async fn alg_none_is_refused_for_a_client_that_registered_rs256_and_accepted_only_for_none() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let rsa = RS256.generate_key_pair(2048).unwrap();
    let mut public = rsa.to_jwk_public_key();
    public.set_key_id("rs-1");
    let mut private = rsa.to_jwk_private_key();
    private.set_key_id("rs-1");
    let strict = app
        .create_client(json!({
            "redirect_uris": [CB1, CB2],
            "scope": "openid email",
            "sigil_first_party": true,
            "jwks": {"keys": [Value::Object(public.as_ref().clone())]},
            "request_object_signing_alg": "RS256",
        }))
        .await;
    let (_, challenge) = pkce_pair();
    let unsigned = |claims: Value| {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.",
            b64.encode(br#"{"alg":"none"}"#),
            b64.encode(claims.to_string())
        )
    };
    let none = unsigned(object_claims(&app, &strict.id, &challenge));
    refused(
        &app.authorize(&query(&strict, &none)).await,
        "none for an RS256 client",
    );
    let es = ES256.generate_key_pair().unwrap().to_jwk_private_key();
    let es_signed = assertion(&es, object_claims(&app, &strict.id, &challenge));
    refused(
        &app.authorize(&query(&strict, &es_signed)).await,
        "ES256 for an RS256 client",
    );
    let rs_signed = assertion_by(
        &RS256.signer_from_jwk(&private).unwrap(),
        &private,
        object_claims(&app, &strict.id, &challenge),
    );
    assert_eq!(
        app.authorize(&query(&strict, &rs_signed)).await.status(),
        200
    );

    let open = app
        .create_client(json!({
            "redirect_uris": [CB1, CB2],
            "scope": "openid",
            "sigil_first_party": true,
            "request_object_signing_alg": "none",
        }))
        .await;
    let (verifier, challenge) = pkce_pair();
    let mut claims = object_claims(&app, &open.id, &challenge);
    claims["scope"] = json!("openid");
    let res = finish(&app, app.authorize(&query(&open, &unsigned(claims))).await).await;
    let params = location_params(&res);
    assert_eq!(params["state"], "from-object");
    let client = TestClient {
        redirect_uri: CB2.into(),
        ..open.clone()
    };
    assert_eq!(
        app.redeem(&client, &params["code"], &verifier)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn an_object_that_cannot_be_checked_with_an_unregistered_redirect_is_an_error_page() {
    let app = TestApp::spawn().await;
    let rp = rp(&app, json!({})).await;
    let params = vec![
        ("client_id", rp.client.id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", "https://attacker.example/cb"),
        ("request", "not.a.jwt"),
    ];
    let res = app.authorize(&params).await;
    assert_eq!(res.status(), 400);
    assert!(
        res.headers().get("location").is_none(),
        "never an unverified redirect"
    );
}

/// A header-only JWE: what an attacker sends needs no valid key material to be refused.
fn hostile(header: Value) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}.{}.{}",
        b64.encode(header.to_string()),
        b64.encode([7u8; 256]),
        b64.encode([1u8; 12]),
        b64.encode([2u8; 64]),
        b64.encode([3u8; 16])
    )
}

#[tokio::test]
async fn hostile_encrypted_request_objects_are_refused_quickly_and_alike() {
    let app = TestApp::spawn().await;
    let rp = rp(&app, json!({})).await;
    let jwks = app.jwks().await;
    let kid = |alg: &str| {
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["alg"] == alg)
            .unwrap()["kid"]
            .clone()
    };
    let (rsa, ec) = (kid("RSA-OAEP-256"), kid("ECDH-ES+A256KW"));
    let cases = [
        json!({"alg": "RSA1_5", "enc": "A128GCM", "kid": rsa}),
        json!({"alg": "PBES2-HS256+A128KW", "enc": "A128GCM", "p2s": "c2FsdHNhbHQ", "p2c": 10_000_000}),
        json!({"alg": "RSA-OAEP-256", "enc": "A128GCM", "zip": "DEF", "kid": rsa}),
        json!({"alg": "RSA-OAEP-256", "enc": "A128GCM", "kid": rsa, "crit": ["exp"], "exp": 1}),
        json!({"alg": "ECDH-ES+A256KW", "enc": "A128GCM", "kid": ec,
            "epk": {"kty": "EC", "crv": "P-256",
                "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                "y": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}}),
        json!({"alg": "RSA-OAEP-256", "enc": "A128GCM", "kid": rsa}),
        json!({"alg": "RSA-OAEP-256", "enc": "A128CBC-HS256", "kid": rsa}),
    ];
    let mut descriptions = std::collections::BTreeSet::new();
    for header in cases {
        let request = hostile(header.clone());
        let started = std::time::Instant::now();
        let res = app.authorize(&query(&rp.client, &request)).await;
        let took = started.elapsed();
        refused(&res, &header.to_string());
        assert!(
            took < std::time::Duration::from_millis(50),
            "{header}: {took:?}"
        );
        descriptions.insert(location_params(&res)["error_description"].clone());
    }
    assert_eq!(
        descriptions.into_iter().collect::<Vec<_>>(),
        ["the request object could not be decrypted"],
        "one refusal text for every failure"
    );
}
