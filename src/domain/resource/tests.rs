use serde_json::json;

use super::*;

fn parse(v: Value) -> Result<ResourceMetadata, ResourceMetadataError> {
    ResourceMetadata::parse(&v.to_string())
}

#[test]
fn minimal_metadata_gets_defaults() {
    let m = parse(json!({"identifier": "https://api.example/", "scope": "api:read api:write"}))
        .unwrap();
    assert_eq!(m.identifier, "https://api.example/");
    assert_eq!(m.scope.to_string(), "api:read api:write");
    assert_eq!(m.access_token_lifetime, None);
    assert_eq!(m.access_token_signed_response_alg, SigningAlg::RS256);
    assert!(!m.introspection);
    let out = serde_json::to_value(&m).unwrap();
    assert_eq!(out["access_token_signed_response_alg"], "RS256");
    assert_eq!(out["introspection"], false);
    assert!(out.get("name").is_none());
}

#[test]
fn full_metadata_round_trips() {
    let input = json!({
        "identifier": "urn:example:api",
        "scope": "a b",
        "access_token_lifetime": 600,
        "name": "Example API",
        "access_token_signed_response_alg": "ES256",
        "introspection": true,
    });
    let m = parse(input.clone()).unwrap();
    assert_eq!(m.access_token_signed_response_alg, SigningAlg::ES256);
    assert_eq!(serde_json::to_value(&m).unwrap(), input);
    assert_eq!(ResourceMetadata::from_value(input).unwrap(), m);
}

#[test]
fn bad_metadata_names_the_problem() {
    let ok = || json!({"identifier": "https://api.example/", "scope": "api:read"});
    let with = |k: &str, v: Value| {
        let mut m = ok();
        m[k] = v;
        m
    };
    let cases = [
        (json!([]), "JSON object"),
        (json!({"scope": "a"}), "identifier is required"),
        (json!({"identifier": "https://a/"}), "scope is required"),
        (with("identifier", json!("/relative")), "absolute URI"),
        (with("identifier", json!("https://a/#frag")), "fragment"),
        (with("identifier", json!("https://a/ b")), "spaces"),
        (with("identifier", json!(7)), "identifier must be a string"),
        (with("scope", json!("")), "at least one"),
        (with("scope", json!("a  b")), "scope:"),
        (with("scope", json!("api openid")), "openid"),
        (with("scope", json!("offline_access")), "offline_access"),
        (with("scope", json!(["a"])), "scope must be a string"),
        (with("access_token_lifetime", json!(0)), "1 to 86400"),
        (with("access_token_lifetime", json!(86401)), "1 to 86400"),
        (with("access_token_lifetime", json!(1.5)), "1 to 86400"),
        (with("access_token_lifetime", json!("60")), "number"),
        (with("name", json!("")), "name must be"),
        (
            with("access_token_signed_response_alg", json!("none")),
            "not supported",
        ),
        (
            with("access_token_signed_response_alg", json!("HS256")),
            "not supported",
        ),
        (with("introspection", json!("yes")), "true or false"),
        (with("client_id", json!("x")), "unknown member"),
    ];
    for (input, expected) in cases {
        let err = parse(input.clone()).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid_resource_metadata: "),
            "{err}"
        );
        assert!(err.0.contains(expected), "{input}: {err}");
    }
}

#[test]
fn duplicate_members_and_bad_json_are_refused() {
    let dup = r#"{"identifier": "https://a/", "scope": "a", "scope": "b"}"#;
    assert!(
        ResourceMetadata::parse(dup)
            .unwrap_err()
            .0
            .contains("more than once")
    );
    assert!(
        ResourceMetadata::parse("{")
            .unwrap_err()
            .0
            .contains("not valid JSON")
    );
}
