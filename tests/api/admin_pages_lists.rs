//! The admin pages' lists and views: pagination and search, the dashboard's counts and
//! activity chart, resources, keys (never a private member), sessions and the audit log.

use crate::helpers::admin_pages::{PASSWORD, field_error, has, text_of};
use crate::helpers::html::{expect_page, hidden_value};
use crate::helpers::{TestApp, browser};

/// The number of elements `css` selects in `html`.
fn count(html: &str, css: &str) -> usize {
    let selector = scraper::Selector::parse(css).unwrap();
    scraper::Html::parse_document(html)
        .select(&selector)
        .count()
}

#[tokio::test]
async fn the_user_list_pages_through_every_user_once_and_searches() {
    let app = TestApp::spawn().await;
    app.admin_signed_in("root", &[]).await;
    for i in 0..55 {
        app.create_user(&format!("member{i:02}"), PASSWORD, &[])
            .await;
    }
    let first = expect_page(app.get("/admin/users").await, 200, "Users").await;
    let rows = count(&first, "tbody a[href^=\"/admin/users/\"]");
    assert_eq!(rows, 50);
    let next = scraper::Html::parse_document(&first)
        .select(&scraper::Selector::parse("a[rel=next]").unwrap())
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("a next page");
    let second = expect_page(app.get(&next).await, 200, "Users").await;
    assert_eq!(count(&second, "tbody a[href^=\"/admin/users/\"]"), 56 - 50);
    assert!(!has(&second, "a[rel=next]"));
    let found = app
        .get("/admin/users?q=member07")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(count(&found, "tbody a[href^=\"/admin/users/\"]"), 1);
    let none = app.get("/admin/users?q=%25").await.text().await.unwrap();
    assert_eq!(
        count(&none, "tbody a[href^=\"/admin/users/\"]"),
        0,
        "% is literal"
    );
}

#[tokio::test]
async fn the_dashboard_counts_and_charts_the_last_day() {
    let app = TestApp::spawn().await;
    app.create_user("root", PASSWORD, &["admin"]).await;
    let other = browser();
    let login = other
        .get(format!("{}/login?next=/admin", app.address))
        .send()
        .await
        .unwrap();
    let csrf = hidden_value(&login.text().await.unwrap(), "csrf_token").unwrap();
    let form = [
        ("username", "root"),
        ("password", "wrong password"),
        ("csrf_token", &csrf),
        ("next", "/admin"),
    ];
    let refused = other
        .post(format!("{}/login", app.address))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    app.web_client("openid").await;
    let html = expect_page(app.sign_in_to("/admin", "root").await, 200, "Dashboard").await;
    assert_eq!(text_of(&html, "#total-signins").as_deref(), Some("1"));
    assert_eq!(text_of(&html, "#total-failures").as_deref(), Some("1"));
    assert_eq!(text_of(&html, "#total-tokens").as_deref(), Some("0"));
    assert_eq!(count(&html, "svg.chart rect"), 72, "three bars an hour");
    assert!(html.contains("<strong>1</strong> clients"), "{html}");
    assert!(html.contains("login.success"), "recent events");
}

#[tokio::test]
async fn resources_are_registered_with_their_secret_shown_once_and_deleted_after_confirming() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &[]).await;
    let form = [
        ("identifier", "https://api.example/"),
        ("scope", "read write"),
        ("name", "API"),
    ];
    let res = app
        .post_admin("/admin/resources", "/admin/resources", &form)
        .await;
    let html = expect_page(res, 201, "Registered https://api.example/").await;
    let listed = app.get("/admin/resources").await.text().await.unwrap();
    assert!(listed.contains("https://api.example/"));
    if let Some(secret) = text_of(&html, "#resource-secret") {
        assert!(!listed.contains(&secret), "shown once");
    }
    let delete = scraper::Html::parse_document(&listed)
        .select(&scraper::Selector::parse("a[href$=\"/delete\"]").unwrap())
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .unwrap();
    let id = delete
        .trim_start_matches("/admin/resources/")
        .trim_end_matches("/delete")
        .to_owned();
    // A token for the resource puts it in the app's cache; the deletion takes it out at once.
    let service = app.service_client("read").await;
    let target = [
        ("grant_type", "client_credentials"),
        ("resource", "https://api.example/"),
    ];
    app.service_token(&service, &target[1..]).await;
    let res = app
        .post_admin(&delete, &delete, &[("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    let res = app.token_as(&service, &target).await;
    assert_eq!(
        res.status(),
        400,
        "the deleted resource is not served from the cache"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_target");
    assert!(
        !app.get("/admin/resources")
            .await
            .text()
            .await
            .unwrap()
            .contains("api.example")
    );
    let actions: Vec<String> = app
        .audit_about(&id)
        .await
        .into_iter()
        .filter(|(a, _, _)| a == &admin)
        .map(|(_, b, _)| b)
        .collect();
    assert_eq!(actions, ["resource.create", "resource.delete"]);
}

#[tokio::test]
async fn keys_show_only_public_members_and_rotate() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &[]).await;
    let html = expect_page(app.get("/admin/keys").await, 200, "Keys").await;
    let before = count(&html, "tbody tr");
    assert!(before >= 1);
    for private in ["\"d\"", "\"p\"", "\"q\"", "private"] {
        assert!(!html.contains(private), "{private} on the keys page");
    }
    let res = app
        .post_admin("/admin/keys", "/admin/keys/rotate", &[("alg", "RS256")])
        .await;
    let html = expect_page(res, 200, "Rotated RS256").await;
    assert_eq!(
        count(&html, "tbody tr"),
        before + 1,
        "the old key stays published"
    );
    let bad = app
        .post_admin("/admin/keys", "/admin/keys/rotate", &[("alg", "HS1")])
        .await;
    let html = expect_page(bad, 422, "Keys").await;
    assert!(field_error(&html, "alg").is_some());
    let filter = format!("/admin/audit?actor={admin}&action=keys.rotate");
    let html = expect_page(app.get(&filter).await, 200, "Audit log").await;
    assert_eq!(count(&html, "tbody tr"), 1, "{html}");
}

#[tokio::test]
async fn sessions_are_listed_by_username_and_ended() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &[]).await;
    let html = expect_page(app.get("/admin/sessions?user=root").await, 200, "Sessions").await;
    assert_eq!(count(&html, "form[action$=\"/end\"]"), 1, "{html}");
    let sid = text_of(&html, "tbody code").unwrap();
    let html = expect_page(
        app.get("/admin/sessions?user=nobody").await,
        404,
        "Sessions",
    )
    .await;
    assert!(field_error(&html, "user").is_some());
    let end = format!("/admin/sessions/{sid}/end");
    let res = app
        .post_admin("/admin/sessions?user=root", &end, &[("user_id", &admin)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.get("/admin").await.status(),
        303,
        "the ended session no longer counts"
    );
}
