//! Federation: a JWT from a trusted issuer (a test issuer with its own keys, served on
//! loopback) traded for a local token of the user its `user_claim` names.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwk::Jwk;
use josekit::jws::HS256;
use serde_json::{Value, json};

use crate::helpers::assertions::{assertion, assertion_by, signing_key};
use crate::helpers::exchange::{JWT, ORDERS};
use crate::helpers::jwe::KeyServer;
use crate::helpers::oauth::{assert_error, jwt_parts};
use crate::helpers::{TestApp, TestClient};

const PARTNER: &str = "https://idp.partner.example";
const AUD: &str = "https://sigil.example/partners";

struct Federated {
    app: TestApp,
    gateway: TestClient,
    key: Jwk,
    public: Value,
    bob: String,
    server: KeyServer,
}

async fn setup() -> Federated {
    let app = TestApp::spawn().await;
    let bob = app.create_user("bob", "bob's long password", &[]).await;
    app.create_user("root", "root's long password", &["admin"])
        .await;
    app.create_resource(json!({"identifier": ORDERS, "scope": "orders:read orders:write"}))
        .await;
    let (public, key) = signing_key("p1");
    let server = KeyServer::with_keys(vec![public.clone()]).await;
    let metadata = json!({"issuer": PARTNER, "jwks_uri": server.url, "audience": AUD,
                          "user_claim": "email"});
    let out = app.run_cli(
        &["trusted-issuer", "create", "--metadata-file", "-"],
        &metadata.to_string(),
    );
    assert!(out.status.success(), "{out:?}");
    let gateway = app
        .exchange_client(
            "orders:read orders:write",
            Some(json!({"delegation": true})),
        )
        .await;
    Federated {
        app,
        gateway,
        key,
        public,
        bob,
        server,
    }
}

impl Federated {
    fn claims(&self, email: &str) -> Value {
        let now = self.app.state.clock.now();
        json!({"iss": PARTNER, "aud": AUD, "sub": "partner-user-7", "email": email,
               "iat": now, "exp": now + 600})
    }

    async fn exchange(&self, token: &str, extra: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("subject_token", token), ("subject_token_type", JWT)];
        form.extend_from_slice(extra);
        self.app.exchange_as(&self.gateway, &form).await
    }
}

fn unsigned(header: Value, claims: &Value) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.", part(&header), part(claims))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trusted_issuers_jwt_becomes_a_local_token_for_the_mapped_user() {
    let f = setup().await;
    let partner = assertion(&f.key, f.claims("bob@example.com"));
    let res = f
        .exchange(&partner, &[("resource", ORDERS), ("scope", "orders:read")])
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let (_, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(claims["sub"], f.bob);
    assert_eq!(claims["aud"], ORDERS);
    assert_eq!(claims["scope"], "orders:read");
    assert_eq!(claims["client_id"], f.gateway.id);
    assert_eq!(claims["iss"], f.app.state.settings.issuer);
    assert!(claims["exp"].as_i64() <= f.claims("x")["exp"].as_i64());
    let seen = f
        .app
        .introspect_as(
            &f.gateway.id,
            f.gateway.secret.as_deref().unwrap(),
            &[("token", body["access_token"].as_str().unwrap())],
        )
        .await;
    let seen: Value = seen.json().await.unwrap();
    assert_eq!(seen["active"], true);
    let out = f.app.run_cli(&["audit", "--actor", &f.gateway.id], "");
    let audit = String::from_utf8_lossy(&out.stdout);
    let row: Value = audit
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|r| r["action"] == "token.exchange")
        .expect("an audit row for the exchange");
    assert_eq!(row["subject"], f.bob);
    assert_eq!(row["detail"]["subject_issuer"], PARTNER);
    assert_eq!(row["detail"]["jti"], claims["jti"]);
    assert!(!audit.contains(&partner) && !audit.contains(partner.split('.').nth(2).unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_foreign_token_is_invalid_grant_and_fast() {
    let f = setup().await;
    let good = f.claims("bob@example.com");
    let (_, stranger) = signing_key("p1");
    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!("https://elsewhere.example/");
    let mut untrusted = good.clone();
    untrusted["iss"] = json!("https://idp.stranger.example");
    let mut expired = good.clone();
    expired["exp"] = json!(f.app.state.clock.now() - 120);
    let public_bytes = f.public.to_string();
    let hs256 = assertion_by(
        &HS256.signer_from_bytes(public_bytes.as_bytes()).unwrap(),
        &f.key,
        good.clone(),
    );
    let cases = [
        ("bad signature", assertion(&stranger, good.clone())),
        ("wrong aud", assertion(&f.key, wrong_aud)),
        (
            "alg none",
            unsigned(json!({"alg": "none", "kid": "p1"}), &good),
        ),
        ("HS256", hs256),
        ("untrusted issuer", assertion(&f.key, untrusted)),
        ("expired", assertion(&f.key, expired)),
        (
            "unmapped user",
            assertion(&f.key, f.claims("nobody@example.com")),
        ),
        (
            "admin user",
            assertion(&f.key, f.claims("root@example.com")),
        ),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (case, token) in cases {
        let started = Instant::now();
        let body = assert_error(f.exchange(&token, &[]).await, 400, "invalid_grant").await;
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{case} took {:?}",
            started.elapsed()
        );
        assert!(
            !body["error_description"].as_str().unwrap().is_empty(),
            "{case}"
        );
    }
    // One fetch by `trusted-issuer create`, one by the server; refusals fetch nothing more.
    assert_eq!(f.server.hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn may_act_in_a_foreign_token_admits_only_the_actor_it_names() {
    let f = setup().await;
    let mut named = f.claims("bob@example.com");
    named["may_act"] = json!({"client_id": f.gateway.id});
    let mut other = f.claims("bob@example.com");
    other["may_act"] = json!({"sub": "someone-else"});
    // Without an actor the requesting client is the actor.
    let ok = f.exchange(&assertion(&f.key, named.clone()), &[]).await;
    assert_eq!(ok.status(), 200);
    let refused = f.exchange(&assertion(&f.key, other.clone()), &[]).await;
    let body = assert_error(refused, 400, "invalid_grant").await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("may_act")
    );
    // With an actor token, may_act must name that actor.
    let actor = f.app.service_token(&f.gateway, &[]).await;
    let actor = actor["access_token"].as_str().unwrap();
    let with_actor = [
        ("actor_token", actor),
        (
            "actor_token_type",
            "urn:ietf:params:oauth:token-type:access_token",
        ),
    ];
    let refused = f.exchange(&assertion(&f.key, other), &with_actor).await;
    assert_error(refused, 400, "invalid_grant").await;
    let res = f.exchange(&assertion(&f.key, named), &with_actor).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let (_, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(claims["sub"], f.bob);
    assert_eq!(
        claims["act"],
        json!({"sub": f.gateway.id, "client_id": f.gateway.id})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_user_is_never_the_mapped_user() {
    let f = setup().await;
    let manager = sigil::manage::Manager::from_state(&f.app.state);
    let edit = sigil::manage::Edit {
        precondition: sigil::manage::Precondition::Any,
        change: sigil::manage::Change::Merge(json!({"disabled": true})),
    };
    let actor = sigil::manage::Actor::new("admin-sub");
    manager.update_user(&actor, &f.bob, edit).await.unwrap();
    let partner = assertion(&f.key, f.claims("bob@example.com"));
    let res = f
        .exchange(&partner, &[("resource", ORDERS), ("scope", "orders:read")])
        .await;
    assert_error(res, 400, "invalid_grant").await;
}
