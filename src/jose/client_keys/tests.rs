use josekit::jwe::{ECDH_ES, RSA_OAEP};
use josekit::jwk::alg::ec::EcCurve;
use josekit::jws::ES256;
use serde_json::json;

use super::*;
use crate::jose::sign::sign_bytes;

fn public(mut jwk: Jwk, kid: &str, usage: Option<&str>) -> Value {
    jwk.set_key_id(kid);
    if let Some(u) = usage {
        jwk.set_key_use(u);
    }
    serde_json::to_value(jwk.as_ref()).unwrap()
}

#[test]
fn keys_serve_by_use_key_type_and_alg_member() {
    let rsa = RSA_OAEP.generate_key_pair(2048).unwrap();
    let mut rsa_public = rsa.to_jwk_public_key();
    rsa_public.set_algorithm("RSA-OAEP-256");
    let ec_sig = ES256.generate_key_pair().unwrap().to_jwk_public_key();
    let set = json!({"keys": [
        public(rsa_public, "rsa-enc", Some("enc")),
        public(ec_sig, "ec-sig", Some("sig")),
    ]});
    let keys = ClientKeys::parse(&set).unwrap();
    assert_eq!(
        keys.recipient(KeyAlg::RsaOaep256).unwrap().kid(),
        Some("rsa-enc")
    );
    assert!(
        keys.recipient(KeyAlg::RsaOaep).is_none(),
        "alg member restricts the key"
    );
    assert!(
        keys.recipient(KeyAlg::EcdhEs).is_none(),
        "a sig key receives nothing"
    );
    assert!(keys.can_verify(SigningAlg::ES256));
    assert!(
        !keys.can_verify(SigningAlg::RS256),
        "an enc key verifies nothing"
    );
    assert!(keys.has_kid("ec-sig") && !keys.has_kid("other"));

    let ec = ECDH_ES.generate_ec_key_pair(EcCurve::P384).unwrap();
    let mut map = ec.to_jwk_public_key().as_ref().clone();
    map.remove("alg");
    let keys = ClientKeys::parse(&json!({"keys": [Value::Object(map)]})).unwrap();
    for alg in [KeyAlg::EcdhEs, KeyAlg::EcdhEsA128kw, KeyAlg::EcdhEsA256kw] {
        assert!(keys.recipient(alg).is_some(), "{alg}");
    }
    assert!(
        !keys.can_verify(SigningAlg::ES256),
        "a P-384 key signs no ES256"
    );
}

#[test]
fn invalid_keys_are_errors_that_name_the_key() {
    let cases = [
        json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA"}]}),
        json!({"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}),
        json!({"keys": "nope"}),
        json!({"keys": [7]}),
    ];
    for case in cases {
        assert!(ClientKeys::parse(&case).is_err(), "{case}");
    }
    let n = URL_SAFE_NO_PAD.encode([0xc5u8; 128]);
    let set = json!({"keys": [{"kty": "RSA", "n": n, "e": "AQAB", "kid": "s"}]});
    let err = ClientKeys::parse(&set).unwrap_err();
    assert!(err.0.contains("keys[0]") && err.0.contains("2048"), "{err}");
    let odd_use = public(
        ES256.generate_key_pair().unwrap().to_jwk_public_key(),
        "k",
        Some("wrap"),
    );
    let err = ClientKeys::parse(&json!({"keys": [odd_use]})).unwrap_err();
    assert!(err.0.contains("use"), "{err}");
}

#[test]
fn verification_takes_the_key_by_kid_and_tells_an_unknown_kid_apart() {
    let pair = ES256.generate_key_pair().unwrap();
    let mut private = pair.to_jwk_private_key();
    private.set_key_id("a");
    let set = json!({"keys": [public(pair.to_jwk_public_key(), "a", None)]});
    let keys = ClientKeys::parse(&set).unwrap();
    let signer = crate::jose::keys::signer_for_tests(SigningAlg::ES256, &private);
    let token = sign_bytes(b"{\"sub\":\"x\"}", "JWT", &signer).unwrap();
    assert!(keys.verify(&token, &Policy::default()).is_ok());
    let only_rs = Policy {
        algs: vec![SigningAlg::RS256],
    };
    assert!(matches!(
        keys.verify(&token, &only_rs),
        Err(VerifyError::Algorithm(_))
    ));
    let other = ES256.generate_key_pair().unwrap();
    let mut other_private = other.to_jwk_private_key();
    other_private.set_key_id("b");
    let signer = crate::jose::keys::signer_for_tests(SigningAlg::ES256, &other_private);
    let token = sign_bytes(b"{}", "JWT", &signer).unwrap();
    assert!(matches!(
        keys.verify(&token, &Policy::default()),
        Err(VerifyError::UnknownKey(_))
    ));
    other_private.set_key_id("a");
    let signer = crate::jose::keys::signer_for_tests(SigningAlg::ES256, &other_private);
    let token = sign_bytes(b"{}", "JWT", &signer).unwrap();
    assert_eq!(
        keys.verify(&token, &Policy::default()),
        Err(VerifyError::Signature)
    );
}
