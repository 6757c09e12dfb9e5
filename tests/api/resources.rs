//! `sigil resource …`: registration, listing, deletion, one-line errors, hashed secrets.

use serde_json::{Value, json};
use sigil::secrets;

use crate::helpers::TestApp;
use crate::helpers::oauth::{assert_error, code_form, jwt_parts, verifies_against};

const API: &str = "https://api.example/";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim().to_owned()
}

fn assert_fails_with(out: &std::process::Output, needle: &str) {
    assert!(!out.status.success(), "succeeded: {out:?}");
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.contains(needle), "{needle} not in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn create(app: &TestApp, metadata: &Value) -> std::process::Output {
    app.run_cli(
        &["resource", "create", "--metadata-file", "-"],
        &metadata.to_string(),
    )
}

#[tokio::test]
async fn resource_create_list_delete_round_trip_with_a_hashed_introspection_secret() {
    let app = TestApp::spawn().await;
    let meta = app.db.write(
        "api.json",
        r#"{"identifier": "https://api.example/", "scope": "api:read api:write",
            "access_token_lifetime": 600, "name": "Example API",
            "access_token_signed_response_alg": "ES256", "introspection": true}"#,
    );
    let out = app.run_cli(
        &[
            "resource",
            "create",
            "--metadata-file",
            meta.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{out:?}");
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    assert!(id.len() >= 22, "id has 128 bits");
    assert!(secret.len() >= 43, "secret has 256 bits");
    assert_eq!(created["identifier"], "https://api.example/");
    assert_eq!(created["scope"], "api:read api:write");
    assert_eq!(created["access_token_lifetime"], 600);
    assert_eq!(created["name"], "Example API");
    assert_eq!(created["access_token_signed_response_alg"], "ES256");
    assert_eq!(created["introspection"], true);

    let lookup = id.clone();
    let stored = app
        .state
        .store
        .run(move |c| sigil::resources::get(c, &lookup))
        .await
        .unwrap()
        .unwrap();
    let hash = stored.secret_hash.clone().unwrap();
    assert_ne!(hash, secret);
    assert!(secrets::matches(&secret, &hash));
    assert!(stored.secret_matches(&secret));
    assert!(!stored.secret_matches("wrong"));

    let list = app.run_cli(&["resource", "list"], "");
    assert!(list.status.success(), "{list:?}");
    let listed: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    assert!(listed[0].get("client_secret").is_none());
    assert!(!String::from_utf8_lossy(&list.stdout).contains(&secret));

    let audit = app.run_cli(&["audit", "--subject", &id], "");
    let text = String::from_utf8(audit.stdout).unwrap();
    assert!(text.contains("resource.create"), "{text}");
    assert!(!text.contains(&secret));

    let del = app.run_cli(&["resource", "delete", &id], "");
    assert!(del.status.success(), "{del:?}");
    let deleted: Value = serde_json::from_slice(&del.stdout).unwrap();
    assert_eq!(deleted["deleted"], id.as_str());
    let audit = app.run_cli(&["audit", "--subject", &id], "");
    assert!(
        String::from_utf8(audit.stdout)
            .unwrap()
            .contains("resource.delete")
    );
    assert_fails_with(
        &app.run_cli(&["resource", "delete", &id], ""),
        "no resource",
    );
    let list = app.run_cli(&["resource", "list"], "");
    assert_eq!(String::from_utf8(list.stdout).unwrap().trim(), "[]");
}

#[tokio::test]
async fn a_resource_without_introspection_gets_no_secret_and_defaults() {
    let app = TestApp::spawn().await;
    let out = create(
        &app,
        &json!({"identifier": "urn:example:api", "scope": "read"}),
    );
    assert!(out.status.success(), "{out:?}");
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(created.get("client_secret").is_none());
    assert_eq!(created["introspection"], false);
    assert_eq!(created["access_token_signed_response_alg"], "RS256");
    assert!(created.get("access_token_lifetime").is_none());
}

#[tokio::test]
async fn invalid_or_duplicate_metadata_fails_with_one_line() {
    let app = TestApp::spawn().await;
    let ok = json!({"identifier": "https://api.example/", "scope": "api:read"});
    assert!(create(&app, &ok).status.success());
    assert_fails_with(&create(&app, &ok), "invalid_resource_metadata: ");
    assert_fails_with(&create(&app, &ok), "already registered");
    let cases = [
        (json!({"scope": "a"}), "identifier is required"),
        (json!({"identifier": "https://b/"}), "scope is required"),
        (json!({"identifier": "api", "scope": "a"}), "absolute URI"),
        (
            json!({"identifier": "https://b/#x", "scope": "a"}),
            "fragment",
        ),
        (
            json!({"identifier": "https://b/", "scope": "openid a"}),
            "openid",
        ),
        (
            json!({"identifier": "https://b/", "scope": "a offline_access"}),
            "offline_access",
        ),
        (
            json!({"identifier": "https://b/", "scope": "a", "access_token_lifetime": 0}),
            "access_token_lifetime",
        ),
        (
            json!({"identifier": "https://b/", "scope": "a", "introspection": 1}),
            "introspection",
        ),
        (
            json!({"identifier": "https://b/", "scope": "a", "access_token_signed_response_alg": "none"}),
            "not supported",
        ),
        (
            json!({"identifier": "https://b/", "scope": "a", "audience": "x"}),
            "unknown member",
        ),
        (json!({"identifier": 5, "scope": "a"}), "must be a string"),
    ];
    for (metadata, needle) in cases {
        let out = create(&app, &metadata);
        assert_fails_with(&out, "invalid_resource_metadata: ");
        assert_fails_with(&out, needle);
    }
    let dup = app.run_cli(
        &["resource", "create", "--metadata-file", "-"],
        r#"{"identifier": "https://c/", "scope": "a", "scope": "b"}"#,
    );
    assert_fails_with(&dup, "more than once");
    assert_fails_with(
        &app.run_cli(
            &["resource", "create", "--metadata-file", "/nonexistent.json"],
            "",
        ),
        "cannot read",
    );
    assert_fails_with(
        &app.run_cli(&["resource", "delete", "-nope"], ""),
        "no resource",
    );
}

#[tokio::test]
async fn the_code_grant_narrows_the_access_token_to_the_named_resource() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    app.create_resource(json!({
        "identifier": API, "scope": "api:read api:write", "access_token_lifetime": 120,
        "access_token_signed_response_alg": "PS256",
    }))
    .await;
    app.create_resource(json!({"identifier": "https://other.example/", "scope": "other"}))
        .await;
    let client = app.web_client("openid profile api:read").await;
    let scope = "openid profile api:read";
    let (code, verifier) = app.code_for(&client, scope, &[]).await;
    let mut form = code_form(&client, &code, &verifier);
    form.push(("resource", API));
    let res = app.token_as(&client, &form).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["scope"], "api:read");
    assert_eq!(body["expires_in"], 120);
    let access = body["access_token"].as_str().unwrap();
    let (header, claims) = jwt_parts(access);
    assert_eq!(header["alg"], "PS256");
    assert_eq!(
        (&claims["aud"], &claims["scope"]),
        (&json!(API), &json!("api:read"))
    );
    assert!(claims["sigil_gen"].is_i64() && claims["sid"].is_string());
    let jwks = app.jwks().await;
    assert!(verifies_against(&jwks, access));
    let id_token = body["id_token"].as_str().unwrap();
    let id_claims = jwt_parts(id_token).1;
    assert_eq!(
        id_claims["aud"],
        client.id.as_str(),
        "the ID token is unchanged"
    );

    let (code, verifier) = app.code_for(&client, scope, &[]).await;
    let mut form = code_form(&client, &code, &verifier);
    form.push(("resource", "https://unknown.example/"));
    assert_error(app.token_as(&client, &form).await, 400, "invalid_target").await;
    form.pop();
    form.push(("audience", "https://other.example/"));
    assert_error(app.token_as(&client, &form).await, 400, "invalid_target").await;
    form.pop();
    form.push(("resource", API));
    form.push(("resource", "https://other.example/"));
    assert_error(app.token_as(&client, &form).await, 400, "invalid_target").await;

    let (code, verifier) = app.code_for(&client, "openid profile", &[]).await;
    let mut form = code_form(&client, &code, &verifier);
    form.push(("resource", API));
    let body = assert_error(app.token_as(&client, &form).await, 400, "invalid_target").await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("none of")
    );

    let (code, verifier) = app.code_for(&client, scope, &[]).await;
    let res = app
        .token_as(&client, &code_form(&client, &code, &verifier))
        .await;
    let body: Value = res.json().await.unwrap();
    let claims = jwt_parts(body["access_token"].as_str().unwrap()).1;
    assert_eq!(
        claims["aud"],
        app.issuer.as_str(),
        "no resource: the default audience"
    );
    assert_eq!(body["scope"], scope);
}
