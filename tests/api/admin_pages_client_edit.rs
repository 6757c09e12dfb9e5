//! Editing a client from its admin page: the metadata form prefilled with the current
//! metadata replaces it through the same edit as the API's `PUT` (audited with the admin
//! as actor), under the page's tag (a change made meanwhile is a "changed meanwhile" error,
//! not lost data), bad input shown beside the field, a secret the edit issues shown once,
//! and a form without its CSRF token refused.

use serde_json::{Value, json};

use crate::helpers::admin_pages::{field_error, has, text_of};
use crate::helpers::database::TestDatabase;
use crate::helpers::html::{expect_page, hidden_value};
use crate::helpers::{TestApp, manual_clock};

/// The page of `client_id`: its edit text as JSON, its tag and its CSRF token.
async fn edit_form(app: &TestApp, client_id: &str) -> (Value, String, String) {
    let (csrf, html) = app
        .page_with_csrf(&format!("/admin/clients/{client_id}"))
        .await;
    let text = text_of(&html, "textarea#metadata").expect("the edit form");
    let tag = hidden_value(&html, "etag").expect("the page's tag");
    (serde_json::from_str(&text).unwrap(), tag, csrf)
}

/// Posts `metadata` as the edit of `client_id` under `tag`.
async fn post_edit(
    app: &TestApp,
    client_id: &str,
    metadata: &str,
    tag: &str,
    csrf: &str,
) -> reqwest::Response {
    let form = [("metadata", metadata), ("etag", tag), ("csrf_token", csrf)];
    app.post_form(&format!("/admin/clients/{client_id}/edit"), &form)
        .await
}

#[tokio::test]
async fn an_admin_edits_a_clients_metadata_from_its_page() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &[]).await;
    let client = app.web_client("openid").await;
    let (mut doc, tag, csrf) = edit_form(&app, &client.id).await;
    assert_eq!(doc["client_name"], "Test App");
    assert!(doc.get("client_secret").is_none(), "never a secret");
    doc["client_name"] = json!("Renamed App");
    doc["redirect_uris"] = json!(["http://127.0.0.1:9/callback", "http://127.0.0.1:9/other"]);
    let res = post_edit(&app, &client.id, &doc.to_string(), &tag, &csrf).await;
    assert_eq!(res.status(), 303);
    let html = expect_page(app.follow(&res).await, 200, "Renamed App").await;
    assert_eq!(
        text_of(&html, "#notice").as_deref(),
        Some("The client was saved.")
    );
    let (now, _, _) = edit_form(&app, &client.id).await;
    assert_eq!(now["redirect_uris"][1], "http://127.0.0.1:9/other");
    let audit = app.audit_about(&client.id).await;
    let (actor, _, detail) = audit
        .iter()
        .find(|(_, a, _)| a == "client.update")
        .expect("audited");
    assert_eq!(actor, &admin);
    assert_eq!(detail["client_name"], "Renamed App");
}

#[tokio::test]
async fn bad_metadata_is_shown_beside_the_field_and_a_stale_page_is_refused() {
    let app = TestApp::spawn().await;
    app.admin_signed_in("root", &[]).await;
    let client = app.web_client("openid").await;
    let (mut doc, tag, csrf) = edit_form(&app, &client.id).await;
    let res = post_edit(&app, &client.id, "{not json", &tag, &csrf).await;
    let html = expect_page(res, 422, "Test App").await;
    assert!(
        field_error(&html, "metadata")
            .unwrap()
            .contains("JSON object")
    );
    assert_eq!(
        text_of(&html, "textarea#metadata").as_deref(),
        Some("{not json")
    );
    doc["redirect_uris"] = json!(["not a uri"]);
    let res = post_edit(&app, &client.id, &doc.to_string(), &tag, &csrf).await;
    let html = expect_page(res, 422, "Test App").await;
    let error = field_error(&html, "metadata").expect("beside the field");
    assert!(error.contains("redirect URI \"not a uri\""), "{error}");

    // Saved by one admin; the same page, sent again by another, is stale.
    doc["redirect_uris"] = json!(["http://127.0.0.1:9/callback"]);
    doc["client_name"] = json!("First");
    let res = post_edit(&app, &client.id, &doc.to_string(), &tag, &csrf).await;
    assert_eq!(res.status(), 303);
    doc["client_name"] = json!("Second");
    let res = post_edit(&app, &client.id, &doc.to_string(), &tag, &csrf).await;
    let html = expect_page(res, 422, "changed meanwhile").await;
    assert_eq!(
        text_of(&html, "h1").as_deref(),
        Some("First"),
        "nothing lost"
    );

    let text = doc.to_string();
    let form = [("metadata", text.as_str()), ("etag", tag.as_str())];
    let res = app
        .post_form(&format!("/admin/clients/{}/edit", client.id), &form)
        .await;
    expect_page(res, 403, "Form expired").await;
}

#[tokio::test]
async fn an_edit_that_issues_a_secret_shows_it_once() {
    let app = TestApp::spawn().await;
    app.admin_signed_in("root", &[]).await;
    let client = app
        .create_client(
            json!({"client_name": "SPA", "token_endpoint_auth_method": "none",
            "redirect_uris": ["http://127.0.0.1:9/callback"]}),
        )
        .await;
    let (mut doc, tag, csrf) = edit_form(&app, &client.id).await;
    doc["token_endpoint_auth_method"] = json!("client_secret_basic");
    let res = post_edit(&app, &client.id, &doc.to_string(), &tag, &csrf).await;
    let html = expect_page(res, 200, "Client updated").await;
    let secret = text_of(&html, "#client-secret").expect("the secret, once");
    assert!(secret.len() >= 32);
    let page = app.get(&format!("/admin/clients/{}", client.id)).await;
    let html = page.text().await.unwrap();
    assert!(!html.contains(&secret), "never again");
    assert!(has(&html, "textarea#metadata"));
}

#[tokio::test]
async fn changing_the_auth_method_asks_for_a_fresh_sign_in_but_a_rename_does_not() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.admin_signed_in("root", &[]).await;
    let client = app.web_client("openid").await;
    clock.advance(16 * 60);
    let (mut doc, tag, csrf) = edit_form(&app, &client.id).await;
    doc["token_endpoint_auth_method"] = json!("client_secret_post");
    let res = post_edit(&app, &client.id, &doc.to_string(), &tag, &csrf).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.contains("reauth=1"), "{location}");
    let (now, _, _) = edit_form(&app, &client.id).await;
    assert_eq!(now["token_endpoint_auth_method"], "client_secret_basic");
    doc["token_endpoint_auth_method"] = json!("client_secret_basic");
    doc["client_name"] = json!("Renamed late");
    let res = post_edit(&app, &client.id, &doc.to_string(), &tag, &csrf).await;
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/admin/clients/{}?done=edited", client.id)
    );
}
