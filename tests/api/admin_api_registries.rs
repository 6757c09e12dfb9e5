//! `/admin/api/v1/resources` and `/trusted-issuers`: registered from their metadata (201 with
//! `Location`, a resource's introspection secret once), read, listed, deleted, audited.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::admin::{AdminApi, assert_no_secrets, problem};

fn trusted_issuer(n: usize) -> Value {
    let key = json!({"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
    json!({"issuer": format!("https://idp{n}.example"), "audience": "https://sigil.example/",
        "user_claim": "email", "jwks": {"keys": [key]}})
}

/// Creates at `collection`, checks 201 and `Location`, and returns the body.
async fn create(api: &AdminApi<'_>, collection: &str, doc: &Value) -> Value {
    let res = api.send(Method::POST, collection, doc).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let made: Value = res.json().await.unwrap();
    let id = made["id"].as_str().unwrap();
    assert_eq!(location, format!("/admin/api/v1{collection}/{id}"));
    made
}

/// Reads, lists and deletes the item `id` of `collection`, then checks it is gone and that
/// its creation and deletion were audited with the admin as actor.
async fn read_list_delete(api: &AdminApi<'_>, collection: &str, id: &str, action: &str) {
    let path = format!("{collection}/{id}");
    let (_, read) = api.read(&path).await;
    assert_eq!(read["id"], id);
    let listed = api.every(collection, 1, async |_| {}).await;
    assert_eq!(listed.iter().filter(|i| i["id"] == id).count(), 1);
    problem(api.get(&format!("{collection}/unknown")).await, 404).await;
    let res = api.request(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(res.status(), 204);
    problem(api.get(&path).await, 404).await;
    let res = api.request(Method::DELETE, &path).send().await.unwrap();
    problem(res, 404).await;
    let rows = api.audit_of(id).await;
    assert_eq!(
        rows,
        vec![
            (api.actor.clone(), format!("{action}.create")),
            (api.actor.clone(), format!("{action}.delete"))
        ]
    );
}

#[tokio::test]
async fn resources_are_registered_read_listed_and_deleted() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let doc = json!({"identifier": "https://api.example/", "scope": "api:read api:write",
        "access_token_lifetime": 600, "introspection": true});
    let made = create(&api, "/resources", &doc).await;
    assert!(made["client_secret"].is_string());
    assert_no_secrets(&made, &["client_secret"]);
    let id = made["id"].as_str().unwrap().to_owned();
    let (_, read) = api.read(&format!("/resources/{id}")).await;
    assert!(read.get("client_secret").is_none());
    assert_eq!(read["identifier"], "https://api.example/");
    // The same identifier again is a conflict; bad metadata 422; not JSON 400.
    let again = json!({"identifier": "https://api.example/", "scope": "x"});
    let body = problem(api.send(Method::POST, "/resources", &again).await, 409).await;
    assert_eq!(body["invalid_params"][0]["name"], "identifier");
    let bad = json!({"identifier": "not a uri", "scope": "x"});
    let body = problem(api.send(Method::POST, "/resources", &bad).await, 422).await;
    assert_eq!(body["error"], "invalid_resource_metadata");
    let res = api
        .request(Method::POST, "/resources")
        .body("{")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    read_list_delete(&api, "/resources", &id, "resource").await;
}

#[tokio::test]
async fn trusted_issuers_are_registered_read_listed_and_deleted() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let made = create(&api, "/trusted-issuers", &trusted_issuer(1)).await;
    assert_eq!(made["issuer"], "https://idp1.example");
    let body = problem(
        api.send(Method::POST, "/trusted-issuers", &trusted_issuer(1))
            .await,
        409,
    )
    .await;
    assert_eq!(body["invalid_params"][0]["name"], "issuer");
    let mut bad = trusted_issuer(2);
    bad["issuer"] = json!("http://plain.example");
    let body = problem(api.send(Method::POST, "/trusted-issuers", &bad).await, 422).await;
    assert_eq!(body["error"], "invalid_trusted_issuer_metadata");
    let res = api
        .request(Method::POST, "/trusted-issuers")
        .body("x")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    let id = made["id"].as_str().unwrap().to_owned();
    read_list_delete(&api, "/trusted-issuers", &id, "trusted_issuer").await;
}
