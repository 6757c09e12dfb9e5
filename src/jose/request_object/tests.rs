use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::ES256;
use serde_json::json;

use super::*;
use crate::jose::keys::signer_for_tests;
use crate::jose::sign::sign_bytes;

const NOW: i64 = 1_000_000;

fn expect(signing: Signing) -> Expect<'static> {
    Expect {
        client_id: "c1",
        issuer: "https://op.example",
        now: NOW,
        signing,
        encryption: None,
    }
}

fn claims() -> Value {
    json!({"iss": "c1", "aud": "https://op.example", "exp": NOW + 300, "iat": NOW,
        "jti": "j1", "client_id": "c1", "state": "s"})
}

fn client() -> (ClientKeys, crate::jose::SigningKey) {
    let pair = ES256.generate_key_pair().unwrap();
    let mut private = pair.to_jwk_private_key();
    private.set_key_id("k1");
    let mut public = pair.to_jwk_public_key();
    public.set_key_id("k1");
    let set = json!({"keys": [Value::Object(public.as_ref().clone())]});
    (
        ClientKeys::parse(&set).unwrap(),
        signer_for_tests(SigningAlg::ES256, &private),
    )
}

fn signed(key: &crate::jose::SigningKey, claims: &Value, typ: &str) -> String {
    sign_bytes(claims.to_string().as_bytes(), typ, key).unwrap()
}

fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

fn refusal(r: Result<RequestObject, RequestObjectError>) -> String {
    match r {
        Err(RequestObjectError::Refused(why)) => why,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn a_signed_object_is_accepted_with_either_typ_and_its_claims_returned() {
    let (keys, key) = client();
    for typ in ["oauth-authz-req+jwt", "JWT"] {
        let object = verify(
            &signed(&key, &claims(), typ),
            Some(&keys),
            &expect(Signing::Any),
        )
        .unwrap();
        assert_eq!(object.jti, "j1");
        assert_eq!(object.claims["state"], "s");
    }
    let why = refusal(verify(
        &signed(&key, &claims(), "at+jwt"),
        Some(&keys),
        &expect(Signing::Any),
    ));
    assert!(why.contains("typ"), "{why}");
    let only_rs = expect(Signing::Only(SigningAlg::RS256));
    let why = refusal(verify(
        &signed(&key, &claims(), "JWT"),
        Some(&keys),
        &only_rs,
    ));
    assert!(why.contains("algorithm"), "{why}");
}

#[test]
fn none_is_accepted_only_from_a_client_that_registered_none() {
    let (keys, key) = client();
    let why = refusal(verify(
        &unsigned(&claims()),
        Some(&keys),
        &expect(Signing::Any),
    ));
    assert!(why.contains("unsigned"), "{why}");
    let why = refusal(verify(
        &unsigned(&claims()),
        Some(&keys),
        &expect(Signing::Only(SigningAlg::ES256)),
    ));
    assert!(why.contains("unsigned"), "{why}");
    assert!(verify(&unsigned(&claims()), None, &expect(Signing::Unsigned)).is_ok());
    let why = refusal(verify(
        &signed(&key, &claims(), "JWT"),
        Some(&keys),
        &expect(Signing::Unsigned),
    ));
    assert!(why.contains("none"), "{why}");
}

#[test]
fn registered_claims_are_checked() {
    let (keys, key) = client();
    let cases = [
        ("aud", json!("https://other.example"), "aud"),
        ("iss", json!("c2"), "iss"),
        ("exp", json!(NOW - 61), "exp"),
        ("exp", json!(NOW + 3600 + 61), "an hour"),
        ("nbf", json!(NOW + 61), "nbf"),
        ("client_id", json!("c2"), "client_id"),
        ("jti", json!(""), "jti"),
        ("request", json!("x.y.z"), "another"),
    ];
    for (claim, value, needle) in cases {
        let mut c = claims();
        c[claim] = value;
        let why = refusal(verify(
            &signed(&key, &c, "JWT"),
            Some(&keys),
            &expect(Signing::Any),
        ));
        assert!(why.contains(needle), "{claim}: {why}");
    }
    let mut c = claims();
    c.as_object_mut().unwrap().remove("exp");
    let why = refusal(verify(
        &signed(&key, &c, "JWT"),
        Some(&keys),
        &expect(Signing::Any),
    ));
    assert!(why.contains("exp"), "{why}");
}

#[test]
fn a_key_the_client_lacks_is_told_apart_for_one_refetch() {
    let (keys, _) = client();
    let pair = ES256.generate_key_pair().unwrap();
    let mut private = pair.to_jwk_private_key();
    private.set_key_id("k9");
    let stranger = signer_for_tests(SigningAlg::ES256, &private);
    let token = signed(&stranger, &claims(), "JWT");
    let got = verify(&token, Some(&keys), &expect(Signing::Any));
    assert!(
        matches!(got, Err(RequestObjectError::UnknownKey(_))),
        "{got:?}"
    );
}
