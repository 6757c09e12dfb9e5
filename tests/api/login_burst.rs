//! A burst of concurrent password guesses gets no more password checks than a sequence of
//! them: each attempt takes its place in the count, in the database, before its check.

use sigil::web::throttle::ACCOUNT_FREE_FAILURES;

use crate::helpers::oauth::{PASSWORD, USER};
use crate::helpers::process::{free_port, start_binary};
use crate::helpers::{TestApp, hidden_value, pkce_pair};

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
    let page = app
        .authorize(&[
            ("client_id", client.id.as_str()),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .await;
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
