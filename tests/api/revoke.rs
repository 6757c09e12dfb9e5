//! `/revoke` (RFC 7009): clients revoke their own tokens; anything else is a silent 200.

use crate::helpers::oauth::assert_error;
use crate::helpers::{TestApp, TestClient, TestDatabase, manual_clock};

fn revoke(app: &TestApp, client: &TestClient) -> reqwest::RequestBuilder {
    app.http
        .post(format!("{}/revoke", app.address))
        .basic_auth(&client.id, client.secret.as_deref())
}

/// Revokes with `form` as `client` and asserts the empty, uncached 200.
async fn revoke_ok(app: &TestApp, client: &TestClient, form: &[(&str, &str)]) {
    assert_revoked(revoke(app, client).form(form).send().await.unwrap()).await;
}

/// Asserts the empty, uncached 200 of RFC 7009 §2.2.
async fn assert_revoked(res: reqwest::Response) {
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.bytes().await.unwrap().is_empty());
}

async fn access_token(app: &TestApp, client: &TestClient) -> String {
    let tokens = app.tokens_for(client, "openid", &[]).await;
    tokens["access_token"].as_str().unwrap().to_owned()
}

/// Ada, a web client, and an access token she got through it, on `app`.
async fn ada_token(app: &TestApp) -> (TestClient, String) {
    app.create_ada(&[]).await;
    let client = app.web_client("openid").await;
    let token = access_token(app, &client).await;
    (client, token)
}

async fn is_denied(app: &TestApp, token: &str) -> bool {
    let (_, claims) = crate::helpers::oauth::jwt_parts(token);
    let jti = claims["jti"].as_str().unwrap().to_owned();
    app.state
        .store
        .run(move |c| sigil::store::denylist::is_denied(c, &jti))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_revoked_access_token_is_refused_at_userinfo() {
    let app = TestApp::spawn().await;
    let (client, token) = ada_token(&app).await;
    assert_eq!(app.userinfo(&token).await.status(), 200);
    revoke_ok(
        &app,
        &client,
        &[
            ("token", token.as_str()),
            ("token_type_hint", "access_token"),
        ],
    )
    .await;
    assert!(is_denied(&app, &token).await);
    assert_error(app.userinfo(&token).await, 401, "invalid_token").await;
    assert!(
        app.audit_actions()
            .await
            .contains(&"token.revoke".to_owned())
    );
}

#[tokio::test]
async fn one_statement_reads_a_user_with_a_tokens_denial() {
    let app = TestApp::spawn().await;
    let (client, token) = ada_token(&app).await;
    let (_, claims) = crate::helpers::oauth::jwt_parts(&token);
    let (sub, jti) = (
        claims["sub"].as_str().unwrap().to_owned(),
        claims["jti"].as_str().unwrap().to_owned(),
    );
    let read = |sub: String, jti: String| {
        app.state
            .store
            .run(move |c| sigil::store::denylist::user_and_denial(c, &sub, &[jti], &[]))
    };
    let (user, denied) = read(sub.clone(), jti.clone()).await.unwrap().unwrap();
    assert_eq!((user.id.as_str(), denied), (sub.as_str(), false));
    revoke_ok(&app, &client, &[("token", token.as_str())]).await;
    let (_, denied) = read(sub.clone(), jti.clone()).await.unwrap().unwrap();
    assert!(denied);
    let (_, other) = read(sub, "another-jti".into()).await.unwrap().unwrap();
    assert!(!other);
    assert!(read("no-such-user".into(), jti).await.unwrap().is_none());
}

#[tokio::test]
async fn a_revoked_refresh_token_takes_its_family_whatever_the_hint() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    let client = app.web_client("openid").await;
    for hint in ["refresh_token", "access_token", "something_else"] {
        let token = app.seed_refresh(&client.id, &user, None).await;
        revoke_ok(
            &app,
            &client,
            &[("token", token.as_str()), ("token_type_hint", hint)],
        )
        .await;
        assert!(app.refresh_revoked(&token).await, "{hint}");
    }
    let token = app.seed_refresh(&client.id, &user, None).await;
    revoke_ok(&app, &client, &[("token", token.as_str())]).await;
    assert!(app.refresh_revoked(&token).await, "without a hint");
    revoke_ok(&app, &client, &[("token", token.as_str())]).await;
}

#[tokio::test]
async fn other_clients_tokens_are_untouched_and_not_revealed() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    let mine = app.web_client("openid").await;
    let theirs = app.web_client("openid").await;
    let their_access = access_token(&app, &theirs).await;
    let their_refresh = app.seed_refresh(&theirs.id, &user, None).await;
    for token in [their_access.as_str(), their_refresh.as_str()] {
        revoke_ok(&app, &mine, &[("token", token)]).await;
    }
    assert!(!is_denied(&app, &their_access).await);
    assert_eq!(app.userinfo(&their_access).await.status(), 200);
    assert!(!app.refresh_revoked(&their_refresh).await);
}

#[tokio::test]
async fn unknown_garbage_and_expired_tokens_get_the_same_200() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    let (client, token) = ada_token(&app).await;
    let (header, claims) = crate::helpers::oauth::jwt_parts(&token);
    assert_eq!(header["typ"], "at+jwt");
    let forged = format!(
        "{}.{}.AAAA",
        token.split('.').next().unwrap(),
        token.split('.').nth(1).unwrap()
    );
    for garbage in [
        "x",
        "a.b.c",
        "not a token at all",
        forged.as_str(),
        &"z".repeat(4000),
    ] {
        revoke_ok(&app, &client, &[("token", garbage)]).await;
    }
    assert!(
        !is_denied(&app, &token).await,
        "a forged copy revokes nothing"
    );
    let exp = claims["exp"].as_i64().unwrap();
    clock.advance(exp - claims["iat"].as_i64().unwrap() + 120);
    revoke_ok(&app, &client, &[("token", token.as_str())]).await;
    assert!(
        !is_denied(&app, &token).await,
        "an expired token needs no entry"
    );
}

#[tokio::test]
async fn public_clients_revoke_with_their_client_id() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app
        .create_client(serde_json::json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "token_endpoint_auth_method": "none",
            "scope": "openid",
        }))
        .await;
    let token = access_token(&app, &client).await;
    let res = app
        .post_form(
            "/revoke",
            &[("token", token.as_str()), ("client_id", client.id.as_str())],
        )
        .await;
    assert_revoked(res).await;
    assert_error(app.userinfo(&token).await, 401, "invalid_token").await;
}

#[tokio::test]
async fn bad_revocation_requests_are_refused() {
    let app = TestApp::spawn().await;
    let (client, token) = ada_token(&app).await;
    let url = format!("{}/revoke", app.address);
    let post = || app.http.post(&url);
    let res = post()
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_error(res, 401, "invalid_client").await;
    let res = post()
        .basic_auth(&client.id, Some("wrong"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("www-authenticate"));
    assert_error(res, 401, "invalid_client").await;
    let res = post()
        .form(&[("token", token.as_str()), ("client_id", client.id.as_str())])
        .send()
        .await
        .unwrap();
    assert_error(res, 401, "invalid_client").await;
    let res = revoke(&app, &client)
        .form(&[("token_type_hint", "access_token")])
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "invalid_request").await;
    let res = revoke(&app, &client)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}&token=x"))
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "invalid_request").await;
    let res = revoke(&app, &client)
        .json(&serde_json::json!({"token": token}))
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "invalid_request").await;
    let res = revoke(&app, &client)
        .form(&[("token", "x".repeat(20_000))])
        .send()
        .await
        .unwrap();
    assert_error(res, 413, "invalid_request").await;
    assert_eq!(
        app.userinfo(&token).await.status(),
        200,
        "nothing was revoked"
    );
}
