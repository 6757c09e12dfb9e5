//! Sign-in throttling: failures delay further attempts per account and per address, unknown
//! usernames are counted like known ones, and a burst of concurrent guesses gets no more
//! password checks than a sequence of them — each attempt takes its place in the count, in
//! the database, before its check.

use sigil::web::throttle::ACCOUNT_FREE_FAILURES;

use crate::authorize_errors::base;
use crate::helpers::oauth::{PASSWORD, USER};
use crate::helpers::process::{free_port, start_binary};
use crate::helpers::{
    TestApp, TestClient, TestDatabase, expect_page, hidden_value, login_error, manual_clock,
    pkce_pair,
};
use crate::login_errors::{expect_silent, start};

const BURST: usize = 24;

/// The password checks a sigil process has run, from its `/metrics`.
async fn checks(http: &reqwest::Client, base: &str) -> u64 {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("sigil_password_checks_total "))
        .unwrap_or_else(|| panic!("no password counter in {text}"))
        .trim()
        .parse()
        .unwrap()
}

/// Opens the login page once, then posts `BURST` logins for [`USER`] at once from that
/// browser, spread over `bases`: every one a wrong password but one. Returns the statuses.
async fn burst(app: &TestApp, bases: &[String]) -> Vec<u16> {
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let page = app.authorize(&base(&client, &challenge)).await;
    let html = page.text().await.unwrap();
    let csrf = hidden_value(&html, "csrf_token").unwrap();
    let request = hidden_value(&html, "request").unwrap();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..BURST {
        let url = format!("{}/login", bases[i % bases.len()]);
        let password = if i == BURST / 2 {
            PASSWORD.to_owned()
        } else {
            format!("wrong guess {i}")
        };
        let form = vec![
            ("username", USER.to_owned()),
            ("password", password),
            ("csrf_token", csrf.clone()),
            ("request", request.clone()),
        ];
        let http = app.http.clone();
        set.spawn(async move {
            http.post(url)
                .form(&form)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    set.join_all().await
}

fn allowed() -> u64 {
    u64::try_from(ACCOUNT_FREE_FAILURES).unwrap() + 1
}

#[tokio::test]
async fn a_burst_of_guesses_gets_no_more_checks_than_a_sequence() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let statuses = burst(&app, std::slice::from_ref(&app.address)).await;
    let checked = checks(&app.http, &app.address).await;
    assert!(
        checked <= allowed(),
        "{checked} password checks for {BURST} concurrent guesses: {statuses:?}"
    );
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        throttled >= BURST - usize::try_from(allowed()).unwrap() - 1,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn two_processes_on_one_database_share_the_count() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let port = free_port();
    let _second = start_binary(&app.db, port).await;
    let other = format!("http://127.0.0.1:{port}");
    let statuses = burst(&app, &[app.address.clone(), other.clone()]).await;
    let checked = checks(&app.http, &app.address).await + checks(&app.http, &other).await;
    assert!(
        checked <= allowed(),
        "{checked} password checks across two processes: {statuses:?}"
    );
}

async fn expect_delayed(res: reqwest::Response, seconds: u32) -> String {
    assert_eq!(res.headers()["retry-after"], seconds.to_string().as_str());
    let html = expect_page(res, 429, "Sign in").await;
    let error = login_error(&html).unwrap();
    assert!(error.starts_with("Too many failed attempts"), "{error}");
    html
}

/// Posts `password` for `username` `times` times in a row on fresh login pages; returns the
/// last response.
async fn attempts(
    app: &TestApp,
    client: &TestClient,
    username: &str,
    password: &str,
    times: usize,
) -> reqwest::Response {
    let mut last = None;
    for _ in 0..times {
        let page = start(app, client, &[]).await;
        last = Some(app.submit_login(page, username, password).await);
    }
    last.expect("at least one attempt")
}

#[tokio::test]
async fn repeated_failures_delay_even_the_right_password_until_time_passes() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    for _ in 0..5 {
        let res = attempts(&app, &client, "ada", "wrong password 1", 1).await;
        let html = expect_page(res, 400, "Sign in").await;
        let error = login_error(&html).unwrap();
        assert_eq!(error, "The username or password is incorrect.");
        assert!(
            !html.contains("wrong password 1"),
            "the password is not echoed"
        );
    }
    let res = attempts(&app, &client, "ada", PASSWORD, 1).await;
    let html = expect_delayed(res, 2).await;
    assert!(!html.contains(PASSWORD), "the password is not echoed");
    expect_silent(&app, &client, "login_required").await;

    clock.advance(sigil::web::throttle::delay(5, sigil::web::throttle::ACCOUNT_FREE_FAILURES) + 1);
    let res = attempts(&app, &client, "ada", PASSWORD, 1).await;
    assert_eq!(res.status(), 303, "signed in once the delay has passed");
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/consent?"), "{location}");

    // The sign-in cleared the account's failures: one more mistake costs no delay.
    let relogin = [("prompt", "login")];
    let page = start(&app, &client, &relogin).await;
    let res = app.submit_login(page, "ada", "wrong password 1").await;
    expect_page(res, 400, "Sign in").await;
    let page = start(&app, &client, &relogin).await;
    let res = app.submit_login(page, "ada", PASSWORD).await;
    assert_eq!(res.status(), 303, "no delay after a cleared count");
}

#[tokio::test]
async fn many_failures_from_one_address_delay_every_account() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock).await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    let free = sigil::web::throttle::ADDRESS_FREE_FAILURES;
    for i in 0..=free {
        // A different account each time: no account reaches its own limit.
        let res = attempts(&app, &client, &format!("guess{i}"), "wrong password 3", 1).await;
        expect_page(res, 400, "Sign in").await;
    }
    let res = attempts(&app, &client, "ada", PASSWORD, 1).await;
    expect_delayed(res, 2).await;
}

#[tokio::test]
async fn unknown_usernames_get_the_same_answers_as_wrong_passwords() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock).await;
    app.create_user("ada", PASSWORD, &[]).await;
    let client = app.web_client("openid").await;
    let mut answers = Vec::new();
    for username in ["ada", "nobody"] {
        let once = attempts(&app, &client, username, "wrong password 2", 1).await;
        let once_status = once.status();
        let once = login_error(&once.text().await.unwrap());
        attempts(&app, &client, username, "wrong password 2", 4).await;
        let held = attempts(&app, &client, username, "wrong password 2", 1).await;
        let held_status = held.status();
        let held = login_error(&held.text().await.unwrap());
        answers.push((once_status, once, held_status, held));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, 400);
    assert_eq!(answers[0].2, 429);
}
