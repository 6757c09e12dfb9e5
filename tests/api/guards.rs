//! Records that guard a token (replay records, denylist entries, spent codes) outlive every
//! moment the token could still be accepted, with housekeeping running every second; sigil's
//! own tokens are checked without leeway.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sigil::clock::ManualClock;
use sigil::config::RawSettings;
use sigil::jose::policy::CLOCK_SKEW_LEEWAY;

use crate::helpers::assertions::{JwtClient, assertion};
use crate::helpers::oauth::{assert_error, jwt_parts};
use crate::helpers::{TestApp, TestDatabase, manual_clock};

/// An app whose housekeeping runs every second against a manual clock.
async fn app() -> (TestApp, Arc<ManualClock>) {
    app_with(|_| {}).await
}

/// [`app`] with further settings.
async fn app_with(adjust: impl FnOnce(&mut RawSettings)) -> (TestApp, Arc<ManualClock>) {
    let clock = manual_clock();
    let app = TestApp::spawn_with(
        TestDatabase::new(),
        |s| {
            s.housekeeping_interval = 1;
            adjust(s);
        },
        clock.clone(),
    )
    .await;
    app.create_ada(&[]).await;
    (app, clock)
}

/// Moves the clock and lets a housekeeping pass run at the new time.
async fn advance(clock: &ManualClock, seconds: i64) {
    clock.advance(seconds);
    tokio::time::sleep(Duration::from_millis(1300)).await;
}

fn exp_of(token: &str) -> i64 {
    jwt_parts(token).1["exp"].as_i64().unwrap()
}

#[tokio::test]
async fn a_client_assertion_is_never_accepted_twice_around_its_expiry() {
    let (app, clock) = app().await;
    let JwtClient { client, key } = app.jwt_client().await;
    let claims = app.assertion_claims(&client.id, &app.issuer, 30);
    let jwt = assertion(&key, claims);
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    assert_eq!(
        app.send_assertion(&client, &code, &verifier, &jwt)
            .await
            .status(),
        200
    );
    // Past `exp`, inside the leeway: the assertion's signature and claims still pass, so only
    // its replay record refuses it.
    for step in [33, CLOCK_SKEW_LEEWAY - 10] {
        advance(&clock, step).await;
        let (code, verifier) = app.code_for(&client, "openid", &[]).await;
        let res = app.send_assertion(&client, &code, &verifier, &jwt).await;
        assert_error(res, 401, "invalid_client").await;
    }
    let fresh = assertion(&key, app.assertion_claims(&client.id, &app.issuer, 30));
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let res = app.send_assertion(&client, &code, &verifier, &fresh).await;
    assert_eq!(res.status(), 200, "the client itself still authenticates");
}

#[tokio::test]
async fn a_revoked_access_token_stays_dead_after_its_expiry() {
    let (app, clock) = app().await;
    let client = app.web_client("openid").await;
    let tokens = app.tokens_for(&client, "openid", &[]).await;
    let token = tokens["access_token"].as_str().unwrap().to_owned();
    let res = app
        .http
        .post(format!("{}/revoke", app.address))
        .basic_auth(&client.id, client.secret.as_deref())
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let now = sigil::clock::Clock::now(clock.as_ref());
    advance(&clock, exp_of(&token) - now - 1).await;
    assert_eq!(app.userinfo(&token).await.status(), 401, "before exp");
    for step in [4, CLOCK_SKEW_LEEWAY] {
        advance(&clock, step).await;
        assert_eq!(app.userinfo(&token).await.status(), 401, "+{step}");
        let secret = client.secret.clone().unwrap();
        let body: Value = app
            .introspect_as(&client.id, &secret, &[("token", token.as_str())])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["active"], false);
    }
}

#[tokio::test]
async fn an_access_token_is_refused_from_its_exp_on_without_leeway() {
    let (app, clock) = app().await;
    let client = app.web_client("openid").await;
    let tokens = app.tokens_for(&client, "openid", &[]).await;
    let token = tokens["access_token"].as_str().unwrap().to_owned();
    let now = sigil::clock::Clock::now(clock.as_ref());
    clock.advance(exp_of(&token) - now - 1);
    assert_eq!(app.userinfo(&token).await.status(), 200, "one second left");
    clock.advance(1);
    let res = app.userinfo(&token).await;
    assert_eq!(res.status(), 401, "at exp");
    clock.advance(3);
    assert_eq!(
        app.userinfo(&token).await.status(),
        401,
        "three seconds after"
    );
}

#[tokio::test]
async fn a_spent_code_is_still_known_as_spent_after_it_expires() {
    let (app, clock) = app().await;
    let client = app.web_client("openid").await;
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let first: Value = app
        .redeem(&client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let access = first["access_token"].as_str().unwrap().to_owned();
    let lifetime = app.state.settings.lifetimes.code;
    advance(&clock, lifetime + 3).await;
    let res = app.redeem(&client, &code, &verifier).await;
    assert_error(res, 400, "invalid_grant").await;
    clock.advance(-lifetime - 3);
    assert_eq!(
        app.userinfo(&access).await.status(),
        401,
        "the reuse was recognised and revoked what the first use issued"
    );
}

#[tokio::test]
async fn a_spent_code_outlives_the_access_token_it_issued() {
    let (app, clock) = app_with(|s| {
        s.access_token_lifetime = 3 * 86_400;
        s.key_retention = 3 * 86_400;
    })
    .await;
    let client = app.web_client("openid").await;
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let first: Value = app
        .redeem(&client, &code, &verifier)
        .await
        .json()
        .await
        .unwrap();
    let access = first["access_token"].as_str().unwrap().to_owned();
    // Past the code's own grace period, while its access token still lives.
    advance(&clock, sigil::housekeeping::CODE_GRACE + 3_600).await;
    assert_eq!(app.userinfo(&access).await.status(), 200, "still alive");
    let res = app.redeem(&client, &code, &verifier).await;
    assert_error(res, 400, "invalid_grant").await;
    assert_eq!(
        app.userinfo(&access).await.status(),
        401,
        "the late reuse was recognised and revoked the token"
    );
}
