use super::*;
use crate::domain::client_metadata::ClientMetadata;
use crate::registry::metadata_policy;

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn client() -> Client {
    let json = r#"{"redirect_uris": ["https://app.example/cb", "https://app.example/cb?x=1"], "scope": "openid profile email"}"#;
    Client {
        client_id: "c1".into(),
        secret_hash: None,
        secret_sealed: None,
        metadata: ClientMetadata::parse(json, &metadata_policy()).unwrap(),
        issued_at: 0,
    }
}

fn params(extra: &[(&str, &str)]) -> RawParams {
    let mut pairs: Vec<(String, String)> = [
        ("client_id", "c1"),
        ("redirect_uri", "https://app.example/cb"),
        ("response_type", "code"),
        ("scope", "openid profile"),
        ("state", "s t&=ü"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        pairs.retain(|(key, _)| key != k || v.starts_with('+'));
        pairs.push((k.to_string(), v.trim_start_matches('+').to_string()));
    }
    RawParams::new(pairs)
}

fn redirect_code(extra: &[(&str, &str)]) -> ErrorCode {
    match parse(&params(extra), &client()) {
        Err(AuthorizeError::Redirect { code, to, .. }) => {
            assert_eq!(to.state.as_deref(), Some("s t&=ü"));
            code
        }
        other => panic!("expected a redirect error, got {other:?}"),
    }
}

fn is_page(extra: &[(&str, &str)]) -> bool {
    matches!(
        parse(&params(extra), &client()),
        Err(AuthorizeError::Page { .. })
    )
}

#[test]
fn a_good_request_parses() {
    let req = parse(
        &params(&[("prompt", "login consent"), ("max_age", "0")]),
        &client(),
    )
    .unwrap();
    assert_eq!(req.reply.redirect_uri, "https://app.example/cb");
    assert_eq!(req.reply.state.as_deref(), Some("s t&=ü"));
    assert!(req.prompt.login && req.prompt.consent && !req.prompt.none);
    assert_eq!(req.max_age, Some(0));
    assert_eq!(req.scope.to_string(), "openid profile");
}

#[test]
fn redirect_uri_must_match_exactly_or_a_page_is_shown() {
    for bad in [
        "https://app.example/cB",
        "https://app.example/cb/",
        "https://APP.example/cb",
        "https://app.example/cb?y=2",
        "https://app.example/c",
        "http://app.example/cb",
    ] {
        assert!(is_page(&[("redirect_uri", bad)]), "{bad}");
    }
    assert!(is_page(&[("redirect_uri", "+https://app.example/cb")]));
    assert!(
        parse(
            &params(&[("redirect_uri", "https://app.example/cb?x=1")]),
            &client()
        )
        .is_ok()
    );
    let p = params(&[("redirect_uri", "")]);
    assert!(matches!(
        parse(&p, &client()),
        Err(AuthorizeError::Page { .. })
    ));
}

#[test]
fn errors_after_verification_redirect_with_the_right_code() {
    assert_eq!(
        redirect_code(&[("response_type", "token")]),
        ErrorCode::UnsupportedResponseType
    );
    assert_eq!(
        redirect_code(&[("response_type", "code id_token")]),
        ErrorCode::UnsupportedResponseType
    );
    assert_eq!(
        redirect_code(&[("scope", "openid admin")]),
        ErrorCode::InvalidScope
    );
    assert_eq!(
        redirect_code(&[("code_challenge_method", "plain")]),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        redirect_code(&[("code_challenge", "short")]),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        redirect_code(&[("prompt", "none login")]),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        redirect_code(&[("prompt", "sometimes")]),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        redirect_code(&[("max_age", "-1")]),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        redirect_code(&[("claims", "{not json")]),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        redirect_code(&[("scope", "+openid")]),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        redirect_code(&[("request", "eyJ")]),
        ErrorCode::InvalidRequestObject
    );
    assert_eq!(
        redirect_code(&[("registration", "{}")]),
        ErrorCode::RegistrationNotSupported
    );
    assert_eq!(
        redirect_code(&[("response_mode", "fragment")]),
        ErrorCode::InvalidRequest
    );
}

#[test]
fn missing_pkce_is_refused() {
    let p = params(&[("code_challenge", "")]);
    match parse(&p, &client()) {
        Err(AuthorizeError::Redirect { code, .. }) => assert_eq!(code, ErrorCode::InvalidRequest),
        other => panic!("{other:?}"),
    }
}

#[test]
fn empty_values_count_as_absent() {
    let p = RawParams::new(vec![("a".into(), String::new()), ("a".into(), "x".into())]);
    assert_eq!(p.get("a"), Some("x"));
    assert!(!p.is_duplicated("a"));
}
