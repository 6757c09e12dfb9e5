//! The command line: clients, users, audit — clear one-line errors, never a secret printed.

use serde_json::Value;
use sigil::registry;
use sigil::secrets;

use crate::helpers::{TestApp, TestDatabase};

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

#[tokio::test]
async fn client_create_prints_a_registration_response_and_stores_only_a_hash() {
    let app = TestApp::spawn().await;
    let meta = app.db.write(
        "web.json",
        r#"{"client_name": "Web", "redirect_uris": ["https://app.example/cb"], "scope": "openid profile"}"#,
    );
    let out = app.run_cli(
        &[
            "client",
            "create",
            "--metadata-file",
            meta.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{out:?}");
    let reg: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = reg["client_id"].as_str().unwrap().to_owned();
    let secret = reg["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 43, "secret has at least 256 bits");
    assert_eq!(reg["client_secret_expires_at"], 0);
    assert_eq!(reg["redirect_uris"][0], "https://app.example/cb");
    assert_eq!(reg["grant_types"][0], "authorization_code");
    assert_eq!(reg["response_types"][0], "code");
    assert_eq!(reg["token_endpoint_auth_method"], "client_secret_basic");

    let lookup = id.clone();
    let stored = app
        .state
        .store
        .run(move |c| registry::get(c, &lookup))
        .await
        .unwrap()
        .unwrap();
    let hash = stored.secret_hash.unwrap();
    assert_ne!(hash, secret);
    assert!(!hash.contains(&secret));
    assert!(secrets::matches(&secret, &hash));
    assert!(!secrets::matches("wrong", &hash));

    let list = app.run_cli(&["client", "list"], "");
    assert!(list.status.success());
    let listed = String::from_utf8(list.stdout).unwrap();
    assert!(listed.contains(&id));
    assert!(!listed.contains(&secret), "list shows a secret");

    let audit = app.run_cli(&["audit", "--subject", &id], "");
    assert!(audit.status.success(), "{audit:?}");
    let text = String::from_utf8(audit.stdout).unwrap();
    assert!(text.contains("client.create"));
    assert!(!text.contains(&secret));

    let del = app.run_cli(&["client", "delete", &id], "");
    assert!(del.status.success(), "{del:?}");
    assert_fails_with(&app.run_cli(&["client", "delete", &id], ""), "no client");
}

#[tokio::test]
async fn service_and_public_clients_register_without_redirects_or_secrets() {
    let db = TestDatabase::new();
    let out = db.run_cli(
        &["client", "create", "--metadata-file", "-"],
        r#"{"grant_types": ["client_credentials"], "redirect_uris": [], "response_types": []}"#,
    );
    assert!(out.status.success(), "{out:?}");
    let reg: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reg["redirect_uris"], serde_json::json!([]));
    assert_eq!(reg["response_types"], serde_json::json!([]));
    assert!(reg["client_secret"].is_string());

    let out = db.run_cli(
        &["client", "create", "--metadata-file", "-"],
        r#"{"redirect_uris": ["http://127.0.0.1:7000/cb"], "token_endpoint_auth_method": "none"}"#,
    );
    assert!(out.status.success(), "{out:?}");
    let reg: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(reg.get("client_secret").is_none());
}

#[tokio::test]
async fn client_create_refuses_bad_metadata_with_the_rfc7591_code() {
    let db = TestDatabase::new();
    let cases = [
        (
            r#"{"redirect_uris": ["http://app.example/cb"]}"#,
            "invalid_redirect_uri",
        ),
        (
            r#"{"redirect_uris": ["https://app.example/cb#frag"]}"#,
            "invalid_redirect_uri",
        ),
        (r#"{"redirect_uris": []}"#, "invalid_redirect_uri"),
        (
            r#"{"redirect_uris": ["https://a.example/cb"], "grant_types": ["implicit"]}"#,
            "invalid_client_metadata",
        ),
        (
            r#"{"redirect_uris": ["https://a.example/cb"], "grant_types": ["authorization_code", "magic"]}"#,
            "invalid_client_metadata",
        ),
        (
            r#"{"redirect_uris": ["https://a.example/cb"], "id_token_signed_response_alg": "none"}"#,
            "invalid_client_metadata",
        ),
        (
            r#"{"redirect_uris": ["https://a.example/cb"], "colour": "blue"}"#,
            "invalid_client_metadata",
        ),
        (r#"{"redirect_uris": "#, "invalid_client_metadata"),
        (r#"[1, 2]"#, "invalid_client_metadata"),
    ];
    for (json, code) in cases {
        let out = db.run_cli(&["client", "create", "--metadata-file", "-"], json);
        assert_fails_with(&out, code);
    }
    let out = db.run_cli(
        &[
            "client",
            "create",
            "--metadata-file",
            "/nonexistent/meta.json",
        ],
        "",
    );
    assert_fails_with(&out, "cannot read /nonexistent/meta.json");
}

#[tokio::test]
async fn user_create_hashes_the_password_and_refuses_duplicates() {
    let app = TestApp::spawn().await;
    let out = app.run_cli(
        &[
            "user",
            "create",
            "--username",
            "Ada",
            "--email",
            "ada@example.com",
            "--name",
            "Ada Lovelace",
            "--role",
            "admin",
            "--role",
            "dev",
            "--password-stdin",
        ],
        "correct horse battery\n",
    );
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("correct horse"));
    let user: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(user["username"], "ada");
    assert_eq!(user["roles"], serde_json::json!(["admin", "dev"]));
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());
    let id = user["id"].as_str().unwrap().to_owned();
    assert_ne!(id, "ada");

    let row = app
        .state
        .store
        .run(move |c| sigil::store::users::by_id(c, &id))
        .await
        .unwrap()
        .unwrap();
    assert!(row.password_hash.starts_with("$argon2id$"));
    assert!(sigil::password::verify(
        "correct horse battery",
        &row.password_hash
    ));

    let dup = app.run_cli(
        &["user", "create", "--username", "ada", "--password-stdin"],
        "another password\n",
    );
    assert_fails_with(&dup, "already taken");
    let dup_err = stderr(&dup);
    assert!(!dup_err.contains("another password"));

    let short = app.run_cli(
        &["user", "create", "--username", "bob", "--password-stdin"],
        "short\n",
    );
    assert_fails_with(&short, "8 to 1024");
    let bad_name = app.run_cli(
        &[
            "user",
            "create",
            "--username",
            "bad name",
            "--password-stdin",
        ],
        "long enough password\n",
    );
    assert_fails_with(&bad_name, "username");
    let no_flag = app.run_cli(&["user", "create", "--username", "carol"], "");
    assert!(!no_flag.status.success());
}

#[tokio::test]
async fn unknown_algorithm_for_rotation_is_refused() {
    let db = TestDatabase::new();
    assert_fails_with(
        &db.run_cli(&["keys", "rotate", "--alg", "none"], ""),
        "unknown algorithm",
    );
    assert_fails_with(
        &db.run_cli(&["audit", "--since", "yesterday"], ""),
        "--since",
    );
}
