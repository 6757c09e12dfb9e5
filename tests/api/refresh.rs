//! The refresh token grant: rotation, reuse detection, lifetimes, grace window, scope.

use std::sync::Arc;

use serde_json::json;

use crate::helpers::oauth::{assert_error, jwt_parts};
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::{TestApp, TestDatabase, manual_clock};

const SCOPE: &str = "openid profile offline_access";

async fn audit_actions(app: &TestApp) -> Vec<String> {
    app.state
        .store
        .run(|c| sigil::store::audit::list(c, &Default::default()))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn rotation_gives_a_new_pair_and_reuse_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let first = app.tokens_for(&client, SCOPE, &[]).await;
    let r1 = refresh_token_of(&first);
    assert!(r1.len() >= 43, "at least 256 bits");

    let second = app.refreshed(&client, &r1).await;
    let r2 = refresh_token_of(&second);
    assert_ne!(r1, r2);
    assert_ne!(first["access_token"], second["access_token"]);
    assert_eq!(second["scope"], SCOPE);
    let (_, old_id) = jwt_parts(first["id_token"].as_str().unwrap());
    let (_, new_id) = jwt_parts(second["id_token"].as_str().unwrap());
    assert_eq!(new_id["sub"], old_id["sub"]);
    assert_eq!(new_id["auth_time"], old_id["auth_time"]);
    assert!(old_id.get("nonce").is_some() && new_id.get("nonce").is_none());

    let reused = app.refresh(&client, &r1, None).await;
    assert_error(reused, 400, "invalid_grant").await;
    let after = app.refresh(&client, &r2, None).await;
    assert_error(after, 400, "invalid_grant").await;
    for body in [&first, &second] {
        let res = app.userinfo(body["access_token"].as_str().unwrap()).await;
        assert_eq!(res.status(), 401, "the family's access tokens die with it");
    }
    assert!(
        audit_actions(&app)
            .await
            .contains(&"refresh.reuse".to_owned())
    );
    let stored: Vec<String> = app
        .state
        .store
        .run(|c| sigil::store::audit::list(c, &Default::default()))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert!(stored.iter().all(|d| !d.contains(&r1) && !d.contains(&r2)));
}

#[tokio::test]
async fn a_client_without_the_refresh_grant_gets_no_refresh_token_and_may_not_refresh() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let plain = app.web_client("openid offline_access").await;
    let body = app.tokens_for(&plain, "openid offline_access", &[]).await;
    assert!(body.get("refresh_token").is_none(), "{body}");
    let res = app.refresh(&plain, "anything", None).await;
    assert_error(res, 400, "unauthorized_client").await;
}

#[tokio::test]
async fn scope_may_narrow_on_refresh_but_never_widen() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let first = app.tokens_for(&client, SCOPE, &[]).await;
    let r1 = refresh_token_of(&first);

    let wider = app
        .refresh(&client, &r1, Some("openid profile email"))
        .await;
    assert_error(wider, 400, "invalid_scope").await;
    let res = app.userinfo(first["access_token"].as_str().unwrap()).await;
    assert_eq!(
        res.status(),
        200,
        "refreshing leaves earlier access tokens alone"
    );
    let narrow = app.refresh(&client, &r1, Some("profile")).await;
    assert_eq!(
        narrow.status(),
        200,
        "a refused widening does not spend the token"
    );
    let body: serde_json::Value = narrow.json().await.unwrap();
    assert_eq!(body["scope"], "profile");
    assert!(body.get("id_token").is_none(), "no openid, no ID token");
    let (_, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(claims["scope"], "profile");

    // The family keeps its original scope: the next refresh may ask for all of it again.
    let again = app.refreshed(&client, &refresh_token_of(&body)).await;
    assert_eq!(again["scope"], SCOPE);
    assert!(again.get("id_token").is_some());
}

#[tokio::test]
async fn another_clients_refresh_token_is_refused_and_left_intact() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let owner = app.refreshing_client(json!({})).await;
    let thief = app.refreshing_client(json!({})).await;
    let r1 = refresh_token_of(&app.tokens_for(&owner, SCOPE, &[]).await);
    let stolen = app.refresh(&thief, &r1, None).await;
    assert_error(stolen, 400, "invalid_grant").await;
    app.refreshed(&owner, &r1).await;
}

#[tokio::test]
async fn without_offline_access_the_family_dies_with_the_browser_session() {
    let app = TestApp::spawn().await;
    let user_id = app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let online = refresh_token_of(&app.tokens_for(&client, "openid profile", &[]).await);
    let offline = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    let online = refresh_token_of(&app.refreshed(&client, &online).await);

    app.state
        .store
        .run(move |c| sigil::store::sessions::delete_for_user(c, &user_id, None))
        .await
        .unwrap();
    let res = app.refresh(&client, &online, None).await;
    assert_error(res, 400, "invalid_grant").await;
    app.refreshed(&client, &offline).await;
}

#[tokio::test]
async fn sliding_and_absolute_lifetimes_follow_the_client_settings() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_ada(&[]).await;
    let client = app
        .refreshing_client(json!({
            "sigil_refresh_token_lifetime": 100,
            "sigil_refresh_token_absolute_lifetime": 250,
        }))
        .await;
    let r1 = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    clock.advance(90);
    let r2 = refresh_token_of(&app.refreshed(&client, &r1).await);
    clock.advance(90);
    let r3 = refresh_token_of(&app.refreshed(&client, &r2).await);
    clock.advance(75);
    let res = app.refresh(&client, &r3, None).await;
    assert_error(res, 400, "invalid_grant").await;

    let idle = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    clock.advance(101);
    let res = app.refresh(&client, &idle, None).await;
    assert_error(res, 400, "invalid_grant").await;
}

#[tokio::test]
async fn the_grace_window_hands_out_the_same_successor_and_only_briefly() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_ada(&[]).await;
    let client = app
        .refreshing_client(json!({ "sigil_refresh_token_grace_period": 5 }))
        .await;
    let r1 = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    let r2 = refresh_token_of(&app.refreshed(&client, &r1).await);
    clock.advance(3);
    let retry = app.refreshed(&client, &r1).await;
    assert_eq!(refresh_token_of(&retry), r2, "the same successor");
    let r3 = refresh_token_of(&app.refreshed(&client, &r2).await);

    // r1's successor is spent now: presenting r1 again is reuse, even inside the window.
    let res = app.refresh(&client, &r1, None).await;
    assert_error(res, 400, "invalid_grant").await;
    let res = app.refresh(&client, &r3, None).await;
    assert_error(res, 400, "invalid_grant").await;

    // Outside the window, the previous token is reuse.
    let s1 = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    let s2 = refresh_token_of(&app.refreshed(&client, &s1).await);
    clock.advance(6);
    let res = app.refresh(&client, &s1, None).await;
    assert_error(res, 400, "invalid_grant").await;
    let res = app.refresh(&client, &s2, None).await;
    assert_error(res, 400, "invalid_grant").await;
}

#[tokio::test]
async fn a_reused_code_also_revokes_the_refresh_family_it_started() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let (code, verifier) = app.code_for(&client, SCOPE, &[]).await;
    let first = app.redeem(&client, &code, &verifier).await;
    let body: serde_json::Value = first.json().await.unwrap();
    let again = app.redeem(&client, &code, &verifier).await;
    assert_error(again, 400, "invalid_grant").await;
    let res = app.refresh(&client, &refresh_token_of(&body), None).await;
    assert_error(res, 400, "invalid_grant").await;
}

#[tokio::test]
async fn a_public_client_refreshes_with_its_client_id() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app
        .refreshing_client(json!({ "token_endpoint_auth_method": "none" }))
        .await;
    assert!(client.secret.is_none());
    let r1 = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    app.refreshed(&client, &r1).await;
}

#[tokio::test]
async fn bad_refresh_requests_get_the_rfc_errors() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let secret = client.secret.clone().unwrap();
    let r1 = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    let send = |body: String| {
        app.token_request()
            .basic_auth(&client.id, Some(&secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let res = send("grant_type=refresh_token".into()).await.unwrap();
    assert_error(res, 400, "invalid_request").await;
    let res = send(format!(
        "grant_type=refresh_token&refresh_token={r1}&refresh_token={r1}"
    ))
    .await
    .unwrap();
    assert_error(res, 400, "invalid_request").await;
    let res = send("grant_type=refresh_token&refresh_token=unknown".into())
        .await
        .unwrap();
    assert_error(res, 400, "invalid_grant").await;
    let res = send(format!(
        "grant_type=refresh_token&refresh_token={r1}&scope=a%22b"
    ))
    .await
    .unwrap();
    assert_error(res, 400, "invalid_scope").await;
    let res = send(format!(
        "grant_type=refresh_token&refresh_token={r1}&resource=https%3A%2F%2Fapi.example%2F"
    ))
    .await
    .unwrap();
    assert_error(res, 400, "invalid_target").await;
    let res = app
        .token_request()
        .basic_auth(&client.id, Some("wrong"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", &r1)])
        .send()
        .await
        .unwrap();
    assert_error(res, 401, "invalid_client").await;
    // None of the refused requests spent the token.
    app.refreshed(&client, &r1).await;
}

#[tokio::test]
async fn every_refresh_is_rotated_under_a_shared_clock() {
    let clock: Arc<sigil::clock::ManualClock> = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let mut token = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5 {
        clock.advance(1);
        token = refresh_token_of(&app.refreshed(&client, &token).await);
        assert!(seen.insert(token.clone()), "every successor is new");
    }
}

#[tokio::test]
async fn the_openidconnect_crate_refreshes_and_verifies_the_new_id_token() {
    use openidconnect::core::{CoreClient, CoreProviderMetadata};
    use openidconnect::{
        ClientId, ClientSecret, IssuerUrl, Nonce, OAuth2TokenResponse, RedirectUrl, RefreshToken,
        TokenResponse,
    };
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let first = app.tokens_for(&client, SCOPE, &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.issuer.clone()).unwrap(), &http)
            .await
            .unwrap();
    let rp = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client.id.clone()),
        client.secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(RedirectUrl::new(client.redirect_uri.clone()).unwrap());
    let tokens = rp
        .exchange_refresh_token(&RefreshToken::new(refresh_token_of(&first)))
        .unwrap()
        .request_async(&http)
        .await
        .expect("refresh response");
    let next = tokens.refresh_token().expect("a rotated refresh token");
    assert_ne!(next.secret(), &refresh_token_of(&first));
    let id_token = tokens.id_token().expect("a new ID token");
    let no_nonce = |n: Option<&Nonce>| match n {
        None => Ok(()),
        Some(_) => Err("a refreshed ID token carries no nonce".to_owned()),
    };
    let claims = id_token
        .claims(&rp.id_token_verifier(), no_nonce)
        .expect("the refreshed ID token verifies");
    let (_, original) = jwt_parts(first["id_token"].as_str().unwrap());
    assert_eq!(claims.subject().as_str(), original["sub"]);
    assert_eq!(
        claims.auth_time().map(|t| t.timestamp()),
        original["auth_time"].as_i64()
    );
}
