//! Client ID metadata documents: with `SIGIL_CLIENT_ID_METADATA_DOCUMENTS=on`, a URL as
//! `client_id` names the document describing a public client. A document served on loopback
//! signs a user in; one that names another client_id, redirects, is too large, is no JSON
//! object, does not answer, or asks for a secret is refused with a page, never a redirect.

use serde_json::{Value, json};

use crate::helpers::jwe::{Answer, KeyServer};
use crate::helpers::oauth::{PASSWORD, USER};
use crate::helpers::{TestApp, TestClient, TestDatabase, expect_page, location_params, pkce_pair};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

async fn app_with_documents() -> TestApp {
    TestApp::spawn_with(
        TestDatabase::new(),
        |raw| raw.client_id_metadata_documents = "on".into(),
        std::sync::Arc::new(sigil::clock::SystemClock),
    )
    .await
}

/// A document server whose document describes the client at its own URL, as `edit` shapes it.
async fn document(edit: impl FnOnce(&str, &mut Value)) -> KeyServer {
    let server = KeyServer::start(Answer::Hang).await;
    let mut doc = json!({
        "client_id": server.url,
        "client_name": "Inspector",
        "redirect_uris": [REDIRECT],
    });
    edit(&server.url, &mut doc);
    server.answer(Answer::Keys(doc, Some("max-age=600".into())));
    server
}

async fn authorize_as(app: &TestApp, client_id: &str) -> reqwest::Response {
    let (_, challenge) = pkce_pair();
    app.authorize(&[
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "s"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ])
    .await
}

#[tokio::test]
async fn a_document_on_loopback_signs_a_user_in_and_consent_names_its_host() {
    let app = app_with_documents().await;
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["client_id_metadata_document_supported"], true);
    app.create_ada(&[]).await;
    let server = document(|_, _| {}).await;
    let client = TestClient {
        id: server.url.clone(),
        secret: None,
        redirect_uri: REDIRECT.into(),
    };
    let (verifier, challenge) = pkce_pair();
    let mut params = vec![
        ("client_id", client.id.as_str()),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid"),
        ("state", "s"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let login = app.authorize(&params).await;
    assert_eq!(login.status(), 200);
    let res = app.submit_login(login, USER, PASSWORD).await;
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/consent")
    );
    let page = app.follow(&res).await;
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Inspector") && html.contains("<strong>127.0.0.1</strong>"),
        "{html}"
    );
    let page = app.follow(&res).await;
    let done = app.submit_consent(page, "allow").await;
    let code = location_params(&done)["code"].clone();
    let tokens = app.redeem(&client, &code, &verifier).await;
    assert_eq!(tokens.status(), 200);
    let tokens: Value = tokens.json().await.unwrap();
    let (_, claims) = crate::helpers::oauth::jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], json!(server.url));
    assert_eq!(server.hits(), 1, "the document is cached");

    // Consent is asked again: a document's client is never remembered.
    params.retain(|(k, _)| *k != "state");
    let again = app.authorize(&params).await;
    assert!(
        again.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/consent")
    );
}

#[tokio::test]
async fn documents_are_off_by_default() {
    let app = TestApp::spawn().await;
    let server = document(|_, _| {}).await;
    let res = authorize_as(&app, &server.url).await;
    expect_page(res, 400, "Unknown application").await;
    assert_eq!(server.hits(), 0, "nothing is fetched");
}

#[tokio::test]
async fn a_document_for_another_client_id_is_refused_with_a_page() {
    let app = app_with_documents().await;
    let server = document(|url, doc| doc["client_id"] = json!(format!("{url}/other"))).await;
    let body = expect_page(
        authorize_as(&app, &server.url).await,
        400,
        "Application not verified",
    )
    .await;
    assert!(body.contains("differs from the URL"), "{body}");
    for (url, words) in [
        ("https://app.example", "must have a path"),
        ("https://app.example/a/../client.json", "segments"),
        ("https://app.example/client.json#f", "fragment"),
    ] {
        let body = expect_page(
            authorize_as(&app, url).await,
            400,
            "Application not verified",
        )
        .await;
        assert!(body.contains(words), "{url}: {body}");
    }
}

#[tokio::test]
async fn redirects_large_documents_and_non_json_are_refused_with_a_page() {
    let app = app_with_documents().await;
    for (answer, words) in [
        (
            Answer::Redirect("http://127.0.0.1:9/elsewhere".into()),
            "redirect",
        ),
        (Answer::Huge(17 * 1024), "larger than 16 KiB"),
        (Answer::Huge(10), "not a JSON object"),
    ] {
        let server = KeyServer::start(answer).await;
        let res = authorize_as(&app, &server.url).await;
        let body = expect_page(res, 400, "Application not verified").await;
        assert!(body.contains(words), "{words}: {body}");
    }
}

#[tokio::test]
async fn secrets_administrator_members_and_other_grants_are_refused() {
    let app = app_with_documents().await;
    let grants = json!([
        "authorization_code",
        "urn:ietf:params:oauth:grant-type:token-exchange"
    ]);
    for (member, value, words) in [
        (
            "token_endpoint_auth_method",
            json!("client_secret_basic"),
            "none",
        ),
        ("client_secret", json!("s3cret"), "client_secret"),
        ("sigil_first_party", json!(true), "sigil_first_party"),
        ("grant_types", grants, "grant"),
    ] {
        let server = document(|_, d| d[member] = value).await;
        let res = authorize_as(&app, &server.url).await;
        let body = expect_page(res, 400, "Application not verified").await;
        assert!(body.contains(words), "{words}: {body}");
    }
}

#[tokio::test]
async fn an_unregistered_redirect_uri_is_a_page_and_a_silent_server_times_out() {
    let app = app_with_documents().await;
    let server =
        document(|_, d| d["redirect_uris"] = json!(["http://127.0.0.1:9/elsewhere"])).await;
    let res = authorize_as(&app, &server.url).await;
    assert!(
        res.headers().get("location").is_none(),
        "no redirect to an unverified URI"
    );
    assert_eq!(res.status(), 400);
    let silent = KeyServer::start(Answer::Hang).await;
    let body = expect_page(
        authorize_as(&app, &silent.url).await,
        400,
        "Application not verified",
    )
    .await;
    assert!(body.contains("did not answer"), "{body}");
}
