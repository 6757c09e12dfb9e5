//! `sigil trusted-issuer …` and federation: registration, listing, deletion with audit rows,
//! one-line errors, and foreign JWTs verified against the registered issuer's keys and mapped
//! to a local user.

use std::process::Output;

use serde_json::{Value, json};
use sigil::cache::TtlCache;
use sigil::federation::{self, Reason, Refusal};
use sigil::store::users::{self, UserRow};

use crate::helpers::TestApp;
use crate::helpers::assertions::{assertion, signing_key};
use crate::helpers::jwe::{Answer, KeyServer};

const ISS: &str = "https://idp.example";
const AUD: &str = "https://sigil.example/api";

fn metadata(keys: Value) -> Value {
    let mut m = json!({"issuer": ISS, "audience": AUD, "user_claim": "email"});
    m.as_object_mut()
        .unwrap()
        .extend(keys.as_object().unwrap().clone());
    m
}

fn create(app: &TestApp, metadata: &Value) -> Output {
    app.run_cli(
        &["trusted-issuer", "create", "--metadata-file", "-"],
        &metadata.to_string(),
    )
}

fn created(out: &Output) -> Value {
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn fails_with(out: &Output, needle: &str) {
    assert!(!out.status.success(), "succeeded: {out:?}");
    let err = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.contains(needle), "{needle:?} not in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn audit(app: &TestApp, subject: &str) -> String {
    let out = app.run_cli(&["audit", "--subject", subject], "");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn trusted_issuer_create_list_delete_round_trip_with_audit_rows() {
    let app = TestApp::spawn().await;
    let (public, _) = signing_key("k1");
    let file = app.db.write(
        "idp.json",
        &metadata(json!({"jwks": {"keys": [public.clone()]}})).to_string(),
    );
    let shown = created(&app.run_cli(
        &[
            "trusted-issuer",
            "create",
            "--metadata-file",
            file.to_str().unwrap(),
        ],
        "",
    ));
    let id = shown["id"].as_str().unwrap().to_owned();
    assert!(id.len() >= 22, "id has 128 bits");
    assert_eq!(shown["issuer"], ISS);
    assert_eq!(shown["audience"], AUD);
    assert_eq!(shown["user_claim"], "email");
    assert_eq!(shown["jwks"]["keys"][0], public);
    assert!(shown["created_at"].is_i64());

    let other = created(&create(
        &app,
        &json!({"issuer": "https://other.example", "jwks": {"keys": [public]},
                "audience": AUD, "user_claim": "sub"}),
    ));
    let list = app.run_cli(&["trusted-issuer", "list"], "");
    assert!(list.status.success(), "{list:?}");
    let mut listed: Vec<Value> = serde_json::from_slice(&list.stdout).unwrap();
    // Oldest first; issuers made in the same second come in id order.
    listed.sort_by_key(|i| i["issuer"].as_str().unwrap_or_default().to_owned());
    assert_eq!(listed, vec![shown.clone(), other.clone()]);

    let log = audit(&app, &id);
    assert!(
        log.contains("\"action\":\"trusted_issuer.create\""),
        "{log}"
    );
    assert!(log.contains("\"actor\":\"cli\""), "{log}");
    assert!(log.contains(ISS), "{log}");

    let del = app.run_cli(&["trusted-issuer", "delete", &id], "");
    assert!(del.status.success(), "{del:?}");
    let deleted: Value = serde_json::from_slice(&del.stdout).unwrap();
    assert_eq!(deleted, json!({"deleted": id}));
    assert!(audit(&app, &id).contains("\"action\":\"trusted_issuer.delete\""));
    fails_with(
        &app.run_cli(&["trusted-issuer", "delete", &id], ""),
        &format!("no trusted issuer with id '{id}'"),
    );
    fails_with(
        &app.run_cli(&["trusted-issuer", "delete", "-nope"], ""),
        "no trusted issuer with id '-nope'",
    );
    let list = app.run_cli(&["trusted-issuer", "list"], "");
    let listed: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(listed, json!([other]));
}

// Multi-threaded: the CLI blocks this test's thread while the key servers answer it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_metadata_fails_with_one_line_naming_the_problem() {
    let app = TestApp::spawn().await;
    let (public, _) = signing_key("k1");
    let inline = || metadata(json!({"jwks": {"keys": [public.clone()]}}));
    let with = |member: &str, value: Value| {
        let mut m = inline();
        m[member] = value;
        m
    };
    let without = |member: &str| {
        let mut m = inline();
        m.as_object_mut().unwrap().remove(member);
        m
    };
    let mut enc_only = public.clone();
    enc_only["use"] = json!("enc");
    let private = {
        let (_, key) = signing_key("k2");
        Value::Object(key.as_ref().clone())
    };
    let cases = [
        (with("extra", json!(1)), "unknown member \"extra\""),
        (without("issuer"), "issuer is required"),
        (
            with("issuer", json!("http://idp.example")),
            "must use https (plain http is allowed only for loopback hosts)",
        ),
        (
            with("issuer", json!("https://idp.example?x=1")),
            "must not contain a query",
        ),
        (
            with("issuer", json!(app.issuer)),
            "is this provider's own issuer",
        ),
        (
            with("jwks_uri", json!("https://idp.example/jwks")),
            "jwks and jwks_uri are mutually exclusive",
        ),
        (without("jwks"), "jwks or jwks_uri is required"),
        (
            with("jwks", json!({"keys": [private]})),
            "contains the private key member",
        ),
        (
            with("jwks", json!({"keys": [enc_only.clone()]})),
            "jwks has no key sigil can verify signatures with",
        ),
        (without("audience"), "audience is required"),
        (with("audience", json!("")), "audience must not be empty"),
        (without("user_claim"), "user_claim is required"),
        (
            with("user_claim", json!("")),
            "user_claim must not be empty",
        ),
    ];
    for (input, needle) in cases {
        let out = create(&app, &input);
        fails_with(&out, "invalid_trusted_issuer_metadata: ");
        fails_with(&out, needle);
    }
    fails_with(
        &app.run_cli(&["trusted-issuer", "create", "--metadata-file", "-"], "{"),
        "metadata is not valid JSON",
    );
    fails_with(
        &app.run_cli(
            &[
                "trusted-issuer",
                "create",
                "--metadata-file",
                "/nonexistent/idp.json",
            ],
            "",
        ),
        "cannot read /nonexistent/idp.json",
    );

    let remote = |uri: &str| metadata(json!({"jwks_uri": uri}));
    fails_with(
        &create(&app, &remote("http://127.0.0.1:1/jwks")),
        "jwks_uri \"http://127.0.0.1:1/jwks\": the jwks_uri could not be fetched",
    );
    let enc_server = KeyServer::with_keys(vec![enc_only]).await;
    fails_with(
        &create(&app, &remote(&enc_server.url)),
        "has no key sigil can verify signatures with",
    );
    let garbage = KeyServer::start(Answer::Huge(10)).await;
    fails_with(
        &create(&app, &remote(&garbage.url)),
        "the JWK set is not valid",
    );

    created(&create(&app, &inline()));
    fails_with(
        &create(&app, &inline()),
        "a trusted issuer with issuer \"https://idp.example\" is already registered",
    );
    let list = app.run_cli(&["trusted-issuer", "list"], "");
    let listed: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "nothing else was stored"
    );
}

async fn add_user(app: &TestApp, username: &str, email: &str) -> String {
    let row = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        username: username.to_owned(),
        email: Some(email.to_owned()),
        name: None,
        password_hash: "unused".into(),
        created_at: 0,
        updated_at: 0,
        email_verified: true,
        claims: "{}".into(),
        token_generation: 0,
        disabled: false,
    };
    let id = row.id.clone();
    app.state
        .store
        .run(move |c| users::create(c, &row, &[]))
        .await
        .unwrap();
    id
}

async fn lookup(app: &TestApp, value: &str) -> Option<String> {
    let value = value.to_owned();
    app.state
        .store
        .run(move |c| users::by_username_or_email(c, &value))
        .await
        .unwrap()
        .map(|u| u.id)
}

#[tokio::test]
async fn a_user_is_found_by_username_or_by_an_email_no_one_else_has() {
    let app = TestApp::spawn().await;
    let ada = add_user(&app, "ada", "ada@example.org").await;
    add_user(&app, "bob", "shared@example.org").await;
    add_user(&app, "carol", "shared@example.org").await;
    let named = add_user(&app, "dan@example.org", "dan@work.example").await;
    add_user(&app, "eve", "dan@example.org").await;
    assert_eq!(lookup(&app, "ada").await, Some(ada.clone()));
    assert_eq!(lookup(&app, "ada@example.org").await, Some(ada));
    assert_eq!(lookup(&app, "shared@example.org").await, None, "ambiguous");
    assert_eq!(
        lookup(&app, "dan@example.org").await,
        Some(named),
        "a username wins over another user's email"
    );
    assert_eq!(lookup(&app, "nobody@example.org").await, None);
}

// Multi-threaded: the CLI blocks this test's thread while the key server answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_token_is_verified_with_one_fetch_and_a_refetch_only_for_a_new_kid() {
    let app = TestApp::spawn().await;
    let (k1, private1) = signing_key("k1");
    let server = KeyServer::with_keys(vec![k1]).await;
    let shown = created(&create(&app, &metadata(json!({"jwks_uri": server.url}))));
    assert_eq!(server.hits(), 1, "create fetched the jwks_uri once");
    let state = &app.state;
    let now = sigil::clock::Clock::now(state.clock.as_ref());
    let claims = |iss: &str| {
        json!({"iss": iss, "aud": AUD, "sub": "x", "email": "ada@example.org",
               "iat": now, "exp": now + 300})
    };
    let verify = |token: String| async move {
        federation::verify(
            &state.store,
            &state.trusted_issuers,
            &state.key_sources,
            &token,
            now,
        )
        .await
    };
    for _ in 0..3 {
        let found = verify(assertion(&private1, claims(ISS))).await.unwrap();
        assert_eq!(found.issuer_id, shown["id"].as_str().unwrap());
        assert_eq!(found.user, "ada@example.org");
        assert_eq!(found.exp, now + 300);
    }
    assert_eq!(server.hits(), 2, "the server fetched once, then cached");

    let (k2, private2) = signing_key("k2");
    server.answer(Answer::Keys(json!({ "keys": [k2] }), None));
    assert!(verify(assertion(&private2, claims(ISS))).await.is_ok());
    assert_eq!(server.hits(), 3, "one refetch for the unknown kid");
    let (_, stranger) = signing_key("k3");
    for _ in 0..3 {
        assert!(matches!(
            verify(assertion(&stranger, claims(ISS))).await,
            Err(Refusal::Invalid {
                reason: Reason::Signature(_)
            })
        ));
    }
    assert_eq!(server.hits(), 3, "unknown kids force no further fetch");

    match verify(assertion(&private2, claims("https://unknown.example"))).await {
        Err(Refusal::Invalid {
            reason: Reason::UntrustedIssuer,
        }) => {}
        other => panic!("{other:?}"),
    }

    let id = shown["id"].as_str().unwrap();
    assert!(
        app.run_cli(&["trusted-issuer", "delete", id], "")
            .status
            .success()
    );
    let fresh = TtlCache::default();
    let after = federation::verify(
        &state.store,
        &fresh,
        &state.key_sources,
        &assertion(&private2, claims(ISS)),
        now,
    )
    .await;
    assert!(
        matches!(
            after,
            Err(Refusal::Invalid {
                reason: Reason::UntrustedIssuer
            })
        ),
        "a deleted issuer is no longer trusted once the cache entry is gone: {after:?}"
    );
}
