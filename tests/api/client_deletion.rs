//! A deleted client's tokens are dead everywhere: at `/introspect` (for the client and for the
//! resource they were issued for) and at `/userinfo`.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const API: &str = "https://api.example/";

async fn active_for(app: &TestApp, id: &str, secret: &str, token: &str) -> bool {
    let body: Value = app
        .introspect_as(id, secret, &[("token", token)])
        .await
        .json()
        .await
        .unwrap();
    body["active"].as_bool().unwrap()
}

#[tokio::test]
async fn a_deleted_clients_access_tokens_are_inactive_for_their_resource() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let api = app
        .create_resource(json!({"identifier": API, "scope": "api:read", "introspection": true}))
        .await;
    let api_secret = api.secret.clone().unwrap();
    let service = app.service_client("api:read").await;
    let service_token = app.service_token(&service, &[("resource", API)]).await;
    let service_token = service_token["access_token"].as_str().unwrap().to_owned();
    let web = app.web_client("openid api:read").await;
    let user_tokens = app
        .tokens_for(&web, "openid api:read", &[("resource", API)])
        .await;
    let user_token = user_tokens["access_token"].as_str().unwrap().to_owned();
    let web_openid = app.tokens_for(&web, "openid", &[]).await;
    let web_openid = web_openid["access_token"].as_str().unwrap().to_owned();
    for token in [&service_token, &user_token] {
        assert!(active_for(&app, &api.id, &api_secret, token).await);
    }
    assert_eq!(app.userinfo(&web_openid).await.status(), 200);

    for id in [&service.id, &web.id] {
        let out = app.run_cli(&["client", "delete", id], "");
        assert!(out.status.success(), "{out:?}");
    }
    for token in [&service_token, &user_token] {
        assert!(
            !active_for(&app, &api.id, &api_secret, token).await,
            "the resource sees it dead"
        );
    }
    assert_eq!(app.userinfo(&web_openid).await.status(), 401);
}
