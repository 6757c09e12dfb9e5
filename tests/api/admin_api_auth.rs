//! Who may call the admin API: every route refuses a missing or bad token with 401 and a
//! bearer challenge, and a valid token without `sigil:admin` with 403; `sigil:admin` comes
//! only from a client registered with it, and only as that client's own token for sigil.

use reqwest::Method;
use serde_json::json;
use sigil::admin::api::route_list;

use crate::helpers::TestApp;
use crate::helpers::admin::{AdminApi, client_token, problem};

/// Every route with its path parameters filled in.
fn every_route() -> Vec<(Method, String)> {
    route_list()
        .into_iter()
        .map(|(m, p)| {
            let method = Method::from_bytes(m.as_str().as_bytes()).unwrap();
            let path = p
                .split('/')
                .map(|s| if s.starts_with('{') { "unknown" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            (method, path)
        })
        .collect()
}

#[tokio::test]
async fn every_route_refuses_a_missing_or_bad_token_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let routes = every_route();
    assert!(routes.len() >= 30);
    for (method, path) in routes {
        let url = format!("{}{path}", app.address);
        let none = app.http.request(method.clone(), &url).send().await.unwrap();
        let challenge = none.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            challenge.starts_with("Bearer"),
            "{method} {path}: {challenge}"
        );
        problem(none, 401).await;
        let bad = app
            .http
            .request(method.clone(), &url)
            .bearer_auth("not.a.token")
            .send()
            .await
            .unwrap();
        let challenge = bad.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            challenge.contains("invalid_token"),
            "{method} {path}: {challenge}"
        );
        problem(bad, 401).await;
    }
}

#[tokio::test]
async fn every_route_refuses_a_valid_token_without_the_admin_scope() {
    let app = TestApp::spawn().await;
    let (token, _) = client_token(&app, "reports:read").await;
    for (method, path) in every_route() {
        let res = app
            .http
            .request(method.clone(), format!("{}{path}", app.address))
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let body = problem(res, 403).await;
        assert!(
            body["detail"].as_str().unwrap().contains("sigil:admin"),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn the_admin_scope_is_granted_only_to_clients_registered_with_it() {
    let app = TestApp::spawn().await;
    // A client that registered no scope gets the default scopes, never sigil:admin.
    let plain = app
        .create_client(json!({"grant_types": ["client_credentials"],
            "redirect_uris": [], "response_types": []}))
        .await;
    let res = app
        .token_request()
        .basic_auth(&plain.id, plain.secret.as_deref())
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "sigil:admin"),
        ])
        .send()
        .await
        .unwrap();
    crate::helpers::oauth::assert_error(res, 400, "invalid_scope").await;
}

#[tokio::test]
async fn taking_the_scope_out_of_the_client_or_deleting_it_ends_its_admin_access() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let other = AdminApi::new(&app).await;
    assert_eq!(api.get("/clients").await.status(), 200);
    let path = format!("/clients/{}", api.actor);
    let (etag, _) = other.read(&path).await;
    let patch = json!({"scope": "reports:read"});
    let res = other.send_if(Method::PATCH, &path, &etag, &patch).await;
    assert_eq!(res.status(), 200);
    // The client cache is cleared by the change: the next request is refused.
    problem(api.get("/clients").await, 403).await;
    // Once the client is deleted, its token is refused as a bad one.
    let res = other.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(res.status(), 204);
    problem(api.get("/clients").await, 401).await;
    assert_eq!(other.get("/clients").await.status(), 200);
}
