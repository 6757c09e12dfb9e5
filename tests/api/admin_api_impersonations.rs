//! `/admin/api/v1/impersonations`: a browser impersonation started from the admin pages is
//! listed and stopped through the API (the browser is the admin again, the acting session
//! gone, `impersonation.stop` recorded with the API caller as actor), paged by cursor;
//! an unknown id is 404, no token 401, a token without `sigil:admin` 403.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;
use crate::helpers::admin::{AdminApi, client_token, problem};
use crate::helpers::html::expect_page;
use crate::impersonation::{banner, session_exists, start};
use sigil::store::impersonations;

/// The sid of the acting session of the impersonation `id`.
async fn acting_sid(app: &TestApp, id: &str) -> String {
    let id = id.to_owned();
    app.state
        .store
        .run(move |c| impersonations::by_id(c, &id))
        .await
        .unwrap()
        .expect("stored")
        .sid
}

/// Deletes `/impersonations/{id}` through `api`.
async fn stop(api: &AdminApi<'_>, id: &str) -> reqwest::Response {
    api.request(Method::DELETE, &format!("/impersonations/{id}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_impersonation_started_in_the_browser_is_listed_and_stopped_through_the_api() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let admin = app.admin_signed_in("root", &["impersonator"]).await;
    let ada = app.create_ada(&[]).await;
    assert_eq!(start(&app, &ada, "ticket 7").await.status(), 303);
    let html = app.get("/admin/users").await.text().await.unwrap();
    assert_eq!(banner(&html).as_deref(), Some("You are acting as ada"));

    let (_, page) = api.read("/impersonations").await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(page["next_cursor"], Value::Null);
    let item = &items[0];
    assert_eq!(item["actor"], admin.as_str());
    assert_eq!(item["user_id"], ada.as_str());
    assert_eq!(item["reason"], "ticket 7");
    assert_eq!(item["status"], "active");
    let id = item["id"].as_str().unwrap().to_owned();
    let sid = acting_sid(&app, &id).await;
    assert!(session_exists(&app, &sid).await);

    assert_eq!(stop(&api, &id).await.status(), 204);
    assert!(!session_exists(&app, &sid).await, "the acting session ends");
    let html = expect_page(app.get("/admin").await, 200, "").await;
    assert_eq!(banner(&html), None, "the browser is the admin again");
    let (_, page) = api.read("/impersonations").await;
    assert_eq!(page["items"][0]["status"], "stopped");
    assert!(page["items"][0]["ended_at"].is_i64());
    let audit = api.audit_of(&ada).await;
    assert!(
        audit.contains(&(api.actor.clone(), "impersonation.stop".to_owned())),
        "{audit:?}"
    );
    let again = problem(stop(&api, &id).await, 409).await;
    assert!(again["detail"].as_str().unwrap().contains("already ended"));
}

#[tokio::test]
async fn an_unknown_impersonation_is_404_and_the_list_needs_an_admin_token() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    problem(stop(&api, "no-such-id").await, 404).await;
    let url = api.url("/impersonations");
    problem(app.http.get(&url).send().await.unwrap(), 401).await;
    let (token, _) = client_token(&app, "reports:read").await;
    let res = app.http.get(&url).bearer_auth(&token).send().await.unwrap();
    problem(res, 403).await;
    let res = app
        .http
        .delete(api.url("/impersonations/no-such-id"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    problem(res, 403).await;
    problem(api.get("/impersonations?cursor=forged").await, 400).await;
    problem(api.get("/impersonations?limit=0").await, 422).await;
}

#[tokio::test]
async fn impersonations_are_paged_by_an_opaque_cursor() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    app.admin_signed_in("root", &["impersonator"]).await;
    let mut users = Vec::new();
    for name in ["ann", "bob", "cy"] {
        let user = app
            .create_user(name, crate::helpers::oauth::PASSWORD, &[])
            .await;
        assert_eq!(start(&app, &user, "paging").await.status(), 303);
        let (_, page) = api.read("/impersonations?limit=200").await;
        let open: Vec<&Value> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["status"] == "active")
            .collect();
        assert_eq!(open.len(), 1);
        let id = open[0]["id"].as_str().unwrap().to_owned();
        assert_eq!(stop(&api, &id).await.status(), 204);
        users.push(user);
    }
    let all = api.every("/impersonations", 1, async |_| {}).await;
    assert_eq!(all.len(), 3);
    let mut seen: Vec<&str> = all.iter().map(|i| i["user_id"].as_str().unwrap()).collect();
    seen.sort_unstable();
    users.sort_unstable();
    assert_eq!(seen, users.iter().map(String::as_str).collect::<Vec<_>>());
    let (_, first) = api.read("/impersonations?limit=2").await;
    let cursor = first["next_cursor"].as_str().expect("a next page");
    assert!(!cursor.contains(all[1]["id"].as_str().unwrap()), "opaque");
}
