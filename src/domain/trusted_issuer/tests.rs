use serde_json::json;

use super::*;

fn parse(v: Value) -> Result<TrustedIssuerMetadata, TrustedIssuerMetadataError> {
    TrustedIssuerMetadata::parse(&v.to_string())
}

fn jwks() -> Value {
    json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "BBBB"}]})
}

fn ok() -> Value {
    json!({
        "issuer": "https://idp.example",
        "jwks_uri": "https://idp.example/jwks",
        "audience": "https://sigil.example/",
        "user_claim": "email",
    })
}

fn with(member: &str, value: Value) -> Value {
    let mut m = ok();
    m[member] = value;
    m
}

fn without(member: &str) -> Value {
    let mut m = ok();
    m.as_object_mut().map(|o| o.remove(member));
    m
}

#[test]
fn valid_metadata_round_trips() {
    let m = parse(ok()).unwrap();
    assert_eq!(m.issuer, "https://idp.example");
    assert_eq!(m.jwks_uri.as_deref(), Some("https://idp.example/jwks"));
    assert_eq!(m.jwks, None);
    assert_eq!(m.audience, "https://sigil.example/");
    assert_eq!(m.user_claim, "email");
    assert_eq!(serde_json::to_value(&m).unwrap(), ok());

    let inline = with("jwks", jwks());
    let inline = {
        let mut v = inline;
        v.as_object_mut().map(|o| o.remove("jwks_uri"));
        v
    };
    let m = parse(inline.clone()).unwrap();
    assert_eq!(m.jwks, Some(jwks()));
    assert_eq!(serde_json::to_value(&m).unwrap(), inline);
    assert_eq!(TrustedIssuerMetadata::from_value(inline).unwrap(), m);
}

#[test]
fn loopback_issuers_may_use_http() {
    for issuer in [
        "http://127.0.0.1:9000",
        "http://localhost/realms/x",
        "http://[::1]",
    ] {
        assert!(parse(with("issuer", json!(issuer))).is_ok(), "{issuer}");
    }
}

#[test]
fn bad_metadata_names_the_problem() {
    let both = with("jwks", jwks());
    let cases = [
        (json!([]), "must be a JSON object"),
        (with("extra", json!(1)), "unknown member \"extra\""),
        (without("issuer"), "issuer is required"),
        (with("issuer", json!(7)), "issuer must be a string"),
        (with("issuer", json!("")), "is empty"),
        (with("issuer", json!("idp.example")), "absolute URI"),
        (
            with("issuer", json!("http://idp.example")),
            "must use https",
        ),
        (with("issuer", json!("https://idp.example/#x")), "fragment"),
        (with("issuer", json!("https://idp.example/?a=b")), "query"),
        (
            with("issuer", json!("https://idp.example/ x")),
            "not allowed in a URI",
        ),
        (
            with(
                "issuer",
                json!(format!("https://a.example/{}", "x".repeat(2000))),
            ),
            "longer than 2000",
        ),
        (without("jwks_uri"), "jwks or jwks_uri is required"),
        (both, "mutually exclusive"),
        (
            with("jwks_uri", json!("http://idp.example/jwks")),
            "jwks_uri",
        ),
        (
            with("jwks_uri", json!(["https://a"])),
            "jwks_uri must be a string",
        ),
        (without("audience"), "audience is required"),
        (with("audience", json!("")), "audience must not be empty"),
        (with("audience", json!(["a"])), "audience must be a string"),
        (with("audience", json!(" a")), "whitespace"),
        (without("user_claim"), "user_claim is required"),
        (
            with("user_claim", json!("")),
            "user_claim must not be empty",
        ),
        (
            with("user_claim", json!(true)),
            "user_claim must be a string",
        ),
        (with("user_claim", json!("a\u{7}")), "control characters"),
        (with("user_claim", json!("x".repeat(101))), "at most 100"),
        (with("user_claim", json!("aud")), "cannot name a user"),
    ];
    for (input, needle) in cases {
        let err = parse(input.clone()).expect_err(needle).to_string();
        assert!(
            err.starts_with("invalid_trusted_issuer_metadata: "),
            "{err}"
        );
        assert!(
            err.contains(needle),
            "{needle:?} not in {err:?} for {input}"
        );
    }
}

#[test]
fn jwks_must_be_a_public_key_set() {
    let bad = |set: Value| {
        let mut m = without("jwks_uri");
        m["jwks"] = set;
        parse(m).unwrap_err().to_string()
    };
    assert!(bad(json!([])).contains("\"keys\" array"));
    assert!(bad(json!({"keys": []})).contains("at least one key"));
    let private = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "A", "y": "B", "d": "C"}]});
    assert!(bad(private).contains("private key member"));
}

#[test]
fn duplicate_members_and_bad_json_are_refused() {
    let dup = r#"{"issuer": "https://a.example", "issuer": "https://b.example",
        "jwks_uri": "https://a.example/jwks", "audience": "x", "user_claim": "email"}"#;
    let err = TrustedIssuerMetadata::parse(dup).unwrap_err().to_string();
    assert!(err.contains("more than once"), "{err}");
    let err = TrustedIssuerMetadata::parse("{").unwrap_err().to_string();
    assert!(err.contains("not valid JSON"), "{err}");
}
