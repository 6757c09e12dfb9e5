use serde_json::json;

use super::*;

fn user(sub: &str) -> Actor {
    Actor {
        sub: sub.into(),
        client_id: None,
        iss: None,
    }
}

#[test]
fn an_actor_nests_the_act_it_acts_on() {
    let first = Actor::client("svc").over(None).unwrap();
    assert_eq!(first, json!({"sub": "svc", "client_id": "svc"}));
    let second = user("u2").over(Some(&first)).unwrap();
    assert_eq!(
        second,
        json!({"sub": "u2", "act": {"sub": "svc", "client_id": "svc"}})
    );
    assert_eq!(depth(&second), 2);
}

#[test]
fn no_chain_names_more_than_five_actors() {
    let mut act = user("a0").over(None).unwrap();
    for i in 1..MAX_ACTORS {
        act = user(&format!("a{i}")).over(Some(&act)).unwrap();
    }
    assert_eq!(depth(&act), MAX_ACTORS);
    let err = user("one-too-many").over(Some(&act)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidRequest);
    let mut deep = json!({"sub": "x"});
    for _ in 0..40 {
        deep = json!({"sub": "x", "act": deep});
    }
    assert_eq!(
        sanitized(&deep).unwrap_err().code,
        ErrorCode::InvalidRequest
    );
}

#[test]
fn a_carried_act_keeps_only_the_members_that_name_actors() {
    let foreign = json!({"sub": "a", "iss": "https://idp.example", "extra": {"x": 1},
        "act": {"sub": "b", "client_id": "c"}});
    assert_eq!(
        sanitized(&foreign).unwrap(),
        json!({"sub": "a", "iss": "https://idp.example", "act": {"sub": "b", "client_id": "c"}})
    );
    for bad in [
        json!("a"),
        json!({}),
        json!({"sub": 5}),
        json!({"sub": ""}),
        json!({"sub": "a", "act": "b"}),
        json!({"sub": "a", "client_id": ["c"]}),
    ] {
        assert_eq!(
            sanitized(&bad).unwrap_err().code,
            ErrorCode::InvalidGrant,
            "{bad}"
        );
    }
}

#[test]
fn may_act_admits_only_the_actor_it_names() {
    let may = |v: Value| v.as_object().unwrap().clone();
    let svc = Actor::client("svc");
    let own = "https://sigil.example";
    assert!(svc.admitted_by(&may(json!({"sub": "svc"})), own));
    assert!(svc.admitted_by(&may(json!({"client_id": "svc", "iss": own})), own));
    assert!(!svc.admitted_by(&may(json!({"sub": "other"})), own));
    assert!(!svc.admitted_by(&may(json!({"sub": "svc", "iss": "https://idp"})), own));
    assert!(!svc.admitted_by(&may(json!({"sub": "svc", "role": "x"})), own));
    assert!(!svc.admitted_by(&may(json!({})), own));
    assert!(!svc.admitted_by(&may(json!({"sub": ["svc"]})), own));
    assert!(!user("svc").admitted_by(&may(json!({"client_id": "svc"})), own));
}
