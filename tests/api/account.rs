//! The account page: signing in to it, the profile, changing the password (which ends every
//! other sign-in), and signing out one session.

use crate::helpers::account::{CHROME_ON_LINUX, listed_sessions, text_of};
use crate::helpers::logout::{Receiver, check_logout_token};
use crate::helpers::oauth::{PASSWORD, USER, assert_error, jwt_parts};
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::{TestApp, expect_page, login_error};

const NEW_PASSWORD: &str = "a whole new secret";

#[tokio::test]
async fn account_without_a_session_goes_through_sign_in_and_back() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    let browser = app.account_browser(None);

    let wrong = browser.sign_in(USER, "not the password").await;
    let page = expect_page(wrong, 400, "Sign in").await;
    assert_eq!(
        login_error(&page).as_deref(),
        Some("The username or password is incorrect.")
    );
    assert!(!browser.is_signed_in().await);

    browser.signed_in(USER, PASSWORD).await;
    let page = browser.page().await;
    assert_eq!(text_of(&page, "profile-username").as_deref(), Some(USER));
    assert_eq!(
        text_of(&page, "profile-name").as_deref(),
        Some("ada Example")
    );
    assert_eq!(
        text_of(&page, "profile-email").as_deref(),
        Some("ada@example.com")
    );
    assert!(page.contains("sigil.css"), "styled like the sign-in pages");
    assert!(!page.contains("argon2"), "never a hash: {page}");
    assert!(!page.contains(&user), "the page needs no internal id");
    let sessions = listed_sessions(&page);
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].current);
}

#[tokio::test]
async fn account_refuses_a_wrong_current_password_next_to_the_field() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let browser = app.account_browser(None);
    browser.signed_in(USER, PASSWORD).await;

    let res = browser
        .change_password("not the password", NEW_PASSWORD)
        .await;
    let page = expect_page(res, 400, "Your account").await;
    assert_eq!(
        text_of(&page, "current_password-error").as_deref(),
        Some("The current password is not correct.")
    );
    assert!(page.contains("aria-describedby=\"current_password-error\""));
    assert_eq!(text_of(&page, "new_password-error"), None);

    // Nothing changed: the old password still signs in, the new one does not.
    let other = app.account_browser(None);
    let refused = other.sign_in(USER, NEW_PASSWORD).await;
    assert_eq!(refused.status(), 400);
    other.signed_in(USER, PASSWORD).await;
    assert!(browser.is_signed_in().await);
}

// Multi-threaded: the audit is read through the CLI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_password_change_ends_every_other_sign_in() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    // The app's own browser signs in to an application that keeps a refresh token.
    let client = app.refreshing_client(serde_json::json!({})).await;
    let tokens = app.tokens_for(&client, "openid offline_access", &[]).await;
    let refresh = refresh_token_of(&tokens);
    let elsewhere = app.own_browser();
    assert!(elsewhere.is_signed_in().await);
    // A second browser changes the password from its account page.
    let changing = app.account_browser(None);
    changing.signed_in(USER, PASSWORD).await;

    let res = changing.change_password(PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account?done=password");
    let page = changing.page_after(&res).await;
    assert_eq!(
        text_of(&page, "account-notice").as_deref(),
        Some("Your password was changed. You were signed out everywhere else.")
    );
    let sessions = listed_sessions(&page);
    assert_eq!(sessions.len(), 1, "only the changing session is left");
    assert!(sessions[0].current);

    assert!(changing.is_signed_in().await, "the changing session stays");
    assert!(!elsewhere.is_signed_in().await, "the other browser is out");
    let res = app.refresh(&client, &refresh, None).await;
    assert_error(res, 400, "invalid_grant").await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_error(app.userinfo(access).await, 401, "invalid_token").await;

    let fresh = app.account_browser(None);
    assert_eq!(fresh.sign_in(USER, PASSWORD).await.status(), 400);
    fresh.signed_in(USER, NEW_PASSWORD).await;

    let (audit, _) = app.audit_by(&user);
    let detail = &audit
        .iter()
        .find(|r| r["action"] == "user.password")
        .expect("the change is audited with the user as actor")["detail"];
    assert_eq!(detail["sessions_ended"], 1);
    assert_eq!(detail["refresh_families_revoked"], 1);
    assert_eq!(
        detail["kept_session"].as_str(),
        Some(sessions[0].sid.as_str())
    );
    let shown = serde_json::to_string(&audit).unwrap();
    assert!(!shown.contains("argon2") && !shown.contains(NEW_PASSWORD));
}

// Multi-threaded: the audit is read through the CLI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_signs_out_one_session_and_names_its_device() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    let laptop = app.account_browser(Some(CHROME_ON_LINUX));
    laptop.signed_in(USER, PASSWORD).await;
    let phone = app.account_browser(None);
    phone.signed_in(USER, PASSWORD).await;

    let page = phone.page().await;
    let sessions = listed_sessions(&page);
    assert_eq!(sessions.len(), 2);
    let current: Vec<_> = sessions.iter().filter(|s| s.current).collect();
    assert_eq!(current.len(), 1, "exactly one marked as this browser");
    assert_eq!(current[0].device, "Unknown device");
    let other = sessions.iter().find(|s| !s.current).unwrap();
    assert_eq!(other.device, "Chrome on Linux");

    let csrf = phone.csrf().await;
    let res = phone
        .post(
            "/account/sessions/end",
            &[("sid", &other.sid), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account?done=session");
    assert!(!laptop.is_signed_in().await);
    assert!(phone.is_signed_in().await);
    let left = listed_sessions(&phone.page().await);
    assert_eq!(left.len(), 1);
    assert!(left[0].current);
    let (audit, _) = app.audit_by(&user);
    assert!(
        audit
            .iter()
            .any(|r| r["action"] == "session.end" && r["detail"]["sid"] == other.sid.as_str()),
        "{audit:?}"
    );

    // Another user's session is not one of ours to end.
    app.create_user("bob", PASSWORD, &[]).await;
    let bobs = app.account_browser(None);
    bobs.signed_in("bob", PASSWORD).await;
    let bob_sid = listed_sessions(&bobs.page().await)[0].sid.clone();
    let res = phone
        .post(
            "/account/sessions/end",
            &[("sid", &bob_sid), ("csrf_token", &csrf)],
        )
        .await;
    expect_page(res, 404, "Session not found").await;
    assert!(bobs.is_signed_in().await);

    // Ending this browser's own session signs it out.
    let res = phone
        .post(
            "/account/sessions/end",
            &[("sid", &left[0].sid), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(!phone.is_signed_in().await);
}

// Multi-threaded: the receiver answers while the test waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_password_change_tells_the_other_sessions_clients() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    let receiver = Receiver::start(Some(vec![200])).await;
    let client = app.logout_client(Some(&receiver.url)).await;
    // The app's own browser signs in to the client; a second browser changes the password.
    let tokens = app.tokens_for(&client, "openid", &[]).await;
    let sid = jwt_parts(tokens["id_token"].as_str().unwrap()).1["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    let changing = app.account_browser(None);
    changing.signed_in(USER, PASSWORD).await;
    let res = changing.change_password(PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status(), 303);

    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1, "one notice, for the ended session only");
    let claims = check_logout_token(&app, &got[0].logout_token(), &client.id).await;
    assert_eq!(claims["sid"].as_str(), Some(sid.as_str()));
    assert_eq!(claims["sub"].as_str(), Some(user.as_str()));
}
