//! Single-use rules hold under concurrency, each enforced by the database in one atomic step,
//! and what one step stores commits together:
//! a pending authorization request is answered once (by login or by consent), and a client
//! assertion's `jti` is accepted once.

use serde_json::json;
use tokio::task::JoinSet;

use crate::authorize_errors::base;
use crate::helpers::assertions::{JwtClient, assertion};
use crate::helpers::oauth::{PASSWORD, USER};
use crate::helpers::{TestApp, TestClient, hidden_value, location_params, pkce_pair};

const CONCURRENT: usize = 8;

/// Opens `/authorize` for `client`; returns the page's HTML (login or consent form).
async fn open(app: &TestApp, client: &TestClient) -> String {
    let (_, challenge) = pkce_pair();
    let res = app.authorize(&base(client, &challenge)).await;
    let res = if res.status() == 303 {
        app.follow(&res).await
    } else {
        res
    };
    res.text().await.unwrap()
}

/// Signs [`USER`] in for `client` (not first-party); returns the consent page's HTML.
async fn consent_page(app: &TestApp, client: &TestClient) -> String {
    let (_, challenge) = pkce_pair();
    let page = app.authorize(&base(client, &challenge)).await;
    let res = app.submit_login(page, USER, PASSWORD).await;
    app.follow(&res).await.text().await.unwrap()
}

/// POSTs `form` to `path` [`CONCURRENT`] times at once; returns how many answers carry a code.
async fn codes_from(app: &TestApp, path: &str, form: Vec<(&'static str, String)>) -> usize {
    let mut set = JoinSet::new();
    for _ in 0..CONCURRENT {
        let request = app.http.post(format!("{}{path}", app.address)).form(&form);
        set.spawn(async move { request.send().await.unwrap() });
    }
    let mut codes = 0;
    for res in set.join_all().await {
        if res.headers().contains_key("location") && location_params(&res).contains_key("code") {
            codes += 1;
        } else {
            assert!([400, 429].contains(&res.status().as_u16()), "{res:?}");
        }
    }
    codes
}

#[tokio::test]
async fn concurrent_sign_ins_answer_a_request_with_one_code() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app
        .create_client(json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "scope": "openid",
            "sigil_first_party": true,
        }))
        .await;
    let html = open(&app, &client).await;
    let form = vec![
        ("username", USER.to_owned()),
        ("password", PASSWORD.to_owned()),
        ("csrf_token", hidden_value(&html, "csrf_token").unwrap()),
        ("request", hidden_value(&html, "request").unwrap()),
    ];
    assert_eq!(codes_from(&app, "/login", form).await, 1);
}

#[tokio::test]
async fn concurrent_consents_answer_a_request_with_one_code() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.web_client("openid").await;
    let consent = consent_page(&app, &client).await;
    let form = vec![
        ("decision", "allow".to_owned()),
        ("csrf_token", hidden_value(&consent, "csrf_token").unwrap()),
        ("request", hidden_value(&consent, "request").unwrap()),
    ];
    assert_eq!(codes_from(&app, "/consent", form).await, 1);
}

#[tokio::test]
async fn concurrent_uses_of_one_client_assertion_let_one_through() {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let JwtClient { client, key } = app.jwt_client().await;
    let jwt = assertion(&key, app.assertion_claims(&client.id, &app.issuer, 60));
    let mut pending = Vec::new();
    for _ in 0..CONCURRENT {
        pending.push(app.code_for(&client, "openid", &[]).await);
    }
    let mut set = JoinSet::new();
    for (code, verifier) in pending {
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", client.redirect_uri.clone()),
            ("code_verifier", verifier),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
            ),
            ("client_assertion", jwt.clone()),
        ];
        let request = app.token_request().form(&form);
        set.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let statuses = set.join_all().await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 401].contains(s)),
        "{statuses:?}"
    );
}

/// Makes every insert into `auth_codes` fail, as a storage failure after the consent write.
async fn refuse_codes(app: &TestApp) {
    let statements: &[&str] = if crate::helpers::on_postgres() {
        &[
            "CREATE FUNCTION refuse_codes() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_codes BEFORE INSERT ON auth_codes FOR EACH ROW EXECUTE FUNCTION refuse_codes()",
        ]
    } else {
        &[
            "CREATE TRIGGER refuse_codes BEFORE INSERT ON auth_codes BEGIN SELECT RAISE(ABORT, 'injected'); END",
        ]
    };
    for sql in statements {
        let sql = (*sql).to_owned();
        app.state
            .store
            .run(move |c| {
                use diesel::RunQueryDsl;
                diesel::sql_query(sql).execute(c)?;
                Ok(())
            })
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn consent_and_its_code_commit_together() {
    let app = TestApp::spawn().await;
    let user = app.create_ada(&[]).await;
    let client = app.web_client("openid").await;
    let consent = consent_page(&app, &client).await;
    refuse_codes(&app).await;
    let res = app
        .post_form(
            "/consent",
            &[
                ("decision", "allow"),
                ("csrf_token", &hidden_value(&consent, "csrf_token").unwrap()),
                ("request", &hidden_value(&consent, "request").unwrap()),
            ],
        )
        .await;
    assert_eq!(location_params(&res)["error"], "server_error");
    let client_id = client.id.clone();
    let granted = app
        .state
        .store
        .run(move |c| sigil::store::consents::granted(c, &user, &client_id))
        .await
        .unwrap();
    assert_eq!(granted, None, "no consent without its code");
}
