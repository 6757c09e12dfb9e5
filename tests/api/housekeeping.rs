//! Housekeeping: expired rows leave their tables; live ones stay.

use sigil::housekeeping::{CODE_GRACE, run_once};

use crate::helpers::{TestApp, TestDatabase, location_params, manual_clock, pkce_pair};

#[tokio::test]
async fn expired_codes_requests_sessions_and_denylist_entries_are_removed() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_user("ada", "correct horse battery", &[]).await;
    let client = app.web_client("openid").await;
    let (verifier, challenge) = pkce_pair();
    let done = app
        .browser_flow(
            &client,
            "openid",
            &challenge,
            "ada",
            "correct horse battery",
        )
        .await;
    let code = location_params(&done)["code"].clone();
    assert_eq!(app.redeem(&client, &code, &verifier).await.status(), 200);
    assert_eq!(
        app.redeem(&client, &code, &verifier).await.status(),
        400,
        "reuse denylists"
    );
    // A second browser parks a request at the login page and walks away.
    let other = crate::helpers::browser();
    let res = other
        .get(format!("{}/authorize", app.address))
        .query(&[
            ("client_id", client.id.as_str()),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the login form, its request parked");

    let nothing = run_once(&app.state).await.unwrap();
    assert_eq!(nothing, Default::default(), "nothing has expired yet");

    clock.advance(CODE_GRACE + 3600);
    let purged = run_once(&app.state).await.unwrap();
    assert_eq!(purged.codes, 1);
    assert_eq!(purged.auth_requests, 1);
    assert_eq!(purged.sessions, 1);
    assert_eq!(purged.denylist, 1);
    assert_eq!(run_once(&app.state).await.unwrap(), Default::default());
}

#[tokio::test]
async fn refresh_families_leave_after_their_absolute_lifetime() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_user("ada", "correct horse battery", &[]).await;
    let client = app
        .refreshing_client(serde_json::json!({
            "sigil_refresh_token_lifetime": 60,
            "sigil_refresh_token_absolute_lifetime": 600,
        }))
        .await;
    let first = app.tokens_for(&client, "openid offline_access", &[]).await;
    let token = crate::helpers::refresh::refresh_token_of(&first);
    app.refreshed(&client, &token).await;
    clock.advance(599);
    assert_eq!(run_once(&app.state).await.unwrap().refresh_families, 0);
    clock.advance(2);
    let purged = run_once(&app.state).await.unwrap();
    assert_eq!(purged.refresh_families, 1);
    assert_eq!(run_once(&app.state).await.unwrap().refresh_families, 0);
}
