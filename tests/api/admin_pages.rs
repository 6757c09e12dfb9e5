//! The admin pages: who may open them, CSRF on every form, the secret shown once, errors
//! beside their fields, every change audited with the admin as actor, and a fresh sign-in
//! before sensitive actions once the admin signed in more than 15 minutes ago.

use crate::helpers::admin_pages::{PASSWORD, field_error, has, text_of};
use crate::helpers::database::TestDatabase;
use crate::helpers::html::expect_page;
use crate::helpers::{TestApp, manual_clock};

#[tokio::test]
async fn a_visitor_without_a_session_signs_in_and_lands_on_the_page_asked_for() {
    let app = TestApp::spawn().await;
    app.create_user("root", PASSWORD, &["admin"]).await;
    let res = app.get("/admin/users?q=ro").await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/login?next="), "{location}");
    let page = app.sign_in_to("/admin/users?q=ro", "root").await;
    let html = expect_page(page, 200, "Users").await;
    assert!(
        has(&html, "a[href^=\"/admin/users/\"]"),
        "the search found root: {html}"
    );
}

#[tokio::test]
async fn a_sign_in_page_never_returns_to_another_site() {
    let app = TestApp::spawn().await;
    let res = app.get("/login?next=//evil.example/").await;
    assert_ne!(res.status(), 200, "no form returning to another site");
    assert!(res.headers().get("location").is_none());
}

#[tokio::test]
async fn a_signed_in_user_without_the_admin_role_gets_a_403_page() {
    let app = TestApp::spawn().await;
    app.create_user("bob", PASSWORD, &["impersonator"]).await;
    let res = app.get("/admin/clients").await;
    let login = app.follow(&res).await;
    let res = app.submit_return_login(login, "bob", PASSWORD).await;
    assert_eq!(res.headers()["location"], "/admin/clients");
    let html = expect_page(app.follow(&res).await, 403, "Administrators only").await;
    assert!(!html.contains("Register a client"));
    expect_page(app.get("/admin").await, 403, "Administrators only").await;
    let res = app.post_form("/admin/users", &[("username", "eve")]).await;
    assert_eq!(
        res.status(),
        403,
        "a form post by a non-admin is refused too"
    );
}

#[tokio::test]
async fn admin_forms_without_or_with_a_wrong_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    app.admin_signed_in("root", &[]).await;
    let form = [
        ("username", "mallory"),
        ("password", "long enough password"),
    ];
    let res = app.post_form("/admin/users", &form).await;
    expect_page(res, 403, "Form expired").await;
    let mut wrong = form.to_vec();
    wrong.push(("csrf_token", "not-the-token"));
    expect_page(
        app.post_form("/admin/users", &wrong).await,
        403,
        "Form expired",
    )
    .await;
    let html = app.get("/admin/users").await.text().await.unwrap();
    assert!(!html.contains("mallory"), "nothing was created");
    let res = app.post_admin("/admin/users", "/admin/users", &form).await;
    assert_eq!(
        res.status(),
        303,
        "the same form with its token goes through"
    );
}

#[tokio::test]
async fn a_new_client_secret_is_shown_once_and_the_change_is_audited_as_the_admin() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &[]).await;
    let form = [
        ("client_name", "Billing"),
        ("redirect_uris", "https://billing.example/cb"),
        ("scope", "openid"),
        ("token_endpoint_auth_method", "client_secret_basic"),
        ("grant_authorization_code", "on"),
    ];
    let res = app
        .post_admin("/admin/clients", "/admin/clients", &form)
        .await;
    let html = expect_page(res, 201, "Client registered").await;
    let client_id = text_of(&html, "#client-id").expect("the client id");
    let secret = text_of(&html, "#client-secret").expect("the secret, once");
    assert!(secret.len() >= 32);
    let shown = expect_page(
        app.get(&format!("/admin/clients/{client_id}")).await,
        200,
        "Billing",
    )
    .await;
    assert!(!shown.contains(&secret), "the secret is not shown again");
    assert!(!shown.contains("client_secret\""), "nor any secret member");
    let list = app.get("/admin/clients").await.text().await.unwrap();
    assert!(list.contains(&client_id) && !list.contains(&secret));
    let audit = app.audit_about(&client_id).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].0.as_str(), audit[0].1.as_str()),
        (admin.as_str(), "client.create")
    );

    let path = format!("/admin/clients/{client_id}/secret");
    let res = app
        .post_admin(&format!("/admin/clients/{client_id}"), &path, &[])
        .await;
    let rotated = expect_page(res, 200, "Client rotated").await;
    let new = text_of(&rotated, "#client-secret").expect("the new secret, once");
    assert_ne!(new, secret);
    let audit = app.audit_about(&client_id).await;
    assert_eq!(
        (audit[1].0.as_str(), audit[1].1.as_str()),
        (admin.as_str(), "client.rotate_secret")
    );
}

#[tokio::test]
async fn a_secret_rotated_or_a_client_deleted_on_the_pages_stops_working_at_once() {
    let app = TestApp::spawn().await;
    app.admin_signed_in("root", &[]).await;
    let form = [
        ("client_name", "Nightly"),
        ("token_endpoint_auth_method", "client_secret_basic"),
        ("grant_client_credentials", "on"),
    ];
    let res = app
        .post_admin("/admin/clients", "/admin/clients", &form)
        .await;
    let html = expect_page(res, 201, "Client registered").await;
    let id = text_of(&html, "#client-id").expect("the client id");
    let old = text_of(&html, "#client-secret").expect("the secret");
    let token = |secret: String| {
        app.token_request()
            .basic_auth(&id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
    };
    // The token endpoint has now looked the client up (and holds it for a moment).
    assert_eq!(token(old.clone()).await.unwrap().status(), 200);
    let page = format!("/admin/clients/{id}");
    let res = app.post_admin(&page, &format!("{page}/secret"), &[]).await;
    let rotated = expect_page(res, 200, "Client rotated").await;
    let new = text_of(&rotated, "#client-secret").expect("the new secret");
    assert_eq!(token(old).await.unwrap().status(), 401, "the old secret");
    assert_eq!(token(new.clone()).await.unwrap().status(), 200);
    let confirm = format!("{page}/delete");
    let res = app
        .post_admin(&confirm, &confirm, &[("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(token(new).await.unwrap().status(), 401, "a deleted client");
}

#[tokio::test]
async fn deleting_a_client_asks_for_confirmation_first() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &[]).await;
    let client = app.web_client("openid").await;
    let confirm = format!("/admin/clients/{}/delete", client.id);
    let (_, html) = app.page_with_csrf(&confirm).await;
    assert!(
        has(&html, "button[name=\"confirm\"][value=\"yes\"]"),
        "{html}"
    );
    assert!(
        app.get(&format!("/admin/clients/{}", client.id))
            .await
            .status()
            == 200,
        "still there"
    );
    let res = app
        .post_admin(&confirm, &confirm, &[("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    expect_page(
        app.get(&format!("/admin/clients/{}", client.id)).await,
        404,
        "Not found",
    )
    .await;
    let audit = app.audit_about(&client.id).await;
    assert!(
        audit
            .iter()
            .any(|(a, action, _)| a == &admin && action == "client.delete")
    );
}

#[tokio::test]
async fn bad_inputs_show_an_error_beside_the_field_and_never_a_500() {
    let app = TestApp::spawn().await;
    app.admin_signed_in("root", &[]).await;
    let bad_client = [
        ("client_name", "X"),
        ("redirect_uris", "not a uri"),
        ("grant_authorization_code", "on"),
    ];
    let res = app
        .post_admin("/admin/clients", "/admin/clients", &bad_client)
        .await;
    let html = expect_page(res, 422, "Register a client").await;
    assert!(field_error(&html, "redirect_uris").is_some(), "{html}");
    assert!(html.contains("not a uri"), "the input is kept");

    let short = [("username", "ann"), ("password", "short")];
    let html = expect_page(
        app.post_admin("/admin/users", "/admin/users", &short).await,
        422,
        "Create a user",
    )
    .await;
    assert!(field_error(&html, "password").is_some(), "{html}");
    app.create_user("taken", PASSWORD, &[]).await;
    let taken = [("username", "taken"), ("password", "long enough password")];
    let html = expect_page(
        app.post_admin("/admin/users", "/admin/users", &taken).await,
        422,
        "Create a user",
    )
    .await;
    assert!(
        field_error(&html, "username").unwrap().contains("taken"),
        "{html}"
    );
    let bad_role = [
        ("username", "cy"),
        ("password", "long enough password"),
        ("roles", "no/such role!"),
    ];
    let html = expect_page(
        app.post_admin("/admin/users", "/admin/users", &bad_role)
            .await,
        422,
        "Create a user",
    )
    .await;
    assert!(field_error(&html, "roles").is_some(), "{html}");

    let bad_resource = [("identifier", "nope"), ("scope", "read")];
    let res = app
        .post_admin("/admin/resources", "/admin/resources", &bad_resource)
        .await;
    let html = expect_page(res, 422, "Register a resource").await;
    assert!(field_error(&html, "identifier").is_some(), "{html}");
    let html = expect_page(
        app.get("/admin/audit?since=yesterday").await,
        400,
        "Audit log",
    )
    .await;
    assert!(field_error(&html, "since").is_some(), "{html}");
    expect_page(app.get("/admin/users/no-such-user").await, 404, "Not found").await;
}

#[tokio::test]
async fn user_changes_are_audited_with_the_admin_as_actor() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &[]).await;
    let form = [
        ("username", "dora"),
        ("password", "long enough password"),
        ("email", "dora@example.com"),
        ("roles", "staff"),
    ];
    let res = app.post_admin("/admin/users", "/admin/users", &form).await;
    assert_eq!(res.status(), 303);
    let page = res.headers()["location"].to_str().unwrap().to_owned();
    let id = page.trim_start_matches("/admin/users/").to_owned();
    let html = expect_page(app.get(&page).await, 200, "dora").await;
    assert!(
        html.contains(&id),
        "the page shows the id user create prints"
    );
    for (action, fields) in [
        ("roles", vec![("roles", "staff auditor")]),
        ("password", vec![("new_password", "another long password")]),
        ("signout", vec![]),
    ] {
        let res = app
            .post_admin(&page, &format!("{page}/{action}"), &fields)
            .await;
        assert_eq!(res.status(), 303, "{action}");
    }
    let html = app.get(&page).await.text().await.unwrap();
    assert!(html.contains("auditor, staff"), "{html}");
    let actions: Vec<(String, String)> = app
        .audit_about(&id)
        .await
        .into_iter()
        .map(|(a, b, _)| (a, b))
        .collect();
    for action in ["user.create", "user.roles", "user.password", "user.signout"] {
        assert!(
            actions.contains(&(admin.clone(), action.to_owned())),
            "{action} by the admin: {actions:?}"
        );
    }
    let bad = app
        .post_admin(&page, &format!("{page}/password"), &[("new_password", "x")])
        .await;
    let html = expect_page(bad, 422, "dora").await;
    assert!(field_error(&html, "new_password").is_some());
}

#[tokio::test]
async fn sensitive_actions_ask_for_a_fresh_sign_in_after_15_minutes() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.admin_signed_in("root", &[]).await;
    let rotate = [("alg", "ES256")];
    let res = app
        .post_admin("/admin/keys", "/admin/keys/rotate", &rotate)
        .await;
    assert_eq!(res.status(), 200, "fresh enough");
    clock.advance(16 * 60);
    let res = app
        .post_admin("/admin/keys", "/admin/keys/rotate", &rotate)
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/login?next=%2Fadmin%2Fkeys") && location.contains("reauth=1"),
        "{location}"
    );
    let login = app.follow(&res).await;
    let res = app.submit_return_login(login, "root", PASSWORD).await;
    assert_eq!(res.headers()["location"], "/admin/keys");
    let res = app
        .post_admin("/admin/keys", "/admin/keys/rotate", &rotate)
        .await;
    let html = expect_page(res, 200, "Keys").await;
    assert!(html.contains("Rotated ES256"), "{html}");
}
