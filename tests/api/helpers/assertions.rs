//! Helpers for `private_key_jwt` (RFC 7523): clients with keys of their own, and assertions.

use josekit::jwk::Jwk;
use josekit::jws::{ES256, JwsHeader, JwsSigner};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Value, json};

use super::oauth::code_form;
use super::{TestApp, TestClient};

/// A `private_key_jwt` client and the key it signs with.
pub struct JwtClient {
    /// The client.
    pub client: TestClient,
    /// Its private key.
    pub key: Jwk,
}

impl TestApp {
    /// A `private_key_jwt` client with a fresh ES256 key.
    pub async fn jwt_client(&self) -> JwtClient {
        let pair = ES256.generate_key_pair().unwrap();
        let mut public = pair.to_jwk_public_key();
        public.set_algorithm("ES256");
        public.set_key_use("sig");
        self.jwt_client_with(public, pair.to_jwk_private_key(), json!({}))
            .await
    }

    /// A `private_key_jwt` client registered with `public` (given kid `client-key-1`) and
    /// `extra` metadata members.
    pub async fn jwt_client_with(
        &self,
        mut public: Jwk,
        mut private: Jwk,
        extra: Value,
    ) -> JwtClient {
        public.set_key_id("client-key-1");
        private.set_key_id("client-key-1");
        let mut metadata = json!({
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "scope": "openid",
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [Value::from(public.as_ref().clone())]},
        });
        for (k, v) in extra.as_object().unwrap() {
            metadata[k] = v.clone();
        }
        let client = self.create_client(metadata).await;
        assert!(client.secret.is_none());
        JwtClient {
            client,
            key: private,
        }
    }

    /// Registered assertion claims for `client_id` and `aud`, expiring `exp_in` seconds from now.
    pub fn assertion_claims(&self, client_id: &str, aud: &str, exp_in: i64) -> Value {
        let now = self.state.clock.now();
        json!({
            "iss": client_id,
            "sub": client_id,
            "aud": aud,
            "iat": now,
            "exp": now + exp_in,
            "jti": sigil::secrets::random_token(16),
        })
    }

    /// Redeems `code` authenticating with the assertion `jwt`.
    pub async fn send_assertion(
        &self,
        client: &TestClient,
        code: &str,
        verifier: &str,
        jwt: &str,
    ) -> reqwest::Response {
        let mut form = code_form(client, code, verifier);
        form.extend([
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", jwt),
        ]);
        self.token_request().form(&form).send().await.unwrap()
    }
}

/// An ES256 assertion signed with `key`.
pub fn assertion(key: &Jwk, claims: Value) -> String {
    assertion_by(&ES256.signer_from_jwk(key).unwrap(), key, claims)
}

/// A fresh ES256 signing key named `kid`: its public JWK as JSON, and the private JWK.
pub fn signing_key(kid: &str) -> (Value, Jwk) {
    let pair = ES256.generate_key_pair().unwrap();
    let (mut public, mut private) = (pair.to_jwk_public_key(), pair.to_jwk_private_key());
    for jwk in [&mut public, &mut private] {
        jwk.set_key_id(kid);
        jwk.set_algorithm("ES256");
    }
    (Value::Object(public.as_ref().clone()), private)
}

/// An assertion signed by `signer`, with the `kid` of `key`.
pub fn assertion_by(signer: &dyn JwsSigner, key: &Jwk, claims: Value) -> String {
    let mut header = JwsHeader::new();
    header.set_token_type("JWT");
    if let Some(kid) = key.key_id() {
        header.set_key_id(kid);
    }
    let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
    jwt::encode_with_signer(&payload, &header, signer).unwrap()
}
