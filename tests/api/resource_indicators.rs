//! RFC 8707 at the authorization endpoint: a resource named there binds the grant, its code
//! and its refresh tokens.

use serde_json::json;

use crate::helpers::oauth::{assert_error, code_form, jwt_parts};
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::{TestApp, TestClient, location_params, pkce_pair};

const API: &str = "https://api.example/";
const OTHER: &str = "https://other.example/";
const SCOPE: &str = "openid api:read offline_access";

async fn setup() -> (TestApp, TestClient) {
    let (app, client, _) = setup_with_user().await;
    (app, client)
}

async fn setup_with_user() -> (TestApp, TestClient, String) {
    let app = TestApp::spawn().await;
    let user_id = app.create_ada(&[]).await;
    app.create_resource(json!({"identifier": API, "scope": "api:read api:write"}))
        .await;
    app.create_resource(json!({"identifier": OTHER, "scope": "other:read"}))
        .await;
    let client = app
        .refreshing_client(json!({ "scope": "openid api:read offline_access" }))
        .await;
    (app, client, user_id)
}

/// `/authorize` for `client` with `extra` parameters, before any login.
async fn ask(app: &TestApp, client: &TestClient, extra: &[(&str, &str)]) -> reqwest::Response {
    let (_, challenge) = pkce_pair();
    let mut params = vec![
        ("client_id", client.id.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("response_type", "code"),
        ("scope", SCOPE),
        ("state", "s-1"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    app.authorize(&params).await
}

#[tokio::test]
async fn a_resource_named_at_authorize_is_the_audience_of_every_access_token_of_the_grant() {
    let (app, client) = setup().await;
    let tokens = app.tokens_for(&client, SCOPE, &[("resource", API)]).await;
    let (_, access) = jwt_parts(tokens["access_token"].as_str().unwrap());
    assert_eq!(access["aud"], API);
    assert_eq!(access["scope"], "api:read");
    assert!(
        tokens.get("id_token").is_some(),
        "the ID token is unchanged"
    );
    let next = app.refreshed(&client, &refresh_token_of(&tokens)).await;
    let (_, access) = jwt_parts(next["access_token"].as_str().unwrap());
    assert_eq!(access["aud"], API);
    assert_eq!(next["scope"], "api:read");

    // The same resource may be named again; another one may not.
    let res = app
        .token_request()
        .basic_auth(&client.id, client.secret.as_ref())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token_of(&next).as_str()),
            ("resource", OTHER),
        ])
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "invalid_target").await;
    let again = app
        .token_request()
        .basic_auth(&client.id, client.secret.as_ref())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token_of(&next).as_str()),
            ("audience", API),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        200,
        "the refused request left the token alive"
    );
}

#[tokio::test]
async fn the_code_cannot_be_redeemed_for_another_resource() {
    let (app, client, user_id) = setup_with_user().await;
    let (code, verifier) = app.code_for(&client, SCOPE, &[("resource", API)]).await;
    let mut form = code_form(&client, &code, &verifier);
    form.push(("resource", OTHER));
    let res = app.token_as(&client, &form).await;
    assert_error(res, 400, "invalid_target").await;
    // The refresh family recorded with the redemption was revoked with the refusal.
    let now = app.state.clock.now();
    let live = app
        .state
        .store
        .run(move |c| sigil::store::refresh_tokens::revoke_for_user(c, &user_id, now))
        .await
        .unwrap();
    assert_eq!(live, 0, "no live refresh family is left behind");
    // The code is spent all the same.
    let res = app
        .token_as(&client, &code_form(&client, &code, &verifier))
        .await;
    assert_error(res, 400, "invalid_grant").await;
}

#[tokio::test]
async fn unusable_or_conflicting_resources_are_refused_back_to_the_client() {
    let (app, client) = setup().await;
    for extra in [
        vec![("resource", "https://unknown.example/")],
        vec![("resource", OTHER)],
        vec![("resource", API), ("resource", OTHER)],
        vec![("resource", API), ("audience", OTHER)],
    ] {
        let res = ask(&app, &client, &extra).await;
        assert!(res.status().is_redirection(), "{extra:?}");
        let params = location_params(&res);
        assert_eq!(params["error"], "invalid_target", "{extra:?}");
        assert_eq!(params["state"], "s-1");
        assert_eq!(params["iss"], app.issuer);
        assert!(
            res.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with(&client.redirect_uri)
        );
    }
    // Naming the same resource twice is one resource.
    let res = ask(&app, &client, &[("resource", API), ("resource", API)]).await;
    assert_eq!(res.status(), 200, "the login form");
    assert!(res.text().await.unwrap().contains("name=\"password\""));
}
