//! Client authentication at `/token`: each client only by its registered method (RFC 6749
//! §2.3, RFC 7523 `private_key_jwt`).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use josekit::jws::{ES256, JwsHeader};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Value, json};

use crate::helpers::oauth::{assert_error, code_form};
use crate::helpers::{TestApp, TestClient};

async fn app() -> TestApp {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    app
}

/// Asserts 401 `invalid_client`; with `basic`, a `WWW-Authenticate: Basic` challenge.
async fn assert_invalid_client(res: reqwest::Response, basic: bool) {
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_error(res, 401, "invalid_client").await;
    if basic {
        let challenge = challenge.expect("WWW-Authenticate");
        assert!(challenge.starts_with("Basic"), "{challenge}");
    }
}

#[tokio::test]
async fn client_secret_basic_works_and_a_wrong_secret_is_challenged() {
    let app = app().await;
    let client = app.web_client("openid").await;
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let wrong = app
        .token_request()
        .basic_auth(&client.id, Some("not-the-secret"))
        .form(&code_form(&client, &code, &verifier))
        .send()
        .await
        .unwrap();
    assert_invalid_client(wrong, true).await;
    let res = app.redeem(&client, &code, &verifier).await;
    assert_eq!(
        res.status(),
        200,
        "a refused attempt does not spend the code"
    );
}

#[tokio::test]
async fn client_secret_post_works_only_for_clients_registered_with_it() {
    let app = app().await;
    let client = app
        .create_client(json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "scope": "openid",
            "token_endpoint_auth_method": "client_secret_post",
        }))
        .await;
    let secret = client.secret.clone().expect("a secret");
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let basic = app
        .token_request()
        .basic_auth(&client.id, Some(&secret))
        .form(&code_form(&client, &code, &verifier))
        .send()
        .await
        .unwrap();
    assert_invalid_client(basic, true).await;

    let mut form = code_form(&client, &code, &verifier);
    form.extend([
        ("client_id", client.id.as_str()),
        ("client_secret", &secret),
    ]);
    let res = app.token_request().form(&form).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_public_client_sends_only_its_id_and_a_confidential_one_may_not() {
    let app = app().await;
    let public = app
        .create_client(json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "scope": "openid",
            "token_endpoint_auth_method": "none",
        }))
        .await;
    assert!(public.secret.is_none());
    let tokens = app.tokens_for(&public, "openid", &[]).await;
    assert!(tokens["id_token"].is_string());

    let confidential = app.web_client("openid").await;
    let (code, verifier) = app.code_for(&confidential, "openid", &[]).await;
    let mut form = code_form(&confidential, &code, &verifier);
    form.push(("client_id", confidential.id.as_str()));
    let res = app.token_request().form(&form).send().await.unwrap();
    assert_invalid_client(res, false).await;
}

#[tokio::test]
async fn two_methods_at_once_malformed_basic_and_unknown_clients_are_refused() {
    let app = app().await;
    let client = app.web_client("openid").await;
    let secret = client.secret.clone().unwrap();
    let form = code_form(&client, "c", "v");

    let mut both = form.clone();
    both.push(("client_secret", &secret));
    let res = app
        .token_request()
        .basic_auth(&client.id, Some(&secret))
        .form(&both)
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "invalid_request").await;

    for header in [
        "Basic !!!not-base64!!!".to_owned(),
        format!("Basic {}", STANDARD.encode("no-colon")),
        format!("Basic {}", STANDARD.encode(":secret-without-id")),
    ] {
        let res = app
            .token_request()
            .header("authorization", header)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_invalid_client(res, true).await;
    }

    let res = app
        .token_request()
        .basic_auth("no-such-client", Some(&secret))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_invalid_client(res, true).await;

    let res = app.token_request().form(&form).send().await.unwrap();
    assert_invalid_client(res, false).await;
}

/// A `private_key_jwt` client and the key it signs with.
struct JwtClient {
    client: TestClient,
    key: josekit::jwk::Jwk,
}

async fn jwt_client(app: &TestApp) -> JwtClient {
    let pair = ES256.generate_key_pair().unwrap();
    let mut public = pair.to_jwk_public_key();
    public.set_key_id("client-key-1");
    public.set_algorithm("ES256");
    public.set_key_use("sig");
    let mut private = pair.to_jwk_private_key();
    private.set_key_id("client-key-1");
    let client = app
        .create_client(json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "scope": "openid",
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [Value::from(public.as_ref().clone())]},
        }))
        .await;
    assert!(client.secret.is_none());
    JwtClient {
        client,
        key: private,
    }
}

fn assertion(key: &josekit::jwk::Jwk, claims: Value) -> String {
    let mut header = JwsHeader::new();
    header.set_token_type("JWT");
    if let Some(kid) = key.key_id() {
        header.set_key_id(kid);
    }
    let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
    jwt::encode_with_signer(&payload, &header, &ES256.signer_from_jwk(key).unwrap()).unwrap()
}

fn claims(app: &TestApp, client_id: &str, aud: &str, exp_in: i64) -> Value {
    let now = app.state.clock.now();
    json!({
        "iss": client_id,
        "sub": client_id,
        "aud": aud,
        "iat": now,
        "exp": now + exp_in,
        "jti": sigil::secrets::random_token(16),
    })
}

async fn send_assertion(
    app: &TestApp,
    client: &TestClient,
    code: &str,
    verifier: &str,
    jwt: &str,
) -> reqwest::Response {
    let mut form = code_form(client, code, verifier);
    form.extend([
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", jwt),
    ]);
    app.token_request().form(&form).send().await.unwrap()
}

#[tokio::test]
async fn private_key_jwt_authenticates_once_per_assertion() {
    let app = app().await;
    let JwtClient { client, key } = jwt_client(&app).await;
    let token_endpoint = format!("{}/token", app.issuer);
    let jwt = assertion(&key, claims(&app, &client.id, &token_endpoint, 120));

    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let res = send_assertion(&app, &client, &code, &verifier, &jwt).await;
    assert_eq!(res.status(), 200);

    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let replay = send_assertion(&app, &client, &code, &verifier, &jwt).await;
    assert_invalid_client(replay, false).await;
    let fresh = assertion(&key, claims(&app, &client.id, &app.issuer, 120));
    let res = send_assertion(&app, &client, &code, &verifier, &fresh).await;
    assert_eq!(res.status(), 200, "the issuer is an accepted audience too");
}

#[tokio::test]
async fn private_key_jwt_refuses_wrong_audience_expiry_key_and_alg_none() {
    let app = app().await;
    let JwtClient { client, key } = jwt_client(&app).await;
    let token_endpoint = format!("{}/token", app.issuer);
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;

    let wrong_aud = assertion(
        &key,
        claims(&app, &client.id, "https://elsewhere/token", 120),
    );
    let expired = assertion(&key, claims(&app, &client.id, &token_endpoint, -120));
    let mut stranger = ES256.generate_key_pair().unwrap().to_jwk_private_key();
    stranger.set_key_id("client-key-1");
    let other_key = assertion(&stranger, claims(&app, &client.id, &token_endpoint, 120));
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(
            claims(&app, &client.id, &token_endpoint, 120)
                .to_string()
                .as_bytes()
        ),
    );
    let mut wrong_sub = claims(&app, &client.id, &token_endpoint, 120);
    wrong_sub["sub"] = json!("someone-else");
    let wrong_sub = assertion(&key, wrong_sub);
    for jwt in [wrong_aud, expired, other_key, unsigned, wrong_sub] {
        let res = send_assertion(&app, &client, &code, &verifier, &jwt).await;
        assert_invalid_client(res, false).await;
    }
    let good = assertion(&key, claims(&app, &client.id, &token_endpoint, 120));
    let res = send_assertion(&app, &client, &code, &verifier, &good).await;
    assert_eq!(res.status(), 200, "the refusals left the code unspent");
}
