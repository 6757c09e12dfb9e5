//! Races: concurrent refreshes and redemptions, in one process and across two processes
//! sharing one database. Correctness comes from the database transaction, not a local lock.

use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::helpers::oauth::{assert_error, code_form};
use crate::helpers::process::{free_port, start_binary};
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::{TestApp, TestClient};

const SCOPE: &str = "openid profile offline_access";
const CONCURRENT: usize = 24;

/// POSTs `form` to each of `bases` in turn, all at once; returns (status, body) per request.
async fn fire(
    http: &reqwest::Client,
    bases: &[String],
    client: &TestClient,
    form: Vec<(&'static str, String)>,
) -> Vec<(u16, Value)> {
    let mut set = JoinSet::new();
    for i in 0..CONCURRENT {
        let request = http
            .post(format!("{}/token", bases[i % bases.len()]))
            .basic_auth(&client.id, client.secret.as_ref())
            .form(&form);
        set.spawn(async move {
            let res = request.send().await.expect("request");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.expect("JSON body"))
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = set.join_next().await {
        results.push(joined.expect("task"));
    }
    results
}

/// Exactly one 200; every other answer is 400 `invalid_grant`. Returns the winner's body.
fn one_winner(results: Vec<(u16, Value)>) -> Value {
    let (won, lost): (Vec<_>, Vec<_>) = results.into_iter().partition(|(s, _)| *s == 200);
    assert_eq!(won.len(), 1, "exactly one success, got {}", won.len());
    for (status, body) in &lost {
        assert_eq!(
            (*status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
    }
    won.into_iter().next().map(|(_, b)| b).unwrap_or_default()
}

fn refresh_form(token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "refresh_token".into()),
        ("refresh_token", token.to_owned()),
    ]
}

fn owned(form: Vec<(&'static str, &str)>) -> Vec<(&'static str, String)> {
    form.into_iter().map(|(k, v)| (k, v.to_owned())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_with_one_token_let_exactly_one_through_and_revoke_the_family() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let r1 = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    let results = fire(
        &app.http,
        std::slice::from_ref(&app.address),
        &client,
        refresh_form(&r1),
    )
    .await;
    let winner = one_winner(results);
    let res = app.refresh(&client, &refresh_token_of(&winner), None).await;
    assert_error(res, 400, "invalid_grant").await;
    let res = app.userinfo(winner["access_token"].as_str().unwrap()).await;
    assert_eq!(
        res.status(),
        401,
        "the revocation reached the winner's access token"
    );
    let families = app
        .state
        .store
        .run(|c| sigil::store::audit::list(c, &Default::default()))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "refresh.reuse")
        .count();
    assert!(families >= 1, "the reuse is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_redemptions_of_one_code_let_exactly_one_through() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let (code, verifier) = app.code_for(&client, SCOPE, &[]).await;
    let form = owned(code_form(&client, &code, &verifier));
    let results = fire(&app.http, std::slice::from_ref(&app.address), &client, form).await;
    let winner = one_winner(results);
    // The losers were reuse: the winner's tokens are revoked.
    let res = app.userinfo(winner["access_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), 401);
    let res = app.refresh(&client, &refresh_token_of(&winner), None).await;
    assert_error(res, 400, "invalid_grant").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_database_share_redemption_and_rotation() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.refreshing_client(json!({})).await;
    let port = free_port();
    let _second = start_binary(&app.db, port).await;
    let other = format!("http://127.0.0.1:{port}");

    // A code redeemed on the other process cannot be redeemed here.
    let (code, verifier) = app.code_for(&client, SCOPE, &[]).await;
    let res = app
        .http
        .post(format!("{other}/token"))
        .basic_auth(&client.id, client.secret.as_ref())
        .form(&code_form(&client, &code, &verifier))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let res = app.redeem(&client, &code, &verifier).await;
    assert_error(res, 400, "invalid_grant").await;
    assert_eq!(
        app.userinfo(body["access_token"].as_str().unwrap())
            .await
            .status(),
        401
    );

    // A refresh token rotated on the other process is reuse here, and kills the family.
    let r1 = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    let res = app
        .http
        .post(format!("{other}/token"))
        .basic_auth(&client.id, client.secret.as_ref())
        .form(&refresh_form(&r1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let r2 = refresh_token_of(&res.json().await.unwrap());
    assert_error(app.refresh(&client, &r1, None).await, 400, "invalid_grant").await;
    assert_error(app.refresh(&client, &r2, None).await, 400, "invalid_grant").await;

    // Concurrent refreshes split across both processes: still exactly one winner.
    let r1 = refresh_token_of(&app.tokens_for(&client, SCOPE, &[]).await);
    let bases = [app.address.clone(), other.clone()];
    let winner = one_winner(fire(&app.http, &bases, &client, refresh_form(&r1)).await);
    let res = app.refresh(&client, &refresh_token_of(&winner), None).await;
    assert_error(res, 400, "invalid_grant").await;
}
