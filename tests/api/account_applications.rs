//! The account page's applications: each one the user consented to, with its scopes in
//! words, and a revoke button that forgets the consent and ends that client's refresh tokens.

use serde_json::json;

use crate::helpers::account::{listed_applications, text_of};
use crate::helpers::oauth::assert_error;
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::{TestApp, expect_page, pkce_pair};

// Multi-threaded: the audit is read through the CLI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_revoking_an_application_ends_its_refresh_tokens_and_consent() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let other = app
        .refreshing_client(json!({"client_name": "Other App"}))
        .await;
    let tokens = app
        .tokens_for(&client, "openid profile offline_access", &[])
        .await;
    let kept = app.tokens_for(&other, "openid offline_access", &[]).await;
    let browser = app.own_browser();

    let page = browser.page().await;
    let apps = listed_applications(&page);
    assert_eq!(apps.len(), 2, "{apps:?}");
    let (_, name, scopes) = apps
        .iter()
        .find(|(id, _, _)| *id == client.id)
        .expect("the application is listed");
    assert_eq!(name, "Refreshing App");
    assert!(
        scopes.contains(&"See your name and basic profile details (profile)".to_owned()),
        "{scopes:?}"
    );
    assert!(scopes.contains(&"Stay signed in when you are away (offline_access)".to_owned()));

    let csrf = browser.csrf().await;
    let res = browser
        .post(
            "/account/applications/revoke",
            &[("client_id", &client.id), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account?done=revoked");
    let page = browser.page_after(&res).await;
    assert!(text_of(&page, "account-notice").is_some());
    let apps = listed_applications(&page);
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].0, other.id, "only the revoked one is gone");

    let refresh = refresh_token_of(&tokens);
    assert_error(
        app.refresh(&client, &refresh, None).await,
        400,
        "invalid_grant",
    )
    .await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_error(app.userinfo(access).await, 401, "invalid_token").await;
    // The other application keeps its tokens.
    app.refreshed(&other, &refresh_token_of(&kept)).await;

    // Still signed in, the next authorization request asks for consent again.
    let (_, challenge) = pkce_pair();
    let res = app
        .authorize(&[
            ("client_id", client.id.as_str()),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid profile"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/consent?request="), "{location}");

    let (audit, _) = app.audit_by(&user);
    let detail = &audit
        .iter()
        .find(|r| r["action"] == "consent.revoke")
        .expect("the revocation is audited with the user as actor")["detail"];
    assert_eq!(detail["client_id"], client.id.as_str());
    assert_eq!(detail["refresh_families_revoked"], 1);

    // Revoking it again, or an application never allowed, finds nothing.
    let res = browser
        .post(
            "/account/applications/revoke",
            &[("client_id", &client.id), ("csrf_token", &csrf)],
        )
        .await;
    expect_page(res, 404, "Application not found").await;
}

#[tokio::test]
async fn account_lists_no_application_before_any_consent() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let first_party = app
        .refreshing_client(json!({"sigil_first_party": true}))
        .await;
    app.tokens_for(&first_party, "openid", &[]).await;
    let page = app.own_browser().page().await;
    assert!(listed_applications(&page).is_empty());
    assert_eq!(
        text_of(&page, "no-applications").as_deref(),
        Some("You have not allowed any application to use your account.")
    );
}
