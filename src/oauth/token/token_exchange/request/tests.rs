use super::*;

const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID: &str = "urn:ietf:params:oauth:token-type:id_token";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
const REFRESH: &str = "urn:ietf:params:oauth:token-type:refresh_token";
const SAML2: &str = "urn:ietf:params:oauth:token-type:saml2";

fn params(pairs: &[(&str, &str)]) -> RawParams {
    RawParams::new(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

fn parse(pairs: &[(&str, &str)]) -> ExchangeRequest {
    ExchangeRequest::parse(&params(pairs)).unwrap_or_else(|e| panic!("{pairs:?}: {e:?}"))
}

/// The code and description of the refusal of `pairs`.
fn refusal(pairs: &[(&str, &str)]) -> (ErrorCode, String) {
    match ExchangeRequest::parse(&params(pairs)) {
        Ok(req) => panic!("{pairs:?} parsed as {req:?}"),
        Err(e) => {
            assert!(!e.description.is_empty());
            (e.code, e.description)
        }
    }
}

fn presented(token: &str, kind: TokenType) -> Presented {
    Presented {
        token: token.into(),
        kind,
    }
}

#[test]
fn a_subject_token_alone_asks_for_an_access_token_for_no_particular_target() {
    let req = parse(&[("subject_token", "t1"), ("subject_token_type", ACCESS)]);
    assert_eq!(
        req,
        ExchangeRequest {
            subject: Subject::Token(presented("t1", TokenType::AccessToken)),
            actor: None,
            requested: TokenType::AccessToken,
            scope: None,
            target: None,
        }
    );
}

#[test]
fn every_parameter_is_read() {
    let req = parse(&[
        ("subject_token", "t1"),
        ("subject_token_type", ID),
        ("actor_token", "t2"),
        ("actor_token_type", JWT),
        ("requested_token_type", JWT),
        ("scope", "orders:read orders:write"),
        ("resource", "https://orders.example/"),
    ]);
    assert_eq!(
        req.subject,
        Subject::Token(presented("t1", TokenType::IdToken))
    );
    assert_eq!(req.actor, Some(presented("t2", TokenType::Jwt)));
    assert_eq!(req.requested, TokenType::Jwt);
    let scope = req.scope.unwrap();
    assert!(scope.contains("orders:read") && scope.contains("orders:write"));
    assert_eq!(scope.iter().count(), 2);
    assert_eq!(req.target.as_deref(), Some("https://orders.example/"));
}

#[test]
fn a_requested_subject_is_an_impersonation() {
    let req = parse(&[
        ("requested_subject", "ada"),
        ("audience", "https://o.example/"),
    ]);
    assert_eq!(req.subject, Subject::Impersonated("ada".into()));
    assert_eq!(req.actor, None);
    assert_eq!(req.target.as_deref(), Some("https://o.example/"));
}

#[test]
fn an_access_token_or_a_jwt_may_be_asked_for() {
    for (asked, expected) in [(ACCESS, TokenType::AccessToken), (JWT, TokenType::Jwt)] {
        let req = parse(&[
            ("subject_token", "t"),
            ("subject_token_type", ACCESS),
            ("requested_token_type", asked),
        ]);
        assert_eq!(req.requested, expected);
    }
}

#[test]
fn resource_and_audience_naming_the_same_target_are_one() {
    let req = parse(&[
        ("subject_token", "t"),
        ("subject_token_type", ACCESS),
        ("resource", "https://o.example/"),
        ("audience", "https://o.example/"),
        ("resource", "https://o.example/"),
    ]);
    assert_eq!(req.target.as_deref(), Some("https://o.example/"));
}

#[test]
fn a_missing_subject_is_invalid_request() {
    for pairs in [
        &[][..],
        &[("scope", "a")],
        &[("requested_subject", "")],
        &[("actor_token", "t"), ("actor_token_type", ACCESS)],
    ] {
        let (code, description) = refusal(pairs);
        assert_eq!(code, ErrorCode::InvalidRequest, "{pairs:?}");
        assert!(
            description.contains("subject_token is required"),
            "{description}"
        );
    }
}

#[test]
fn a_token_and_its_type_come_together() {
    let cases = [
        (
            &[("subject_token", "t")][..],
            "subject_token_type is required",
        ),
        (&[("subject_token_type", ACCESS)], "without subject_token"),
        // An empty value is no value (RFC 6749 §3.1).
        (
            &[("subject_token", ""), ("subject_token_type", ACCESS)],
            "without subject_token",
        ),
        (
            &[("subject_token", "t"), ("subject_token_type", "")],
            "subject_token_type is required",
        ),
        (
            &[
                ("subject_token", "t"),
                ("subject_token_type", ACCESS),
                ("actor_token", "a"),
            ],
            "actor_token_type is required",
        ),
        (
            &[
                ("subject_token", "t"),
                ("subject_token_type", ACCESS),
                ("actor_token_type", ACCESS),
            ],
            "without actor_token",
        ),
    ];
    for (pairs, needle) in cases {
        let (code, description) = refusal(pairs);
        assert_eq!(code, ErrorCode::InvalidRequest, "{pairs:?}");
        assert!(description.contains(needle), "{needle}: {description}");
    }
}

#[test]
fn a_token_type_sigil_does_not_know_or_a_refresh_token_is_invalid_request() {
    for kind in [
        SAML2,
        "access_token",
        "URN:IETF:PARAMS:OAUTH:TOKEN-TYPE:ACCESS_TOKEN",
    ] {
        let (code, description) = refusal(&[("subject_token", "t"), ("subject_token_type", kind)]);
        assert_eq!(code, ErrorCode::InvalidRequest, "{kind}");
        assert!(description.contains("subject_token_type"), "{description}");
    }
    let (code, description) = refusal(&[("subject_token", "t"), ("subject_token_type", REFRESH)]);
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(description.contains("subject_token"), "{description}");
    let (code, description) = refusal(&[
        ("subject_token", "t"),
        ("subject_token_type", ACCESS),
        ("actor_token", "a"),
        ("actor_token_type", REFRESH),
    ]);
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(description.contains("actor_token"), "{description}");
}

#[test]
fn a_subject_token_and_a_requested_subject_together_are_invalid_request() {
    let (code, description) = refusal(&[
        ("subject_token", "t"),
        ("subject_token_type", ACCESS),
        ("requested_subject", "ada"),
    ]);
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(description.contains("not both"), "{description}");
}

#[test]
fn a_token_type_not_offered_is_invalid_request() {
    for asked in [ID, REFRESH, SAML2, "jwt"] {
        let (code, description) = refusal(&[
            ("subject_token", "t"),
            ("subject_token_type", ACCESS),
            ("requested_token_type", asked),
        ]);
        assert_eq!(code, ErrorCode::InvalidRequest, "{asked}");
        assert!(
            description.contains("requested_token_type"),
            "{description}"
        );
    }
}

#[test]
fn a_malformed_scope_is_invalid_scope() {
    for scope in ["a  b", " a", "a ", "a\"b", "a\\b", "a\tb", " "] {
        let (code, _) = refusal(&[
            ("subject_token", "t"),
            ("subject_token_type", ACCESS),
            ("scope", scope),
        ]);
        assert_eq!(code, ErrorCode::InvalidScope, "{scope:?}");
    }
}

#[test]
fn two_targets_are_invalid_target() {
    for (first, second) in [("resource", "audience"), ("resource", "resource")] {
        let (code, _) = refusal(&[
            ("subject_token", "t"),
            ("subject_token_type", ACCESS),
            (first, "https://a.example/"),
            (second, "https://b.example/"),
        ]);
        assert_eq!(code, ErrorCode::InvalidTarget, "{first} + {second}");
    }
}

#[test]
fn the_form_reader_refuses_every_repeated_exchange_parameter_but_the_targets() {
    let form = b"subject_token=a&subject_token=b&resource=x&resource=y&audience=z";
    let raw = RawParams::new(crate::oauth::params::decode(form).unwrap());
    assert_eq!(
        raw.first_duplicate_except(&target::REPEATABLE),
        Some("subject_token")
    );
    let targets_only =
        RawParams::new(crate::oauth::params::decode(b"resource=x&resource=x&audience=x").unwrap());
    assert_eq!(
        targets_only.first_duplicate_except(&target::REPEATABLE),
        None
    );
}

#[test]
fn a_presented_token_is_never_in_debug_output() {
    let req = parse(&[
        ("subject_token", "secret-subject-token"),
        ("subject_token_type", ACCESS),
        ("actor_token", "secret-actor-token"),
        ("actor_token_type", ACCESS),
    ]);
    let shown = format!("{req:?}");
    assert!(!shown.contains("secret-"), "{shown}");
    assert!(shown.contains("AccessToken"), "{shown}");
}
