//! Tests of client metadata parsing; rule-specific tests live in `tests/`.

use serde_json::{Value, json};

use super::parse::KNOWN_FIELDS;
use super::*;
use crate::domain::metadata_error::MetadataErrorCode;

mod full;
mod grants;
mod keys;
mod members;

/// A server that signs but does not encrypt.
const POLICY: MetadataPolicy<'static> = MetadataPolicy {
    signing_algs: &["RS256", "ES256", "EdDSA"],
    encryption_algs: &[],
    encryption_encs: &[],
    request_encryption_algs: &[],
};

/// A server that also encrypts.
const ENC_POLICY: MetadataPolicy<'static> = MetadataPolicy {
    signing_algs: &["RS256", "ES256", "EdDSA"],
    encryption_algs: &["RSA-OAEP-256", "ECDH-ES", "A128KW", "dir"],
    encryption_encs: &["A128CBC-HS256", "A256GCM"],
    request_encryption_algs: &["RSA-OAEP-256"],
};

const CB: &str = "https://app.example.com/cb";

/// A minimal valid registration: one redirect URI.
fn base() -> Value {
    json!({ "redirect_uris": [CB] })
}

/// `base()` with the given members added or replaced.
fn with(extra: Value) -> Value {
    let mut value = base();
    if let (Some(map), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            map.insert(k.clone(), v.clone());
        }
    }
    value
}

fn parse_with(value: Value, policy: &MetadataPolicy<'_>) -> ClientMetadata {
    ClientMetadata::from_value(value.clone(), policy)
        .unwrap_or_else(|e| panic!("{value} should be accepted: {e}"))
}

fn parse(value: Value) -> ClientMetadata {
    parse_with(value, &POLICY)
}

fn error_with(value: Value, policy: &MetadataPolicy<'_>) -> MetadataError {
    match ClientMetadata::from_value(value.clone(), policy) {
        Ok(m) => panic!("{value} should be rejected, got {m:?}"),
        Err(e) => e,
    }
}

/// Asserts an `invalid_client_metadata` error and returns its description.
fn client_error_with(value: Value, policy: &MetadataPolicy<'_>) -> String {
    let e = error_with(value, policy);
    assert_eq!(e.code, MetadataErrorCode::InvalidClientMetadata, "{e}");
    e.description
}

fn client_error(value: Value) -> String {
    client_error_with(value, &POLICY)
}

/// Asserts an `invalid_redirect_uri` error and returns its description.
fn redirect_error(value: Value) -> String {
    let e = error_with(value, &POLICY);
    assert_eq!(e.code, MetadataErrorCode::InvalidRedirectUri, "{e}");
    e.description
}

fn assert_contains(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "{haystack:?} lacks {needle:?}");
}

#[test]
fn minimal_registration_gets_defaults() {
    let m = parse(base());
    assert_eq!(m.redirect_uris.len(), 1);
    assert_eq!(m.redirect_uris[0].as_str(), CB);
    assert_eq!(m.grant_types, [GrantType::AuthorizationCode]);
    assert_eq!(m.response_types, [ResponseType::Code]);
    assert_eq!(
        m.token_endpoint_auth_method,
        TokenEndpointAuthMethod::ClientSecretBasic
    );
    assert_eq!(m.application_type, ApplicationType::Web);
    assert_eq!(m.scope, None);
    assert!(m.contacts.is_empty() && m.post_logout_redirect_uris.is_empty());
    assert!(!m.first_party && !m.require_auth_time && !m.backchannel_logout_session_required);
    assert_eq!(m.access_token_lifetime, None);
    assert_eq!(m.default_max_age, None);
}

#[test]
fn parse_accepts_a_json_document() {
    let m = ClientMetadata::parse(
        r#"{"redirect_uris": ["https://app.example.com/cb"], "client_name": "App"}"#,
        &POLICY,
    )
    .unwrap();
    assert_eq!(m.client_name.as_deref(), Some("App"));
}

#[test]
fn malformed_json_is_reported_readably() {
    let e = ClientMetadata::parse(r#"{"redirect_uris": ["#, &POLICY).unwrap_err();
    assert_eq!(e.code, MetadataErrorCode::InvalidClientMetadata);
    assert!(
        e.description.starts_with("metadata is not valid JSON: "),
        "{e}"
    );
    assert_contains(&e.description, "line 1");
    let e = ClientMetadata::parse("", &POLICY).unwrap_err();
    assert_eq!(e.code, MetadataErrorCode::InvalidClientMetadata);
    let e = ClientMetadata::parse(r#"{"a": 1} trailing"#, &POLICY).unwrap_err();
    assert!(
        e.description.starts_with("metadata is not valid JSON"),
        "{e}"
    );
}

#[test]
fn non_objects_are_rejected() {
    for (doc, kind) in [
        ("[]", "an array"),
        ("\"x\"", "a string"),
        ("42", "a number"),
        ("null", "null"),
        ("true", "a boolean"),
    ] {
        let e = ClientMetadata::parse(doc, &POLICY).unwrap_err();
        assert_eq!(e.code, MetadataErrorCode::InvalidClientMetadata);
        assert_eq!(
            e.description,
            format!("metadata must be a JSON object, not {kind}")
        );
    }
}

#[test]
fn duplicate_members_are_rejected() {
    let doc = r#"{"redirect_uris": ["https://a.example/cb"], "scope": "a", "scope": "b"}"#;
    let e = ClientMetadata::parse(doc, &POLICY).unwrap_err();
    assert_eq!(e.code, MetadataErrorCode::InvalidClientMetadata);
    assert_contains(&e.description, "\"scope\" appears more than once");
    // The same name spelled with an escape is still the same member.
    let doc = r#"{"redirect_uris": [], "redirect_\u0075ris": ["https://a.example/cb"]}"#;
    let e = ClientMetadata::parse(doc, &POLICY).unwrap_err();
    assert_contains(&e.description, "appears more than once");
}

#[test]
fn unknown_fields_are_rejected_by_name() {
    let d = client_error(with(json!({ "favourite_colour": "blue" })));
    assert_contains(&d, "unknown field \"favourite_colour\"");
}

#[test]
fn unknown_field_hints() {
    let d = client_error(json!({ "redirect_uri": CB }));
    assert_contains(&d, "did you mean \"redirect_uris\"?");
    let d = client_error(with(json!({ "first_party": true })));
    assert_contains(&d, "did you mean \"sigil_first_party\"?");
    let d = client_error(with(json!({ "Client_Name": "x" })));
    assert_contains(&d, "did you mean \"client_name\"?");
    let d = client_error(with(json!({ "client_id": "abc" })));
    assert_contains(&d, "assigned by the server");
    let d = client_error(with(json!({ "client_name#ja-Jpan-JP": "x" })));
    assert_contains(&d, "language-tagged");
    let d = client_error(with(json!({ "software_statement": "eyJ" })));
    assert_contains(&d, "software statements are not supported");
}

#[test]
fn null_members_count_as_absent() {
    let m = parse(with(json!({
        "client_name": null,
        "grant_types": null,
        "scope": null,
        "contacts": null,
        "sigil_first_party": null,
    })));
    assert_eq!(m, parse(base()));
}

#[test]
fn serializes_with_rfc_7591_names_and_omits_absent_members() {
    let m = parse(json!({
        "grant_types": ["client_credentials"],
    }));
    assert_eq!(
        serde_json::to_value(&m).unwrap(),
        json!({
            "redirect_uris": [],
            "grant_types": ["client_credentials"],
            "response_types": [],
            "token_endpoint_auth_method": "client_secret_basic",
            "application_type": "web",
        })
    );
}

#[test]
fn serialization_round_trips() {
    for (input, policy) in [
        (full::full_registration(), ENC_POLICY),
        (base(), POLICY),
        (json!({ "grant_types": ["client_credentials"] }), POLICY),
        (
            json!({
                "redirect_uris": ["com.example.app:/cb", CB, CB],
                "application_type": "native",
                "token_endpoint_auth_method": "none",
                "id_token_encrypted_response_alg": "ECDH-ES",
                "jwks": { "keys": [{ "kty": "OKP", "crv": "X25519", "x": "abc" }] },
            }),
            ENC_POLICY,
        ),
    ] {
        let m = parse_with(input, &policy);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(ClientMetadata::parse(&json, &policy).unwrap(), m, "{json}");
    }
}

#[test]
fn false_flags_are_omitted_and_true_flags_present() {
    let m = parse(with(
        json!({ "sigil_first_party": false, "require_auth_time": false }),
    ));
    let v = serde_json::to_value(&m).unwrap();
    assert!(v.get("sigil_first_party").is_none());
    assert!(v.get("first_party").is_none());
    assert!(v.get("require_auth_time").is_none());
    let m = parse(with(json!({ "sigil_first_party": true })));
    assert_eq!(serde_json::to_value(&m).unwrap()["sigil_first_party"], true);
}

#[test]
fn is_public() {
    assert!(!parse(base()).is_public());
    assert!(parse(with(json!({ "token_endpoint_auth_method": "none" }))).is_public());
}

#[test]
fn allows_grant() {
    let m = parse(with(
        json!({ "grant_types": ["authorization_code", "refresh_token"] }),
    ));
    assert!(m.allows_grant(GrantType::AuthorizationCode));
    assert!(m.allows_grant(GrantType::RefreshToken));
    assert!(!m.allows_grant(GrantType::ClientCredentials));
    assert!(!m.allows_grant(GrantType::TokenExchange));
}

#[test]
fn redirect_uri_registered_is_an_exact_comparison() {
    let m = parse(json!({
        "redirect_uris": ["https://app.example.com/cb", "http://127.0.0.1:8080/cb?x=1"],
    }));
    assert!(m.redirect_uri_registered("https://app.example.com/cb"));
    assert!(m.redirect_uri_registered("http://127.0.0.1:8080/cb?x=1"));
    for candidate in [
        "https://app.example.com/cb/",
        "https://APP.example.com/cb",
        "https://app.example.com:443/cb",
        "https://app.example.com/cb?",
        "https://app.example.com/c%62",
        "https://app.example.com/cb#",
        "http://127.0.0.1:8080/cb",
        "",
    ] {
        assert!(!m.redirect_uri_registered(candidate), "{candidate}");
    }
}

#[test]
fn error_display_and_json() {
    let e = error_with(
        json!({ "redirect_uris": ["http://example.com/cb"] }),
        &POLICY,
    );
    assert!(
        e.to_string()
            .starts_with("invalid_redirect_uri: redirect URI "),
        "{e}"
    );
    assert_eq!(e.to_json()["error"], "invalid_redirect_uri");
    assert_eq!(e.to_json()["error_description"], e.description.as_str());
}

#[test]
fn refresh_token_lifetimes_are_bounded_and_consistent() {
    for (member, value, needle) in [
        ("sigil_refresh_token_lifetime", json!(0), "between 1 and"),
        (
            "sigil_refresh_token_absolute_lifetime",
            json!(40_000_000),
            "between 1 and",
        ),
        (
            "sigil_refresh_token_grace_period",
            json!(11),
            "between 0 and 10",
        ),
        (
            "sigil_refresh_token_grace_period",
            json!("5"),
            "a number of seconds",
        ),
    ] {
        assert_contains(&client_error(with(json!({ member: value }))), needle);
    }
    let d = client_error(with(json!({
        "sigil_refresh_token_lifetime": 7200,
        "sigil_refresh_token_absolute_lifetime": 3600,
    })));
    assert_contains(&d, "must not exceed");
    let m = parse(with(json!({ "sigil_refresh_token_grace_period": 0 })));
    assert_eq!(m.refresh_token_grace_period, None);
}
