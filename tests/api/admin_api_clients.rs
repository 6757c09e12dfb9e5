//! `/admin/api/v1/clients`: created from RFC 7591 metadata as `client create` creates them
//! (same result, same errors), the secret shown once, read without it, replaced and patched
//! under `If-Match`, its secret rotated, deleted — every change audited with the admin.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::admin::{AdminApi, assert_no_secrets, body, etag, invalid, problem};

fn web_metadata(name: &str) -> Value {
    json!({"client_name": name, "redirect_uris": ["https://app.example/cb"],
        "scope": "openid profile"})
}

/// The registration response without what differs between two registrations.
fn comparable(mut reg: Value) -> Value {
    for member in ["client_id", "client_secret", "client_id_issued_at"] {
        reg.as_object_mut().unwrap().remove(member);
    }
    reg
}

#[tokio::test]
async fn a_client_is_created_with_its_secret_once_and_read_without_it() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let res = api
        .send(Method::POST, "/clients", &web_metadata("Web"))
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let reg: Value = res.json().await.unwrap();
    assert_no_secrets(&reg, &["client_secret"]);
    let id = reg["client_id"].as_str().unwrap();
    assert_eq!(location, format!("/admin/api/v1/clients/{id}"));
    assert!(reg["client_secret"].as_str().unwrap().len() >= 32);
    assert_eq!(reg["client_name"], "Web");
    let (_, read) = api.read(&format!("/clients/{id}")).await;
    assert!(read.get("client_secret").is_none());
    assert_eq!(read["redirect_uris"], json!(["https://app.example/cb"]));
    let listed = api.every("/clients", 50, async |_| {}).await;
    assert!(listed.iter().any(|c| c["client_id"] == id));
    problem(api.get("/clients/no-such-client").await, 404).await;
    assert_eq!(
        api.audit_of(id).await,
        vec![(api.actor.clone(), "client.create".to_owned())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_and_the_cli_make_the_same_client_and_refuse_the_same_metadata_alike() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let meta = json!({"client_name": "Same", "redirect_uris": ["https://same.example/cb"],
        "grant_types": ["authorization_code", "refresh_token"], "scope": "openid email",
        "post_logout_redirect_uris": ["https://same.example/bye"]});
    let res = api.send(Method::POST, "/clients", &meta).await;
    assert_eq!(res.status(), 201);
    let from_api: Value = res.json().await.unwrap();
    let out = app.run_cli(
        &["client", "create", "--metadata-file", "-"],
        &meta.to_string(),
    );
    assert!(out.status.success(), "{out:?}");
    let from_cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(comparable(from_api), comparable(from_cli));
    let bad = [
        (
            json!({"redirect_uris": ["http://app.example/cb"]}),
            "invalid_redirect_uri",
            "redirect_uris",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "colour": "blue"}),
            "invalid_client_metadata",
            "",
        ),
        (json!([1, 2]), "invalid_client_metadata", ""),
    ];
    for (meta, code, field) in bad {
        let res = api.send(Method::POST, "/clients", &meta).await;
        let problem = problem(res, 422).await;
        assert_eq!(problem["error"], code);
        if !field.is_empty() {
            assert_eq!(problem["invalid_params"][0]["name"], field);
        }
        let out = app.run_cli(
            &["client", "create", "--metadata-file", "-"],
            &meta.to_string(),
        );
        assert!(!out.status.success());
        let line = String::from_utf8_lossy(&out.stderr).into_owned();
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            line.contains(&format!("{code}: {detail}")),
            "{line} vs {detail}"
        );
    }
    let res = api
        .request(Method::POST, "/clients")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
}

#[tokio::test]
async fn put_and_patch_need_the_current_etag_and_answer_a_new_one() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let res = api
        .send(Method::POST, "/clients", &web_metadata("Before"))
        .await;
    let id = body_id(res).await;
    let path = format!("/clients/{id}");
    let (tag, mut item) = api.read(&path).await;
    let patch = json!({"client_name": "After"});
    problem(api.send(Method::PATCH, &path, &patch).await, 428).await;
    problem(
        api.send_if(Method::PATCH, &path, "\"stale\"", &patch).await,
        412,
    )
    .await;
    let res = api.send_if(Method::PATCH, &path, &tag, &patch).await;
    assert_eq!(res.status(), 200);
    let new_tag = etag(&res);
    assert_ne!(new_tag, tag);
    assert_eq!(body(res).await["client_name"], "After");
    // The tag read before the patch is stale now.
    item["client_name"] = json!("Replaced");
    problem(api.send_if(Method::PUT, &path, &tag, &item).await, 412).await;
    let res = api.send_if(Method::PUT, &path, &new_tag, &item).await;
    assert_eq!(res.status(), 200);
    let (_, read) = api.read(&path).await;
    assert_eq!(read["client_name"], "Replaced");
    assert_eq!(read["client_id"], id.as_str());
    // Invalid metadata names its field; a secret or another id cannot be set.
    let (tag, _) = api.read(&path).await;
    let res = api
        .send_if(
            Method::PATCH,
            &path,
            &tag,
            &json!({"redirect_uris": ["http://x.example/cb"]}),
        )
        .await;
    invalid(res, "invalid_redirect_uri", "redirect_uris").await;
    let res = api
        .send_if(Method::PATCH, &path, &tag, &json!({"client_id": "other"}))
        .await;
    invalid(res, "invalid_client_metadata", "client_id").await;
    let res = api
        .send_if(
            Method::PATCH,
            &path,
            &tag,
            &json!({"client_secret": "mine"}),
        )
        .await;
    invalid(res, "invalid_client_metadata", "client_secret").await;
    let res = api
        .request(Method::PUT, &path)
        .header("If-Match", &tag)
        .body("nope")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    for method in [Method::PUT, Method::PATCH] {
        let res = api
            .send_if(method, "/clients/unknown", "*", &json!({}))
            .await;
        problem(res, 404).await;
    }
    let actions: Vec<String> = api
        .audit_of(&id)
        .await
        .into_iter()
        .map(|(a, b)| {
            assert_eq!(a, api.actor);
            b
        })
        .collect();
    assert_eq!(actions, ["client.create", "client.update", "client.update"]);
}

async fn body_id(res: reqwest::Response) -> String {
    assert_eq!(res.status(), 201);
    let reg: Value = res.json().await.unwrap();
    reg["client_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn rotating_the_secret_shows_the_new_one_once_and_the_old_one_stops() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let meta = json!({"grant_types": ["client_credentials"], "redirect_uris": [],
        "response_types": [], "scope": "reports:read"});
    let res = api.send(Method::POST, "/clients", &meta).await;
    let reg: Value = res.json().await.unwrap();
    let (id, old) = (
        reg["client_id"].as_str().unwrap(),
        reg["client_secret"].as_str().unwrap(),
    );
    let res = api
        .request(Method::POST, &format!("/clients/{id}/secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rotated: Value = res.json().await.unwrap();
    let new = rotated["client_secret"].as_str().unwrap();
    assert_ne!(new, old);
    let token = |secret: String| {
        app.token_request()
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
    };
    assert_eq!(token(old.to_owned()).await.unwrap().status(), 401);
    assert_eq!(token(new.to_owned()).await.unwrap().status(), 200);
    let (_, read) = api.read(&format!("/clients/{id}")).await;
    assert!(read.get("client_secret").is_none());
    let res = api
        .request(Method::POST, "/clients/unknown/secret")
        .send()
        .await
        .unwrap();
    problem(res, 404).await;
    let public =
        json!({"redirect_uris": ["https://p.example/cb"], "token_endpoint_auth_method": "none"});
    let public = body_id(api.send(Method::POST, "/clients", &public).await).await;
    let res = api
        .request(Method::POST, &format!("/clients/{public}/secret"))
        .send()
        .await
        .unwrap();
    problem(res, 409).await;
}

#[tokio::test]
async fn a_deleted_client_is_gone_and_its_deletion_audited() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let id = body_id(
        api.send(Method::POST, "/clients", &web_metadata("Doomed"))
            .await,
    )
    .await;
    let path = format!("/clients/{id}");
    assert_eq!(
        api.request(Method::DELETE, &path)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    problem(api.get(&path).await, 404).await;
    problem(
        api.request(Method::DELETE, &path).send().await.unwrap(),
        404,
    )
    .await;
    let actions: Vec<(String, String)> = api.audit_of(&id).await;
    assert_eq!(
        actions.last().unwrap(),
        &(api.actor.clone(), "client.delete".to_owned())
    );
}

#[tokio::test]
async fn paging_through_clients_returns_each_once_while_clients_are_added() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    for n in 0..7 {
        api.send(Method::POST, "/clients", &web_metadata(&format!("c{n}")))
            .await;
    }
    let mut added = Vec::new();
    let listed = api
        .every("/clients", 3, async |n| {
            let res = api
                .send(Method::POST, "/clients", &web_metadata(&format!("late{n}")))
                .await;
            added.push(body_id(res).await);
        })
        .await;
    let ids: Vec<&str> = listed
        .iter()
        .map(|c| c["client_id"].as_str().unwrap())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "a client listed twice");
    // Every client that existed before paging began is listed (8: the admin and seven).
    assert!(ids.len() >= 8);
    let (_, all) = api.read("/clients?limit=200").await;
    let before: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap())
        .filter(|id| !added.iter().any(|a| a == id))
        .collect();
    for id in before {
        assert!(ids.contains(&id), "{id} missing");
    }
    problem(api.get("/clients?cursor=made-up").await, 400).await;
    let (_, users) = api.read("/users?limit=1").await;
    assert!(users["next_cursor"].is_null());
    for limit in ["0", "201", "ten"] {
        invalid(
            api.get(&format!("/clients?limit={limit}")).await,
            "invalid_request",
            "limit",
        )
        .await;
    }
}
