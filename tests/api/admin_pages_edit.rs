//! Editing from the admin pages: a user disabled and enabled again from their page, through
//! the same edit as the API's `PATCH {"disabled": …}` (audited with the admin as actor, the
//! user signed out everywhere and their sign-in refused as a wrong password is), under the
//! page's tag (a stale one is a "changed meanwhile" error), the state shown on the user's
//! page and in the list, and CSRF and bad input refused with a page, never a 500.

use crate::admin_api_users::sign_in;
use crate::helpers::TestApp;
use crate::helpers::admin_pages::{field_error, has, text_of};
use crate::helpers::html::{expect_page, hidden_value};
use crate::impersonation::{own_session, session_exists};

/// Posts the disable form of the user `id` with `disabled` and the page's own tag.
async fn set_disabled(app: &TestApp, id: &str, disabled: &str) -> reqwest::Response {
    let page = format!("/admin/users/{id}");
    let (csrf, html) = app.page_with_csrf(&page).await;
    let tag = hidden_value(&html, "etag").expect("the page's tag");
    let form = [
        ("disabled", disabled),
        ("etag", tag.as_str()),
        ("csrf_token", csrf.as_str()),
    ];
    app.post_form(&format!("{page}/disabled"), &form).await
}

/// The status column of `username` on the user list.
async fn listed_status(app: &TestApp, username: &str) -> Option<String> {
    let html = app.get("/admin/users").await.text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let rows = scraper::Selector::parse("tbody tr").unwrap();
    let cells = scraper::Selector::parse("td").unwrap();
    doc.select(&rows).find_map(|row| {
        let texts: Vec<String> = row.select(&cells).map(|c| c.text().collect()).collect();
        (texts.first().map(String::as_str) == Some(username)).then(|| texts[4].clone())
    })
}

#[tokio::test]
async fn an_admin_disables_and_enables_a_user_from_the_users_page() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &[]).await;
    let ada = app.create_ada(&[]).await;
    let own = own_session(&app, &ada).await;
    let client = app.web_client("openid").await;
    let wrong = sign_in(&app, &client, "not the password").await;
    assert_eq!(wrong.0, 400);
    let page = format!("/admin/users/{ada}");
    let html = app.get(&page).await.text().await.unwrap();
    assert_eq!(text_of(&html, "#status").as_deref(), Some("Active"));
    assert!(has(&html, "button[name=\"disabled\"][value=\"true\"]"));
    assert_eq!(listed_status(&app, "ada").await.as_deref(), Some("Active"));

    let res = set_disabled(&app, &ada, "true").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("{page}?done=disabled")
    );
    let html = expect_page(app.follow(&res).await, 200, "was disabled").await;
    assert_eq!(text_of(&html, "#status").as_deref(), Some("Disabled"));
    assert!(has(&html, "button[name=\"disabled\"][value=\"false\"]"));
    assert_eq!(
        listed_status(&app, "ada").await.as_deref(),
        Some("Disabled")
    );
    assert!(!session_exists(&app, &own).await, "signed out everywhere");
    assert_eq!(
        sign_in(&app, &client, crate::helpers::oauth::PASSWORD).await,
        wrong
    );
    let audit = app.audit_about(&ada).await;
    let (actor, _, detail) = audit
        .iter()
        .find(|(_, a, _)| a == "user.update")
        .expect("audited");
    assert_eq!(actor, &admin);
    assert_eq!(detail["disabled"], true);
    assert!(
        audit
            .iter()
            .any(|(a, act, _)| a == &admin && act == "user.signout")
    );

    let res = set_disabled(&app, &ada, "false").await;
    assert_eq!(res.status(), 303);
    let html = expect_page(app.follow(&res).await, 200, "was enabled").await;
    assert_eq!(text_of(&html, "#status").as_deref(), Some("Active"));
    let signed = sign_in(&app, &client, crate::helpers::oauth::PASSWORD).await;
    assert_eq!(signed.0, 303, "enabled again, the user signs in");
}

#[tokio::test]
async fn the_disable_form_refuses_a_missing_csrf_token_bad_input_and_a_stale_page() {
    let app = TestApp::spawn().await;
    app.admin_signed_in("root", &[]).await;
    let ada = app.create_ada(&[]).await;
    let page = format!("/admin/users/{ada}");
    let (_, html) = app.page_with_csrf(&page).await;
    let tag = hidden_value(&html, "etag").unwrap();
    let action = format!("{page}/disabled");
    let res = app
        .post_form(&action, &[("disabled", "true"), ("etag", &tag)])
        .await;
    expect_page(res, 403, "Form expired").await;

    let res = app
        .post_admin(&page, &action, &[("disabled", "maybe"), ("etag", &tag)])
        .await;
    let html = expect_page(res, 422, "ada").await;
    let error = field_error(&html, "disabled").expect("the error beside the button");
    assert!(error.contains("true or false"), "{error}");

    // Another admin changed the user since this page was read: nothing is lost silently.
    app.post_admin(&page, &format!("{page}/roles"), &[("roles", "dev")])
        .await;
    let res = app
        .post_admin(&page, &action, &[("disabled", "true"), ("etag", &tag)])
        .await;
    let html = expect_page(res, 422, "changed meanwhile").await;
    let error = field_error(&html, "disabled").expect("beside the button");
    assert!(error.contains("changed meanwhile"), "{error}");
    assert_eq!(text_of(&html, "#status").as_deref(), Some("Active"));
    let updates = app.audit_about(&ada).await;
    assert!(
        !updates
            .iter()
            .any(|(_, a, d)| a == "user.update" && d["disabled"] == true),
        "not disabled"
    );
}

#[tokio::test]
async fn an_admin_cannot_disable_their_own_account() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &[]).await;
    let page = format!("/admin/users/{admin}");
    let (_, html) = app.page_with_csrf(&page).await;
    let tag = hidden_value(&html, "etag").unwrap();
    let res = app
        .post_admin(
            &page,
            &format!("{page}/disabled"),
            &[("disabled", "true"), ("etag", &tag)],
        )
        .await;
    let html = expect_page(res, 422, "root").await;
    let error = field_error(&html, "disabled").expect("the error beside the button");
    assert!(error.contains("own account"), "{error}");
    let html = app.get(&page).await.text().await.unwrap();
    assert_eq!(text_of(&html, "#status").as_deref(), Some("Active"));
}
