//! Impersonation by a service (`requested_subject`): a token for a user that always names the
//! client in `act`, within the client's scope and the policy's lifetime; never for an admin.

use serde_json::{Value, json};

use crate::helpers::exchange::{
    ACCESS, GATEWAY, ORDERS, credentials, issued, refusal, setup, token_of,
};
use crate::helpers::oauth::USER;
use crate::helpers::{TestApp, TestClient};

/// The impersonating policy (lifetime at most 120 s) with `extra` members.
fn policy(extra: Value) -> Value {
    let mut policy = json!({"impersonation": true, "max_lifetime": 120});
    policy
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    policy
}

/// Asks for a token for `username` as `client` with `extra` parameters.
async fn impersonate(
    app: &TestApp,
    client: &TestClient,
    username: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![("requested_subject", username)];
    form.extend_from_slice(extra);
    app.exchange_as(client, &form).await
}

#[tokio::test]
async fn an_impersonation_token_is_for_the_user_and_names_the_client_in_act() {
    let ex = setup(policy(json!({}))).await;
    let body = ex.app.impersonated(&ex.gateway, USER, &[]).await;
    assert_eq!(body["issued_token_type"], ACCESS);
    let claims = issued(&body);
    assert_eq!(claims["sub"], ex.user_id);
    assert_eq!(
        claims["act"],
        json!({"sub": ex.gateway.id, "client_id": ex.gateway.id})
    );
    assert_eq!(claims["client_id"], ex.gateway.id);
    // The policy's bound, below the default access-token lifetime.
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );
    assert_eq!(body["expires_in"], 120);
    // Within the gateway's registered scope: nothing of the user's own grants.
    assert_eq!(claims["scope"], "orders:read orders:write");
    assert!(claims.get("sigil_chain").is_none());

    let narrow = ex
        .app
        .impersonated(
            &ex.gateway,
            USER,
            &[("resource", ORDERS), ("scope", "orders:read")],
        )
        .await;
    let claims = issued(&narrow);
    assert_eq!(
        (&claims["aud"], &claims["scope"]),
        (&json!(ORDERS), &json!("orders:read"))
    );
    let res = impersonate(&ex.app, &ex.gateway, USER, &[("scope", "openid")]).await;
    refusal(res, 400, "invalid_scope").await;
}

#[tokio::test]
async fn with_an_actor_token_the_actor_acts_over_the_impersonating_client() {
    let ex = setup(policy(json!({"delegation": true}))).await;
    let operator = ex
        .app
        .create_client(json!({
            "client_name": "Support console",
            "grant_types": ["client_credentials"],
            "redirect_uris": [],
            "response_types": [],
            "scope": "gateway",
        }))
        .await;
    let actor = ex
        .app
        .service_token(&operator, &[("resource", GATEWAY)])
        .await;
    let body = ex
        .app
        .impersonated(
            &ex.gateway,
            USER,
            &[
                ("actor_token", token_of(&actor)),
                ("actor_token_type", ACCESS),
            ],
        )
        .await;
    let claims = issued(&body);
    assert_eq!(claims["sub"], ex.user_id);
    assert_eq!(
        claims["act"],
        json!({
            "sub": operator.id,
            "client_id": operator.id,
            "act": {"sub": ex.gateway.id, "client_id": ex.gateway.id},
        })
    );
}

#[tokio::test]
async fn impersonation_without_the_policy_is_unauthorized_client() {
    for policy in [
        json!({}),
        json!({"delegation": true, "impersonation": false}),
    ] {
        let ex = setup(policy).await;
        let res = impersonate(&ex.app, &ex.gateway, USER, &[]).await;
        refusal(res, 400, "unauthorized_client").await;
    }
}

#[tokio::test]
async fn an_admin_is_refused_like_a_user_that_does_not_exist() {
    let ex = setup(policy(json!({}))).await;
    ex.app
        .create_user("root", "admin password here", &["admin"])
        .await;
    let admin = refusal(
        impersonate(&ex.app, &ex.gateway, "root", &[]).await,
        400,
        "invalid_grant",
    )
    .await;
    let nobody = refusal(
        impersonate(&ex.app, &ex.gateway, "nobody", &[]).await,
        400,
        "invalid_grant",
    )
    .await;
    assert_eq!(admin, nobody, "nothing tells an admin from no one");
    // The policy admits impersonation: the refusals were for the users asked for.
    ex.app.impersonated(&ex.gateway, USER, &[]).await;
}

#[tokio::test]
async fn a_subject_token_and_a_requested_subject_together_are_invalid_request() {
    let ex = setup(policy(json!({}))).await;
    ex.app
        .refused(
            &ex.gateway,
            &ex.user_token,
            &[("requested_subject", USER)],
            (400, "invalid_request"),
        )
        .await;
}

#[tokio::test]
async fn introspection_returns_the_act_of_an_impersonation_token() {
    let ex = setup(policy(json!({}))).await;
    let body = ex
        .app
        .impersonated(&ex.gateway, USER, &[("resource", ORDERS)])
        .await;
    let token = token_of(&body);
    let act = json!({"sub": ex.gateway.id, "client_id": ex.gateway.id});
    let orders = (ex.orders.id.as_str(), ex.orders.secret.as_deref().unwrap());
    for who in [credentials(&ex.gateway), orders] {
        let seen = ex.app.introspection(who, token).await;
        assert_eq!(seen["active"], true, "{seen}");
        assert_eq!(seen["act"], act, "{seen}");
        assert_eq!(seen["sub"], ex.user_id);
    }
}

#[tokio::test]
async fn a_requested_subject_names_one_user_exactly() {
    let ex = setup(policy(json!({}))).await;
    let nobody = refusal(
        impersonate(&ex.app, &ex.gateway, "nobody", &[]).await,
        400,
        "invalid_grant",
    )
    .await;
    let long = "a".repeat(10_000);
    for username in ["ada%", "ad_", "' OR '1'='1", "ada ", long.as_str()] {
        let res = impersonate(&ex.app, &ex.gateway, username, &[]).await;
        assert_eq!(res.status(), 400, "{username:.20?}");
        let body = refusal(res, 400, "invalid_grant").await;
        assert_eq!(body, nobody, "{username:.20?}");
    }
}

#[tokio::test]
async fn an_impersonation_token_exchanged_again_still_names_the_client() {
    let ex = setup(policy(json!({}))).await;
    let body = ex
        .app
        .impersonated(&ex.gateway, USER, &[("resource", ORDERS)])
        .await;
    let again = ex
        .app
        .exchanged(&ex.gateway, token_of(&body), &[("scope", "orders:read")])
        .await;
    let claims = issued(&again);
    assert_eq!(claims["sub"], ex.user_id);
    assert_eq!(claims["act"], issued(&body)["act"], "never silent");
    assert_eq!(claims["sigil_chain"], json!([issued(&body)["jti"]]));
}

#[tokio::test]
async fn a_nul_in_the_requested_subject_is_a_malformed_request_not_a_server_error() {
    let ex = setup(policy(json!({}))).await;
    let res = impersonate(&ex.app, &ex.gateway, "ada\u{0}", &[]).await;
    refusal(res, 400, "invalid_request").await;
}
