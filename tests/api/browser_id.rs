//! The browser-binding cookie: sigil adopts only ids it issued itself, so nobody can choose a
//! browser's id (and with it the CSRF tokens its forms carry).

use crate::authorize_errors::base;
use crate::helpers::{TestApp, hidden_value, pkce_pair};

fn plain_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_browser_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("sigil_browser="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_browser_id_sigil_did_not_issue_is_replaced_and_its_forms_refused() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.web_client("openid").await;
    let (_, challenge) = pkce_pair();
    let forged = "A".repeat(43);
    let http = plain_http();
    let res = http
        .get(format!("{}/authorize", app.address))
        .query(&base(&client, &challenge))
        .header("cookie", format!("sigil_browser={forged}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let issued = set_browser_cookie(&res).expect("a new browser cookie");
    assert_ne!(issued, forged);
    let html = res.text().await.unwrap();
    let shown = hidden_value(&html, "csrf_token").unwrap();
    let forged_token = app.state.csrf.token(&forged);
    assert_ne!(
        shown, forged_token,
        "the form is not bound to the forged id"
    );
    let request = hidden_value(&html, "request").unwrap();

    // The forged id with the CSRF token it would have: refused.
    let res = http
        .post(format!("{}/login", app.address))
        .header("cookie", format!("sigil_browser={forged}"))
        .form(&[
            ("username", "ada"),
            ("password", "correct horse battery"),
            ("csrf_token", forged_token.as_str()),
            ("request", request.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // The issued id and its own token: the sign-in goes through.
    let res = http
        .post(format!("{}/login", app.address))
        .header("cookie", format!("sigil_browser={issued}"))
        .form(&[
            ("username", "ada"),
            ("password", "correct horse battery"),
            ("csrf_token", shown.as_str()),
            ("request", request.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "on to consent");
}
