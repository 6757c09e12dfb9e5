//! Discovery documents: issuer exact, URLs under the issuer, cacheable.

use serde_json::Value;

use crate::helpers::{TestApp, TestDatabase};

#[tokio::test]
async fn issuer_is_exact_and_every_url_starts_with_it() {
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let app = TestApp::spawn().await;
        let res = app.get(path).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/json");
        let doc: Value = res.json().await.unwrap();
        assert_eq!(doc["issuer"], app.issuer.as_str());
        let mut urls = 0;
        for (key, value) in doc.as_object().unwrap() {
            if key.ends_with("_endpoint") || key.ends_with("_uri") {
                let url = value.as_str().unwrap();
                assert!(url.starts_with(&app.issuer), "{key} = {url}");
                urls += 1;
            }
        }
        assert!(urls >= 1);
        assert_eq!(doc["jwks_uri"], format!("{}/jwks", app.issuer));
    }
}

#[tokio::test]
async fn issuer_with_a_path_is_kept_byte_for_byte() {
    let db = TestDatabase::new();
    let app = TestApp::spawn_with(
        db,
        |raw| raw.issuer = format!("{}/tenant-a", raw.issuer),
        std::sync::Arc::new(sigil::clock::SystemClock),
    )
    .await;
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["issuer"], app.issuer.as_str());
    assert!(app.issuer.ends_with("/tenant-a"));
    assert_eq!(doc["jwks_uri"], format!("{}/jwks", app.issuer));
}

#[tokio::test]
async fn advertises_exactly_what_this_build_supports() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .get("/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    let algs = serde_json::json!(["RS256", "PS256", "ES256", "EdDSA"]);
    assert_eq!(doc["id_token_signing_alg_values_supported"], algs);
    assert_eq!(doc["userinfo_signing_alg_values_supported"], algs);
    assert_eq!(
        doc["subject_types_supported"],
        serde_json::json!(["public"])
    );
    assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        doc["response_modes_supported"],
        serde_json::json!(["query", "form_post"])
    );
    assert_eq!(
        doc["grant_types_supported"],
        serde_json::json!([
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:token-exchange"
        ])
    );
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(doc["claims_parameter_supported"], true);
    assert_eq!(doc["request_parameter_supported"], true);
    assert_eq!(doc["request_uri_parameter_supported"], false);
    let key_algs = serde_json::json!([
        "RSA-OAEP",
        "RSA-OAEP-256",
        "ECDH-ES",
        "ECDH-ES+A128KW",
        "ECDH-ES+A256KW",
        "A128KW",
        "A256KW",
        "dir"
    ]);
    let encs = serde_json::json!(["A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"]);
    for what in ["id_token", "userinfo", "introspection"] {
        assert_eq!(
            doc[format!("{what}_encryption_alg_values_supported")],
            key_algs,
            "{what}"
        );
        assert_eq!(
            doc[format!("{what}_encryption_enc_values_supported")],
            encs,
            "{what}"
        );
    }
    assert_eq!(
        doc["request_object_encryption_alg_values_supported"],
        serde_json::json!(["RSA-OAEP-256", "ECDH-ES+A256KW"])
    );
    assert_eq!(doc["request_object_encryption_enc_values_supported"], encs);
    assert_eq!(
        doc["request_object_signing_alg_values_supported"],
        serde_json::json!(["RS256", "PS256", "ES256", "EdDSA", "none"])
    );
    let listed = doc.to_string();
    for never in ["RSA1_5", "PBES2", "A192", "\"DEF\""] {
        assert!(!listed.contains(never), "{never} is offered");
    }
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        serde_json::json!([
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
            "none"
        ])
    );
    assert_eq!(
        doc["scopes_supported"],
        serde_json::json!([
            "openid",
            "profile",
            "email",
            "phone",
            "address",
            "roles",
            "offline_access"
        ])
    );
    for claim in [
        "sub",
        "email",
        "email_verified",
        "name",
        "roles",
        "address",
        "phone_number",
    ] {
        assert!(
            doc["claims_supported"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == claim),
            "{claim}"
        );
    }
    assert_eq!(
        doc["introspection_endpoint"],
        format!("{}/introspect", app.issuer)
    );
    assert_eq!(
        doc["introspection_endpoint_auth_methods_supported"],
        serde_json::json!([
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt"
        ])
    );
    assert_eq!(
        doc["introspection_endpoint_auth_signing_alg_values_supported"],
        algs
    );
    assert_eq!(
        doc["introspection_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    for path in ["/authorize", "/token", "/userinfo"] {
        let key = match path {
            "/authorize" => "authorization_endpoint",
            "/token" => "token_endpoint",
            _ => "userinfo_endpoint",
        };
        assert_eq!(doc[key], format!("{}{path}", app.issuer));
    }
    assert_eq!(doc["revocation_endpoint"], format!("{}/revoke", app.issuer));
    assert_eq!(
        doc["revocation_endpoint_auth_methods_supported"],
        doc["token_endpoint_auth_methods_supported"]
    );
    assert_eq!(
        doc["end_session_endpoint"],
        format!("{}/logout", app.issuer)
    );
    assert_eq!(doc["backchannel_logout_supported"], true);
    assert_eq!(doc["backchannel_logout_session_supported"], true);
    assert!(
        doc.get("registration_endpoint").is_none(),
        "registration advertised before it exists"
    );
}

#[tokio::test]
async fn documents_are_cacheable_with_etags() {
    let app = TestApp::spawn().await;
    for path in ["/.well-known/openid-configuration", "/jwks"] {
        let res = app.get(path).await;
        let cache = res.headers()["cache-control"].to_str().unwrap().to_owned();
        assert!(cache.contains("max-age="), "{path}: {cache}");
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let again = app
            .http
            .get(format!("{}{path}", app.address))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.bytes().await.unwrap().is_empty());
        let stale = app
            .http
            .get(format!("{}{path}", app.address))
            .header("If-None-Match", "\"other\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn unknown_path_is_a_json_404_and_wrong_method_is_refused() {
    let app = TestApp::spawn().await;
    let res = app.get("/nope").await;
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
    let res = app
        .http
        .post(format!("{}/jwks", app.address))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
}
