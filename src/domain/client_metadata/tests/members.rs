//! Descriptive members, URLs, scope, numbers, flags and JSON types.

use super::*;

#[test]
fn client_name_rules() {
    let m = parse(with(json!({ "client_name": "Ünïcødé App 日本" })));
    assert_eq!(m.client_name.as_deref(), Some("Ünïcødé App 日本"));
    parse(with(json!({ "client_name": "x".repeat(200) })));
    parse(with(json!({ "client_name": "é".repeat(200) })));
    for (bad, expected) in [
        (String::new(), "client_name must not be empty"),
        ("   ".to_owned(), "client_name must not be empty"),
        ("x".repeat(201), "at most 200 characters"),
        ("App\nName".to_owned(), "control"),
        ("App\u{7}".to_owned(), "control"),
        ("App\u{202E}emanl".to_owned(), "invisible formatting"),
        ("Ap\u{200B}p".to_owned(), "invisible formatting"),
        (" App".to_owned(), "must not begin or end with whitespace"),
        ("App ".to_owned(), "must not begin or end with whitespace"),
    ] {
        let d = client_error(with(json!({ "client_name": bad })));
        assert_contains(&d, expected);
        assert!(d.starts_with("client_name "), "{d}");
    }
}

#[test]
fn software_id_and_version_are_text() {
    let m = parse(with(
        json!({ "software_id": "abc-123", "software_version": "1.0" }),
    ));
    assert_eq!(m.software_id.as_deref(), Some("abc-123"));
    assert_eq!(m.software_version.as_deref(), Some("1.0"));
    client_error(with(json!({ "software_id": "" })));
    client_error(with(json!({ "software_version": "1.0\n" })));
    let d = client_error(with(json!({ "software_version": 1.0 })));
    assert_eq!(d, "software_version must be a string, not a number");
}

#[test]
fn contacts_rules() {
    let m = parse(with(json!({
        "contacts": ["ops@example.com", "mailto:sec@example.com", "ops@example.com"],
    })));
    assert_eq!(m.contacts, ["ops@example.com", "mailto:sec@example.com"]);
    let d = client_error(with(json!({ "contacts": ["ops@example.com", ""] })));
    assert_contains(&d, "contacts[1] must not be empty");
    let d = client_error(with(json!({ "contacts": "ops@example.com" })));
    assert_eq!(d, "contacts must be an array of strings, not a string");
    client_error(with(json!({ "contacts": ["a\u{0}b"] })));
}

#[test]
fn informational_urls_must_be_absolute_http_urls() {
    for field in ["client_uri", "logo_uri", "policy_uri", "tos_uri"] {
        for good in [
            "https://app.example.com/",
            "http://app.example.com/about",
            "https://app.example.com/p#section",
        ] {
            let m = parse(with(json!({ field: good })));
            assert_eq!(serde_json::to_value(&m).unwrap()[field], good);
        }
        for (bad, expected) in [
            ("app.example.com", "is not an absolute URI"),
            ("/about", "is not an absolute URI"),
            ("javascript:alert(1)", "never allowed"),
            ("data:image/png;base64,AAAA", "never allowed"),
            ("ftp://app.example.com/", "must be an http or https URL"),
            ("com.example.app:/x", "must be an http or https URL"),
            ("https://google.com@evil.example/", "user name or password"),
            ("https://app.example.com/a b", "not allowed in a URI"),
        ] {
            let d = client_error(with(json!({ field: bad })));
            assert!(d.starts_with(&format!("{field} {bad:?} ")), "{d}");
            assert_contains(&d, expected);
        }
    }
}

#[test]
fn backchannel_logout() {
    let m = parse(with(json!({
        "backchannel_logout_uri": "https://app.example.com/bc-logout?x=1",
        "backchannel_logout_session_required": true,
    })));
    assert_eq!(
        m.backchannel_logout_uri.as_deref(),
        Some("https://app.example.com/bc-logout?x=1")
    );
    assert!(m.backchannel_logout_session_required);
    parse(with(
        json!({ "backchannel_logout_uri": "http://[::1]:8080/logout" }),
    ));
    for bad in [
        "http://app.example.com/logout",
        "https://app.example.com/logout#f",
        "logout",
        "com.example.app:/logout",
    ] {
        let d = client_error(with(json!({ "backchannel_logout_uri": bad })));
        assert!(d.starts_with("backchannel_logout_uri "), "{d}");
    }
    assert!(!parse(base()).backchannel_logout_session_required);
}

#[test]
fn scope_is_parsed() {
    let m = parse(with(json!({ "scope": "openid profile openid" })));
    let scope = m.scope.unwrap();
    assert_eq!(scope.to_string(), "openid profile");
    assert!(scope.contains("profile"));
    for (bad, expected) in [
        ("", "scope must not be empty"),
        ("openid  profile", "single space"),
        (" openid", "must not begin or end with a space"),
        ("openid\tprofile", "not allowed"),
    ] {
        let d = client_error(with(json!({ "scope": bad })));
        assert_contains(&d, expected);
    }
    let d = client_error(with(json!({ "scope": ["openid"] })));
    assert_eq!(d, "scope must be a string, not an array");
}

#[test]
fn default_max_age_is_a_non_negative_integer() {
    assert_eq!(
        parse(with(json!({ "default_max_age": 0 }))).default_max_age,
        Some(0)
    );
    assert_eq!(
        parse(with(json!({ "default_max_age": 86400 }))).default_max_age,
        Some(86400)
    );
    for bad in [json!(-1), json!(1.5), json!(1e3)] {
        let d = client_error(with(json!({ "default_max_age": bad })));
        assert_contains(
            &d,
            "default_max_age must be a whole number of seconds, 0 or more",
        );
    }
    let d = client_error(with(json!({ "default_max_age": "3600" })));
    assert_eq!(
        d,
        "default_max_age must be a number of seconds, not a string"
    );
}

#[test]
fn access_token_lifetime_extension() {
    for ok in [1, 600, 86400] {
        let m = parse(with(json!({ "sigil_access_token_lifetime": ok })));
        assert_eq!(m.access_token_lifetime, Some(ok));
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["sigil_access_token_lifetime"], ok);
        assert!(v.get("access_token_lifetime").is_none());
    }
    for bad in [0, 86401] {
        let d = client_error(with(json!({ "sigil_access_token_lifetime": bad })));
        assert_eq!(
            d,
            "sigil_access_token_lifetime must be between 1 and 86400 seconds"
        );
    }
    client_error(with(json!({ "sigil_access_token_lifetime": -5 })));
}

#[test]
fn boolean_members() {
    let m = parse(with(json!({
        "require_auth_time": true,
        "sigil_first_party": true,
        "backchannel_logout_session_required": false,
    })));
    assert!(m.require_auth_time && m.first_party && !m.backchannel_logout_session_required);
    for field in [
        "require_auth_time",
        "sigil_first_party",
        "backchannel_logout_session_required",
    ] {
        for bad in [json!("true"), json!(1), json!([])] {
            let d = client_error(with(json!({ field: bad })));
            assert!(
                d.starts_with(&format!("{field} must be true or false, not ")),
                "{d}"
            );
        }
    }
}

#[test]
fn wrong_json_types_name_the_field() {
    for (field, value, expected) in [
        (
            "grant_types",
            json!("authorization_code"),
            "grant_types must be an array of strings, not a string",
        ),
        (
            "grant_types",
            json!([1]),
            "grant_types[0] must be a string, not a number",
        ),
        (
            "response_types",
            json!({}),
            "response_types must be an array of strings, not an object",
        ),
        (
            "token_endpoint_auth_method",
            json!(true),
            "token_endpoint_auth_method must be a string, not a boolean",
        ),
        (
            "application_type",
            json!(["web"]),
            "application_type must be a string, not an array",
        ),
        (
            "client_name",
            json!({ "en": "App" }),
            "client_name must be a string, not an object",
        ),
        (
            "jwks_uri",
            json!(1),
            "jwks_uri must be a string, not a number",
        ),
        (
            "id_token_signed_response_alg",
            json!(["RS256"]),
            "id_token_signed_response_alg must be a string, not an array",
        ),
        (
            "post_logout_redirect_uris",
            json!("https://a.example/"),
            "post_logout_redirect_uris must be an array of strings, not a string",
        ),
        (
            "client_uri",
            json!(false),
            "client_uri must be a string, not a boolean",
        ),
    ] {
        let d = client_error(with(json!({ field: value })));
        assert_eq!(d, expected);
    }
}
