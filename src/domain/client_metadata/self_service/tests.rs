use serde_json::{Value, json};

use super::*;

fn policy() -> MetadataPolicy<'static> {
    MetadataPolicy {
        signing_algs: &["RS256", "ES256"],
        encryption_algs: &[],
        encryption_encs: &[],
        request_encryption_algs: &[],
    }
}

const OPEN: SelfServiceRules = SelfServiceRules {
    client_credentials: false,
    https_for_web: true,
};

fn check(doc: Value, rules: SelfServiceRules) -> Result<(), MetadataError> {
    let metadata = ClientMetadata::from_value(doc.clone(), &policy())?;
    check_self_service(doc.as_object().unwrap(), &metadata, rules)
}

#[test]
fn self_service_refuses_what_only_an_administrator_may_set() {
    let base = json!({"redirect_uris": ["https://a.example/cb"]});
    assert!(check(base.clone(), OPEN).is_ok());
    for (member, value) in [
        ("sigil_first_party", json!(true)),
        ("sigil_refresh_token_grace_period", json!(5)),
        ("scope", json!("openid sigil:admin")),
    ] {
        let mut doc = base.clone();
        doc[member] = value;
        let err = check(doc, OPEN).unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_client_metadata", "{member}");
    }
}

#[test]
fn client_credentials_and_plain_http_follow_the_rules() {
    let service = json!({"grant_types": ["client_credentials"]});
    assert!(check(service.clone(), OPEN).is_err());
    let allowed = SelfServiceRules {
        client_credentials: true,
        ..OPEN
    };
    assert!(check(service, allowed).is_ok());
    let web_loopback = json!({"redirect_uris": ["http://127.0.0.1:9/cb"]});
    let err = check(web_loopback.clone(), OPEN).unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_redirect_uri");
    let relaxed = SelfServiceRules {
        https_for_web: false,
        ..OPEN
    };
    assert!(check(web_loopback, relaxed).is_ok());
    let native = json!({
        "application_type": "native",
        "redirect_uris": ["http://127.0.0.1:9/cb", "com.example.app:/cb"],
        "token_endpoint_auth_method": "none",
    });
    assert!(check(native, OPEN).is_ok());
}

const URL: &str = "https://app.example/client.json";

fn document(edit: impl FnOnce(&mut Value)) -> Result<ClientMetadata, MetadataError> {
    let mut doc = json!({"client_id": URL, "redirect_uris": ["https://app.example/cb"]});
    edit(&mut doc);
    parse_client_document(URL, doc.to_string().as_bytes(), &policy())
}

#[test]
fn a_document_describes_a_public_client_at_its_own_url() {
    let metadata = document(|_| {}).unwrap();
    assert!(metadata.is_public());
    assert_eq!(metadata.redirect_uris[0].as_str(), "https://app.example/cb");
    let refused = |edit: fn(&mut Value), words: &str| {
        let err = document(edit).unwrap_err();
        assert!(
            err.description.contains(words),
            "{words}: {}",
            err.description
        );
    };
    refused(
        |d| d["client_id"] = json!("https://app.example/other.json"),
        "differs",
    );
    refused(
        |d| _ = d.as_object_mut().unwrap().remove("client_id"),
        "no client_id",
    );
    refused(|d| d["client_secret"] = json!("x"), "client_secret");
    refused(
        |d| d["client_secret_expires_at"] = json!(0),
        "client_secret",
    );
    refused(
        |d| d["token_endpoint_auth_method"] = json!("private_key_jwt"),
        "none",
    );
    refused(
        |d| d["sigil_first_party"] = json!(true),
        "sigil_first_party",
    );
    refused(|d| d["scope"] = json!("sigil:admin"), "sigil:admin");
    refused(
        |d| d["grant_types"] = json!(["client_credentials"]),
        "client_credentials",
    );
    for body in [&b"{nope"[..], b"[1]", b"\xff\xfe"] {
        let err = parse_client_document(URL, body, &policy()).unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_client_metadata");
    }
}
