use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use josekit::jwk::Jwk;
use josekit::jws::{ES256, JwsHeader, JwsSigner, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::json;
use sha2::Sha256;

use super::verify::check;
use super::*;
use crate::cache::TtlCache;
use crate::config::DatabaseUrl;
use crate::domain::trusted_issuer::TrustedIssuerMetadata;
use crate::jose::verify::VerifyError;
use crate::store::Store;

mod claims;
mod signatures;

const ISS: &str = "https://idp.example";
const AUD: &str = "https://sigil.example/";
const NOW: i64 = 1_700_000_000;

/// An external issuer with an ES256 key (`kid` "es") and an RS256 key (`kid` "rs").
struct TestIssuer {
    es: Jwk,
    rs: Jwk,
    rs_public: Value,
    issuer: TrustedIssuer,
}

/// A key pair's private JWK, and its public JWK with `kid`, `alg` and `use: sig`.
fn pair(private: Jwk, public: Jwk, kid: &str, alg: &str) -> (Jwk, Value) {
    let mut public = public;
    public.set_key_id(kid);
    public.set_algorithm(alg);
    public.set_key_use("sig");
    (
        with_kid(private, kid),
        Value::Object(public.as_ref().clone()),
    )
}

fn es256_pair(kid: &str) -> (Jwk, Value) {
    let p = ES256.generate_key_pair().unwrap();
    pair(p.to_jwk_private_key(), p.to_jwk_public_key(), kid, "ES256")
}

fn with_kid(mut jwk: Jwk, kid: &str) -> Jwk {
    jwk.set_key_id(kid);
    jwk
}

impl TestIssuer {
    fn new() -> Self {
        let (es, es_public) = es256_pair("es");
        let p = RS256.generate_key_pair(2048).unwrap();
        let (rs, rs_public) = pair(p.to_jwk_private_key(), p.to_jwk_public_key(), "rs", "RS256");
        let metadata = TrustedIssuerMetadata::from_value(json!({
            "issuer": ISS,
            "jwks": {"keys": [es_public, rs_public.clone()]},
            "audience": AUD,
            "user_claim": "email",
        }))
        .unwrap();
        Self {
            es,
            rs,
            rs_public,
            issuer: TrustedIssuer {
                id: "ti-1".into(),
                metadata,
                created_at: 0,
            },
        }
    }

    fn claims(&self) -> Value {
        json!({"iss": ISS, "aud": AUD, "sub": "u-17", "email": "ada@example.org",
               "iat": NOW, "exp": NOW + 300})
    }

    fn es256(&self, claims: Value) -> String {
        sign(
            &ES256.signer_from_jwk(&self.es).unwrap(),
            header("es"),
            claims,
        )
    }

    async fn check(&self, token: &str) -> Result<ForeignToken, Refusal> {
        check(&self.issuer, &sources(), token, NOW).await
    }
}

fn header(kid: &str) -> JwsHeader {
    let mut header = JwsHeader::new();
    header.set_token_type("JWT");
    header.set_key_id(kid);
    header
}

fn sign(signer: &dyn JwsSigner, header: JwsHeader, claims: Value) -> String {
    let payload = JwtPayload::from_map(claims.as_object().unwrap().clone()).unwrap();
    jwt::encode_with_signer(&payload, &header, signer).unwrap()
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn sources() -> KeySources {
    KeySources::new().unwrap()
}

fn reason(result: Result<ForeignToken, Refusal>) -> Reason {
    match result {
        Err(Refusal::Invalid { reason }) => reason,
        other => panic!("not refused as invalid: {other:?}"),
    }
}

fn claim_refused(result: Result<ForeignToken, Refusal>) -> &'static str {
    match reason(result) {
        Reason::Claims(VerifyError::Claim { claim, .. }) => claim,
        other => panic!("not a claim refusal: {other:?}"),
    }
}

#[test]
fn keys_must_include_a_signing_key() {
    let t = TestIssuer::new();
    assert!(check_keys(&json!({"keys": [es256_pair("es").1]})).is_ok());
    let mut enc = t.rs_public.clone();
    enc["use"] = json!("enc");
    enc["alg"] = json!("RSA-OAEP-256");
    let err = check_keys(&json!({"keys": [enc]})).unwrap_err().to_string();
    assert!(
        err.contains("no key sigil can verify signatures with"),
        "{err}"
    );
    let err = check_keys(&json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "AA"}]}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("jwks.keys[0]"), "{err}");
}

#[test]
fn own_issuer_matches_with_or_without_a_trailing_slash() {
    assert!(same_issuer(
        "https://sigil.example",
        "https://sigil.example/"
    ));
    assert!(same_issuer(
        "https://sigil.example/",
        "https://sigil.example"
    ));
    assert!(!same_issuer(
        "https://sigil.example/a",
        "https://sigil.example"
    ));
}

#[test]
fn to_json_has_id_created_at_and_the_metadata() {
    let t = TestIssuer::new();
    let out = t.issuer.to_json();
    assert_eq!(out["id"], "ti-1");
    assert_eq!(out["created_at"], 0);
    assert_eq!(out["issuer"], ISS);
    assert_eq!(out["audience"], AUD);
    assert_eq!(out["user_claim"], "email");
    assert_eq!(out["jwks"]["keys"].as_array().map(Vec::len), Some(2));
    assert!(out.get("jwks_uri").is_none());
}
