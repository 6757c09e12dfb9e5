//! `/register` (RFC 7591): off by default, open registration, and what self-service may not
//! ask — refused with 400 `invalid_client_metadata` (or `invalid_redirect_uri`).

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::registration::{assert_registration_error, native_metadata};

#[tokio::test]
async fn registration_is_off_by_default_and_discovery_does_not_name_it() {
    let app = TestApp::spawn().await;
    let res = app.register(&native_metadata(), None).await;
    assert_registration_error(res, 404, "not_found").await;
    let res = app
        .manage_registration(
            reqwest::Method::GET,
            &format!("{}/register/x", app.address),
            Some("t"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert!(doc.get("registration_endpoint").is_none(), "{doc}");
    assert_eq!(doc["client_id_metadata_document_supported"], false);
}

#[tokio::test]
async fn open_registration_creates_a_client_that_signs_a_user_in() {
    let app = TestApp::with_registration("open", |_| {}).await;
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["registration_endpoint"],
        format!("{}/register", app.issuer)
    );
    let res = app.register(&native_metadata(), None).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    let id = body["client_id"].as_str().unwrap();
    assert_eq!(
        body["registration_client_uri"],
        format!("{}/register/{id}", app.issuer)
    );
    assert_eq!(location, body["registration_client_uri"]);
    assert!(body["registration_access_token"].as_str().unwrap().len() >= 40);
    assert_eq!(body["client_name"], "Notes Desktop");
    assert!(
        body.get("client_secret").is_none(),
        "a public client has no secret"
    );
    let audit = app.audit_rows().await;
    assert!(
        audit.contains(&("register".into(), "client.create".into(), Some(id.into()))),
        "{audit:?}"
    );
    let stored = app
        .state
        .store
        .run({
            let id = id.to_owned();
            move |c| sigil::store::registrations::access_token_hash(c, &id)
        })
        .await
        .unwrap()
        .unwrap();
    let token = body["registration_access_token"].as_str().unwrap();
    assert_ne!(
        stored, token,
        "only a hash of the registration access token is stored"
    );
    app.create_ada(&[]).await;
    let client = crate::helpers::TestClient {
        id: id.to_owned(),
        secret: None,
        redirect_uri: "http://127.0.0.1:9/callback".into(),
    };
    let tokens = app.tokens_for(&client, "openid", &[]).await;
    assert!(tokens["id_token"].is_string(), "{tokens}");
}

#[tokio::test]
async fn confidential_web_clients_get_a_secret_and_https_redirect_uris() {
    let app = TestApp::with_registration("open", |_| {}).await;
    let body = app
        .registered(
            &json!({"redirect_uris": ["https://notes.example/cb"]}),
            None,
        )
        .await;
    assert!(
        body["client_secret"]
            .as_str()
            .is_some_and(|s| s.len() >= 40)
    );
    assert_eq!(body["client_secret_expires_at"], 0);
    assert_eq!(body["token_endpoint_auth_method"], "client_secret_basic");
}

#[tokio::test]
async fn administrator_members_and_the_admin_scope_are_refused() {
    let app = TestApp::with_registration("open", |_| {}).await;
    for (member, value) in [
        ("sigil_first_party", json!(true)),
        ("sigil_access_token_lifetime", json!(60)),
        ("scope", json!("openid sigil:admin")),
    ] {
        let mut meta = native_metadata();
        meta[member] = value;
        let res = app.register(&meta, None).await;
        let description = assert_registration_error(res, 400, "invalid_client_metadata").await;
        assert!(
            description.contains(if member == "scope" {
                "sigil:admin"
            } else {
                member
            }),
            "{member}: {description}"
        );
    }
    let created = app.audit_rows().await;
    assert!(
        created
            .iter()
            .all(|(_, action, _)| action != "client.create"),
        "{created:?}"
    );
}

#[tokio::test]
async fn redirect_uris_must_be_https_or_loopback_for_native_apps() {
    let app = TestApp::with_registration("open", |_| {}).await;
    let web_http = json!({"redirect_uris": ["http://notes.example/cb"]});
    assert_registration_error(
        app.register(&web_http, None).await,
        400,
        "invalid_redirect_uri",
    )
    .await;
    let web_loopback = json!({"redirect_uris": ["http://127.0.0.1:9/cb"]});
    let description = assert_registration_error(
        app.register(&web_loopback, None).await,
        400,
        "invalid_redirect_uri",
    )
    .await;
    assert!(description.contains("native"), "{description}");
    let native_http = json!({
        "application_type": "native",
        "redirect_uris": ["http://notes.example/cb"],
        "token_endpoint_auth_method": "none",
    });
    assert_registration_error(
        app.register(&native_http, None).await,
        400,
        "invalid_redirect_uri",
    )
    .await;
    app.registered(&native_metadata(), None).await;
    let private_use = json!({
        "application_type": "native",
        "redirect_uris": ["com.example.notes:/callback"],
        "token_endpoint_auth_method": "none",
    });
    app.registered(&private_use, None).await;
}

#[tokio::test]
async fn client_credentials_needs_the_setting() {
    let meta = json!({"grant_types": ["client_credentials"], "scope": "api"});
    let app = TestApp::with_registration("open", |_| {}).await;
    let description = assert_registration_error(
        app.register(&meta, None).await,
        400,
        "invalid_client_metadata",
    )
    .await;
    assert!(description.contains("client_credentials"), "{description}");
    let allowed = TestApp::with_registration("open", |raw| {
        raw.registration_client_credentials = "on".into();
    })
    .await;
    let body = allowed.registered(&meta, None).await;
    assert_eq!(body["grant_types"], json!(["client_credentials"]));
}

#[tokio::test]
async fn a_body_that_is_not_json_metadata_is_invalid_client_metadata() {
    let app = TestApp::with_registration("open", |_| {}).await;
    for body in [
        "{not json",
        "[]",
        "",
        "{\"redirect_uris\": [\"https://a.example/cb\"], \"redirect_uris\": []}",
    ] {
        let res = app.register_raw(body, None).await;
        assert_registration_error(res, 400, "invalid_client_metadata").await;
    }
    let res = app
        .http
        .post(format!("{}/register", app.address))
        .body(vec![0xff, 0xfe])
        .send()
        .await
        .unwrap();
    assert_registration_error(res, 400, "invalid_client_metadata").await;
}

#[tokio::test]
async fn each_address_is_rate_limited_with_429_and_retry_after() {
    let app = TestApp::with_registration("open", |raw| raw.registration_rate_limit = 2).await;
    for _ in 0..2 {
        app.registered(&native_metadata(), None).await;
    }
    let res = app.register(&native_metadata(), None).await;
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"].is_string() && body["error_description"].is_string(),
        "{body}"
    );
}
