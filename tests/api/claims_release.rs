//! A user's claims go out with the scope that covers them only, wherever they go out: here,
//! introspection's `username` (the `profile` claim `preferred_username`).

use serde_json::Value;

use crate::helpers::TestApp;

async fn introspected(app: &TestApp, scope: &str) -> Value {
    let client = app.web_client("openid profile").await;
    let tokens = app.tokens_for(&client, scope, &[]).await;
    let token = tokens["access_token"].as_str().unwrap();
    let secret = client.secret.clone().unwrap();
    app.introspect_as(&client.id, &secret, &[("token", token)])
        .await
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn introspection_names_the_user_only_with_the_profile_scope() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let body = introspected(&app, "openid").await;
    assert_eq!(body["active"], true);
    assert!(body.get("username").is_none(), "{body}");
    let body = introspected(&app, "openid profile").await;
    assert_eq!(body["username"], "ada");
}
