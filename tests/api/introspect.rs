//! `POST /introspect` (RFC 7662, RFC 9701): who may ask, what is active, what each caller sees.

use diesel::prelude::*;
use serde_json::{Value, json};
use sigil::store::StoreError;

use crate::helpers::oauth::{assert_error, code_form, jwt_parts, verifies_against};
use crate::helpers::resources::TestResource;
use crate::helpers::{TestApp, TestClient, TestDatabase, manual_clock};

const API: &str = "https://api.example/";

struct Setup {
    app: TestApp,
    clock: std::sync::Arc<sigil::clock::ManualClock>,
    web: TestClient,
    api: TestResource,
    user_id: String,
}

/// Ada, a web client allowed `api:read`, and the `API` resource with introspection credentials.
async fn setup() -> Setup {
    let clock = manual_clock();
    let app = TestApp::spawn_with(TestDatabase::new(), |_| {}, clock.clone()).await;
    let user_id = app.create_ada(&[]).await;
    let api = app
        .create_resource(json!({"identifier": API, "scope": "api:read", "introspection": true}))
        .await;
    let web = app.web_client("openid profile api:read").await;
    Setup {
        app,
        clock,
        web,
        api,
        user_id,
    }
}

/// A user access token for `API` from the code grant.
async fn user_token(s: &Setup) -> String {
    let (code, verifier) = s.app.code_for(&s.web, "openid profile api:read", &[]).await;
    let mut form = code_form(&s.web, &code, &verifier);
    form.push(("resource", API));
    let res = s.app.token_as(&s.web, &form).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn as_client(s: &Setup, client: &TestClient, token: &str) -> Value {
    let secret = client.secret.as_deref().unwrap();
    let res = s
        .app
        .introspect_as(&client.id, secret, &[("token", token)])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.json().await.unwrap()
}

async fn as_resource(s: &Setup, resource: &TestResource, token: &str) -> Value {
    let secret = resource.secret.as_deref().unwrap();
    let res = s
        .app
        .introspect_as(&resource.id, secret, &[("token", token)])
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn inactive() -> Value {
    json!({"active": false})
}

#[tokio::test]
async fn a_fresh_access_token_is_active_with_its_full_claim_set() {
    let s = setup().await;
    let token = user_token(&s).await;
    let claims = jwt_parts(&token).1;
    let body = as_client(&s, &s.web, &token).await;
    assert_eq!(body["active"], true);
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("username").is_none(), "no profile scope: {body}");
    assert_eq!(body["sub"], s.user_id.as_str());
    assert_eq!(body["aud"], API);
    assert_eq!(body["scope"], "api:read");
    for claim in [
        "client_id",
        "iss",
        "exp",
        "iat",
        "nbf",
        "jti",
        "sid",
        "auth_time",
    ] {
        assert_eq!(body[claim], claims[claim], "{claim}");
    }
    assert!(
        body.get("sigil_gen").is_none(),
        "private claims stay private"
    );
    let by_resource = as_resource(&s, &s.api, &token).await;
    assert_eq!(
        by_resource, body,
        "the resource the token is for sees the same"
    );
    let posted = s
        .app
        .post_form(
            "/introspect",
            &[
                ("token", token.as_str()),
                ("token_type_hint", "something_else"),
                ("client_id", s.api.id.as_str()),
                ("client_secret", s.api.secret.as_deref().unwrap()),
            ],
        )
        .await;
    assert_eq!(posted.json::<Value>().await.unwrap()["active"], true);
    let service = s.app.service_client("api:read").await;
    let cc = s.app.service_token(&service, &[("resource", API)]).await;
    let cc_body = as_resource(&s, &s.api, cc["access_token"].as_str().unwrap()).await;
    assert_eq!(cc_body["active"], true);
    assert_eq!(cc_body["sub"], service.id.as_str());
    assert!(cc_body.get("username").is_none());
}

#[tokio::test]
async fn revoked_expired_and_signed_out_tokens_are_inactive() {
    let s = setup().await;
    let denied = user_token(&s).await;
    let claims = jwt_parts(&denied).1;
    let (jti, exp) = (
        claims["jti"].as_str().unwrap().to_owned(),
        claims["exp"].as_i64().unwrap(),
    );
    s.app
        .state
        .store
        .run(move |c| sigil::store::denylist::deny(c, &jti, exp))
        .await
        .unwrap();
    assert_eq!(as_client(&s, &s.web, &denied).await, inactive());

    let generation = user_token(&s).await;
    assert_eq!(as_client(&s, &s.web, &generation).await["active"], true);
    let user_id = s.user_id.clone();
    s.app
        .state
        .store
        .run(move |c| {
            use sigil::store::schema::users::dsl as u;
            diesel::update(u::users.find(user_id))
                .set(u::token_generation.eq(u::token_generation + 1))
                .execute(c)
                .map_err(StoreError::from)
        })
        .await
        .unwrap();
    assert_eq!(as_client(&s, &s.web, &generation).await, inactive());
    let after = user_token(&s).await;
    assert_eq!(as_client(&s, &s.web, &after).await["active"], true);

    let lifetime =
        jwt_parts(&after).1["exp"].as_i64().unwrap() - sigil::clock::Clock::now(s.clock.as_ref());
    s.clock.advance(lifetime - 1);
    assert_eq!(as_resource(&s, &s.api, &after).await["active"], true);
    s.clock.advance(1);
    assert_eq!(as_resource(&s, &s.api, &after).await, inactive());
}

#[tokio::test]
async fn tokens_meant_for_someone_else_are_inactive() {
    let s = setup().await;
    let other_api = s
        .app
        .create_resource(json!({
            "identifier": "https://other.example/", "scope": "api:read", "introspection": true,
        }))
        .await;
    let token = user_token(&s).await;
    assert_eq!(as_resource(&s, &other_api, &token).await, inactive());
    let stranger = s.app.web_client("openid api:read").await;
    assert_eq!(as_client(&s, &stranger, &token).await, inactive());
    let (code, verifier) = s.app.code_for(&s.web, "openid profile", &[]).await;
    let res = s
        .app
        .token_as(&s.web, &code_form(&s.web, &code, &verifier))
        .await;
    let plain: Value = res.json().await.unwrap();
    let plain = plain["access_token"].as_str().unwrap();
    assert_eq!(as_client(&s, &s.web, plain).await["active"], true);
    assert_eq!(as_resource(&s, &s.api, plain).await, inactive());
    let opaque = plain.replace('.', "");
    assert_eq!(as_client(&s, &s.web, &opaque).await, inactive());
    assert_eq!(as_client(&s, &s.web, "a.b.c").await, inactive());
}

#[tokio::test]
async fn callers_must_authenticate_and_public_clients_may_not_introspect() {
    let s = setup().await;
    let token = user_token(&s).await;
    let url = format!("{}/introspect", s.app.address);
    let form = [("token", token.as_str())];
    let anonymous = s.app.http.post(&url).form(&form).send().await.unwrap();
    assert!(anonymous.headers().contains_key("www-authenticate"));
    assert_error(anonymous, 401, "invalid_client").await;
    for (id, secret) in [
        (&s.web.id, "wrong"),
        (&s.api.id, "wrong"),
        (&"nobody".to_owned(), "x"),
    ] {
        let res = s.app.introspect_as(id, secret, &form).await;
        assert!(
            res.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
        assert_error(res, 401, "invalid_client").await;
    }
    let public = s
        .app
        .create_client(json!({
            "redirect_uris": ["http://127.0.0.1:9/cb"], "token_endpoint_auth_method": "none",
        }))
        .await;
    let res = s
        .app
        .http
        .post(&url)
        .form(&[("token", token.as_str()), ("client_id", &public.id)])
        .send()
        .await
        .unwrap();
    assert_error(res, 401, "invalid_client").await;
    let silent = s
        .app
        .create_resource(json!({"identifier": "https://silent.example/", "scope": "s"}))
        .await;
    let res = s.app.introspect_as(&silent.id, "", &form).await;
    assert_error(res, 401, "invalid_client").await;
    let as_client_elsewhere = s
        .app
        .token_request()
        .basic_auth(&s.api.id, s.api.secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_error(as_client_elsewhere, 401, "invalid_client").await;
}

#[tokio::test]
async fn the_jwt_response_is_signed_for_the_caller_and_verifies_against_the_jwks() {
    let s = setup().await;
    let token = user_token(&s).await;
    let res = s
        .app
        .http
        .post(format!("{}/introspect", s.app.address))
        .basic_auth(&s.api.id, s.api.secret.as_deref())
        .header("accept", "application/token-introspection+jwt")
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(
        res.headers()["content-type"],
        "application/token-introspection+jwt"
    );
    let jwt = res.text().await.unwrap();
    let (header, claims) = jwt_parts(&jwt);
    assert_eq!(header["typ"], "token-introspection+jwt");
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["iss"], s.app.issuer.as_str());
    assert_eq!(claims["aud"], s.api.id.as_str());
    assert!(claims["iat"].is_i64());
    assert_eq!(claims["token_introspection"]["active"], true);
    assert_eq!(claims["token_introspection"]["aud"], API);
    assert!(verifies_against(&s.app.jwks().await, &jwt));
}

#[tokio::test]
async fn refresh_tokens_are_active_only_for_their_client_while_their_family_lives() {
    use sigil::store::refresh_tokens::{self, FamilyRow, TokenRow};
    let s = setup().await;
    let now = sigil::clock::Clock::now(s.clock.as_ref());
    let family = FamilyRow {
        id: "fam-1".into(),
        client_id: s.web.id.clone(),
        user_id: s.user_id.clone(),
        sid: None,
        grant_data: crate::helpers::logout::grant_json(
            &s.user_id,
            &s.web.id,
            "openid offline_access",
        ),
        generation: 0,
        created_at: now,
        expires_at: now + 86_400,
        revoked_at: None,
    };
    let refresh = sigil::secrets::random_token(32);
    let row = TokenRow {
        token_hash: sigil::secrets::digest(&refresh),
        family_id: family.id.clone(),
        created_at: now,
        expires_at: now + 3_600,
        used_at: None,
    };
    s.app
        .state
        .store
        .run(move |c| {
            let access = refresh_tokens::AccessRecord {
                jti: "seeded-access-token",
                exp: now + 600,
            };
            sigil::store::transaction(c, |c| refresh_tokens::create(c, &family, &row, access))
        })
        .await
        .unwrap();
    let body = as_client(&s, &s.web, &refresh).await;
    assert_eq!(
        body,
        json!({
            "active": true, "client_id": s.web.id, "sub": s.user_id,
            "scope": "openid offline_access", "exp": now + 3_600, "iat": now,
            "token_type": "refresh_token",
        })
    );
    let stranger = s.app.web_client("openid").await;
    assert_eq!(as_client(&s, &stranger, &refresh).await, inactive());
    assert_eq!(as_resource(&s, &s.api, &refresh).await, inactive());
    s.clock.advance(3_600);
    assert_eq!(as_client(&s, &s.web, &refresh).await, inactive(), "expired");
    s.clock.advance(-3_600);
    s.app
        .state
        .store
        .run(move |c| refresh_tokens::revoke_family(c, "fam-1", now))
        .await
        .unwrap();
    assert_eq!(as_client(&s, &s.web, &refresh).await, inactive(), "revoked");
}

#[tokio::test]
async fn bad_requests_get_their_rfc_errors() {
    let s = setup().await;
    let (id, secret) = (s.web.id.as_str(), s.web.secret.as_deref().unwrap());
    let res = s
        .app
        .introspect_as(id, secret, &[("token_type_hint", "access_token")])
        .await;
    assert_error(res, 400, "invalid_request").await;
    let res = s
        .app
        .introspect_as(id, secret, &[("token", "a"), ("token", "b")])
        .await;
    assert_error(res, 400, "invalid_request").await;
    let url = format!("{}/introspect", s.app.address);
    let json = s
        .app
        .http
        .post(&url)
        .basic_auth(id, Some(secret))
        .json(&json!({"token": "a"}))
        .send()
        .await
        .unwrap();
    assert_error(json, 400, "invalid_request").await;
    let padding = "a".repeat(20 * 1024);
    let big = s
        .app
        .introspect_as(id, secret, &[("token", &padding)])
        .await;
    assert_error(big, 413, "invalid_request").await;
    let both = s
        .app
        .http
        .post(&url)
        .basic_auth(id, Some(secret))
        .form(&[("token", "a"), ("client_id", id), ("client_secret", secret)])
        .send()
        .await
        .unwrap();
    assert_error(both, 400, "invalid_request").await;
    let get = s.app.get("/introspect").await;
    assert_eq!(get.status(), 405);
}
