//! ID tokens from `/token`: the client's signing algorithm, the registered claims, and which
//! user claims are released.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::oauth::{jwt_parts, verifies_against};
use crate::helpers::refresh::refresh_token_of;

async fn jwks(app: &TestApp) -> Value {
    app.get("/jwks").await.json().await.unwrap()
}

#[tokio::test]
async fn each_client_gets_id_tokens_signed_with_its_registered_algorithm() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let published = jwks(&app).await;
    for alg in ["RS256", "ES256", "PS256", "EdDSA"] {
        let client = app
            .create_client(json!({
                "redirect_uris": ["http://127.0.0.1:9/callback"],
                "scope": "openid",
                "id_token_signed_response_alg": alg,
            }))
            .await;
        let tokens = app.tokens_for(&client, "openid", &[]).await;
        let id_token = tokens["id_token"].as_str().unwrap();
        let (header, _) = jwt_parts(id_token);
        assert_eq!(header["alg"], alg);
        assert_eq!(header["typ"], "JWT");
        assert!(
            verifies_against(&published, id_token),
            "{alg} ID token verifies"
        );
    }
}

#[tokio::test]
async fn refreshed_id_tokens_keep_the_registered_algorithm() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app
        .refreshing_client(json!({"id_token_signed_response_alg": "EdDSA"}))
        .await;
    let tokens = app.tokens_for(&client, "openid offline_access", &[]).await;
    let next = app.refreshed(&client, &refresh_token_of(&tokens)).await;
    let id_token = next["id_token"].as_str().unwrap();
    assert_eq!(jwt_parts(id_token).0["alg"], "EdDSA");
    assert!(verifies_against(&jwks(&app).await, id_token));
}

#[tokio::test]
async fn the_id_token_has_every_registered_claim() {
    let app = TestApp::spawn().await;
    let sub = app.create_ada(&[]).await;
    let client = app.web_client("openid").await;
    let tokens = app.tokens_for(&client, "openid", &[]).await;
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["iss"], app.issuer.as_str());
    assert_eq!(claims["sub"], sub.as_str());
    assert_eq!(claims["aud"], client.id.as_str());
    assert_eq!(claims["azp"], client.id.as_str());
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["amr"], json!(["pwd"]));
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 3600);
    assert!(claims["auth_time"].as_i64().unwrap() <= iat);
    for claim in ["sid", "at_hash"] {
        assert!(claims[claim].is_string(), "{claim} in {claims}");
    }
    assert!(claims.get("email").is_none(), "no email without the scope");
}

#[tokio::test]
async fn the_claims_parameter_releases_no_claim_without_its_scope() {
    let app = TestApp::spawn().await;
    app.create_ada(&["admin"]).await;
    let client = app.web_client("openid roles").await;
    let asked = json!({"id_token": {"phone_number": null, "roles": null}}).to_string();
    let tokens = app
        .tokens_for(&client, "openid", &[("claims", asked.as_str())])
        .await;
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert!(claims.get("phone_number").is_none(), "{claims}");
    assert!(claims.get("roles").is_none(), "{claims}");
    assert!(claims.get("email").is_none(), "{claims}");

    let tokens = app.tokens_for(&client, "openid roles", &[]).await;
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["roles"], json!(["admin"]));
    assert!(claims.get("phone_number").is_none(), "{claims}");
}
