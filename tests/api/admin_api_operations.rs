//! `/admin/api/v1/sessions`, `/keys` and `/audit`: a user's sessions listed and ended, every
//! JWKS key listed with its public JWK only and rotated, the audit log filtered and paged.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::admin::{AdminApi, invalid, problem};
use crate::helpers::oauth::{PASSWORD, USER};

#[tokio::test]
async fn a_users_sessions_are_listed_and_one_is_ended() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let id = app.create_user(USER, PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    app.tokens_for(&client, "openid", &[]).await;
    let (_, page) = api.read(&format!("/sessions?user_id={id}")).await;
    let sessions = page["items"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["user_id"], id.as_str());
    let sid = sessions[0]["sid"].as_str().unwrap().to_owned();
    invalid(api.get("/sessions").await, "invalid_request", "user_id").await;
    problem(api.get("/sessions?user_id=unknown").await, 404).await;
    let res = api
        .request(Method::DELETE, &format!("/sessions/{sid}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (_, page) = api.read(&format!("/sessions?user_id={id}")).await;
    assert_eq!(page["items"], json!([]));
    let res = api
        .request(Method::DELETE, &format!("/sessions/{sid}"))
        .send()
        .await
        .unwrap();
    problem(res, 404).await;
    let (_, ended) = api.read("/audit?event=session.end").await;
    let ended = ended["items"].as_array().unwrap();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["actor"], api.actor.as_str());
}

#[tokio::test]
async fn every_jwks_key_is_listed_without_private_parts_and_keys_rotate() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let jwks: Value = app.get("/jwks").await.json().await.unwrap();
    let published: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    let keys = api.every("/keys", 200, async |_| {}).await;
    assert_eq!(keys.len(), published.len());
    for key in &keys {
        assert!(published.contains(&key["kid"].as_str().unwrap()));
        for member in ["kid", "alg", "use", "status"] {
            assert!(key[member].is_string(), "{member} of {key}");
        }
        assert_eq!(key["public_jwk"]["kid"], key["kid"]);
    }
    let res = api
        .send(Method::POST, "/keys/rotate", &json!({"alg": "ES256"}))
        .await;
    assert_eq!(res.status(), 200);
    let rotated: Value = res.json().await.unwrap();
    let new_kid = rotated["rotated"][0]["kid"].as_str().unwrap().to_owned();
    let keys = api.every("/keys", 200, async |_| {}).await;
    let status = |kid: &str| {
        keys.iter()
            .find(|k| k["kid"] == kid)
            .map(|k| k["status"].clone())
    };
    assert_eq!(status(&new_kid), Some(json!("active")));
    let old = rotated["rotated"][0]["retired_kid"].as_str().unwrap();
    assert_eq!(status(old), Some(json!("retired")));
    invalid(
        api.send(Method::POST, "/keys/rotate", &json!({"alg": "XX1"}))
            .await,
        "invalid_request",
        "alg",
    )
    .await;
    invalid(
        api.send(Method::POST, "/keys/rotate", &json!({"size": 1}))
            .await,
        "invalid_request",
        "size",
    )
    .await;
    let res = api
        .request(Method::POST, "/keys/rotate")
        .body("{")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    assert_eq!(
        api.audit_of(&new_kid).await,
        vec![(api.actor.clone(), "keys.rotate".to_owned())]
    );
}

#[tokio::test]
async fn the_audit_log_is_filtered_by_actor_subject_event_and_time_and_paged() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let meta = json!({"redirect_uris": ["https://a.example/cb"]});
    let mut ids = Vec::new();
    for _ in 0..5 {
        let res = api.send(Method::POST, "/clients", &meta).await;
        let made: Value = res.json().await.unwrap();
        ids.push(made["client_id"].as_str().unwrap().to_owned());
    }
    let by_admin = api
        .every(
            &format!("/audit?actor={}&event=client.create", api.actor),
            2,
            async |_| {},
        )
        .await;
    let subjects: Vec<&str> = by_admin
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ids.iter().map(String::as_str).collect::<Vec<_>>());
    let (_, none) = api.read("/audit?event=client.delete").await;
    assert_eq!(none["items"], json!([]));
    let first = by_admin[0]["at"].as_i64().unwrap();
    let (_, later) = api.read(&format!("/audit?since={}", first + 3600)).await;
    assert_eq!(later["items"], json!([]));
    let (_, earlier) = api
        .read(&format!(
            "/audit?until={first}&event=client.create&actor={}",
            api.actor
        ))
        .await;
    assert_eq!(earlier["items"], json!([]));
    let (_, within) = api
        .read(&format!(
            "/audit?since={first}&until={}&subject={}",
            first + 3600,
            ids[0]
        ))
        .await;
    assert_eq!(within["items"].as_array().unwrap().len(), 1);
    invalid(
        api.get("/audit?since=yesterday").await,
        "invalid_request",
        "since",
    )
    .await;
    invalid(
        api.get("/audit?until=soon").await,
        "invalid_request",
        "until",
    )
    .await;
    problem(api.get("/audit?cursor=abc.def").await, 400).await;
    // A cursor of one list is unknown to another.
    let (_, page) = api.read("/clients?limit=1").await;
    let cursor = page["next_cursor"].as_str().unwrap();
    problem(api.get(&format!("/audit?cursor={cursor}")).await, 400).await;
}
