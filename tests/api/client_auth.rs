//! Client authentication at `/token`: each client only by its registered method (RFC 6749
//! §2.3, RFC 7523 `private_key_jwt`).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use josekit::jws::ES256;
use serde_json::json;

use crate::helpers::TestApp;
use crate::helpers::assertions::{JwtClient, assertion, assertion_by};
use crate::helpers::oauth::{assert_error, code_form};

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

#[tokio::test]
async fn private_key_jwt_authenticates_once_per_assertion() {
    let app = app().await;
    let JwtClient { client, key } = app.jwt_client().await;
    let token_endpoint = format!("{}/token", app.issuer);
    let jwt = assertion(&key, app.assertion_claims(&client.id, &token_endpoint, 120));

    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let res = app.send_assertion(&client, &code, &verifier, &jwt).await;
    assert_eq!(res.status(), 200);

    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let replay = app.send_assertion(&client, &code, &verifier, &jwt).await;
    assert_invalid_client(replay, false).await;
    let fresh = assertion(&key, app.assertion_claims(&client.id, &app.issuer, 120));
    let res = app.send_assertion(&client, &code, &verifier, &fresh).await;
    assert_eq!(res.status(), 200, "the issuer is an accepted audience too");
}

#[tokio::test]
async fn private_key_jwt_refuses_wrong_audience_expiry_key_and_alg_none() {
    let app = app().await;
    let JwtClient { client, key } = app.jwt_client().await;
    let token_endpoint = format!("{}/token", app.issuer);
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;

    let wrong_aud = assertion(
        &key,
        app.assertion_claims(&client.id, "https://elsewhere/token", 120),
    );
    let expired = assertion(
        &key,
        app.assertion_claims(&client.id, &token_endpoint, -120),
    );
    let mut stranger = ES256.generate_key_pair().unwrap().to_jwk_private_key();
    stranger.set_key_id("client-key-1");
    let other_key = assertion(
        &stranger,
        app.assertion_claims(&client.id, &token_endpoint, 120),
    );
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(
            app.assertion_claims(&client.id, &token_endpoint, 120)
                .to_string()
                .as_bytes()
        ),
    );
    let mut wrong_sub = app.assertion_claims(&client.id, &token_endpoint, 120);
    wrong_sub["sub"] = json!("someone-else");
    let wrong_sub = assertion(&key, wrong_sub);
    for jwt in [wrong_aud, expired, other_key, unsigned, wrong_sub] {
        let res = app.send_assertion(&client, &code, &verifier, &jwt).await;
        assert_invalid_client(res, false).await;
    }
    let good = assertion(&key, app.assertion_claims(&client.id, &token_endpoint, 120));
    let res = app.send_assertion(&client, &code, &verifier, &good).await;
    assert_eq!(res.status(), 200, "the refusals left the code unspent");
}

#[tokio::test]
async fn a_registered_assertion_algorithm_is_the_only_one_accepted() {
    use josekit::jws::{PS256, RS256};
    let app = app().await;
    let pair = RS256.generate_key_pair(2048).unwrap();
    let without_alg = |jwk: josekit::jwk::Jwk| {
        let mut map = jwk.as_ref().clone();
        map.remove("alg");
        josekit::jwk::Jwk::from_map(map).unwrap()
    };
    let public = without_alg(pair.to_jwk_public_key());
    let private = without_alg(pair.to_jwk_private_key());
    let JwtClient { client, key } = app
        .jwt_client_with(
            public,
            private,
            json!({"token_endpoint_auth_signing_alg": "PS256"}),
        )
        .await;
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let claims = app.assertion_claims(&client.id, &app.issuer, 60);
    let rs256 = assertion_by(&RS256.signer_from_jwk(&key).unwrap(), &key, claims);
    let res = app.send_assertion(&client, &code, &verifier, &rs256).await;
    assert_invalid_client(res, false).await;
    let claims = app.assertion_claims(&client.id, &app.issuer, 60);
    let ps256 = assertion_by(&PS256.signer_from_jwk(&key).unwrap(), &key, claims);
    let res = app.send_assertion(&client, &code, &verifier, &ps256).await;
    assert_eq!(res.status(), 200, "the registered algorithm, same key");
}
