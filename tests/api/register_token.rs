//! `SIGIL_REGISTRATION=token`: `/register` wants an initial access token from
//! `sigil registration-token create`, and refuses a missing, unknown, used-up or expired one.

use crate::helpers::TestApp;
use crate::helpers::registration::{assert_registration_error, native_metadata};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_initial_token_registers_and_is_named_as_the_actor() {
    let app = TestApp::with_registration("token", |_| {}).await;
    let res = app.register(&native_metadata(), None).await;
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_registration_error(res, 401, "invalid_token").await;
    let res = app.register(&native_metadata(), Some("not-a-token")).await;
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    assert_registration_error(res, 401, "invalid_token").await;

    let (id, token) = app.initial_token(&[]);
    let body = app.registered(&native_metadata(), Some(&token)).await;
    app.registered(&native_metadata(), Some(&token)).await;
    let client_id = body["client_id"].as_str().unwrap();
    let audit = app.audit_rows().await;
    assert!(
        audit.contains(&(id.clone(), "client.create".into(), Some(client_id.into()))),
        "{audit:?}"
    );
    assert!(
        audit.contains(&("cli".into(), "registration_token.create".into(), Some(id))),
        "{audit:?}"
    );
    let details = app
        .state
        .store
        .run(|c| sigil::store::audit::list(c, &Default::default()))
        .await
        .unwrap();
    assert!(
        details
            .iter()
            .all(|r| !r.detail.contains(&token) && !r.actor.contains(&token))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_up_token_is_refused_and_invalid_metadata_spends_no_use() {
    let app = TestApp::with_registration("token", |_| {}).await;
    let (_, token) = app.initial_token(&["--uses", "2"]);
    let mut bad = native_metadata();
    bad["grant_types"] = serde_json::json!(["password"]);
    let res = app.register(&bad, Some(&token)).await;
    assert_registration_error(res, 400, "invalid_client_metadata").await;
    app.registered(&native_metadata(), Some(&token)).await;
    app.registered(&native_metadata(), Some(&token)).await;
    let res = app.register(&native_metadata(), Some(&token)).await;
    let description = assert_registration_error(res, 401, "invalid_token").await;
    assert!(
        description.contains("no registrations left"),
        "{description}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_token_is_refused() {
    // The CLI runs on the system clock: the app's clock starts there too.
    let clock = sigil::clock::ManualClock::at(sigil::cli::now());
    let db = crate::helpers::TestDatabase::new();
    let app = TestApp::spawn_with(
        db,
        |raw| {
            raw.registration = "token".into();
            raw.registration_rate_limit = 1000;
        },
        clock.clone(),
    )
    .await;
    let (_, token) = app.initial_token(&["--expires-in", "3600"]);
    app.registered(&native_metadata(), Some(&token)).await;
    clock.advance(3700);
    let res = app.register(&native_metadata(), Some(&token)).await;
    let description = assert_registration_error(res, 401, "invalid_token").await;
    assert!(description.contains("expired"), "{description}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_refuses_nonsense_limits() {
    let app = TestApp::spawn().await;
    for args in [["--uses", "0"], ["--expires-in", "0"]] {
        let mut all = vec!["registration-token", "create"];
        all.extend_from_slice(&args);
        let out = app.run_cli(&all, "");
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(args[0]), "{stderr}");
    }
}
