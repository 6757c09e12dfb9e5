//! Grant types, response types, authentication methods and redirect URIs.

use super::*;

#[test]
fn grant_type_wire_names() {
    let names = [
        (GrantType::AuthorizationCode, "authorization_code"),
        (GrantType::RefreshToken, "refresh_token"),
        (GrantType::ClientCredentials, "client_credentials"),
        (
            GrantType::TokenExchange,
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
    ];
    for (grant, name) in names {
        assert_eq!(grant.as_str(), name);
        assert_eq!(grant.to_string(), name);
        assert_eq!(name.parse::<GrantType>().unwrap(), grant);
        assert_eq!(serde_json::to_value(grant).unwrap(), name);
        assert_eq!(
            serde_json::from_value::<GrantType>(json!(name)).unwrap(),
            grant
        );
    }
    assert_eq!(GrantType::ALL.len(), names.len());
}

#[test]
fn unsupported_grant_types_are_named_with_the_supported_list() {
    for bad in [
        "implicit",
        "password",
        "AUTHORIZATION_CODE",
        "device_code",
        "",
    ] {
        let e = bad.parse::<GrantType>().unwrap_err();
        assert_eq!(e.code, MetadataErrorCode::InvalidClientMetadata);
        assert_contains(&e.description, &format!("unsupported grant type {bad:?}"));
        assert_contains(&e.description, "authorization_code, refresh_token");
    }
    assert_contains(
        &"implicit".parse::<GrantType>().unwrap_err().description,
        "OAuth 2.1 removed",
    );
    let d = client_error(with(
        json!({ "grant_types": ["authorization_code", "password"] }),
    ));
    assert_contains(&d, "\"password\"");
}

#[test]
fn response_type_wire_names() {
    assert_eq!(ResponseType::Code.as_str(), "code");
    assert_eq!("code".parse::<ResponseType>().unwrap(), ResponseType::Code);
    assert_eq!(serde_json::to_value(ResponseType::Code).unwrap(), "code");
    for bad in [
        "token",
        "id_token",
        "code id_token",
        "code token",
        "none",
        "Code",
    ] {
        let e = bad.parse::<ResponseType>().unwrap_err();
        assert_eq!(e.code, MetadataErrorCode::InvalidClientMetadata);
        assert_contains(&e.description, &format!("{bad:?}"));
        assert_contains(&e.description, "only \"code\" is supported");
        client_error(with(json!({ "response_types": ["code", bad] })));
    }
}

#[test]
fn auth_method_wire_names() {
    for (method, name) in [
        (
            TokenEndpointAuthMethod::ClientSecretBasic,
            "client_secret_basic",
        ),
        (
            TokenEndpointAuthMethod::ClientSecretPost,
            "client_secret_post",
        ),
        (TokenEndpointAuthMethod::PrivateKeyJwt, "private_key_jwt"),
        (TokenEndpointAuthMethod::None, "none"),
    ] {
        assert_eq!(method.as_str(), name);
        assert_eq!(name.parse::<TokenEndpointAuthMethod>().unwrap(), method);
        assert_eq!(serde_json::to_value(method).unwrap(), name);
    }
    assert_eq!(
        TokenEndpointAuthMethod::default(),
        TokenEndpointAuthMethod::ClientSecretBasic
    );
    let m = parse(with(
        json!({ "token_endpoint_auth_method": "client_secret_post" }),
    ));
    assert_eq!(
        m.token_endpoint_auth_method,
        TokenEndpointAuthMethod::ClientSecretPost
    );
}

#[test]
fn client_secret_jwt_and_unknown_methods_are_rejected() {
    let d = client_error(with(
        json!({ "token_endpoint_auth_method": "client_secret_jwt" }),
    ));
    assert_contains(
        &d,
        "unsupported token_endpoint_auth_method \"client_secret_jwt\"",
    );
    assert_contains(&d, "private_key_jwt");
    let d = client_error(with(
        json!({ "token_endpoint_auth_method": "tls_client_auth" }),
    ));
    assert_contains(
        &d,
        "supported values: client_secret_basic, client_secret_post",
    );
}

#[test]
fn application_type_values() {
    assert_eq!(ApplicationType::default(), ApplicationType::Web);
    assert_eq!(
        serde_json::to_value(ApplicationType::Native).unwrap(),
        "native"
    );
    assert_eq!(ApplicationType::Web.to_string(), "web");
    let m = parse(json!({ "redirect_uris": [CB], "application_type": "native" }));
    assert_eq!(m.application_type, ApplicationType::Native);
    let d = client_error(with(json!({ "application_type": "browser" })));
    assert_contains(&d, "unsupported application_type \"browser\"");
}

#[test]
fn duplicate_grants_and_response_types_collapse() {
    let m = parse(with(json!({
        "grant_types": ["refresh_token", "authorization_code", "refresh_token"],
        "response_types": ["code", "code"],
    })));
    assert_eq!(
        m.grant_types,
        [GrantType::RefreshToken, GrantType::AuthorizationCode]
    );
    assert_eq!(m.response_types, [ResponseType::Code]);
}

#[test]
fn empty_grant_types_are_rejected() {
    let d = client_error(with(json!({ "grant_types": [] })));
    assert_contains(&d, "grant_types must not be empty");
}

#[test]
fn code_grant_and_code_response_type_go_together() {
    let d = client_error(with(json!({ "response_types": [] })));
    assert_contains(&d, "requires the \"code\" response type");
    let d = client_error(json!({
        "grant_types": ["client_credentials"],
        "response_types": ["code"],
    }));
    assert_contains(&d, "requires the authorization_code grant");
    // Response types given, grant types defaulted: consistent.
    let m = parse(with(json!({ "response_types": ["code"] })));
    assert_eq!(m.grant_types, [GrantType::AuthorizationCode]);
}

#[test]
fn response_types_default_to_empty_without_the_code_grant() {
    let m = parse(json!({ "grant_types": ["client_credentials"] }));
    assert!(m.response_types.is_empty());
    assert!(m.redirect_uris.is_empty());
    let m = parse(json!({
        "grant_types": ["client_credentials"],
        "redirect_uris": [],
        "response_types": [],
    }));
    assert!(m.redirect_uris.is_empty());
}

#[test]
fn refresh_token_needs_a_grant_that_issues_refresh_tokens() {
    for grants in [
        json!(["refresh_token"]),
        json!(["client_credentials", "refresh_token"]),
    ] {
        let d = client_error(json!({ "grant_types": grants }));
        assert_contains(&d, "the refresh_token grant requires");
    }
    parse(with(
        json!({ "grant_types": ["authorization_code", "refresh_token"] }),
    ));
    parse(json!({
        "grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange", "refresh_token"],
    }));
}

#[test]
fn public_clients_cannot_use_confidential_grants() {
    for grant in [
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    ] {
        let d = client_error(with(json!({
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", grant],
        })));
        assert_contains(&d, "public client");
        assert_contains(&d, grant);
    }
    parse(with(json!({
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
    })));
}

#[test]
fn confidential_clients_may_use_every_grant() {
    let m = parse(with(json!({
        "grant_types": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ],
    })));
    assert_eq!(m.grant_types, GrantType::ALL);
}

#[test]
fn native_clients_may_be_confidential_or_public() {
    for method in ["none", "client_secret_basic", "client_secret_post"] {
        parse(json!({
            "redirect_uris": ["com.example.app:/cb"],
            "application_type": "native",
            "token_endpoint_auth_method": method,
        }));
    }
}

#[test]
fn redirect_uris_are_required_for_the_code_grant() {
    for value in [
        json!({}),
        json!({ "redirect_uris": [] }),
        json!({ "redirect_uris": null }),
    ] {
        let d = redirect_error(value);
        assert_contains(&d, "at least one redirect URI is required");
    }
}

#[test]
fn redirect_uris_are_refused_without_the_code_grant() {
    let d = redirect_error(json!({
        "grant_types": ["client_credentials"],
        "redirect_uris": [CB],
    }));
    assert_contains(&d, "redirect_uris must be empty");
}

#[test]
fn redirect_uris_follow_the_application_type() {
    let native = json!({ "redirect_uris": ["com.example.app:/cb"], "application_type": "native" });
    parse(native);
    let d = redirect_error(json!({ "redirect_uris": ["com.example.app:/cb"] }));
    assert_contains(&d, "must use https");
    let d = redirect_error(json!({ "redirect_uris": [CB, "http://example.com/cb"] }));
    assert_contains(&d, "\"http://example.com/cb\"");
    redirect_error(json!({ "redirect_uris": ["https://app.example.com/cb#x"] }));
    redirect_error(json!({ "redirect_uris": ["javascript:alert(1)"] }));
}

#[test]
fn duplicate_redirect_uris_collapse_in_order() {
    let m = parse(json!({
        "redirect_uris": ["https://b.example/cb", CB, "https://b.example/cb", CB],
    }));
    let uris: Vec<&str> = m.redirect_uris.iter().map(RedirectUri::as_str).collect();
    assert_eq!(uris, ["https://b.example/cb", CB]);
    // Different spellings are different URIs: no normalisation.
    let m = parse(json!({ "redirect_uris": [CB, "https://APP.example.com/cb"] }));
    assert_eq!(m.redirect_uris.len(), 2);
}

#[test]
fn redirect_uris_with_the_wrong_type_name_the_field() {
    let d = client_error(json!({ "redirect_uris": CB }));
    assert_eq!(d, "redirect_uris must be an array of strings, not a string");
    let d = client_error(json!({ "redirect_uris": [CB, 7] }));
    assert_eq!(d, "redirect_uris[1] must be a string, not a number");
}

#[test]
fn post_logout_redirect_uris_follow_the_redirect_rules() {
    let m = parse(with(json!({
        "post_logout_redirect_uris": ["https://app.example.com/bye", "http://localhost/bye"],
    })));
    assert_eq!(m.post_logout_redirect_uris.len(), 2);
    assert_eq!(
        m.post_logout_redirect_uris[1].as_str(),
        "http://localhost/bye"
    );
    for bad in [
        "http://app.example.com/bye",
        "https://app.example.com/bye#x",
        "javascript:alert(1)",
        "/bye",
    ] {
        let d = client_error(with(json!({ "post_logout_redirect_uris": [bad] })));
        assert!(d.starts_with("post-logout redirect URI "), "{d}");
    }
    parse(json!({
        "redirect_uris": ["com.example.app:/cb"],
        "application_type": "native",
        "post_logout_redirect_uris": ["com.example.app:/bye"],
    }));
}

#[test]
fn the_token_exchange_policy_is_checked() {
    let exchange = "urn:ietf:params:oauth:grant-type:token-exchange";
    let with_policy = |policy: Value| {
        with(json!({
            "grant_types": ["client_credentials", exchange],
            "redirect_uris": [],
            "response_types": [],
            "sigil_token_exchange": policy,
        }))
    };
    let m = parse(with_policy(
        json!({"delegation": true, "subject_audiences": ["a", "a", "b"]}),
    ));
    let policy = m.token_exchange.unwrap();
    assert!(policy.delegation && !policy.impersonation);
    assert_eq!(policy.subject_audiences, ["a", "b"]);
    assert_eq!(policy.max_lifetime, None);
    for (policy, needle) in [
        (json!([]), "must be an object"),
        (
            json!({"impersonate": true}),
            "unknown member \"impersonate\"",
        ),
        (
            json!({"delegation": "yes"}),
            "sigil_token_exchange.delegation must be true or false",
        ),
        (json!({"max_lifetime": 0}), "between 1 and 86400"),
        (json!({"max_lifetime": 86401}), "between 1 and 86400"),
        (
            json!({"subject_audiences": ["has space"]}),
            "subject_audiences[0]",
        ),
        (
            json!({"subject_audiences": "https://a.example/"}),
            "array of strings",
        ),
    ] {
        assert_contains(&client_error(with_policy(policy)), needle);
    }
    let without_grant = with(json!({"sigil_token_exchange": {"delegation": true}}));
    assert_contains(
        &client_error(without_grant),
        "requires grant_types to include",
    );
}
