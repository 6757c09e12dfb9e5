//! Every exchange, delegation and impersonation — and every refused impersonation — writes an
//! audit row naming who, for whom, what and the new token's `jti`; never a token itself.

use serde_json::{Value, json};

use crate::helpers::TestClient;
use crate::helpers::exchange::{ACCESS, Exchange, ORDERS, issued, refusal, setup, token_of};
use crate::helpers::oauth::USER;

/// One down-scoping, one delegation and one impersonation by the gateway; returns the tokens
/// presented (subject and actor) and the token responses, in that order.
async fn three_exchanges(ex: &Exchange) -> (Vec<String>, Vec<Value>) {
    let app = &ex.app;
    let actor = app.actor_token(&ex.gateway).await;
    let down = app
        .exchanged(
            &ex.gateway,
            &ex.user_token,
            &[("resource", ORDERS), ("scope", "orders:read")],
        )
        .await;
    let delegated = app
        .exchanged(
            &ex.gateway,
            &ex.user_token,
            &[("actor_token", &actor), ("actor_token_type", ACCESS)],
        )
        .await;
    let impersonated = app
        .impersonated(&ex.gateway, USER, &[("resource", ORDERS)])
        .await;
    (
        vec![ex.user_token.clone(), actor],
        vec![down, delegated, impersonated],
    )
}

fn exchanging_policy() -> Value {
    json!({"delegation": true, "impersonation": true})
}

/// The actions of the token-exchange grant.
const ACTIONS: [&str; 4] = [
    "token.exchange",
    "token.delegate",
    "token.impersonate",
    "token.impersonate.refused",
];

/// The token-exchange rows among `rows`.
fn exchange_rows(rows: Vec<Value>) -> Vec<Value> {
    rows.into_iter()
        .filter(|r| ACTIONS.iter().any(|a| r["action"] == *a))
        .collect()
}

#[tokio::test]
async fn each_exchange_delegation_and_impersonation_writes_its_row() {
    let ex = setup(exchanging_policy()).await;
    let (_, responses) = three_exchanges(&ex).await;
    let (rows, _) = ex.app.audit_by(&ex.gateway.id);
    let rows = exchange_rows(rows);
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["token.exchange", "token.delegate", "token.impersonate"]
    );
    for (row, response) in rows.iter().zip(&responses) {
        let claims = issued(response);
        assert_eq!(row["actor"], ex.gateway.id, "{row}");
        assert_eq!(row["subject"], ex.user_id, "{row}");
        let detail = &row["detail"];
        assert_eq!(detail["client_id"], ex.gateway.id, "{row}");
        assert_eq!(detail["audience"], claims["aud"], "{row}");
        assert_eq!(detail["scope"], claims["scope"], "{row}");
        assert_eq!(detail["address"], "127.0.0.1", "{row}");
        assert_eq!(detail["jti"], claims["jti"], "{row}");
        assert!(row["at"].is_string() && row["id"].is_number(), "{row}");
    }
    assert_eq!(rows[1]["detail"]["act"], issued(&responses[1])["act"]);
    assert_eq!(rows[2]["detail"]["act"], issued(&responses[2])["act"]);
}

#[tokio::test]
async fn a_refused_impersonation_writes_its_row() {
    let ex = setup(exchanging_policy()).await;
    ex.app
        .create_user("root", "admin password here", &["admin"])
        .await;
    for username in ["root", "nobody"] {
        let res = ex
            .app
            .exchange_as(&ex.gateway, &[("requested_subject", username)])
            .await;
        refusal(res, 400, "invalid_grant").await;
    }
    let (rows, _) = ex.app.audit_by(&ex.gateway.id);
    let refused: Vec<&Value> = rows
        .iter()
        .filter(|r| r["action"] == "token.impersonate.refused")
        .collect();
    let asked: Vec<&Value> = refused
        .iter()
        .map(|r| &r["detail"]["requested_subject"])
        .collect();
    assert_eq!(asked, [&json!("root"), &json!("nobody")]);
    for row in refused {
        assert_eq!(row["detail"]["client_id"], ex.gateway.id, "{row}");
        assert_eq!(row["detail"]["address"], "127.0.0.1", "{row}");
    }
    assert!(
        !rows.iter().any(|r| r["action"] == "token.impersonate"),
        "nothing was granted"
    );
}

#[tokio::test]
async fn a_down_scoping_of_a_delegated_token_is_audited_under_the_client_that_asked() {
    let ex = setup(exchanging_policy()).await;
    let first = ex
        .app
        .delegated(&ex.gateway, &ex.user_token, &[("resource", ORDERS)])
        .await;
    let orders = orders_client(&ex).await;
    let body = ex.app.exchanged(&orders, token_of(&first), &[]).await;
    let (rows, _) = ex.app.audit_by(&orders.id);
    let rows = exchange_rows(rows);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["action"], "token.exchange");
    assert_eq!(rows[0]["detail"]["client_id"], orders.id);
    assert_eq!(rows[0]["detail"]["jti"], issued(&body)["jti"]);
    let (gateways, _) = ex.app.audit_by(&ex.gateway.id);
    assert_eq!(
        exchange_rows(gateways).len(),
        1,
        "the gateway's delegation only"
    );
}

async fn orders_client(ex: &Exchange) -> TestClient {
    ex.app
        .exchange_client(
            "orders:read orders:write",
            Some(json!({"subject_audiences": [ORDERS]})),
        )
        .await
}

#[tokio::test]
async fn no_audit_line_carries_a_token() {
    let ex = setup(exchanging_policy()).await;
    let (presented, responses) = three_exchanges(&ex).await;
    let out = ex.app.run_cli(&["audit"], "");
    assert!(out.status.success(), "{out:?}");
    let audit = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        exchange_rows(
            audit
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        )
        .len(),
        3
    );
    let issued_tokens = responses.iter().map(|r| token_of(r).to_owned());
    for token in presented.into_iter().chain(issued_tokens) {
        let signature = token.rsplit('.').next().unwrap();
        assert!(signature.len() > 40);
        assert!(!audit.contains(&token), "a token in the audit log");
        assert!(!audit.contains(signature), "a signature in the audit log");
    }
}
