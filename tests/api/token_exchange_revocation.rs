//! An exchanged token carries the `jti`s it came from: revoking any of them, the refresh family
//! of the subject, or signing its user out everywhere ends it, however far down the chain.

use serde_json::json;

use crate::helpers::exchange::{Exchange, GATEWAY, ORDERS, USER_SCOPE, setup, token_of};
use crate::helpers::oauth::{USER, assert_error, jwt_parts};
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::{TestApp, TestClient};

#[tokio::test]
async fn revoking_the_refresh_family_ends_tokens_exchanged_from_its_access_tokens() {
    let ex = setup(json!({})).await;
    let app = &ex.app;
    let scope = "openid offline_access gateway orders:read";
    let web = app.refreshing_client(json!({"scope": scope})).await;
    let tokens = app.tokens_for(&web, scope, &[("resource", GATEWAY)]).await;
    let rotated = app.refreshed(&web, &refresh_token_of(&tokens)).await;
    let mut exchanged = Vec::new();
    for subject in [token_of(&tokens), token_of(&rotated)] {
        assert_eq!(jwt_parts(subject).1["aud"], GATEWAY);
        let body = app
            .exchanged(&ex.gateway, subject, &[("resource", ORDERS)])
            .await;
        exchanged.push(token_of(&body).to_owned());
    }
    let unrelated = app
        .exchanged(&ex.gateway, &ex.user_token, &[("resource", ORDERS)])
        .await;
    for token in &exchanged {
        assert!(app.active_for(&ex.gateway, token).await);
    }

    app.revoke_as(&web, &refresh_token_of(&rotated)).await;
    for token in &exchanged {
        assert!(!app.active_for(&ex.gateway, token).await);
    }
    assert!(
        app.active_for(&ex.gateway, token_of(&unrelated)).await,
        "a token of another grant lives on"
    );
}

#[tokio::test]
async fn signing_the_user_out_ends_every_token_exchanged_for_them() {
    let ex = setup(json!({"delegation": true, "impersonation": true})).await;
    let app = &ex.app;
    let down = app
        .exchanged(&ex.gateway, &ex.user_token, &[("resource", ORDERS)])
        .await;
    let delegated = app.delegated(&ex.gateway, &ex.user_token, &[]).await;
    let impersonated = app.impersonated(&ex.gateway, USER, &[]).await;
    let tokens = [
        token_of(&down),
        token_of(&delegated),
        token_of(&impersonated),
    ];
    for token in tokens {
        assert!(app.active_for(&ex.gateway, token).await);
    }

    let out = app.run_cli(&["user", "signout", USER], "");
    assert!(out.status.success(), "{out:?}");
    for token in tokens {
        assert!(!app.active_for(&ex.gateway, token).await, "{token}");
    }
    app.refused(&ex.gateway, &ex.user_token, &[], (400, "invalid_grant"))
        .await;
    // Impersonation asks for the user as they are now: it works again, with the new generation.
    app.impersonated(&ex.gateway, USER, &[]).await;
}

/// A client exchanging the user's tokens for the default audience (the issuer), with `openid`
/// so that the results are good at `/userinfo`; and the user's token for it.
async fn userinfo_chain(ex: &Exchange) -> (TestClient, String, Vec<String>) {
    let app = &ex.app;
    let bff = app
        .exchange_client(
            "openid orders:read",
            Some(json!({"subject_audiences": [app.issuer]})),
        )
        .await;
    let tokens = app.tokens_for(&ex.web, USER_SCOPE, &[]).await;
    let subject = token_of(&tokens).to_owned();
    assert_eq!(jwt_parts(&subject).1["aud"], app.issuer);
    let first = app
        .exchanged(&bff, &subject, &[("scope", "openid orders:read")])
        .await;
    let second = app
        .exchanged(&bff, token_of(&first), &[("scope", "openid")])
        .await;
    let chain = vec![token_of(&first).to_owned(), token_of(&second).to_owned()];
    assert_eq!(
        jwt_parts(&chain[1]).1["sigil_chain"],
        json!([jwt_parts(&chain[0]).1["jti"], jwt_parts(&subject).1["jti"]])
    );
    for token in &chain {
        assert_eq!(app.userinfo(token).await.status(), 200);
        assert!(app.active_for(&bff, token).await);
    }
    (bff, subject, chain)
}

/// Asserts `token` is dead at `/introspect` (as `client`) and at `/userinfo`.
async fn assert_dead(app: &TestApp, client: &TestClient, token: &str) {
    assert!(!app.active_for(client, token).await);
    assert_error(app.userinfo(token).await, 401, "invalid_token").await;
}

#[tokio::test]
async fn revoking_the_subject_ends_the_tokens_exchanged_from_it_two_levels_down() {
    let ex = setup(json!({})).await;
    let (bff, subject, chain) = userinfo_chain(&ex).await;
    ex.app.revoke_as(&ex.web, &subject).await;
    for token in &chain {
        assert_dead(&ex.app, &bff, token).await;
    }
}

#[tokio::test]
async fn revoking_an_exchanged_token_ends_its_descendants_not_its_subject() {
    let ex = setup(json!({})).await;
    let (bff, subject, chain) = userinfo_chain(&ex).await;
    ex.app.revoke_as(&bff, &chain[0]).await;
    assert_dead(&ex.app, &bff, &chain[0]).await;
    assert_dead(&ex.app, &bff, &chain[1]).await;
    assert_eq!(ex.app.userinfo(&subject).await.status(), 200);
}

#[tokio::test]
async fn deleting_the_client_of_a_subject_token_ends_the_tokens_exchanged_from_it() {
    let ex = setup(json!({})).await;
    let app = &ex.app;
    let body = app
        .exchanged(&ex.gateway, &ex.user_token, &[("resource", ORDERS)])
        .await;
    let token = token_of(&body);
    assert!(app.active_for(&ex.gateway, token).await);

    let out = app.run_cli(&["client", "delete", &ex.web.id], "");
    assert!(out.status.success(), "{out:?}");
    app.refused(&ex.gateway, &ex.user_token, &[], (400, "invalid_grant"))
        .await;
    let orders = (ex.orders.id.as_str(), ex.orders.secret.as_deref().unwrap());
    assert_eq!(app.introspection(orders, token).await["active"], false);
    assert!(!app.active_for(&ex.gateway, token).await);
}
