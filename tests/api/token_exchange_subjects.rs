//! The subject token of an exchange: only a current token of sigil's own, of the type
//! declared, addressed to the exchanging client — signed or encrypted — is accepted; anything
//! else is `invalid_grant`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::{JwsHeader, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Value, json};

use crate::helpers::exchange::{
    ACCESS, GATEWAY, GRANT, ID, ORDERS, issued, refusal, setup, setup_on,
};
use crate::helpers::jwe;
use crate::helpers::oauth::jwt_parts;
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::{TestApp, TestClient, TestDatabase, manual_clock};

/// `token`'s header and claims signed again with a key that is not sigil's (same `kid`).
fn signed_elsewhere(token: &str) -> String {
    let (header, claims) = jwt_parts(token);
    let pair = RS256.generate_key_pair(2048).unwrap();
    let signer = RS256.signer_from_jwk(&pair.to_jwk_private_key()).unwrap();
    let header = JwsHeader::from_map(header.as_object().unwrap().clone()).unwrap();
    let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
    jwt::encode_with_signer(&payload, &header, &signer).unwrap()
}

/// `token`'s claims under an unsigned (`alg: none`) header.
fn unsigned(token: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "at+jwt"}).to_string());
    format!("{header}.{}.", token.split('.').nth(1).unwrap())
}

/// Exchanges `token` declared as `kind` as `client`.
async fn present(app: &TestApp, client: &TestClient, token: &str, kind: &str) -> reqwest::Response {
    app.exchange_as(
        client,
        &[("subject_token", token), ("subject_token_type", kind)],
    )
    .await
}

#[tokio::test]
async fn an_expired_subject_token_is_invalid_grant() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    let ex = setup_on(app, json!({})).await;
    let exp = jwt_parts(&ex.user_token).1["exp"].as_i64().unwrap();
    clock.advance(exp - sigil::clock::Clock::now(clock.as_ref()) - 1);
    ex.app.exchanged(&ex.gateway, &ex.user_token, &[]).await;
    clock.advance(1);
    ex.app
        .refused(&ex.gateway, &ex.user_token, &[], (400, "invalid_grant"))
        .await;
}

#[tokio::test]
async fn a_revoked_subject_token_is_invalid_grant() {
    let ex = setup(json!({})).await;
    ex.app.exchanged(&ex.gateway, &ex.user_token, &[]).await;
    ex.app.revoke_as(&ex.web, &ex.user_token).await;
    ex.app
        .refused(&ex.gateway, &ex.user_token, &[], (400, "invalid_grant"))
        .await;
}

#[tokio::test]
async fn a_token_sigil_did_not_sign_or_no_token_at_all_is_invalid_grant() {
    let ex = setup(json!({})).await;
    let (app, gateway) = (&ex.app, &ex.gateway);
    let refresh = {
        let client = app
            .refreshing_client(json!({"scope": "openid offline_access gateway"}))
            .await;
        let scope = "openid offline_access gateway";
        let tokens = app
            .tokens_for(&client, scope, &[("resource", GATEWAY)])
            .await;
        refresh_token_of(&tokens)
    };
    let forged = signed_elsewhere(&ex.user_token);
    assert_eq!(jwt_parts(&forged), jwt_parts(&ex.user_token));
    let tampered = jwe::tamper(&ex.user_token, 2);
    let subjects = [
        forged.as_str(),
        tampered.as_str(),
        &unsigned(&ex.user_token),
        "abc",
        "a.b.c",
        refresh.as_str(),
    ];
    for subject in subjects {
        let res = present(app, gateway, subject, ACCESS).await;
        assert_eq!(res.status(), 400, "{subject}");
        refusal(res, 400, "invalid_grant").await;
    }
    // The genuine token is good: each refusal was for the copy.
    app.exchanged(gateway, &ex.user_token, &[]).await;
}

#[tokio::test]
async fn a_token_not_addressed_to_the_client_is_invalid_grant() {
    let ex = setup(json!({})).await;
    let elsewhere = ex
        .app
        .exchange_client(
            "orders:read orders:write",
            Some(json!({"subject_audiences": [ORDERS]})),
        )
        .await;
    ex.app
        .refused(&elsewhere, &ex.user_token, &[], (400, "invalid_grant"))
        .await;
    // The web app's ID token names the web app only, not the gateway.
    refusal(
        present(&ex.app, &ex.gateway, &ex.id_token, ID).await,
        400,
        "invalid_grant",
    )
    .await;
    // Addressed to ORDERS, the token the gateway gets is one `elsewhere` may exchange.
    let for_orders = ex
        .app
        .exchanged(&ex.gateway, &ex.user_token, &[("resource", ORDERS)])
        .await;
    let body = ex
        .app
        .exchanged(
            &elsewhere,
            for_orders["access_token"].as_str().unwrap(),
            &[],
        )
        .await;
    assert_eq!(issued(&body)["client_id"], elsewhere.id);
}

/// A web app that may exchange the tokens it gets (the ID token for a session-bound one).
async fn exchanging_web_app(app: &TestApp) -> (TestClient, Value) {
    let web = app
        .create_client(json!({
            "client_name": "Web BFF",
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "grant_types": ["authorization_code", GRANT],
            "scope": "openid profile",
        }))
        .await;
    let tokens = app.tokens_for(&web, "openid profile", &[]).await;
    (web, tokens)
}

#[tokio::test]
async fn a_token_declared_as_another_type_is_invalid_grant() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let (web, tokens) = exchanging_web_app(&app).await;
    let access = tokens["access_token"].as_str().unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    for (token, declared) in [(id_token, ACCESS), (access, ID)] {
        let res = present(&app, &web, token, declared).await;
        assert_eq!(res.status(), 400, "{declared}");
        refusal(res, 400, "invalid_grant").await;
    }
    // Declared as what they are, both are good.
    assert_eq!(present(&app, &web, access, ACCESS).await.status(), 200);
    assert_eq!(present(&app, &web, id_token, ID).await.status(), 200);
}

#[tokio::test]
async fn a_clients_own_id_token_is_exchanged_for_openid_only() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    let (web, tokens) = exchanging_web_app(&app).await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let res = present(&app, &web, id_token, ID).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["scope"], "openid");
    let claims = issued(&body);
    assert_eq!(claims["sub"], user);
    assert_eq!(claims["client_id"], web.id);
    assert_eq!(claims["aud"], app.issuer, "the default audience");
    assert_eq!(claims["scope"], "openid");
    assert!(claims["exp"].as_i64() <= jwt_parts(id_token).1["exp"].as_i64());
    assert_eq!(
        app.userinfo(body["access_token"].as_str().unwrap())
            .await
            .status(),
        200
    );

    let res = app
        .exchange_as(
            &web,
            &[
                ("subject_token", id_token),
                ("subject_token_type", ID),
                ("scope", "openid profile"),
            ],
        )
        .await;
    refusal(res, 400, "invalid_scope").await;
}

#[tokio::test]
async fn an_encrypted_access_token_of_sigils_is_a_subject_token() {
    const SEALED: &str = "https://sealed.example/";
    let ex = setup(json!({"subject_audiences": [SEALED]})).await;
    let (public, private) = jwe::key_pair("ECDH-ES+A256KW", "sealed-enc-1", "P-256");
    ex.app
        .create_resource(json!({
            "identifier": SEALED,
            "scope": "sealed orders:read",
            "jwks": {"keys": [public]},
            "access_token_encrypted_response_alg": "ECDH-ES+A256KW",
            "access_token_encrypted_response_enc": "A128GCM",
        }))
        .await;
    let web = ex.app.web_client("openid sealed orders:read").await;
    let tokens = ex
        .app
        .tokens_for(&web, "openid sealed orders:read", &[("resource", SEALED)])
        .await;
    let sealed = tokens["access_token"].as_str().unwrap();
    let decrypter = jwe::decrypter("ECDH-ES+A256KW", Some(&private), None);
    let (_, inner) = jwe::open(sealed, decrypter.as_ref());
    let (_, subject) = jwt_parts(&inner);

    let body = ex
        .app
        .exchanged(&ex.gateway, sealed, &[("resource", ORDERS)])
        .await;
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(
        token.split('.').count(),
        3,
        "orders has no key: a plain JWS"
    );
    let claims = issued(&body);
    assert_eq!(claims["sub"], ex.user_id);
    assert_eq!(claims["aud"], ORDERS);
    assert_eq!(claims["scope"], "orders:read");
    assert_eq!(claims["sigil_chain"], json!([subject["jti"]]));
    // Exchanged for the sealed resource itself, the new token is sealed to it in turn.
    let resealed = ex
        .app
        .exchanged(&ex.gateway, sealed, &[("resource", SEALED)])
        .await;
    let (_, inner) = jwe::open(
        resealed["access_token"].as_str().unwrap(),
        decrypter.as_ref(),
    );
    let claims = jwt_parts(&inner).1;
    assert_eq!(
        (&claims["aud"], &claims["scope"]),
        (&json!(SEALED), &json!("orders:read"))
    );
    assert_eq!(claims["sigil_chain"], json!([subject["jti"]]));
    // The same encrypted token, tampered with, is not sigil's.
    ex.app
        .refused(
            &ex.gateway,
            &jwe::tamper(sealed, 3),
            &[],
            (400, "invalid_grant"),
        )
        .await;
}
