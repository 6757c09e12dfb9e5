//! RFC 7592: a self-registered client read, replaced and deleted with its registration
//! access token (rotated on every replace) — and `/register`, `sigil client create` and the
//! admin API agreeing on what a client is and on what is wrong with bad metadata.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::admin::{AdminApi, problem};
use crate::helpers::registration::{assert_registration_error, native_metadata};

/// The metadata of `client` as management shows it, without id, secret and times.
fn comparable(mut client: Value) -> Value {
    let map = client.as_object_mut().unwrap();
    for member in [
        "client_id",
        "client_id_issued_at",
        "client_secret",
        "client_secret_expires_at",
        "registration_access_token",
        "registration_client_uri",
    ] {
        map.remove(member);
    }
    client
}

#[tokio::test]
async fn read_replace_and_delete_need_the_registration_access_token() {
    let app = TestApp::with_registration("open", |_| {}).await;
    let body = app.registered(&native_metadata(), None).await;
    let uri = body["registration_client_uri"].as_str().unwrap().to_owned();
    let token = body["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = body["client_id"].as_str().unwrap().to_owned();
    let other = app.registered(&native_metadata(), None).await;
    let other_token = other["registration_access_token"].as_str().unwrap();

    for (method, presented) in [
        (Method::GET, None),
        (Method::GET, Some("wrong")),
        (Method::GET, Some(other_token)),
        (Method::PUT, None),
        (Method::PUT, Some("wrong")),
        (Method::DELETE, None),
        (Method::DELETE, Some(other_token)),
    ] {
        let res = app
            .manage_registration(method.clone(), &uri, presented)
            .json(&json!({"client_id": id, "redirect_uris": ["https://evil.example/cb"]}))
            .send()
            .await
            .unwrap();
        assert!(
            res.headers().contains_key("www-authenticate"),
            "{method} {presented:?}"
        );
        assert_registration_error(res, 401, "invalid_token").await;
    }

    let res = app
        .manage_registration(Method::GET, &uri, Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let read: Value = res.json().await.unwrap();
    assert_eq!(read["client_id"], id.as_str());
    assert_eq!(read["registration_client_uri"], uri.as_str());
    assert_eq!(comparable(read), comparable(body.clone()));

    let mut changed = native_metadata();
    changed["client_id"] = json!(id);
    changed["client_name"] = json!("Notes Desktop 2");
    let res = app
        .manage_registration(Method::PUT, &uri, Some(&token))
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["client_name"], "Notes Desktop 2");
    assert_eq!(updated["client_id"], id.as_str());
    let rotated = updated["registration_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(rotated, token);
    let old = app
        .manage_registration(Method::GET, &uri, Some(&token))
        .send()
        .await
        .unwrap();
    assert_registration_error(old, 401, "invalid_token").await;
    let shown = app.get_client(&id).await;
    assert_eq!(shown["client_name"], "Notes Desktop 2");

    let mut other_id = changed.clone();
    other_id["client_id"] = other["client_id"].clone();
    let res = app
        .manage_registration(Method::PUT, &uri, Some(&rotated))
        .json(&other_id)
        .send()
        .await
        .unwrap();
    assert_registration_error(res, 400, "invalid_client_metadata").await;
    let mut first_party = changed.clone();
    first_party["sigil_first_party"] = json!(true);
    let res = app
        .manage_registration(Method::PUT, &uri, Some(&rotated))
        .json(&first_party)
        .send()
        .await
        .unwrap();
    assert_registration_error(res, 400, "invalid_client_metadata").await;

    let res = app
        .manage_registration(Method::DELETE, &uri, Some(&rotated))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let gone = app
        .manage_registration(Method::GET, &uri, Some(&rotated))
        .send()
        .await
        .unwrap();
    assert_registration_error(gone, 401, "invalid_token").await;
    let audit = app.audit_rows().await;
    for action in ["client.update", "client.delete"] {
        assert!(
            audit.contains(&(id.clone(), action.into(), Some(id.clone()))),
            "{action}: {audit:?}"
        );
    }
}

#[tokio::test]
async fn a_confidential_client_keeps_its_secret_across_a_replace() {
    let app = TestApp::with_registration("open", |_| {}).await;
    let body = app
        .registered(
            &json!({"redirect_uris": ["https://notes.example/cb"]}),
            None,
        )
        .await;
    let uri = body["registration_client_uri"].as_str().unwrap();
    let token = body["registration_access_token"].as_str().unwrap();
    let mut echoed = body.clone();
    echoed["client_name"] = json!("Notes");
    let echoed = comparable(echoed);
    let mut with_secret = echoed.clone();
    with_secret["client_id"] = body["client_id"].clone();
    with_secret["client_secret"] = json!("not the secret");
    let res = app
        .manage_registration(Method::PUT, uri, Some(token))
        .json(&with_secret)
        .send()
        .await
        .unwrap();
    assert_registration_error(res, 400, "invalid_client_metadata").await;
    with_secret["client_secret"] = body["client_secret"].clone();
    let res = app
        .manage_registration(Method::PUT, uri, Some(token))
        .json(&with_secret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert!(
        updated.get("client_secret").is_none(),
        "the secret is unchanged: {updated}"
    );
    let id = body["client_id"].as_str().unwrap();
    let secret = body["client_secret"].as_str().unwrap();
    let res = app
        .token_request()
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "the old secret still authenticates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_the_cli_and_register_make_the_same_client_and_the_same_errors() {
    let app = TestApp::with_registration("open", |_| {}).await;
    let api = AdminApi::new(&app).await;
    let metadata = json!({
        "client_name": "Same Everywhere",
        "redirect_uris": ["https://same.example/cb", "https://same.example/other"],
        "scope": "openid email",
        "contacts": ["ops@same.example"],
        "grant_types": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_method": "client_secret_post",
    });
    let registered = app.registered(&metadata, None).await;
    let out = cli_create(&app, &metadata);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let res = api.send(Method::POST, "/clients", &metadata).await;
    assert_eq!(res.status(), 201);
    let posted: Value = res.json().await.unwrap();
    let id = |v: &Value| v["client_id"].as_str().unwrap().to_owned();
    let via_register = comparable(app.get_client(&id(&registered)).await);
    assert_eq!(
        via_register,
        comparable(app.get_client(&id(&created)).await)
    );
    assert_eq!(via_register, comparable(app.get_client(&id(&posted)).await));

    for bad in [
        json!({"redirect_uris": ["http://same.example/cb"]}),
        json!({"redirect_uris": ["https://same.example/cb"], "grant_types": ["password"]}),
        json!({"redirect_uris": ["https://same.example/cb"], "token_endpoint_auth_method": "magic"}),
    ] {
        let res = app.register(&bad, None).await;
        assert_eq!(res.status(), 400);
        let body: Value = res.json().await.unwrap();
        let (code, description) = (
            body["error"].as_str().unwrap(),
            body["error_description"].as_str().unwrap(),
        );
        let out = cli_create(&app, &bad);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = format!("{code}: {description}");
        assert!(stderr.contains(&line), "{line} in {stderr}");
        let problem = problem(api.send(Method::POST, "/clients", &bad).await, 422).await;
        assert_eq!(problem["error"], code, "{problem}");
        assert_eq!(problem["detail"], description, "{problem}");
    }
}

/// `sigil client create` with `metadata` in a file.
fn cli_create(app: &TestApp, metadata: &Value) -> std::process::Output {
    let file = app.db.write("metadata.json", &metadata.to_string());
    app.run_cli(
        &[
            "client",
            "create",
            "--metadata-file",
            file.to_str().unwrap(),
        ],
        "",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_deleted_by_an_administrator_takes_its_registration_with_it() {
    let app = TestApp::with_registration("open", |_| {}).await;
    let body = app.registered(&native_metadata(), None).await;
    let uri = body["registration_client_uri"].as_str().unwrap();
    let token = body["registration_access_token"].as_str().unwrap();
    let id = body["client_id"].as_str().unwrap();
    let out = app.run_cli(&["client", "delete", id], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let res = app
        .manage_registration(Method::GET, uri, Some(token))
        .send()
        .await
        .unwrap();
    assert_registration_error(res, 401, "invalid_token").await;
    let left = app
        .state
        .store
        .run({
            let id = id.to_owned();
            move |c| sigil::store::registrations::access_token_hash(c, &id)
        })
        .await
        .unwrap();
    assert_eq!(left, None, "the registration row went with its client");
}

#[tokio::test]
async fn a_deregistered_client_stops_authenticating_at_once() {
    let app = TestApp::with_registration("open", |_| {}).await;
    let body = app
        .registered(&json!({"redirect_uris": ["https://gone.example/cb"]}), None)
        .await;
    let (id, secret) = (
        body["client_id"].as_str().unwrap(),
        body["client_secret"].as_str().unwrap(),
    );
    let attempt = || {
        app.token_request()
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
            .send()
    };
    // Authenticated (the grant is what fails), and the client is now looked up and held.
    assert_eq!(attempt().await.unwrap().status(), 400);
    let uri = body["registration_client_uri"].as_str().unwrap();
    let token = body["registration_access_token"].as_str().unwrap();
    let res = app
        .manage_registration(Method::DELETE, uri, Some(token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(attempt().await.unwrap().status(), 401, "a deleted client");
}
