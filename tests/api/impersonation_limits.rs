//! What bounds browser impersonation: only admins with `impersonator`, never an admin as
//! target, a fresh sign-in first, and the time limit — after which it is recorded as
//! expired once and the browser is the admin's own again.

use serde_json::json;
use sigil::manage::{Actor, ManageError, Manager, PageRequest};

use crate::helpers::admin_pages::{PASSWORD, has};
use crate::helpers::database::TestDatabase;
use crate::helpers::html::expect_page;
use crate::helpers::oauth::jwt_parts;
use crate::helpers::{TestApp, manual_clock};
use crate::impersonation::{banner, own_session, session_exists, start};

#[tokio::test]
async fn only_impersonators_may_start_and_never_as_an_admin() {
    let app = TestApp::spawn().await;
    app.admin_signed_in("root", &[]).await;
    let ada = app.create_ada(&[]).await;
    let html = expect_page(app.get(&format!("/admin/users/{ada}")).await, 200, "ada").await;
    assert!(
        !has(&html, "button[name=\"impersonation\"]"),
        "no form for a plain admin"
    );
    expect_page(start(&app, &ada, "curious").await, 403, "Not allowed").await;
    assert!(
        !app.audit_about(&ada)
            .await
            .iter()
            .any(|(_, a, _)| a.starts_with("impersonation"))
    );

    let app = TestApp::spawn().await;
    let me = app.admin_signed_in("root", &["impersonator"]).await;
    let other = app.create_user("chief", PASSWORD, &["admin"]).await;
    let html = expect_page(
        app.get(&format!("/admin/users/{other}")).await,
        200,
        "chief",
    )
    .await;
    assert!(
        !has(&html, "button[name=\"impersonation\"]"),
        "no form on an admin's page"
    );
    expect_page(start(&app, &other, "curious").await, 403, "Not allowed").await;
    expect_page(start(&app, &me, "curious").await, 403, "Not allowed").await;
    expect_page(
        start(&app, "no-such-user", "curious").await,
        404,
        "Not found",
    )
    .await;
    let html = expect_page(app.get("/admin/impersonation").await, 200, "Not acting").await;
    assert_eq!(banner(&html), None);
}

#[tokio::test]
async fn starting_needs_a_fresh_sign_in_after_15_minutes() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.admin_signed_in("root", &["impersonator"]).await;
    let ada = app.create_ada(&[]).await;
    clock.advance(15 * 60 + 1);
    let res = start(&app, &ada, "support call").await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("/login?next=") && location.contains("reauth=1"),
        "{location}"
    );
    assert!(
        !app.audit_about(&ada)
            .await
            .iter()
            .any(|(_, a, _)| a == "impersonation.start")
    );
}

#[tokio::test]
async fn it_expires_after_the_max_lifetime_once_and_the_admin_is_themselves_again() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(
        TestDatabase::new(),
        |s| s.impersonation_max_lifetime = 120,
        clock.clone(),
    )
    .await;
    let admin = app.admin_signed_in("root", &["impersonator"]).await;
    let ada = app.create_ada(&[]).await;
    let ada_own = own_session(&app, &ada).await;
    let client = app.web_client("openid").await;
    assert_eq!(start(&app, &ada, "support call").await.status(), 303);
    clock.advance(60);
    let html = app.get("/admin/impersonation").await.text().await.unwrap();
    assert_eq!(
        banner(&html).as_deref(),
        Some("You are acting as ada"),
        "still within the limit"
    );
    let acting = app.tokens_for(&client, "openid", &[]).await;
    assert_eq!(
        jwt_parts(acting["id_token"].as_str().unwrap()).1["act"],
        json!({"sub": admin})
    );

    clock.advance(61);
    let res = app.get("/admin/impersonation").await;
    let cleared = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("sigil_acting=;"));
    assert!(cleared, "the acting cookie is cleared");
    let html = expect_page(res, 200, "Not acting").await;
    assert_eq!(banner(&html), None);
    app.get("/admin").await;
    let expired: Vec<_> = app
        .audit_about(&ada)
        .await
        .into_iter()
        .filter(|(_, a, _)| a == "impersonation.expire")
        .collect();
    assert_eq!(expired.len(), 1, "recorded once");
    assert_eq!(expired[0].0, admin);

    let mine = app.tokens_for(&client, "openid", &[]).await;
    let claims = jwt_parts(mine["id_token"].as_str().unwrap()).1;
    assert_eq!(claims["sub"], admin.as_str());
    assert!(claims.get("act").is_none());
    assert!(
        session_exists(&app, &ada_own).await,
        "the user's own session is untouched"
    );
    expect_page(app.get("/admin").await, 200, "Dashboard").await;
}

#[tokio::test]
async fn management_lists_impersonations_and_stops_one_for_another_admin() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &["impersonator"]).await;
    let ada = app.create_ada(&[]).await;
    assert_eq!(start(&app, &ada, "audit request").await.status(), 303);
    let manager = Manager::from_state(&app.state);
    let listed = manager
        .list_impersonations(PageRequest::default())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    let one = &listed.items[0];
    assert_eq!(
        (one.actor.as_str(), one.user_id.as_str(), one.status),
        (admin.as_str(), ada.as_str(), "active")
    );
    assert_eq!(one.reason, "audit request");

    let other = Actor::new("security-officer");
    manager.stop_impersonation(&other, &one.id).await.unwrap();
    let again = manager
        .stop_impersonation(&other, &one.id)
        .await
        .unwrap_err();
    assert!(matches!(again, ManageError::Conflict { .. }), "{again}");
    let missing = manager
        .stop_impersonation(&other, "nope")
        .await
        .unwrap_err();
    assert!(matches!(missing, ManageError::NotFound { .. }));
    let listed = manager
        .list_impersonations(PageRequest::default())
        .await
        .unwrap();
    assert_eq!(listed.items[0].status, "stopped");
    let audit = app.audit_about(&ada).await;
    assert!(
        audit
            .iter()
            .any(|(a, action, _)| a == "security-officer" && action == "impersonation.stop")
    );
    let html = expect_page(app.get("/admin").await, 200, "Dashboard").await;
    assert_eq!(banner(&html), None, "the browser is the admin's own again");
}

#[tokio::test]
async fn housekeeping_ends_an_impersonation_whose_browser_never_came_back() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(
        TestDatabase::new(),
        |s| s.impersonation_max_lifetime = 30,
        clock.clone(),
    )
    .await;
    app.admin_signed_in("root", &["impersonator"]).await;
    let ada = app.create_ada(&[]).await;
    assert_eq!(start(&app, &ada, "night shift").await.status(), 303);
    assert_eq!(
        sigil::housekeeping::run_once(&app.state)
            .await
            .unwrap()
            .impersonations,
        0
    );
    clock.advance(31);
    assert_eq!(
        sigil::housekeeping::run_once(&app.state)
            .await
            .unwrap()
            .impersonations,
        1
    );
    assert_eq!(
        sigil::housekeeping::run_once(&app.state)
            .await
            .unwrap()
            .impersonations,
        0
    );
    let html = app.get("/admin/impersonation").await.text().await.unwrap();
    assert_eq!(banner(&html), None);
    let expired = app
        .audit_about(&ada)
        .await
        .into_iter()
        .filter(|(_, a, _)| a == "impersonation.expire")
        .count();
    assert_eq!(expired, 1, "recorded once");
}

#[tokio::test]
async fn the_users_password_cannot_be_changed_while_acting_as_them() {
    let app = TestApp::spawn().await;
    app.admin_signed_in("root", &["impersonator"]).await;
    let ada = app.create_ada(&[]).await;
    assert_eq!(start(&app, &ada, "help with settings").await.status(), 303);
    let (csrf, html) = app.page_with_csrf("/account").await;
    assert_eq!(
        banner(&html).as_deref(),
        Some("You are acting as ada"),
        "the account page is ada's"
    );
    let form = [
        ("current_password", PASSWORD),
        ("new_password", "a brand new password"),
        ("csrf_token", csrf.as_str()),
    ];
    let res = app.post_form("/account/password", &form).await;
    let html = expect_page(res, 403, "cannot be changed").await;
    assert!(banner(&html).is_some());
    assert!(
        !app.audit_about(&ada)
            .await
            .iter()
            .any(|(_, a, _)| a.starts_with("user.password"))
    );
}
