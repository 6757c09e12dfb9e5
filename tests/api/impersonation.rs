//! Browser impersonation end to end over HTTP: an impersonating admin starts acting as a
//! user from the user's page, every page shows the banner, the tokens of a real code flow
//! name the user as `sub` and the admin as `act.sub` (refreshed ones too), and stopping
//! gives the admin's own identity back while the user's own sessions stay untouched.

use std::str::FromStr;

use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet};
use openidconnect::{ClientId, ClientSecret, IssuerUrl, Nonce};
use serde_json::{Value, json};

use crate::helpers::admin_pages::{field_error, has, text_of};
use crate::helpers::html::expect_page;
use crate::helpers::oauth::jwt_parts;
use crate::helpers::refresh::refresh_token_of;
use crate::helpers::{TestApp, TestClient};
use sigil::store::sessions::{self, SessionRow};

/// Posts the start form on the page of `user_id` with `reason`.
pub async fn start(app: &TestApp, user_id: &str, reason: &str) -> reqwest::Response {
    let page = format!("/admin/users/{user_id}");
    let form = [("reason", reason), ("impersonation", "start")];
    app.post_admin("/admin/users", &format!("{page}/impersonation"), &form)
        .await
}

/// The banner's text on `html`, if it shows.
pub fn banner(html: &str) -> Option<String> {
    has(
        html,
        "form.acting button[name=\"impersonation\"][value=\"stop\"]",
    )
    .then(|| text_of(html, "form.acting p"))
    .flatten()
}

/// A session of `user_id`'s own, as their own browser would hold it; returns its sid.
pub async fn own_session(app: &TestApp, user_id: &str) -> String {
    let now = sigil::clock::Clock::now(app.state.clock.as_ref());
    let row = SessionRow {
        id_hash: format!("own-{user_id}"),
        sid: format!("sid-{user_id}"),
        user_id: user_id.to_owned(),
        auth_time: now,
        amr: "pwd".into(),
        created_at: now,
        last_seen: now,
        expires_at: now + 36_000,
        actor_id: None,
        user_agent: None,
    };
    let sid = row.sid.clone();
    app.state
        .store
        .run(move |c| sessions::create(c, &row))
        .await
        .unwrap();
    sid
}

/// Whether the session `sid` is still stored.
pub async fn session_exists(app: &TestApp, sid: &str) -> bool {
    let sid = sid.to_owned();
    app.state
        .store
        .run(move |c| sessions::by_sid(c, &sid))
        .await
        .unwrap()
        .is_some()
}

/// The claims of `id_token` after every check of the `openidconnect` crate.
pub async fn checked_id_token(app: &TestApp, client: &TestClient, id_token: &str) -> Value {
    let jwks: CoreJsonWebKeySet = app.get("/jwks").await.json().await.unwrap();
    let verifier = CoreIdTokenVerifier::new_confidential_client(
        ClientId::new(client.id.clone()),
        ClientSecret::new(client.secret.clone().unwrap()),
        IssuerUrl::new(app.issuer.clone()).unwrap(),
        jwks,
    );
    let token = CoreIdToken::from_str(id_token).expect("an ID token");
    token
        .claims(&verifier, &Nonce::new("n-1".into()))
        .expect("passes every check");
    jwt_parts(id_token).1
}

/// Stops acting from the banner of the page at `from`.
pub async fn stop(app: &TestApp, from: &str) -> reqwest::Response {
    let html = app.get(from).await.text().await.unwrap();
    let csrf = scraper::Html::parse_document(&html)
        .select(&scraper::Selector::parse("form.acting input[name=csrf_token]").unwrap())
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_owned))
        .expect("the banner's stop form");
    app.post_form(
        "/admin/impersonation",
        &[("impersonation", "stop"), ("csrf_token", &csrf)],
    )
    .await
}

#[tokio::test]
async fn an_impersonator_acts_as_a_user_with_the_banner_and_act_in_every_token_until_stopping() {
    let app = TestApp::spawn().await;
    let admin = app.admin_signed_in("root", &["impersonator"]).await;
    let ada = app.create_ada(&[]).await;
    let ada_own = own_session(&app, &ada).await;
    let client = app.refreshing_client(json!({})).await;

    let page = expect_page(
        app.get(&format!("/admin/users/{ada}")).await,
        200,
        "Act as ada",
    )
    .await;
    assert!(has(&page, "input[name=\"reason\"][required]"), "{page}");
    assert!(has(
        &page,
        "button[name=\"impersonation\"][value=\"start\"]"
    ));
    let html = expect_page(start(&app, &ada, "  ").await, 422, "Act as ada").await;
    assert!(
        field_error(&html, "reason").is_some(),
        "a reason is required"
    );

    let res = start(&app, &ada, "ticket 42: cannot see invoices").await;
    assert_eq!(res.status(), 303);
    let html = expect_page(app.follow(&res).await, 200, "You are acting as ada").await;
    assert_eq!(banner(&html).as_deref(), Some("You are acting as ada"));
    let audit = app.audit_about(&ada).await;
    let (actor, _, detail) = audit
        .iter()
        .find(|(_, a, _)| a == "impersonation.start")
        .expect("audited");
    assert_eq!(actor, &admin);
    assert_eq!(detail["reason"], "ticket 42: cannot see invoices");

    // The banner is on every page: the consent page, the sign-in page, error pages and the
    // admin pages (which an acting browser, being the user's, may not use).
    let consent = app
        .authorize(&[
            ("client_id", client.id.as_str()),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", "openid"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
        ])
        .await;
    let consent = app.follow(&consent).await;
    let html = consent.text().await.unwrap();
    assert!(html.contains("decision"), "the consent page: {html}");
    assert_eq!(banner(&html).as_deref(), Some("You are acting as ada"));
    let login = app.get("/login?next=/admin").await.text().await.unwrap();
    assert!(banner(&login).is_some(), "on the sign-in page");
    let missing = app
        .http
        .get(format!("{}/no/such/page", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let html = expect_page(missing, 404, "").await;
    assert!(banner(&html).is_some(), "on error pages: {html}");
    let html = expect_page(app.get("/admin").await, 403, "Administrators only").await;
    assert!(banner(&html).is_some(), "on admin pages");

    let tokens = app.tokens_for(&client, "openid offline_access", &[]).await;
    let claims = checked_id_token(&app, &client, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["sub"], ada.as_str());
    assert_eq!(claims["act"], json!({"sub": admin}));
    let (_, access) = jwt_parts(tokens["access_token"].as_str().unwrap());
    assert_eq!(
        (access["sub"].as_str(), &access["act"]),
        (Some(ada.as_str()), &json!({"sub": admin}))
    );
    let refresh = refresh_token_of(&tokens);
    let refreshed = app.refreshed(&client, &refresh).await;
    let (_, again) = jwt_parts(refreshed["access_token"].as_str().unwrap());
    assert_eq!(
        again["act"],
        json!({"sub": admin}),
        "refreshed tokens carry act too"
    );
    let (_, id_again) = jwt_parts(refreshed["id_token"].as_str().unwrap());
    assert_eq!(id_again["act"], json!({"sub": admin}));
    let issued = app.audit_about(&ada).await;
    assert!(
        issued
            .iter()
            .any(|(_, a, d)| a == "token.issue" && d["act"]["sub"] == admin.as_str())
    );

    let res = stop(&app, "/admin/impersonation").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/admin/users/{ada}?done=stopped")
    );
    let html = expect_page(app.follow(&res).await, 200, "ada").await;
    assert_eq!(banner(&html), None, "the banner is gone");
    let audit = app.audit_about(&ada).await;
    assert!(
        audit
            .iter()
            .any(|(a, action, _)| a == &admin && action == "impersonation.stop")
    );
    let res = app
        .refresh(&client, &refresh_token_of(&refreshed), None)
        .await;
    assert_eq!(
        res.status(),
        400,
        "refresh tokens issued while acting end with it"
    );

    let mine = app.tokens_for(&client, "openid", &[]).await;
    let claims = checked_id_token(&app, &client, mine["id_token"].as_str().unwrap()).await;
    assert_eq!(
        claims["sub"],
        admin.as_str(),
        "the admin's own identity again"
    );
    assert!(claims.get("act").is_none());
    assert!(
        session_exists(&app, &ada_own).await,
        "the user's own session is untouched"
    );
}
