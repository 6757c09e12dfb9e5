//! The account page's forms refuse what they should with a readable page: no or a wrong CSRF
//! token, empty, too short or too long values, a field twice, a wrong method, a body too
//! large, a `next` that leaves the server — never a 500.

use crate::helpers::account::{AccountBrowser, text_of};
use crate::helpers::oauth::{PASSWORD, USER};
use crate::helpers::{TestApp, expect_page};

async fn signed_in_ada(app: &TestApp) -> AccountBrowser {
    app.create_ada(&[]).await;
    let browser = app.account_browser(None);
    browser.signed_in(USER, PASSWORD).await;
    browser
}

#[tokio::test]
async fn account_forms_without_their_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let browser = signed_in_ada(&app).await;
    let sid = crate::helpers::account::listed_sessions(&browser.page().await)[0]
        .sid
        .clone();
    let posts: [(&str, Vec<(&str, &str)>); 3] = [
        (
            "/account/password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "another password"),
            ],
        ),
        ("/account/sessions/end", vec![("sid", sid.as_str())]),
        ("/account/applications/revoke", vec![("client_id", "x")]),
    ];
    for (path, form) in posts {
        expect_page(browser.post(path, &form).await, 403, "Form expired").await;
        let mut wrong = form.clone();
        wrong.push(("csrf_token", "not-the-token"));
        expect_page(browser.post(path, &wrong).await, 403, "Form expired").await;
    }
    // A token from another browser does not work here either.
    let other = app.account_browser(None);
    other.signed_in(USER, PASSWORD).await;
    let foreign = other.csrf().await;
    let res = browser
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another password"),
                ("csrf_token", &foreign),
            ],
        )
        .await;
    expect_page(res, 403, "Form expired").await;
    // Nothing happened: still signed in with the old password.
    assert!(browser.is_signed_in().await);
    let again = app.account_browser(None);
    again.signed_in(USER, PASSWORD).await;
}

#[tokio::test]
async fn account_password_form_explains_bad_values_next_to_the_fields() {
    let app = TestApp::spawn().await;
    let browser = signed_in_ada(&app).await;

    let page = expect_page(browser.change_password("", "").await, 400, "Your account").await;
    assert_eq!(
        text_of(&page, "current_password-error").as_deref(),
        Some("Enter your current password.")
    );
    assert_eq!(
        text_of(&page, "new_password-error").as_deref(),
        Some("Choose a new password.")
    );
    let long = "x".repeat(1025);
    for new in ["short", long.as_str()] {
        let res = browser.change_password(PASSWORD, new).await;
        let page = expect_page(res, 400, "Your account").await;
        assert_eq!(
            text_of(&page, "new_password-error").as_deref(),
            Some("The new password must be 8 to 1024 characters long.")
        );
        assert_eq!(text_of(&page, "current_password-error"), None);
    }
    // A current password longer than any password is simply wrong.
    let res = browser.change_password(&long, "a fine new password").await;
    let page = expect_page(res, 400, "Your account").await;
    assert!(text_of(&page, "current_password-error").is_some());

    let csrf = browser.csrf().await;
    let twice = browser
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("current_password", PASSWORD),
                ("new_password", "a fine new password"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    expect_page(twice, 400, "This form could not be read").await;
    let huge = "y".repeat(20 * 1024);
    let res = browser
        .post(
            "/account/password",
            &[("current_password", huge.as_str()), ("csrf_token", &csrf)],
        )
        .await;
    expect_page(res, 413, "This form is too large").await;
    assert!(browser.is_signed_in().await);
    app.account_browser(None).signed_in(USER, PASSWORD).await;
}

#[tokio::test]
async fn account_paths_answer_wrong_methods_and_unknown_targets_with_pages() {
    let app = TestApp::spawn().await;
    let browser = signed_in_ada(&app).await;
    for path in [
        "/account/password",
        "/account/sessions/end",
        "/account/applications/revoke",
    ] {
        let res = browser.get(path).await;
        assert_eq!(res.headers()["allow"], "POST");
        expect_page(res, 405, "Method not allowed").await;
    }
    let res = browser.post("/account", &[("x", "y")]).await;
    assert_eq!(res.headers()["allow"], "GET");
    expect_page(res, 405, "Method not allowed").await;

    let csrf = browser.csrf().await;
    for sid in ["", "no-such-session"] {
        let res = browser
            .post(
                "/account/sessions/end",
                &[("sid", sid), ("csrf_token", &csrf)],
            )
            .await;
        expect_page(res, 404, "Session not found").await;
    }
    for client_id in ["", "no-such-client"] {
        let res = browser
            .post(
                "/account/applications/revoke",
                &[("client_id", client_id), ("csrf_token", &csrf)],
            )
            .await;
        expect_page(res, 404, "Application not found").await;
    }
    // An unknown flash is shown as nothing.
    let page = expect_page(
        browser.get("/account?done=<b>x</b>").await,
        200,
        "Your account",
    )
    .await;
    assert_eq!(text_of(&page, "account-notice"), None);
}

#[tokio::test]
async fn account_sign_in_returns_only_to_paths_on_this_server() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let browser = app.account_browser(None);
    for next in ["//evil.example/", "https://evil.example/", "account"] {
        let res = browser
            .http
            .get(format!("{}/login", app.address))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        expect_page(res, 400, "This sign-in link is not valid").await;
    }
    // A posted `next` is checked the same way, after the CSRF token.
    let page = expect_page(browser.get("/login?next=%2Faccount").await, 200, "Sign in").await;
    let csrf = crate::helpers::hidden_value(&page, "csrf_token").unwrap();
    let res = browser
        .post(
            "/login",
            &[
                ("username", USER),
                ("password", PASSWORD),
                ("csrf_token", &csrf),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    expect_page(res, 400, "This sign-in link is not valid").await;
    let res = browser
        .post(
            "/login",
            &[
                ("username", USER),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    expect_page(res, 403, "Form expired").await;
    assert!(!browser.is_signed_in().await);
}

#[tokio::test]
async fn account_password_guesses_are_throttled_like_sign_ins() {
    let app = TestApp::spawn().await;
    let browser = signed_in_ada(&app).await;
    for _ in 0..5 {
        let res = browser
            .change_password("a wrong guess", "a fine new password")
            .await;
        expect_page(res, 400, "Your account").await;
    }
    let res = browser
        .change_password(PASSWORD, "a fine new password")
        .await;
    let page = expect_page(res, 429, "Your account").await;
    let error = text_of(&page, "current_password-error").unwrap();
    assert!(
        error.starts_with("Too many wrong passwords. Wait "),
        "{error}"
    );
    // Not changed: the right password waited too, and the sign-in page waits as well.
    let stored = app
        .state
        .store
        .run(|c| sigil::store::users::by_username(c, USER))
        .await
        .unwrap()
        .unwrap();
    assert!(sigil::password::verify(PASSWORD, &stored.password_hash));
    assert_eq!(
        app.account_browser(None)
            .sign_in(USER, PASSWORD)
            .await
            .status(),
        429
    );
}
