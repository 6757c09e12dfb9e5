//! Signatures: the issuer's keys and sigil's asymmetric allowlist, nothing from the header.

use super::*;

#[tokio::test]
async fn a_valid_token_of_either_key_is_a_foreign_token() {
    let t = TestIssuer::new();
    let found = t.check(&t.es256(t.claims())).await.unwrap();
    assert_eq!(found.issuer_id, "ti-1");
    assert_eq!(found.issuer, ISS);
    assert_eq!(found.user, "ada@example.org");
    assert_eq!(found.exp, NOW + 300);
    assert_eq!(found.claims["sub"], "u-17");

    let rs = sign(
        &RS256.signer_from_jwk(&t.rs).unwrap(),
        header("rs"),
        t.claims(),
    );
    assert_eq!(t.check(&rs).await.unwrap().user, "ada@example.org");
    let mut no_kid = JwsHeader::new();
    no_kid.set_token_type("at+jwt");
    let es = ES256.signer_from_jwk(&t.es).unwrap();
    assert!(t.check(&sign(&es, no_kid, t.claims())).await.is_ok());
    let mut aud_list = t.claims();
    aud_list["aud"] = json!(["other", AUD]);
    assert!(t.check(&t.es256(aud_list)).await.is_ok());
}

#[tokio::test]
async fn a_bad_signature_or_a_stranger_key_is_refused() {
    let t = TestIssuer::new();
    let token = t.es256(t.claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut forged = t.claims();
    forged["email"] = json!("root@example.org");
    let tampered = format!("{}.{}.{}", parts[0], b64(&forged), parts[2]);
    assert_eq!(
        reason(t.check(&tampered).await),
        Reason::Signature(VerifyError::Signature)
    );
    let stranger = with_kid(
        ES256.generate_key_pair().unwrap().to_jwk_private_key(),
        "es",
    );
    let by_stranger = sign(
        &ES256.signer_from_jwk(&stranger).unwrap(),
        header("es"),
        t.claims(),
    );
    assert_eq!(
        reason(t.check(&by_stranger).await),
        Reason::Signature(VerifyError::Signature)
    );
    let unknown = sign(
        &ES256.signer_from_jwk(&es256_pair("zz").0).unwrap(),
        header("zz"),
        t.claims(),
    );
    assert_eq!(
        reason(t.check(&unknown).await),
        Reason::Signature(VerifyError::UnknownKey("zz".into()))
    );
}

#[tokio::test]
async fn an_embedded_jwk_is_never_a_key_source() {
    let t = TestIssuer::new();
    let attacker = ES256.generate_key_pair().unwrap();
    let signer = ES256
        .signer_from_jwk(&attacker.to_jwk_private_key())
        .unwrap();
    for kid in [None, Some("es")] {
        let mut h = JwsHeader::new();
        h.set_jwk(attacker.to_jwk_public_key());
        h.set_jwk_set_url("https://attacker.example/jwks");
        if let Some(kid) = kid {
            h.set_key_id(kid);
        }
        let token = sign(&signer, h, t.claims());
        assert_eq!(
            reason(t.check(&token).await),
            Reason::Signature(VerifyError::Signature),
            "kid {kid:?}"
        );
    }
}

#[tokio::test]
async fn none_and_hmac_algorithms_are_refused() {
    let t = TestIssuer::new();
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "kid": "es"})),
        b64(&t.claims())
    );
    assert_eq!(
        reason(t.check(&none).await),
        Reason::Signature(VerifyError::Algorithm("none".into()))
    );
    // HS256 keyed with the issuer's public key: the classic algorithm confusion.
    let secret = serde_json::to_vec(&t.rs_public).unwrap();
    let input = format!(
        "{}.{}",
        b64(&json!({"alg": "HS256", "kid": "rs", "typ": "JWT"})),
        b64(&t.claims())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret).unwrap();
    mac.update(input.as_bytes());
    let hs = format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    );
    assert_eq!(
        reason(t.check(&hs).await),
        Reason::Signature(VerifyError::Algorithm("HS256".into()))
    );
}

#[tokio::test]
async fn tokens_that_authorize_nothing_or_demand_unknown_headers_are_refused() {
    let t = TestIssuer::new();
    let es = ES256.signer_from_jwk(&t.es).unwrap();
    let mut logout = header("es");
    logout.set_token_type("logout+jwt");
    assert_eq!(
        reason(t.check(&sign(&es, logout, t.claims())).await),
        Reason::Kind("logout+jwt".into())
    );
    let mut crit = header("es");
    crit.set_critical(&vec!["x-demand"]);
    crit.set_claim("x-demand", Some(json!(true))).unwrap();
    assert!(matches!(
        reason(t.check(&sign(&es, crit, t.claims())).await),
        Reason::Signature(_)
    ));
}
