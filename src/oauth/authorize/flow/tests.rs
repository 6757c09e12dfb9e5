use super::*;
use crate::domain::pkce::CodeChallenge;
use crate::oauth::authorize::request::{Prompt, ReplyTo, ResponseMode};

fn request(prompt: Prompt, max_age: Option<i64>) -> AuthorizeRequest {
    AuthorizeRequest {
        client_id: "c".into(),
        reply: ReplyTo {
            redirect_uri: "https://app.example/cb".into(),
            state: None,
            mode: ResponseMode::Query,
        },
        scope: Scope::parse("openid profile").unwrap(),
        nonce: None,
        code_challenge: CodeChallenge::parse(
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            Some("S256"),
        )
        .unwrap(),
        prompt,
        max_age,
        login_hint: None,
        id_token_hint: None,
        claims: None,
        resource: None,
    }
}

fn session(auth_time: i64) -> SessionRow {
    SessionRow {
        id_hash: "h".into(),
        sid: "s".into(),
        user_id: "u".into(),
        auth_time,
        amr: "pwd".into(),
        created_at: auth_time,
        last_seen: auth_time,
        expires_at: auth_time + 3600,
        actor_id: None,
        user_agent: None,
    }
}

#[test]
fn no_session_means_login_or_login_required() {
    let s = Situation {
        now: 100,
        ..Default::default()
    };
    assert_eq!(
        decide(&request(Prompt::default(), None), &s),
        Ok(Step::Login)
    );
    let none = Prompt {
        none: true,
        ..Default::default()
    };
    assert_eq!(
        decide(&request(none, None), &s).unwrap_err().0,
        ErrorCode::LoginRequired
    );
}

#[test]
fn prompt_login_and_max_age_force_a_fresh_login_once() {
    let sess = session(50);
    let granted = Scope::parse("openid profile email").unwrap();
    let base = Situation {
        session: Some(&sess),
        granted: Some(&granted),
        now: 100,
        ..Default::default()
    };
    let login = Prompt {
        login: true,
        ..Default::default()
    };
    assert_eq!(decide(&request(login, None), &base), Ok(Step::Login));
    let done = Situation {
        login_done: true,
        ..base.clone()
    };
    assert_eq!(decide(&request(login, None), &done), Ok(Step::Issue));
    assert_eq!(
        decide(&request(Prompt::default(), Some(0)), &base),
        Ok(Step::Login)
    );
    assert_eq!(
        decide(&request(Prompt::default(), Some(60)), &base),
        Ok(Step::Issue)
    );
    assert_eq!(
        decide(&request(Prompt::default(), Some(30)), &base),
        Ok(Step::Login)
    );
}

#[test]
fn consent_is_remembered_unless_new_scopes_or_prompt_consent() {
    let sess = session(50);
    let narrow = Scope::parse("openid").unwrap();
    let s = Situation {
        session: Some(&sess),
        granted: Some(&narrow),
        now: 100,
        ..Default::default()
    };
    assert_eq!(
        decide(&request(Prompt::default(), None), &s),
        Ok(Step::Consent)
    );
    let none = Prompt {
        none: true,
        ..Default::default()
    };
    assert_eq!(
        decide(&request(none, None), &s).unwrap_err().0,
        ErrorCode::ConsentRequired
    );
    let wide = Scope::parse("openid profile").unwrap();
    let s = Situation {
        granted: Some(&wide),
        ..s
    };
    assert_eq!(
        decide(&request(Prompt::default(), None), &s),
        Ok(Step::Issue)
    );
    let consent = Prompt {
        consent: true,
        ..Default::default()
    };
    assert_eq!(decide(&request(consent, None), &s), Ok(Step::Consent));
    let first = Situation {
        first_party: true,
        granted: None,
        ..s
    };
    assert_eq!(
        decide(&request(Prompt::default(), None), &first),
        Ok(Step::Issue)
    );
    assert_eq!(decide(&request(consent, None), &first), Ok(Step::Consent));
}

#[test]
fn a_hint_for_another_user_needs_a_login() {
    let sess = session(50);
    let s = Situation {
        session: Some(&sess),
        hint_sub: Some("other"),
        first_party: true,
        now: 100,
        ..Default::default()
    };
    assert_eq!(
        decide(&request(Prompt::default(), None), &s),
        Ok(Step::Login)
    );
    let none = Prompt {
        none: true,
        ..Default::default()
    };
    assert_eq!(
        decide(&request(none, None), &s).unwrap_err().0,
        ErrorCode::LoginRequired
    );
}
