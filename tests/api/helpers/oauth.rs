//! Helpers for the token and userinfo tests: codes, token requests, error bodies, JWTs.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::JsonWebKey;
use openidconnect::core::{CoreJsonWebKeySet, CoreJwsSigningAlgorithm};
use serde_json::Value;

use super::{TestApp, TestClient, location_params, pkce_pair};

/// The user every flow here signs in as.
pub const USER: &str = "ada";
/// Their password.
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// Creates [`USER`] with `roles`.
    pub async fn create_ada(&self, roles: &[&str]) -> String {
        self.create_user(USER, PASSWORD, roles).await
    }

    /// Signs [`USER`] in for `client` with `scope` (and `extra` parameters); returns
    /// (code, PKCE verifier).
    pub async fn code_for(
        &self,
        client: &TestClient,
        scope: &str,
        extra: &[(&str, &str)],
    ) -> (String, String) {
        let (verifier, challenge) = pkce_pair();
        let res = self
            .browser_flow_with(client, scope, &challenge, extra, (USER, PASSWORD))
            .await;
        let params = location_params(&res);
        let code = params
            .get("code")
            .unwrap_or_else(|| panic!("no code in {params:?}"))
            .clone();
        (code, verifier)
    }

    /// The token response for a fresh code of `client` with `scope`, checked to be 200.
    pub async fn tokens_for(
        &self,
        client: &TestClient,
        scope: &str,
        extra: &[(&str, &str)],
    ) -> Value {
        let (code, verifier) = self.code_for(client, scope, extra).await;
        let res = self.redeem(client, &code, &verifier).await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// A POST to `/token`, to finish with a body and credentials.
    pub fn token_request(&self) -> reqwest::RequestBuilder {
        self.http.post(format!("{}/token", self.address))
    }
}

/// The authorization-code form for `code`.
pub fn code_form<'a>(
    client: &'a TestClient,
    code: &'a str,
    verifier: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("code_verifier", verifier),
    ]
}

/// Asserts an RFC 6749 §5.2 error: status, `error` code, JSON, `Cache-Control: no-store`.
/// Returns the body.
pub async fn assert_error(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status(), status, "status");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let content_type = res.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], code, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
    body
}

/// A compact JWS's header and claims, unverified.
pub fn jwt_parts(token: &str) -> (Value, Value) {
    let part = |i: usize| -> Value {
        let text = token.split('.').nth(i).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).unwrap()).unwrap()
    };
    (part(0), part(1))
}

/// Verifies a compact JWS against a JWKS with the `openidconnect` crate's own key code.
pub fn verifies_against(jwks: &Value, token: &str) -> bool {
    let set: CoreJsonWebKeySet = serde_json::from_value(jwks.clone()).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let alg: CoreJwsSigningAlgorithm = serde_json::from_value(header["alg"].clone()).unwrap();
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let message = format!("{}.{}", parts[0], parts[1]);
    set.keys().iter().any(|key| {
        key.key_id().map(|k| k.as_str()) == header["kid"].as_str()
            && key
                .verify_signature(&alg, message.as_bytes(), &signature)
                .is_ok()
    })
}
