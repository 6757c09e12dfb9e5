//! Token purpose: every place that accepts a sigil-signed JWT takes the one kind it names, and
//! refuses every other kind sigil signs even though the signature verifies.

use serde_json::{Value, json};
use sigil::issue::logout_token::{LogoutTokenInput, mint};
use sigil::jose::SigningAlg;

use crate::authorize_errors::base;
use crate::helpers::oauth::{jwt_parts, verifies_against};
use crate::helpers::{TestApp, TestClient, expect_page, location_params, pkce_pair};

/// One of each kind of JWT sigil signs, all for the same user and client.
struct Kinds {
    id_token: String,
    access_token: String,
    logout_token: String,
    userinfo: String,
    introspection: String,
}

impl Kinds {
    fn all(&self) -> [(&'static str, &str); 5] {
        [
            ("id token", self.id_token.as_str()),
            ("access token", self.access_token.as_str()),
            ("logout token", self.logout_token.as_str()),
            ("signed userinfo", self.userinfo.as_str()),
            ("signed introspection", self.introspection.as_str()),
        ]
    }

    fn except(&self, kind: &str) -> Vec<(&'static str, &str)> {
        self.all().into_iter().filter(|(k, _)| *k != kind).collect()
    }
}

async fn setup() -> (TestApp, TestClient, Kinds) {
    let app = TestApp::spawn().await;
    app.create_ada(&[]).await;
    let client = app
        .create_client(json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "post_logout_redirect_uris": ["http://127.0.0.1:9/bye"],
            "scope": "openid email",
            "userinfo_signed_response_alg": "RS256",
        }))
        .await;
    let tokens = app.tokens_for(&client, "openid email", &[]).await;
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let access_token = tokens["access_token"].as_str().unwrap().to_owned();
    let userinfo = app.userinfo(&access_token).await.text().await.unwrap();
    let introspection = app
        .http
        .post(format!("{}/introspect", app.address))
        .basic_auth(&client.id, client.secret.as_deref())
        .header("accept", "application/token-introspection+jwt")
        .form(&[("token", access_token.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let claims = jwt_parts(&id_token).1;
    let now = sigil::clock::Clock::now(app.state.clock.as_ref());
    let logout_token = mint(
        &app.state.keys.current(),
        LogoutTokenInput {
            issuer: &app.issuer,
            client_id: &client.id,
            sub: claims["sub"].as_str().unwrap(),
            sid: claims["sid"].as_str().unwrap(),
            alg: SigningAlg::RS256,
            now,
        },
    )
    .unwrap();
    let kinds = Kinds {
        id_token,
        access_token,
        logout_token,
        userinfo,
        introspection,
    };
    let jwks: Value = app.jwks().await;
    for (kind, token) in kinds.all() {
        assert!(verifies_against(&jwks, token), "{kind} is signed by sigil");
    }
    (app, client, kinds)
}

fn silent<'a>(
    client: &'a TestClient,
    challenge: &'a str,
    hint: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut params = base(client, challenge);
    params.extend([("prompt", "none"), ("id_token_hint", hint)]);
    params
}

#[tokio::test]
async fn id_token_hint_at_authorize_takes_id_tokens_only() {
    let (app, client, kinds) = setup().await;
    let (_, challenge) = pkce_pair();
    for (kind, token) in kinds.except("id token") {
        let res = app.authorize(&silent(&client, &challenge, token)).await;
        assert_eq!(res.status(), 302, "{kind}");
        let back = location_params(&res);
        assert_eq!(
            back.get("error").map(String::as_str),
            Some("invalid_request"),
            "{kind}: {back:?}"
        );
        assert!(!back.contains_key("code"), "{kind}");
    }
    let res = app
        .authorize(&silent(&client, &challenge, &kinds.id_token))
        .await;
    assert!(location_params(&res).contains_key("code"));
}

#[tokio::test]
async fn id_token_hint_at_logout_takes_id_tokens_only() {
    let (app, _client, kinds) = setup().await;
    let title = "This sign-out request cannot be used";
    for (kind, token) in kinds.except("id token") {
        let res = app
            .http
            .get(format!("{}/logout", app.address))
            .query(&[("id_token_hint", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{kind}");
        expect_page(res, 400, title).await;
    }
    let res = app
        .http
        .get(format!("{}/logout", app.address))
        .query(&[("id_token_hint", kinds.id_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 400);
}

#[tokio::test]
async fn an_id_token_re_encrypted_to_sigil_is_a_hint_and_nothing_else_inside_is() {
    let (app, _client, kinds) = setup().await;
    let jwks = app.jwks().await;
    let logout = |hint: String| {
        app.http
            .get(format!("{}/logout", app.address))
            .query(&[("id_token_hint", hint)])
            .send()
    };
    let title = "This sign-out request cannot be used";
    for alg in ["RSA-OAEP-256", "ECDH-ES+A256KW"] {
        let sealed = crate::helpers::jwe::to_sigil(&jwks, &kinds.id_token, alg);
        assert_ne!(logout(sealed.clone()).await.unwrap().status(), 400, "{alg}");
        let tampered = crate::helpers::jwe::tamper(&sealed, 4);
        expect_page(logout(tampered).await.unwrap(), 400, title).await;
        let access = crate::helpers::jwe::to_sigil(&jwks, &kinds.access_token, alg);
        expect_page(logout(access).await.unwrap(), 400, title).await;
    }
}

#[tokio::test]
async fn userinfo_takes_access_tokens_only() {
    let (app, _client, kinds) = setup().await;
    for (kind, token) in kinds.except("access token") {
        let res = app.userinfo(token).await;
        assert_eq!(res.status(), 401, "{kind}");
        let challenge = res.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.contains("invalid_token"), "{kind}: {challenge}");
    }
    assert_eq!(app.userinfo(&kinds.access_token).await.status(), 200);
}

#[tokio::test]
async fn introspection_calls_only_access_tokens_active() {
    let (app, client, kinds) = setup().await;
    let secret = client.secret.clone().unwrap();
    for (kind, token) in kinds.all() {
        let res = app
            .introspect_as(&client.id, &secret, &[("token", token)])
            .await;
        assert_eq!(res.status(), 200, "{kind}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["active"], kind == "access token", "{kind}: {body}");
    }
}

#[tokio::test]
async fn revocation_takes_access_tokens_only() {
    let (app, client, kinds) = setup().await;
    for (kind, token) in kinds.except("access token") {
        let res = app
            .http
            .post(format!("{}/revoke", app.address))
            .basic_auth(&client.id, client.secret.as_deref())
            .form(&[("token", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{kind}");
        if let Some(jti) = jwt_parts(token).1["jti"].as_str().map(str::to_owned) {
            let denied = app
                .state
                .store
                .run(move |c| sigil::store::denylist::is_denied(c, &jti))
                .await
                .unwrap();
            assert!(!denied, "{kind} put nothing on the denylist");
        }
    }
    assert_eq!(app.userinfo(&kinds.access_token).await.status(), 200);
}
