//! The OpenAPI document: served without a token, valid OpenAPI 3.1, and listing every route
//! the admin API registers (both come from one table, so neither can drift).

use sigil::admin::api::route_list;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_openapi_document_is_valid_3_1_and_lists_every_route() {
    let app = TestApp::spawn().await;
    let res = app.get("/admin/api/v1/openapi.json").await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let spec = oas3::from_json(&text).expect("a valid OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    let paths = spec.paths.clone().unwrap_or_default();
    let routes = route_list();
    assert!(!routes.is_empty());
    for (method, path) in routes {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not in the document"));
        let operation = match method.as_str() {
            "GET" => &item.get,
            "POST" => &item.post,
            "PUT" => &item.put,
            "PATCH" => &item.patch,
            "DELETE" => &item.delete,
            other => panic!("unexpected method {other}"),
        };
        let operation = operation
            .as_ref()
            .unwrap_or_else(|| panic!("{method} {path} is not in the document"));
        let responses = operation.responses.clone().unwrap_or_default();
        for status in ["401", "403"] {
            assert!(
                responses.contains_key(status),
                "{method} {path} lacks {status}"
            );
        }
    }
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn unknown_paths_and_methods_under_the_api_answer_problems() {
    let app = TestApp::spawn().await;
    let res = app.get("/admin/api/v1/nothing-here").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    let res = app
        .http
        .put(format!("{}/admin/api/v1/clients", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], 405);
    let admin = crate::helpers::admin::AdminApi::new(&app).await;
    let res = admin.get("/clients?limit=1&limit=2").await;
    crate::helpers::admin::problem(res, 400).await;
    let huge = serde_json::json!({"client_name": "x".repeat(300 * 1024)});
    let res = admin.send(reqwest::Method::POST, "/clients", &huge).await;
    let body = crate::helpers::admin::problem(res, 413).await;
    assert!(
        body["detail"].as_str().unwrap().contains("256 KiB"),
        "{body}"
    );
}
