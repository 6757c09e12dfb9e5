//! RFC 8693 down-scoping: a user's token for the gateway traded for a narrower one for the
//! orders service.

use serde_json::json;

use crate::helpers::exchange::{ACCESS, GATEWAY, ID, JWT, ORDERS, setup};
use crate::helpers::oauth::{assert_error, jwt_parts};

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
    let (_, subject) = jwt_parts(&ex.user_token);
    let (header, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(claims["aud"], ORDERS);
    assert_eq!(claims["sub"], ex.user_id);
    assert_eq!(claims["sub"], subject["sub"]);
    assert_eq!(claims["client_id"], ex.gateway.id);
    assert_eq!(claims["scope"], "orders:read");
    assert!(claims["exp"].as_i64() <= subject["exp"].as_i64());
    assert!(claims.get("act").is_none());
    assert_eq!(claims["sigil_chain"], json!([subject["jti"]]));
    let _ = GATEWAY;
}

#[tokio::test]
async fn a_wider_scope_is_invalid_scope() {
    let ex = setup(json!({})).await;
    let res = ex
        .app
        .exchange_as(
            &ex.gateway,
            &[
                ("subject_token", &ex.user_token),
                ("subject_token_type", ACCESS),
                ("resource", ORDERS),
                ("scope", "orders:read orders:delete"),
            ],
        )
        .await;
    assert_error(res, 400, "invalid_scope").await;
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
