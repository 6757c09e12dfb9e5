//! RFC 8693 delegation: with an actor token the new token keeps the user as `sub` and names
//! the actor in `act`, nesting earlier actors (§4.1) up to five; only a policy with
//! `delegation` may do it.

use serde_json::{Value, json};

use crate::helpers::exchange::{ACCESS, GATEWAY, ORDERS, credentials, issued, setup};
use crate::helpers::oauth::jwt_parts;
use crate::helpers::{TestApp, TestClient};

/// The `act` naming `client` acting for itself.
fn acting(client: &TestClient) -> Value {
    json!({"sub": client.id, "client_id": client.id})
}

#[tokio::test]
async fn an_actor_token_names_the_actor_in_act_and_the_user_stays_the_subject() {
    let ex = setup(json!({"delegation": true})).await;
    let body = ex
        .app
        .delegated(
            &ex.gateway,
            &ex.user_token,
            &[("resource", ORDERS), ("scope", "orders:read")],
        )
        .await;
    assert_eq!(body["issued_token_type"], ACCESS);
    let claims = issued(&body);
    assert_eq!(claims["act"], acting(&ex.gateway));
    assert_eq!(claims["sub"], ex.user_id);
    assert_eq!(claims["client_id"], ex.gateway.id);
    assert_eq!(claims["aud"], ORDERS);
    assert_eq!(claims["scope"], "orders:read");
    let (_, subject) = jwt_parts(&ex.user_token);
    assert_eq!(claims["sigil_chain"], json!([subject["jti"]]));
}

#[tokio::test]
async fn a_delegated_token_delegated_again_nests_the_first_act() {
    let ex = setup(json!({"delegation": true})).await;
    let first = ex
        .app
        .delegated(&ex.gateway, &ex.user_token, &[("resource", ORDERS)])
        .await;
    let orders = ex.app.delegating_client(&[ORDERS]).await;
    let second = ex
        .app
        .delegated(&orders, first["access_token"].as_str().unwrap(), &[])
        .await;
    let claims = issued(&second);
    let mut expected = acting(&orders);
    expected["act"] = acting(&ex.gateway);
    assert_eq!(claims["act"], expected);
    assert_eq!(claims["act"]["act"], issued(&first)["act"]);
    assert_eq!(claims["sub"], ex.user_id);
    assert_eq!(claims["client_id"], orders.id);
    let (_, subject) = jwt_parts(&ex.user_token);
    assert_eq!(
        claims["sigil_chain"],
        json!([issued(&first)["jti"], subject["jti"]])
    );
}

#[tokio::test]
async fn a_client_without_delegation_giving_an_actor_token_is_unauthorized_client() {
    let ex = setup(json!({})).await;
    let actor = ex.app.actor_token(&ex.gateway).await;
    ex.app
        .refused(
            &ex.gateway,
            &ex.user_token,
            &[("actor_token", &actor), ("actor_token_type", ACCESS)],
            (400, "unauthorized_client"),
        )
        .await;
}

#[tokio::test]
async fn an_actor_token_and_its_type_come_together() {
    let ex = setup(json!({"delegation": true})).await;
    let actor = ex.app.actor_token(&ex.gateway).await;
    for half in [
        ("actor_token", actor.as_str()),
        ("actor_token_type", ACCESS),
    ] {
        ex.app
            .refused(
                &ex.gateway,
                &ex.user_token,
                &[half],
                (400, "invalid_request"),
            )
            .await;
    }
}

#[tokio::test]
async fn an_actor_token_not_the_clients_or_not_valid_is_invalid_grant() {
    let ex = setup(json!({"delegation": true})).await;
    let stranger = ex.app.service_client("orders:read").await;
    let strangers = ex.app.actor_token(&stranger).await;
    let tampered = crate::helpers::jwe::tamper(&ex.app.actor_token(&ex.gateway).await, 2);
    for actor in [strangers.as_str(), tampered.as_str(), "a.b.c"] {
        let body = ex
            .app
            .refused(
                &ex.gateway,
                &ex.user_token,
                &[("actor_token", actor), ("actor_token_type", ACCESS)],
                (400, "invalid_grant"),
            )
            .await;
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("actor_token"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn the_sixth_actor_is_invalid_request() {
    let ex = setup(json!({"delegation": true})).await;
    let mut token = ex.user_token.clone();
    let mut audience = GATEWAY;
    let mut actors: Vec<TestClient> = Vec::new();
    for _ in 0..5 {
        let client = ex.app.delegating_client(&[audience]).await;
        let body = ex
            .app
            .delegated(&client, &token, &[("resource", ORDERS)])
            .await;
        actors.push(client);
        token = body["access_token"].as_str().unwrap().to_owned();
        audience = ORDERS;
    }
    let claims = jwt_parts(&token).1;
    let mut act = &claims["act"];
    for actor in actors.iter().rev() {
        assert_eq!(act["sub"], actor.id);
        act = &act["act"];
    }
    assert!(act.is_null(), "five actors, no more");
    assert_eq!(claims["sigil_chain"].as_array().unwrap().len(), 5);

    let sixth = ex.app.delegating_client(&[ORDERS]).await;
    let actor = ex.app.actor_token(&sixth).await;
    let body = ex
        .app
        .refused(
            &sixth,
            &token,
            &[("actor_token", &actor), ("actor_token_type", ACCESS)],
            (400, "invalid_request"),
        )
        .await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("actors"),
        "{body}"
    );
}

/// The `/introspect` answer for `token` as `client` (it was issued to) and as `orders`.
async fn both_views(app: &TestApp, client: &TestClient, orders: (&str, &str), token: &str) {
    let claims = jwt_parts(token).1;
    for who in [credentials(client), orders] {
        let body = app.introspection(who, token).await;
        assert_eq!(body["active"], true, "{body}");
        assert_eq!(body["act"], claims["act"], "{body}");
        assert_eq!(body["sub"], claims["sub"]);
        assert!(body.get("sigil_chain").is_none(), "{body}");
    }
}

#[tokio::test]
async fn introspection_returns_the_act_of_the_token() {
    let ex = setup(json!({"delegation": true})).await;
    let orders = (
        ex.orders.id.as_str(),
        ex.orders.secret.as_deref().expect("introspection secret"),
    );
    let first = ex
        .app
        .delegated(&ex.gateway, &ex.user_token, &[("resource", ORDERS)])
        .await;
    let first = first["access_token"].as_str().unwrap();
    assert!(jwt_parts(first).1["act"].is_object());
    both_views(&ex.app, &ex.gateway, orders, first).await;

    let next = ex.app.delegating_client(&[ORDERS]).await;
    let second = ex
        .app
        .delegated(&next, first, &[("resource", ORDERS)])
        .await;
    let second = second["access_token"].as_str().unwrap();
    assert!(jwt_parts(second).1["act"]["act"].is_object());
    both_views(&ex.app, &next, orders, second).await;
}

#[tokio::test]
async fn a_subject_never_acts_for_itself() {
    let ex = setup(json!({"delegation": true})).await;
    let body = ex
        .app
        .refused(
            &ex.gateway,
            &ex.user_token,
            &[
                ("actor_token", &ex.user_token),
                ("actor_token_type", ACCESS),
            ],
            (400, "invalid_request"),
        )
        .await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("itself")
    );
}
