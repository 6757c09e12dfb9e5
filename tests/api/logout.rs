//! `/logout` (OIDC RP-Initiated Logout 1.0) and back-channel logout (OIDC Back-Channel Logout 1.0).

use std::time::Duration;

use serde_json::Value;
use sigil::outbound::{Notice, Notifier, Retry};

use crate::helpers::logout::{Receiver, check_logout_token};
use crate::helpers::oauth::jwt_parts;
use crate::helpers::{TestApp, TestClient, TestDatabase, expect_page, hidden_value, manual_clock};

const BYE: &str = "http://127.0.0.1:9/bye";

/// Signs in through `client`; returns the ID token and its claims.
async fn sign_in(app: &TestApp, client: &TestClient) -> (String, Value) {
    let tokens = app.tokens_for(client, "openid", &[]).await;
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let claims = jwt_parts(&id_token).1;
    (id_token, claims)
}

async fn logout(app: &TestApp, params: &[(&str, &str)]) -> reqwest::Response {
    app.http
        .get(format!("{}/logout", app.address))
        .query(params)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_hinted_logout_ends_the_session_and_returns_with_state() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    let receiver = Receiver::start(Some(vec![200])).await;
    let client = app.logout_client(Some(&receiver.url)).await;
    let (id_token, claims) = sign_in(&app, &client).await;
    let sid = claims["sid"].as_str().unwrap().to_owned();
    let bound = app.seed_refresh(&client.id, &user, Some(&sid)).await;
    let offline = app.seed_refresh(&client.id, &user, None).await;
    let res = logout(
        &app,
        &[
            ("id_token_hint", id_token.as_str()),
            ("post_logout_redirect_uri", BYE),
            ("state", "a b&c=d"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("{BYE}?state=a+b%26c%3Dd")
    );
    let cleared = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("sigil_session=;"), "{cleared}");
    assert!(
        app.refresh_revoked(&bound).await,
        "session-bound family revoked"
    );
    assert!(!app.refresh_revoked(&offline).await, "offline family kept");
    assert!(app.asks_for_password(&client).await, "the session is gone");
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].content_type, "application/x-www-form-urlencoded");
    let token = check_logout_token(&app, &got[0].logout_token(), &client.id).await;
    assert_eq!(token["sid"], sid.as_str());
    assert_eq!(token["sub"], user.as_str());
    assert_eq!(jwt_parts(&got[0].logout_token()).0["alg"], "RS256");
    assert!(
        app.audit_actions()
            .await
            .contains(&"session.end".to_owned())
    );
    assert_eq!(receiver.received().len(), 1, "one client, one token");
}

#[tokio::test]
async fn logout_tokens_use_the_clients_id_token_algorithm_and_post() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let receiver = Receiver::start(Some(vec![204])).await;
    let client = app
        .create_client(serde_json::json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "post_logout_redirect_uris": [BYE],
            "backchannel_logout_uri": receiver.url,
            "id_token_signed_response_alg": "ES256",
            "scope": "openid",
        }))
        .await;
    let (id_token, _) = sign_in(&app, &client).await;
    let res = app
        .post_form(
            "/logout",
            &[("id_token_hint", &id_token), ("client_id", &client.id)],
        )
        .await;
    expect_page(res, 200, "You are signed out").await;
    let got = receiver.wait_for(1).await;
    let token = got[0].logout_token();
    assert_eq!(jwt_parts(&token).0["alg"], "ES256");
    check_logout_token(&app, &token, &client.id).await;
}

#[tokio::test]
async fn an_unregistered_or_unidentified_return_address_is_never_followed() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.logout_client(None).await;
    let (id_token, _) = sign_in(&app, &client).await;
    let cases: [&[(&str, &str)]; 3] = [
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", "https://evil.example/bye"),
        ],
        &[("post_logout_redirect_uri", BYE), ("state", "s")],
        &[
            ("client_id", &client.id),
            ("post_logout_redirect_uri", "http://127.0.0.1:9/bye/"),
        ],
    ];
    for params in cases {
        let res = logout(&app, params).await;
        expect_page(res, 400, "This sign-out request cannot be used").await;
    }
    assert!(!app.asks_for_password(&client).await, "still signed in");
}

#[tokio::test]
async fn without_a_hint_the_person_confirms_with_a_csrf_token() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let receiver = Receiver::start(Some(vec![200])).await;
    let client = app.logout_client(Some(&receiver.url)).await;
    sign_in(&app, &client).await;
    let params = [
        ("client_id", client.id.as_str()),
        ("post_logout_redirect_uri", BYE),
        ("state", "s1"),
    ];
    let page = expect_page(logout(&app, &params).await, 200, "Sign out?").await;
    assert!(page.contains("name=\"logout\" value=\"yes\""), "{page}");
    assert!(page.contains("Logout App"), "{page}");
    let csrf = hidden_value(&page, "csrf_token").expect("csrf_token");
    assert_eq!(hidden_value(&page, "state").as_deref(), Some("s1"));
    let mut form: Vec<(&str, &str)> = params.to_vec();
    form.push(("logout", "yes"));
    let res = app.post_form("/logout/confirm", &form).await;
    expect_page(res, 403, "Form expired").await;
    form.push(("csrf_token", "forged"));
    let res = app.post_form("/logout/confirm", &form).await;
    expect_page(res, 403, "Form expired").await;
    assert!(!app.asks_for_password(&client).await, "still signed in");
    form.pop();
    form.push(("csrf_token", &csrf));
    let mut undecided = form.clone();
    undecided.remove(3);
    let res = app.post_form("/logout/confirm", &undecided).await;
    expect_page(res, 400, "Choose whether to sign out").await;
    let mut stay = form.clone();
    stay[3] = ("logout", "no");
    expect_page(
        app.post_form("/logout/confirm", &stay).await,
        200,
        "still signed in",
    )
    .await;
    let res = app.post_form("/logout/confirm", &form).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("{BYE}?state=s1"));
    assert!(app.asks_for_password(&client).await, "the session is gone");
    receiver.wait_for(1).await;
}

#[tokio::test]
async fn an_expired_id_token_hint_still_identifies_the_client() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_ada(&[]).await;
    let client = app.logout_client(None).await;
    let (id_token, claims) = sign_in(&app, &client).await;
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    clock.advance(lifetime + 600);
    let res = logout(
        &app,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", BYE),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], BYE);
}

#[tokio::test]
async fn without_a_session_a_registered_return_address_is_still_honoured() {
    let app = TestApp::spawn().await;
    let client = app.logout_client(None).await;
    let res = logout(
        &app,
        &[
            ("client_id", &client.id),
            ("post_logout_redirect_uri", BYE),
            ("state", "x"),
            ("logout_hint", "ada"),
            ("ui_locales", "fr-CA en"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("{BYE}?state=x"));
    expect_page(logout(&app, &[]).await, 200, "You are signed out").await;
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["end_session_endpoint"],
        format!("{}/logout", app.issuer)
    );
    assert_eq!(doc["backchannel_logout_supported"], true);
    assert_eq!(doc["backchannel_logout_session_supported"], true);
}

#[tokio::test]
async fn bad_logout_requests_get_pages_not_errors() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.logout_client(None).await;
    let other = app.logout_client(None).await;
    let tokens = app.tokens_for(&client, "openid", &[]).await;
    let (id_token, access) = (
        tokens["id_token"].as_str().unwrap(),
        tokens["access_token"].as_str().unwrap(),
    );
    let title = "This sign-out request cannot be used";
    let res = app
        .get(&format!("/logout?client_id={0}&client_id={0}", client.id))
        .await;
    expect_page(res, 400, title).await;
    let mut tampered = id_token.to_owned();
    tampered.push('A');
    for hint in ["garbage", "a.b.c", access, &tampered] {
        expect_page(logout(&app, &[("id_token_hint", hint)]).await, 400, title).await;
    }
    let res = logout(
        &app,
        &[("id_token_hint", id_token), ("client_id", &other.id)],
    )
    .await;
    expect_page(res, 400, title).await;
    expect_page(logout(&app, &[("client_id", "nobody")]).await, 400, title).await;
    let url = format!("{}/logout", app.address);
    let res = app
        .http
        .post(&url)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    expect_page(res, 400, title).await;
    let big = "x".repeat(20_000);
    let res = app
        .http
        .post(&url)
        .form(&[("state", &big)])
        .send()
        .await
        .unwrap();
    expect_page(res, 413, title).await;
    let res = app
        .http
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("client_id={0}&client_id={0}", client.id))
        .send()
        .await
        .unwrap();
    expect_page(res, 400, title).await;
    let res = app.post_form("/logout/confirm", &[("logout", "yes")]).await;
    expect_page(res, 403, "Form expired").await;
    assert!(!app.asks_for_password(&client).await, "still signed in");
}

#[tokio::test]
async fn a_receiver_that_never_answers_does_not_delay_the_logout() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let receiver = Receiver::start(None).await;
    let client = app.logout_client(Some(&receiver.url)).await;
    let (id_token, _) = sign_in(&app, &client).await;
    let res = logout(
        &app,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", BYE),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    // Delivered in line, three timed-out attempts would have been made before the answer.
    assert!(receiver.received().len() <= 1, "{:?}", receiver.received());
    receiver.wait_for(1).await;
}

fn quick_retry() -> Retry {
    Retry {
        attempts: 3,
        timeout: Duration::from_secs(5),
        backoff: vec![Duration::from_millis(10), Duration::from_millis(20)],
    }
}

fn notice(receiver: &Receiver) -> Notice {
    Notice {
        client_id: "c1".into(),
        uri: receiver.url.clone(),
        logout_token: "t.o.k".into(),
    }
}

#[tokio::test]
async fn delivery_retries_server_errors_and_stops_at_success_or_refusal() {
    let notifier = Notifier::new(quick_retry()).unwrap();
    let flaky = Receiver::start(Some(vec![500, 502, 200])).await;
    let outcome = notifier.deliver(&notice(&flaky)).await;
    assert_eq!(
        (outcome.attempts, outcome.status, outcome.delivered),
        (3, Some(200), true)
    );
    assert_eq!(flaky.received().len(), 3);
    assert_eq!(flaky.received()[2].logout_token(), "t.o.k");
    let down = Receiver::start(Some(vec![503])).await;
    let outcome = notifier.deliver(&notice(&down)).await;
    assert_eq!((outcome.attempts, outcome.delivered), (3, false));
    assert_eq!(down.received().len(), 3, "bounded");
    let refusing = Receiver::start(Some(vec![400, 200])).await;
    let outcome = notifier.deliver(&notice(&refusing)).await;
    assert_eq!(
        (outcome.attempts, outcome.status, outcome.delivered),
        (1, Some(400), false)
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}/x", closed.local_addr().unwrap());
    drop(closed);
    let outcome = notifier
        .deliver(&Notice {
            uri,
            ..notice(&refusing)
        })
        .await;
    assert_eq!(
        (outcome.attempts, outcome.status, outcome.delivered),
        (3, None, false)
    );
    let defaults = Retry::default();
    assert_eq!(defaults.attempts, 3);
    assert_eq!(defaults.timeout, Duration::from_secs(5));
    assert_eq!(
        defaults.backoff,
        [Duration::from_secs(1), Duration::from_secs(2)]
    );
}
