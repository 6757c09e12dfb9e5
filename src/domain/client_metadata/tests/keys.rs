//! Key sets, signing and encryption algorithms.

use super::*;

fn ec_key() -> Value {
    json!({ "kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": "k1" })
}

fn jwks() -> Value {
    json!({ "keys": [ec_key()] })
}

#[test]
fn private_key_jwt_with_jwks() {
    let m = parse(with(json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": jwks(),
    })));
    assert_eq!(m.jwks, Some(jwks()));
    assert_eq!(m.jwks_uri, None);
}

#[test]
fn private_key_jwt_with_jwks_uri() {
    let m = parse(with(json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": "https://app.example.com/jwks.json",
    })));
    assert_eq!(
        m.jwks_uri.as_deref(),
        Some("https://app.example.com/jwks.json")
    );
}

#[test]
fn private_key_jwt_requires_keys() {
    let d = client_error(with(
        json!({ "token_endpoint_auth_method": "private_key_jwt" }),
    ));
    assert_contains(&d, "private_key_jwt requires jwks or jwks_uri");
}

#[test]
fn jwks_and_jwks_uri_are_exclusive() {
    let d = client_error(with(json!({
        "jwks": jwks(),
        "jwks_uri": "https://app.example.com/jwks.json",
    })));
    assert_contains(&d, "mutually exclusive");
}

#[test]
fn jwks_must_be_a_key_set() {
    for (jwks, expected) in [
        (json!("{\"keys\": []}"), "jwks must be a JSON object"),
        (json!([ec_key()]), "jwks must be a JSON object"),
        (json!({}), "jwks must have a \"keys\" array"),
        (
            json!({ "keys": ec_key() }),
            "jwks.keys must be an array, not an object",
        ),
        (json!({ "keys": [] }), "at least one key"),
        (
            json!({ "keys": [ec_key(), "x"] }),
            "jwks.keys[1] must be an object",
        ),
        (
            json!({ "keys": [{ "crv": "P-256" }] }),
            "\"kty\" string member",
        ),
        (json!({ "keys": [{ "kty": 1 }] }), "\"kty\" string member"),
    ] {
        let d = client_error(with(json!({ "jwks": jwks })));
        assert_contains(&d, expected);
    }
}

#[test]
fn jwks_with_private_members_is_refused() {
    for member in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
        let mut key = ec_key();
        key[member] = json!("secret");
        let d = client_error(with(json!({ "jwks": { "keys": [ec_key(), key] } })));
        assert_contains(
            &d,
            &format!("jwks.keys[1] contains the private key member {member:?}"),
        );
    }
}

#[test]
fn jwks_may_carry_several_public_keys_and_extra_members() {
    let rsa = json!({ "kty": "RSA", "n": "0vx7", "e": "AQAB", "use": "sig" });
    let set = json!({ "keys": [ec_key(), rsa], "comment": "ok" });
    let m = parse(with(json!({ "jwks": set.clone() })));
    assert_eq!(m.jwks, Some(set));
}

#[test]
fn jwks_uri_must_be_https_or_loopback() {
    parse(with(json!({ "jwks_uri": "http://localhost:9000/jwks" })));
    parse(with(json!({ "jwks_uri": "http://127.0.0.1/jwks" })));
    for bad in [
        "http://app.example.com/jwks",
        "https://app.example.com/jwks#k",
        "ftp://app.example.com/jwks",
        "jwks.json",
        "https://user@app.example.com/jwks",
    ] {
        let d = client_error(with(json!({ "jwks_uri": bad })));
        assert!(d.starts_with(&format!("jwks_uri {bad:?} ")), "{d}");
    }
    let d = client_error(with(json!({ "jwks_uri": "http://app.example.com/jwks" })));
    assert_contains(&d, "must use https");
}

#[test]
fn signing_algs_come_from_the_policy() {
    let m = parse(with(json!({
        "id_token_signed_response_alg": "ES256",
        "userinfo_signed_response_alg": "EdDSA",
    })));
    assert_eq!(m.id_token_signed_response_alg.as_deref(), Some("ES256"));
    assert_eq!(m.userinfo_signed_response_alg.as_deref(), Some("EdDSA"));
    for field in [
        "id_token_signed_response_alg",
        "userinfo_signed_response_alg",
    ] {
        for bad in ["HS256", "rs256", "PS512", ""] {
            let d = client_error(with(json!({ field: bad })));
            assert_contains(&d, &format!("{field} {bad:?} is not supported"));
            assert_contains(&d, "supported values: RS256, ES256, EdDSA");
        }
    }
}

#[test]
fn none_is_never_a_signing_alg() {
    let permissive = MetadataPolicy {
        signing_algs: &["RS256", "none"],
        ..POLICY
    };
    for field in [
        "id_token_signed_response_alg",
        "userinfo_signed_response_alg",
        "token_endpoint_auth_signing_alg",
    ] {
        for none in ["none", "None"] {
            let value = with(json!({
                field: none,
                "token_endpoint_auth_method": "private_key_jwt",
                "jwks": jwks(),
            }));
            let d = client_error_with(value, &permissive);
            assert_contains(&d, &format!("{field} must not be \"none\""));
        }
    }
}

#[test]
fn empty_signing_policy_supports_nothing() {
    let policy = MetadataPolicy {
        signing_algs: &[],
        ..POLICY
    };
    let d = client_error_with(
        with(json!({ "id_token_signed_response_alg": "RS256" })),
        &policy,
    );
    assert_contains(&d, "this server supports none");
}

#[test]
fn token_endpoint_auth_signing_alg_needs_private_key_jwt() {
    let m = parse(with(json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": jwks(),
        "token_endpoint_auth_signing_alg": "ES256",
    })));
    assert_eq!(m.token_endpoint_auth_signing_alg.as_deref(), Some("ES256"));
    let d = client_error(with(json!({ "token_endpoint_auth_signing_alg": "ES256" })));
    assert_contains(
        &d,
        "only allowed with token_endpoint_auth_method private_key_jwt",
    );
    let d = client_error(with(json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": jwks(),
        "token_endpoint_auth_signing_alg": "HS256",
    })));
    assert_contains(&d, "\"HS256\" is not supported");
}

const ENCRYPTED: [&str; 4] = [
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "userinfo_encrypted_response_alg",
    "userinfo_encrypted_response_enc",
];

#[test]
fn encryption_is_refused_when_the_server_does_not_support_it() {
    for field in ENCRYPTED {
        let value = with(json!({ field: "A256GCM", "jwks": jwks() }));
        let d = client_error(value);
        assert_eq!(
            d,
            format!("{field} is not supported: this server does not encrypt responses")
        );
    }
}

#[test]
fn encryption_alg_and_enc_are_checked_against_the_policy() {
    for prefix in ["id_token", "userinfo"] {
        let alg = format!("{prefix}_encrypted_response_alg");
        let enc = format!("{prefix}_encrypted_response_enc");
        let m = parse_with(
            with(json!({ &alg: "ECDH-ES", &enc: "A256GCM", "jwks": jwks() })),
            &ENC_POLICY,
        );
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json[&alg], "ECDH-ES");
        assert_eq!(json[&enc], "A256GCM");

        let d = client_error_with(with(json!({ &alg: "RSA1_5", "jwks": jwks() })), &ENC_POLICY);
        assert_contains(&d, &format!("{alg} \"RSA1_5\" is not supported"));
        assert_contains(&d, "supported values: RSA-OAEP-256, ECDH-ES");
        let d = client_error_with(
            with(json!({ &alg: "ECDH-ES", &enc: "A128GCM", "jwks": jwks() })),
            &ENC_POLICY,
        );
        assert_contains(&d, &format!("{enc} \"A128GCM\" is not supported"));
    }
}

#[test]
fn encryption_enc_defaults_to_a128cbc_hs256() {
    let m = parse_with(
        with(json!({ "id_token_encrypted_response_alg": "RSA-OAEP-256", "jwks": jwks() })),
        &ENC_POLICY,
    );
    assert_eq!(
        m.id_token_encrypted_response_enc.as_deref(),
        Some("A128CBC-HS256")
    );
    assert_eq!(m.userinfo_encrypted_response_alg, None);
    assert_eq!(m.userinfo_encrypted_response_enc, None);
    let gcm_only = MetadataPolicy {
        encryption_encs: &["A256GCM"],
        ..ENC_POLICY
    };
    let d = client_error_with(
        with(json!({ "userinfo_encrypted_response_alg": "ECDH-ES", "jwks": jwks() })),
        &gcm_only,
    );
    assert_contains(
        &d,
        "userinfo_encrypted_response_enc defaults to \"A128CBC-HS256\"",
    );
}

#[test]
fn encryption_enc_requires_alg() {
    let d = client_error_with(
        with(json!({ "id_token_encrypted_response_enc": "A256GCM", "jwks": jwks() })),
        &ENC_POLICY,
    );
    assert_eq!(
        d,
        "id_token_encrypted_response_enc requires id_token_encrypted_response_alg"
    );
}

#[test]
fn encryption_requires_client_keys() {
    let d = client_error_with(
        with(json!({ "userinfo_encrypted_response_alg": "ECDH-ES" })),
        &ENC_POLICY,
    );
    assert_contains(
        &d,
        "userinfo_encrypted_response_alg requires jwks or jwks_uri",
    );
    parse_with(
        with(json!({
            "userinfo_encrypted_response_alg": "ECDH-ES",
            "jwks_uri": "https://app.example.com/jwks",
        })),
        &ENC_POLICY,
    );
}

#[test]
fn secret_derived_encryption_needs_a_client_secret() {
    for alg in ["A128KW", "dir"] {
        let m = parse_with(
            with(json!({ "id_token_encrypted_response_alg": alg })),
            &ENC_POLICY,
        );
        assert_eq!(m.id_token_encrypted_response_alg.as_deref(), Some(alg));
        for method in ["none", "private_key_jwt"] {
            let d = client_error_with(
                with(json!({
                    "introspection_encrypted_response_alg": alg,
                    "token_endpoint_auth_method": method,
                    "jwks": jwks(),
                })),
                &ENC_POLICY,
            );
            assert_contains(&d, "derives its key from the client secret");
        }
    }
}

#[test]
fn request_object_algorithms_are_checked() {
    let m = parse_with(
        with(json!({
            "request_object_signing_alg": "none",
            "request_object_encryption_alg": "RSA-OAEP-256",
        })),
        &ENC_POLICY,
    );
    assert_eq!(m.request_object_signing_alg.as_deref(), Some("none"));
    assert_eq!(
        m.request_object_encryption_enc.as_deref(),
        Some("A128CBC-HS256")
    );
    let d = client_error_with(
        with(json!({ "request_object_signing_alg": "RS256" })),
        &ENC_POLICY,
    );
    assert_contains(&d, "requires jwks or jwks_uri");
    let d = client_error_with(
        with(json!({ "request_object_signing_alg": "HS256", "jwks": jwks() })),
        &ENC_POLICY,
    );
    assert_contains(&d, "is not supported");
    for alg in ["ECDH-ES", "RSA1_5", "A128KW"] {
        let d = client_error_with(
            with(json!({ "request_object_encryption_alg": alg })),
            &ENC_POLICY,
        );
        assert_contains(&d, "is not supported");
    }
    let d = client_error_with(
        with(json!({ "request_object_encryption_enc": "A256GCM" })),
        &ENC_POLICY,
    );
    assert_contains(&d, "requires request_object_encryption_alg");
}
