//! Claims, the user claim, key availability, and the lookup through the cache.

use super::*;

#[tokio::test]
async fn registered_claims_are_checked_with_the_leeway() {
    let t = TestIssuer::new();
    let with = |member: &str, value: Value| {
        let mut c = t.claims();
        c[member] = value;
        t.es256(c)
    };
    assert_eq!(
        claim_refused(t.check(&with("aud", json!("other"))).await),
        "aud"
    );
    let no_aud = {
        let mut c = t.claims();
        c.as_object_mut().map(|o| o.remove("aud"));
        t.es256(c)
    };
    assert_eq!(claim_refused(t.check(&no_aud).await), "aud");
    // Signed by the issuer's key, yet naming another issuer.
    assert_eq!(
        claim_refused(t.check(&with("iss", json!("https://other.example"))).await),
        "iss"
    );
    assert_eq!(
        claim_refused(t.check(&with("exp", json!(NOW - 61))).await),
        "exp"
    );
    assert!(
        t.check(&with("exp", json!(NOW - 59))).await.is_ok(),
        "within leeway"
    );
    let no_exp = {
        let mut c = t.claims();
        c.as_object_mut().map(|o| o.remove("exp"));
        t.es256(c)
    };
    assert_eq!(claim_refused(t.check(&no_exp).await), "exp");
    assert_eq!(
        claim_refused(t.check(&with("nbf", json!(NOW + 120))).await),
        "nbf"
    );
}

#[tokio::test]
async fn the_user_claim_must_be_a_non_empty_string() {
    let t = TestIssuer::new();
    for value in [
        json!(""),
        json!("  "),
        json!(42),
        json!(["ada"]),
        Value::Null,
    ] {
        let mut c = t.claims();
        c["email"] = value.clone();
        assert_eq!(
            reason(t.check(&t.es256(c)).await),
            Reason::UserClaim("email".into()),
            "{value}"
        );
    }
    let mut c = t.claims();
    c.as_object_mut().map(|o| o.remove("email"));
    assert_eq!(
        reason(t.check(&t.es256(c)).await),
        Reason::UserClaim("email".into())
    );
}

#[tokio::test]
async fn an_unreachable_jwks_uri_is_unavailable_not_invalid() {
    let mut t = TestIssuer::new();
    t.issuer.metadata.jwks = None;
    t.issuer.metadata.jwks_uri = Some("http://127.0.0.1:1/jwks".into());
    match t.check(&t.es256(t.claims())).await {
        Err(e @ Refusal::Unavailable { .. }) => {
            assert!(e.detail().contains("ti-1"), "{}", e.detail());
        }
        other => panic!("{other:?}"),
    }
}

/// A store on an empty database (never migrated): any query through it fails.
fn unmigrated() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(dir.path().join("empty.db"));
    let store = Store::connect(&url, 1).unwrap();
    (dir, store)
}

#[tokio::test]
async fn verify_finds_a_cached_issuer_without_the_store_and_refuses_with_one_text() {
    let t = TestIssuer::new();
    let (_dir, store) = unmigrated();
    let cache = TtlCache::default();
    cache.put(ISS, Arc::new(t.issuer.clone()));
    let keys = sources();
    let token = t.es256(t.claims());
    for _ in 0..3 {
        let found = verify(&store, &cache, &keys, &token, NOW).await.unwrap();
        assert_eq!(found.user, "ada@example.org");
    }
    let mut wrong_aud = t.claims();
    wrong_aud["aud"] = json!("x");
    let no_iss = format!(
        "{}.{}.",
        b64(&json!({"alg": "ES256"})),
        b64(&json!({"sub": "a"}))
    );
    let refusals = [
        ("x".repeat(MAX_TOKEN_BYTES + 1), Reason::TooLarge),
        (
            "not.a.jwt".into(),
            Reason::Malformed(VerifyError::Malformed("header is not base64url".into())),
        ),
        (no_iss, Reason::NoIssuer),
        (
            t.es256(wrong_aud),
            Reason::Claims(VerifyError::Claim {
                claim: "aud",
                problem: "does not name the expected audience".into(),
            }),
        ),
    ];
    for (token, expected) in refusals {
        let refused = verify(&store, &cache, &keys, &token, NOW)
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "the subject token is not a valid token of a trusted issuer"
        );
        assert_eq!(refused.detail(), expected.to_string());
        assert_eq!(reason(Err(refused)), expected);
    }
    let mut other = t.claims();
    other["iss"] = json!("https://unknown.example");
    assert!(
        matches!(
            verify(&store, &cache, &keys, &t.es256(other), NOW).await,
            Err(Refusal::Store(_))
        ),
        "an uncached issuer is looked up in the store"
    );
}
