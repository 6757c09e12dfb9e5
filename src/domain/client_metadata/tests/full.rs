//! A registration with every member: it round-trips, and it names every known member.

use super::*;

pub(super) fn full_registration() -> Value {
    let mut full = json!({
        "redirect_uris": [CB, "http://localhost:8080/cb"],
        "grant_types": [
            "authorization_code",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:token-exchange"
        ],
        "response_types": ["code"],
        "token_endpoint_auth_method": "private_key_jwt",
        "application_type": "web",
        "scope": "openid profile email",
        "client_name": "Example App",
        "client_uri": "https://app.example.com/",
        "logo_uri": "https://app.example.com/logo.png",
        "policy_uri": "https://app.example.com/privacy",
        "tos_uri": "https://app.example.com/tos",
        "contacts": ["ops@example.com"],
        "jwks_uri": "https://app.example.com/jwks.json",
        "id_token_signed_response_alg": "ES256",
        "id_token_encrypted_response_alg": "RSA-OAEP-256",
        "id_token_encrypted_response_enc": "A256GCM",
        "userinfo_signed_response_alg": "RS256",
        "userinfo_encrypted_response_alg": "ECDH-ES",
        "userinfo_encrypted_response_enc": "A128CBC-HS256",
        "introspection_encrypted_response_alg": "ECDH-ES",
        "introspection_encrypted_response_enc": "A256GCM",
        "request_object_signing_alg": "ES256",
        "request_object_encryption_alg": "RSA-OAEP-256",
        "request_object_encryption_enc": "A256GCM",
        "token_endpoint_auth_signing_alg": "EdDSA",
        "post_logout_redirect_uris": ["https://app.example.com/bye"],
        "backchannel_logout_uri": "https://app.example.com/logout",
        "backchannel_logout_session_required": true,
        "default_max_age": 3600,
        "require_auth_time": true,
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "software_version": "2.1.0",
        "sigil_first_party": true,
        "sigil_access_token_lifetime": 600,
        "sigil_refresh_token_lifetime": 86400,
        "sigil_refresh_token_absolute_lifetime": 604800,
        "sigil_refresh_token_grace_period": 5,
    });
    // Added apart: one json! of every member passes the macro's recursion limit.
    full["sigil_token_exchange"] = json!({
        "subject_audiences": ["https://orders.example/"],
        "delegation": true,
        "impersonation": false,
        "max_lifetime": 300
    });
    full
}

#[test]
fn full_registration_serializes_back_to_the_same_json() {
    let input = full_registration();
    let m = parse_with(input.clone(), &ENC_POLICY);
    assert_eq!(serde_json::to_value(&m).unwrap(), input);
    assert!(m.first_party);
    assert_eq!(m.access_token_lifetime, Some(600));
}

#[test]
fn every_known_field_is_covered_by_the_full_registration() {
    let full = full_registration();
    let keys: Vec<&str> = full
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut known = KNOWN_FIELDS.to_vec();
    known.retain(|k| *k != "jwks"); // exclusive with jwks_uri; covered in keys.rs
    for k in &known {
        assert!(keys.contains(k), "{k} missing from full_registration");
    }
    assert_eq!(keys.len(), known.len());
}
