//! `POST /token`: request parsing, the authorization code grant's refusals, the success shape.

use serde_json::Value;

use crate::helpers::oauth::{assert_error, code_form};
use crate::helpers::{TestApp, TestDatabase, manual_clock};

/// An app with [`crate::helpers::oauth::USER`] and a confidential `openid profile` client.
async fn setup() -> (TestApp, crate::helpers::TestClient) {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app.web_client("openid profile").await;
    (app, client)
}

fn secret(client: &crate::helpers::TestClient) -> Option<&str> {
    client.secret.as_deref()
}

#[tokio::test]
async fn a_body_that_is_not_a_form_is_invalid_request() {
    let (app, client) = setup().await;
    let body = "grant_type=authorization_code&code=x&redirect_uri=y&code_verifier=z";
    for content_type in [Some("application/json"), Some("text/plain"), None] {
        let mut req = app
            .token_request()
            .basic_auth(&client.id, secret(&client))
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        assert_error(req.send().await.unwrap(), 400, "invalid_request").await;
    }
    let json = app
        .token_request()
        .basic_auth(&client.id, secret(&client))
        .json(&serde_json::json!({"grant_type": "authorization_code"}))
        .send()
        .await
        .unwrap();
    assert_error(json, 400, "invalid_request").await;
}

#[tokio::test]
async fn a_body_that_is_not_utf8_or_badly_escaped_is_invalid_request() {
    let (app, client) = setup().await;
    let bodies: [&[u8]; 3] = [
        b"grant_type=authorization_code&code=\xff\xfe",
        b"grant_type=authorization_code&code=%FF%FE",
        b"grant_type=authorization_code&code=%G0",
    ];
    for body in bodies {
        let res = app
            .token_request()
            .basic_auth(&client.id, secret(&client))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_error(res, 400, "invalid_request").await;
    }
}

#[tokio::test]
async fn an_oversized_body_is_413_with_the_json_error() {
    let (app, client) = setup().await;
    let padding = "a".repeat(20 * 1024);
    let res = app
        .token_request()
        .basic_auth(&client.id, secret(&client))
        .form(&[("grant_type", "authorization_code"), ("code", &padding)])
        .send()
        .await
        .unwrap();
    assert_error(res, 413, "invalid_request").await;
}

#[tokio::test]
async fn missing_duplicated_and_unknown_parameters_are_refused() {
    let (app, client) = setup().await;
    let send = |form: Vec<(&'static str, &'static str)>| {
        app.token_request()
            .basic_auth(&client.id, secret(&client))
            .form(&form)
            .send()
    };
    let full = vec![
        ("grant_type", "authorization_code"),
        ("code", "c"),
        ("redirect_uri", "http://127.0.0.1:9/callback"),
        ("code_verifier", "v"),
    ];
    let mut duplicated = full.clone();
    duplicated.push(("code", "d"));
    assert_error(send(duplicated).await.unwrap(), 400, "invalid_request").await;
    assert_error(
        send(full[1..].to_vec()).await.unwrap(),
        400,
        "invalid_request",
    )
    .await;
    for missing in ["code", "redirect_uri", "code_verifier"] {
        let form = full
            .iter()
            .filter(|(k, _)| *k != missing)
            .cloned()
            .collect();
        let body = assert_error(send(form).await.unwrap(), 400, "invalid_request").await;
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains(missing),
            "{body}"
        );
    }
    for grant in ["password", "foo"] {
        let mut form = full.clone();
        form[0] = ("grant_type", grant);
        assert_error(send(form).await.unwrap(), 400, "unsupported_grant_type").await;
    }
    assert_error(send(full).await.unwrap(), 400, "invalid_grant").await;
}

#[tokio::test]
async fn an_expired_code_is_invalid_grant() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    app.create_ada(&[]).await;
    let client = app.web_client("openid").await;
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    clock.advance(61);
    let res = app.redeem(&client, &code, &verifier).await;
    assert_error(res, 400, "invalid_grant").await;
}

#[tokio::test]
async fn a_mismatched_redirect_uri_or_verifier_is_invalid_grant() {
    let (app, _) = setup().await;
    let client = app
        .create_client(serde_json::json!({
            "redirect_uris": ["http://127.0.0.1:9/callback", "http://127.0.0.1:9/other"],
            "scope": "openid",
        }))
        .await;
    let (code, verifier) = app.code_for(&client, "openid", &[]).await;
    let mut form = code_form(&client, &code, &verifier);
    form[2] = ("redirect_uri", "http://127.0.0.1:9/other");
    let res = app
        .token_request()
        .basic_auth(&client.id, secret(&client))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_error(res, 400, "invalid_grant").await;

    let (code, _) = app.code_for(&client, "openid", &[]).await;
    let (other_verifier, _) = crate::helpers::pkce_pair();
    let res = app.redeem(&client, &code, &other_verifier).await;
    assert_error(res, 400, "invalid_grant").await;
}

#[tokio::test]
async fn a_code_redeems_once_and_its_reuse_revokes_the_first_access_token() {
    let (app, client) = setup().await;
    let (code, verifier) = app.code_for(&client, "openid profile", &[]).await;
    let res = app.redeem(&client, &code, &verifier).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let tokens: Value = res.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 600);
    assert_eq!(tokens["scope"], "openid profile");
    assert!(tokens["access_token"].is_string());
    assert!(tokens["id_token"].is_string());

    let userinfo = format!("{}/userinfo", app.address);
    let access = tokens["access_token"].as_str().unwrap();
    let res = app
        .http
        .get(&userinfo)
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let again = app.redeem(&client, &code, &verifier).await;
    assert_error(again, 400, "invalid_grant").await;
    let res = app
        .http
        .get(&userinfo)
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_error(res, 401, "invalid_token").await;
}

#[tokio::test]
async fn without_openid_there_is_no_id_token() {
    let (app, _) = setup().await;
    let client = app.web_client("profile").await;
    let tokens = app.tokens_for(&client, "profile", &[]).await;
    assert_eq!(tokens["scope"], "profile");
    assert!(tokens["access_token"].is_string());
    assert!(tokens.get("id_token").is_none(), "{tokens}");
}

#[tokio::test]
async fn an_oversized_chunked_body_is_413_with_the_json_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (app, _) = setup().await;
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /token HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = "a".repeat(4096);
    for _ in 0..5 {
        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if stream.write_all(framed.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    let lower = response.to_ascii_lowercase();
    assert!(lower.contains("cache-control: no-store"), "{response}");
    assert!(
        lower.contains("content-type: application/json"),
        "{response}"
    );
    assert!(
        response.contains(r#""error":"invalid_request""#),
        "{response}"
    );
}
