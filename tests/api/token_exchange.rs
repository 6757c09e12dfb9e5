//! RFC 8693 down-scoping: a user's token for the gateway traded for a narrower one for the
//! orders service, or for the default audience; never wider, never longer-lived.

use serde_json::{Value, json};

use crate::helpers::exchange::{
    ACCESS, GATEWAY, ID, JWT, ORDERS, issued, refusal, setup, setup_on,
};
use crate::helpers::oauth::{assert_error, jwt_parts};
use crate::helpers::{TestApp, TestDatabase, manual_clock};

/// Whether every token of `scope` is one of `within`'s.
fn within(scope: &Value, within: &Value) -> bool {
    let outer: Vec<&str> = within.as_str().unwrap().split(' ').collect();
    scope
        .as_str()
        .unwrap()
        .split(' ')
        .all(|s| outer.contains(&s))
}

#[tokio::test]
async fn a_users_token_is_exchanged_for_a_narrower_one_for_another_resource() {
    let ex = setup(json!({})).await;
    let body = ex
        .app
        .exchanged(
            &ex.gateway,
            &ex.user_token,
            &[("resource", ORDERS), ("scope", "orders:read")],
        )
        .await;
    assert_eq!(body["issued_token_type"], ACCESS);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "orders:read");
    assert!(body.get("refresh_token").is_none());
    assert!(body.get("id_token").is_none());
    let (_, subject) = jwt_parts(&ex.user_token);
    assert_eq!(subject["aud"], GATEWAY);
    let (header, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(claims["iss"], ex.app.issuer);
    assert_eq!(claims["aud"], ORDERS);
    assert_eq!(claims["sub"], ex.user_id);
    assert_eq!(claims["sub"], subject["sub"]);
    assert_eq!(claims["client_id"], ex.gateway.id);
    assert_eq!(claims["scope"], "orders:read");
    assert!(within(&claims["scope"], &subject["scope"]));
    assert!(claims["exp"].as_i64() <= subject["exp"].as_i64());
    assert_ne!(claims["jti"], subject["jti"]);
    assert!(claims.get("act").is_none());
    assert_eq!(claims["sigil_chain"], json!([subject["jti"]]));
}

#[tokio::test]
async fn the_answer_is_not_cached() {
    let ex = setup(json!({})).await;
    let res = ex
        .app
        .exchange_as(
            &ex.gateway,
            &[
                ("subject_token", &ex.user_token),
                ("subject_token_type", ACCESS),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["pragma"], "no-cache");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

#[tokio::test]
async fn a_token_exchanged_from_five_is_not_exchanged_again() {
    let ex = setup(json!({})).await;
    let mut token = ex.user_token.clone();
    for _ in 0..5 {
        let body = ex
            .app
            .exchanged(&ex.gateway, &token, &[("resource", ORDERS)])
            .await;
        token = body["access_token"].as_str().unwrap().to_owned();
    }
    assert_eq!(
        jwt_parts(&token).1["sigil_chain"].as_array().unwrap().len(),
        5
    );
    let body = ex
        .app
        .refused(&ex.gateway, &token, &[], (400, "invalid_request"))
        .await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("exchanged from"),
        "{body}"
    );
}

#[tokio::test]
async fn without_a_resource_the_token_is_for_the_default_audience_and_the_exchanging_client() {
    const DEFAULT: &str = "https://default.example/";
    let app = TestApp::spawn_with(
        TestDatabase::new(),
        |raw| raw.default_audience = Some(DEFAULT.into()),
        std::sync::Arc::new(sigil::clock::SystemClock),
    )
    .await;
    let ex = setup_on(app, json!({})).await;
    let body = ex.app.exchanged(&ex.gateway, &ex.user_token, &[]).await;
    let claims = issued(&body);
    assert_eq!(claims["aud"], DEFAULT);
    assert_eq!(claims["client_id"], ex.gateway.id);
    assert_eq!(claims["sub"], ex.user_id);
    // The subject's scope the gateway may have: not `gateway`, which it was not registered for.
    assert_eq!(claims["scope"], "orders:read orders:write");
    assert_eq!(body["scope"], "orders:read orders:write");
}

#[tokio::test]
async fn the_audience_parameter_names_the_resource_like_resource() {
    let ex = setup(json!({})).await;
    let by_audience = ex
        .app
        .exchanged(&ex.gateway, &ex.user_token, &[("audience", ORDERS)])
        .await;
    assert_eq!(issued(&by_audience)["aud"], ORDERS);
    assert_eq!(by_audience["scope"], "orders:read orders:write");
    let both = ex
        .app
        .exchanged(
            &ex.gateway,
            &ex.user_token,
            &[("audience", ORDERS), ("resource", ORDERS)],
        )
        .await;
    assert_eq!(
        issued(&both)["aud"],
        ORDERS,
        "the same resource twice is one"
    );
}

#[tokio::test]
async fn a_target_that_is_not_one_resource_the_client_may_use_is_invalid_target() {
    let ex = setup(json!({})).await;
    ex.app
        .create_resource(json!({"identifier": "https://billing.example/", "scope": "billing:read"}))
        .await;
    let targets: [&[(&str, &str)]; 5] = [
        // Not registered.
        &[("resource", "https://unknown.example/")],
        // Registered, but the gateway may have none of its scopes.
        &[("resource", "https://billing.example/")],
        // A client, not a resource.
        &[("audience", ex.web.id.as_str())],
        // Two resources.
        &[("resource", ORDERS), ("audience", GATEWAY)],
        &[("resource", ORDERS), ("resource", GATEWAY)],
    ];
    for target in targets {
        let res = ex
            .app
            .exchange_as(
                &ex.gateway,
                &[
                    &[
                        ("subject_token", ex.user_token.as_str()),
                        ("subject_token_type", ACCESS),
                    ],
                    target,
                ]
                .concat(),
            )
            .await;
        assert_eq!(res.status(), 400, "{target:?}");
        refusal(res, 400, "invalid_target").await;
    }
}

#[tokio::test]
async fn a_jwt_is_issued_when_asked_for() {
    let ex = setup(json!({})).await;
    let body = ex
        .app
        .exchanged(
            &ex.gateway,
            &ex.user_token,
            &[("requested_token_type", JWT), ("resource", ORDERS)],
        )
        .await;
    assert_eq!(body["issued_token_type"], JWT);
    assert_eq!(body["token_type"], "Bearer");
    let (header, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(claims["aud"], ORDERS);
    let asked_access = ex
        .app
        .exchanged(
            &ex.gateway,
            &ex.user_token,
            &[("requested_token_type", ACCESS)],
        )
        .await;
    assert_eq!(asked_access["issued_token_type"], ACCESS);
}

#[tokio::test]
async fn the_lifetime_honours_the_policys_max_lifetime() {
    let ex = setup(json!({"max_lifetime": 60})).await;
    let (_, subject) = jwt_parts(&ex.user_token);
    assert!(subject["exp"].as_i64().unwrap() - subject["iat"].as_i64().unwrap() > 60);
    let body = ex
        .app
        .exchanged(&ex.gateway, &ex.user_token, &[("resource", ORDERS)])
        .await;
    let claims = issued(&body);
    assert_eq!(body["expires_in"], 60);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
}

#[tokio::test]
async fn the_new_token_never_outlives_its_subject() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    let ex = setup_on(app, json!({})).await;
    let (_, subject) = jwt_parts(&ex.user_token);
    let exp = subject["exp"].as_i64().unwrap();
    clock.advance(exp - sigil::clock::Clock::now(clock.as_ref()) - 30);
    let body = ex
        .app
        .exchanged(&ex.gateway, &ex.user_token, &[("resource", ORDERS)])
        .await;
    assert_eq!(body["expires_in"], 30);
    assert_eq!(issued(&body)["exp"], exp);
}

#[tokio::test]
async fn a_wider_scope_is_invalid_scope() {
    let ex = setup(json!({})).await;
    for wider in ["orders:read orders:delete", "openid", "gateway"] {
        ex.app
            .refused(
                &ex.gateway,
                &ex.user_token,
                &[("resource", ORDERS), ("scope", wider)],
                (400, "invalid_scope"),
            )
            .await;
    }
}

#[tokio::test]
async fn a_client_without_the_grant_is_unauthorized_client() {
    let ex = setup(json!({})).await;
    let res = ex
        .app
        .exchange_as(
            &ex.web,
            &[
                ("subject_token", &ex.user_token),
                ("subject_token_type", ACCESS),
            ],
        )
        .await;
    assert_error(res, 400, "unauthorized_client").await;
}

#[tokio::test]
async fn an_access_token_declared_as_another_type_is_invalid_grant() {
    let ex = setup(json!({})).await;
    for declared in [ID, JWT] {
        let res = ex
            .app
            .exchange_as(
                &ex.gateway,
                &[
                    ("subject_token", &ex.user_token),
                    ("subject_token_type", declared),
                ],
            )
            .await;
        assert_error(res, 400, "invalid_grant").await;
    }
}
