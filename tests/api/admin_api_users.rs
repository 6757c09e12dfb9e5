//! `/admin/api/v1/users` and `/roles`: created as `user create` creates them (a taken name
//! 409), edited under `If-Match`; disabling ends sessions and refresh tokens and sign-in then
//! fails exactly as a wrong password does; password, roles and sign out everywhere.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::admin::{AdminApi, body, invalid, problem};
use crate::helpers::oauth::{PASSWORD, USER};
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::{TestApp, TestClient, browser, login_error, pkce_pair};

async fn create(api: &AdminApi<'_>, user: Value) -> Value {
    let res = api.send(Method::POST, "/users", &user).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let user = body(res).await;
    assert_eq!(
        location,
        format!("/admin/api/v1/users/{}", user["id"].as_str().unwrap())
    );
    user
}

/// A fresh browser's sign-in as `USER` with `password` at `client`: the login answer.
pub(crate) async fn sign_in(
    app: &TestApp,
    client: &TestClient,
    password: &str,
) -> (u16, Option<String>) {
    let (_, challenge) = pkce_pair();
    let http = browser();
    let params = [
        ("client_id", client.id.as_str()),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("response_type", "code"),
        ("scope", "openid"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let page = http
        .get(format!("{}/authorize", app.address))
        .query(&params)
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    let csrf = crate::helpers::hidden_value(&html, "csrf_token").unwrap();
    let request = crate::helpers::hidden_value(&html, "request").unwrap();
    let res = http
        .post(format!("{}/login", app.address))
        .form(&[
            ("username", USER),
            ("password", password),
            ("csrf_token", &csrf),
            ("request", &request),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, login_error(&res.text().await.unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_is_created_as_user_create_prints_it_and_a_taken_name_conflicts() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let user = create(
        &api,
        json!({"username": "grace", "password": "long enough pw",
        "email": "grace@example.com", "name": "Grace", "roles": ["ops", "dev"]}),
    )
    .await;
    assert_eq!(user["roles"], json!(["dev", "ops"]));
    assert_eq!(user["disabled"], false);
    let out = app.run_cli(
        &[
            "user",
            "create",
            "--username",
            "linus",
            "--email",
            "l@example.com",
            "--name",
            "L",
            "--role",
            "dev",
            "--password-stdin",
        ],
        "long enough pw\n",
    );
    assert!(out.status.success(), "{out:?}");
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&user), keys(&cli));
    let taken = json!({"username": "grace", "password": "long enough pw"});
    let body = problem(api.send(Method::POST, "/users", &taken).await, 409).await;
    assert_eq!(body["invalid_params"][0]["name"], "username");
    invalid(
        api.send(
            Method::POST,
            "/users",
            &json!({"username": "x1", "password": "short"}),
        )
        .await,
        "invalid_user",
        "password",
    )
    .await;
    invalid(
        api.send(
            Method::POST,
            "/users",
            &json!({"password": "long enough pw"}),
        )
        .await,
        "invalid_user",
        "username",
    )
    .await;
    invalid(
        api.send(
            Method::POST,
            "/users",
            &json!({"username": "x2", "password": "long enough pw", "roles": "admin"}),
        )
        .await,
        "invalid_user",
        "roles",
    )
    .await;
    invalid(
        api.send(
            Method::POST,
            "/users",
            &json!({"username": "bad name!", "password": "long enough pw"}),
        )
        .await,
        "invalid_user",
        "username",
    )
    .await;
    let res = api
        .request(Method::POST, "/users")
        .body("[")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    let id = user["id"].as_str().unwrap();
    let (_, read) = api.read(&format!("/users/{id}")).await;
    assert_eq!(read, user);
    problem(api.get("/users/unknown").await, 404).await;
    assert_eq!(
        api.audit_of(id).await,
        vec![(api.actor.clone(), "user.create".to_owned())]
    );
}

#[tokio::test]
async fn disabling_a_user_ends_its_sessions_and_refresh_tokens_and_sign_in_fails_as_a_wrong_password()
 {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let user = create(&api, json!({"username": USER, "password": PASSWORD})).await;
    let id = user["id"].as_str().unwrap();
    let client = app.refreshing_client(json!({})).await;
    let tokens = app
        .tokens_for(&client, "openid offline_access", &[("prompt", "consent")])
        .await;
    let (_, sessions) = api.read(&format!("/sessions?user_id={id}")).await;
    assert_eq!(sessions["items"].as_array().unwrap().len(), 1);
    let wrong = sign_in(&app, &client, "not the password").await;
    assert_eq!(wrong.0, 400);
    let path = format!("/users/{id}");
    let (tag, _) = api.read(&path).await;
    let res = api
        .send_if(Method::PATCH, &path, &tag, &json!({"disabled": true}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(body(res).await["disabled"], true);
    let (_, sessions) = api.read(&format!("/sessions?user_id={id}")).await;
    assert_eq!(sessions["items"], json!([]));
    let res = app.refresh(&client, &refresh_token_of(&tokens), None).await;
    crate::helpers::oauth::assert_error(res, 400, "invalid_grant").await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(access).await.status(), 401);
    assert_eq!(sign_in(&app, &client, PASSWORD).await, wrong);
    // Enabled again, the user signs in.
    let (tag, _) = api.read(&path).await;
    api.send_if(Method::PATCH, &path, &tag, &json!({"disabled": false}))
        .await;
    assert_eq!(sign_in(&app, &client, PASSWORD).await.0, 303);
    let actions: Vec<String> = api.audit_of(id).await.into_iter().map(|(_, a)| a).collect();
    assert!(actions.contains(&"user.signout".to_owned()), "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "user.update").count(), 2);
}

#[tokio::test]
async fn user_edits_need_the_current_etag_and_refuse_bad_fields() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let user = create(
        &api,
        json!({"username": "edsger", "password": "long enough pw"}),
    )
    .await;
    let path = format!("/users/{}", user["id"].as_str().unwrap());
    let (tag, mut item) = api.read(&path).await;
    let patch = json!({"name": "Edsger"});
    problem(api.send(Method::PATCH, &path, &patch).await, 428).await;
    problem(
        api.send_if(Method::PATCH, &path, "\"old\"", &patch).await,
        412,
    )
    .await;
    item["email"] = json!("e@example.com");
    item["roles"] = json!(["dev"]);
    let res = api.send_if(Method::PUT, &path, &tag, &item).await;
    assert_eq!(res.status(), 200);
    let new_tag = crate::helpers::admin::etag(&res);
    assert_ne!(new_tag, tag);
    problem(api.send_if(Method::PUT, &path, &tag, &item).await, 412).await;
    for (patch, field) in [
        (json!({"email": "not-an-email"}), "email"),
        (json!({"disabled": "yes"}), "disabled"),
        (json!({"username": "renamed"}), "username"),
        (json!({"colour": "blue"}), "colour"),
        (json!({"roles": ["bad role!"]}), "role"),
    ] {
        let res = api.send_if(Method::PATCH, &path, &new_tag, &patch).await;
        let body = problem(res, 422).await;
        let name = body["invalid_params"][0]["name"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(name.starts_with(field), "{name} for {patch}");
    }
    let res = api
        .request(Method::PATCH, &path)
        .header("If-Match", &new_tag)
        .body("{")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    problem(
        api.send_if(Method::PATCH, "/users/unknown", "*", &json!({}))
            .await,
        404,
    )
    .await;
    problem(
        api.send_if(Method::PUT, "/users/unknown", "*", &json!({}))
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn password_roles_and_sign_out_everywhere_go_through_the_api() {
    let app = TestApp::spawn().await;
    let api = AdminApi::new(&app).await;
    let user = create(
        &api,
        json!({"username": USER, "password": "first password"}),
    )
    .await;
    let id = user["id"].as_str().unwrap();
    let client = app.refreshing_client(json!({})).await;
    let res = api
        .send(
            Method::POST,
            &format!("/users/{id}/password"),
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let tokens = app
        .tokens_for(&client, "openid offline_access", &[("prompt", "consent")])
        .await;
    invalid(
        api.send(
            Method::POST,
            &format!("/users/{id}/password"),
            &json!({"password": "short"}),
        )
        .await,
        "invalid_user",
        "password",
    )
    .await;
    invalid(
        api.send(Method::POST, &format!("/users/{id}/password"), &json!({}))
            .await,
        "invalid_user",
        "password",
    )
    .await;
    let res = api
        .send(
            Method::POST,
            &format!("/users/{id}/roles"),
            &json!({"roles": ["admin", "dev"]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(body(res).await["roles"], json!(["admin", "dev"]));
    invalid(
        api.send(
            Method::POST,
            &format!("/users/{id}/roles"),
            &json!({"roles": [1]}),
        )
        .await,
        "invalid_user",
        "roles[0]",
    )
    .await;
    let (_, roles) = api.read("/roles").await;
    assert_eq!(
        roles["items"],
        json!([{"name": "admin", "users": 1}, {"name": "dev", "users": 1}])
    );
    let (_, role) = api.read("/roles/dev").await;
    assert_eq!(role["users"], 1);
    problem(api.get("/roles/nobody").await, 404).await;
    let res = api
        .request(Method::POST, &format!("/users/{id}/signout"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let out = body(res).await;
    assert_eq!(out["sessions_ended"], 1);
    assert_eq!(out["refresh_families_revoked"], 1);
    let res = app.refresh(&client, &refresh_token_of(&tokens), None).await;
    crate::helpers::oauth::assert_error(res, 400, "invalid_grant").await;
    for (path, body) in [
        ("password", json!({"password": PASSWORD})),
        ("roles", json!({"roles": []})),
        ("signout", json!({})),
    ] {
        let res = api
            .send(Method::POST, &format!("/users/unknown/{path}"), &body)
            .await;
        problem(res, 404).await;
    }
    let actions: Vec<(String, String)> = api.audit_of(id).await;
    for action in ["user.create", "user.password", "user.roles", "user.signout"] {
        assert!(
            actions.contains(&(api.actor.clone(), action.to_owned())),
            "{action}: {actions:?}"
        );
    }
}
