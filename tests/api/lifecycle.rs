//! Whole token lives with real grants: refresh families and their access tokens end with
//! logout, revocation and "sign out everywhere", as introspection, userinfo and refresh see it.

use serde_json::{Value, json};

use crate::helpers::oauth::assert_error;
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::{TestApp, TestClient};

const ONLINE: &str = "openid profile";
const OFFLINE: &str = "openid profile offline_access";

async fn client(app: &TestApp) -> TestClient {
    app.refreshing_client(json!({ "post_logout_redirect_uris": ["http://127.0.0.1:9/bye"] }))
        .await
}

async fn active(app: &TestApp, client: &TestClient, token: &str) -> bool {
    let res = app
        .introspect_as(
            &client.id,
            client.secret.as_deref().unwrap(),
            &[("token", token)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["active"].as_bool().unwrap()
}

fn access(body: &Value) -> &str {
    body["access_token"].as_str().unwrap()
}

#[tokio::test]
async fn logout_ends_the_session_bound_family_and_its_access_tokens_but_not_offline_access() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = client(&app).await;
    let online = app.tokens_for(&client, ONLINE, &[]).await;
    let offline = app.tokens_for(&client, OFFLINE, &[]).await;
    let online = app.refreshed(&client, &refresh_token_of(&online)).await;
    assert!(active(&app, &client, access(&online)).await);

    let res = app
        .http
        .get(format!("{}/logout", app.address))
        .query(&[
            ("id_token_hint", online["id_token"].as_str().unwrap()),
            ("post_logout_redirect_uri", "http://127.0.0.1:9/bye"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    let res = app.refresh(&client, &refresh_token_of(&online), None).await;
    assert_error(res, 400, "invalid_grant").await;
    assert!(!active(&app, &client, access(&online)).await);
    assert_eq!(app.userinfo(access(&online)).await.status(), 401);
    let kept = app.refreshed(&client, &refresh_token_of(&offline)).await;
    assert!(active(&app, &client, access(&kept)).await);
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_family_and_the_access_tokens_it_issued() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = client(&app).await;
    let first = app.tokens_for(&client, OFFLINE, &[]).await;
    let next = app.refreshed(&client, &refresh_token_of(&first)).await;
    let res = app
        .http
        .post(format!("{}/revoke", app.address))
        .basic_auth(&client.id, client.secret.as_ref())
        .form(&[("token", refresh_token_of(&next).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app.refresh(&client, &refresh_token_of(&next), None).await;
    assert_error(res, 400, "invalid_grant").await;
    for body in [&first, &next] {
        assert!(!active(&app, &client, access(body)).await);
        assert_eq!(app.userinfo(access(body)).await.status(), 401);
    }
}

#[tokio::test]
async fn signing_out_everywhere_makes_earlier_tokens_inactive_and_later_ones_work() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = client(&app).await;
    let online = app.tokens_for(&client, ONLINE, &[]).await;
    let offline = app.tokens_for(&client, OFFLINE, &[]).await;
    assert!(active(&app, &client, access(&offline)).await);

    let out = app.run_cli(&["user", "signout", "ada"], "");
    assert!(out.status.success(), "{out:?}");

    for body in [&online, &offline] {
        assert!(!active(&app, &client, access(body)).await);
        assert!(!active(&app, &client, &refresh_token_of(body)).await);
        let res = app.refresh(&client, &refresh_token_of(body), None).await;
        assert_error(res, 400, "invalid_grant").await;
    }
    let fresh = app.tokens_for(&client, OFFLINE, &[]).await;
    assert!(active(&app, &client, access(&fresh)).await);
    let renewed = app.refreshed(&client, &refresh_token_of(&fresh)).await;
    assert!(active(&app, &client, access(&renewed)).await);
}
