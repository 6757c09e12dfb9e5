use super::*;

fn scope(s: &str) -> Scope {
    Scope::parse(s).unwrap()
}

#[test]
fn parses_tokens_in_order() {
    let s = scope("openid profile email");
    assert_eq!(s.iter().collect::<Vec<_>>(), ["openid", "profile", "email"]);
    assert_eq!(s.len(), 3);
    assert!(!s.is_empty());
    assert_eq!(s.to_string(), "openid profile email");
}

#[test]
fn single_token() {
    let s = scope("openid");
    assert_eq!(s.iter().collect::<Vec<_>>(), ["openid"]);
}

#[test]
fn empty_string_is_the_empty_scope() {
    let s = scope("");
    assert!(s.is_empty());
    assert_eq!(s.len(), 0);
    assert_eq!(s.to_string(), "");
    assert_eq!(s, Scope::default());
}

#[test]
fn duplicates_collapse_keeping_first_position() {
    let s = scope("b a b c a");
    assert_eq!(s.iter().collect::<Vec<_>>(), ["b", "a", "c"]);
    assert_eq!(s.to_string(), "b a c");
}

#[test]
fn accepts_the_whole_token_alphabet() {
    let all: String = ('\x21'..='\x7E')
        .filter(|&c| c != '"' && c != '\\')
        .collect();
    let s = scope(&all);
    assert!(s.contains(&all));
    // URIs and other punctuation are fine.
    let punctuated = scope("https://api.example.com/read urn:x:y a:b!#$%&'()*+,-./;<=>?@[]^_`{|}~");
    assert_eq!(punctuated.len(), 3);
}

#[test]
fn rejects_leading_and_trailing_spaces() {
    assert_eq!(
        Scope::parse(" openid"),
        Err(ScopeError::LeadingOrTrailingSpace)
    );
    assert_eq!(
        Scope::parse("openid "),
        Err(ScopeError::LeadingOrTrailingSpace)
    );
    assert_eq!(Scope::parse(" "), Err(ScopeError::LeadingOrTrailingSpace));
}

#[test]
fn rejects_double_spaces() {
    assert_eq!(Scope::parse("openid  email"), Err(ScopeError::EmptyToken));
}

#[test]
fn rejects_characters_outside_the_grammar() {
    for (input, bad) in [
        ("open\"id", '"'),
        ("open\\id", '\\'),
        ("openid\temail", '\t'),
        ("openid\nemail", '\n'),
        ("profil\u{e9}", '\u{e9}'),
        ("a\x7f", '\x7f'),
        ("a\0", '\0'),
    ] {
        match Scope::parse(input) {
            Err(ScopeError::InvalidCharacter { character, .. }) => assert_eq!(character, bad),
            other => panic!("{input:?}: unexpected {other:?}"),
        }
    }
}

#[test]
fn invalid_character_error_names_token_and_character() {
    let err = Scope::parse("openid e\"mail").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(r#""e\"mail""#), "{msg}");
    assert!(msg.contains(r#"'"'"#), "{msg}");
}

#[test]
fn contains_is_exact_and_case_sensitive() {
    let s = scope("openid profile");
    assert!(s.contains("openid"));
    assert!(!s.contains("OpenID"));
    assert!(!s.contains("open"));
    assert!(!s.contains(""));
}

#[test]
fn equality_ignores_order() {
    assert_eq!(scope("a b c"), scope("c a b"));
    assert_ne!(scope("a b"), scope("a b c"));
    assert_ne!(scope("a b c"), scope("a b"));
    assert_ne!(scope("a"), scope("b"));
}

#[test]
fn intersection_keeps_self_order() {
    let requested = scope("email openid offline_access");
    let allowed = scope("openid profile email");
    let granted = requested.intersection(&allowed);
    assert_eq!(granted.to_string(), "email openid");
    assert!(requested.intersection(&Scope::default()).is_empty());
    assert!(Scope::default().intersection(&allowed).is_empty());
}

#[test]
fn subset() {
    let allowed = scope("openid profile email");
    assert!(scope("openid email").is_subset_of(&allowed));
    assert!(allowed.is_subset_of(&allowed));
    assert!(Scope::default().is_subset_of(&allowed));
    assert!(!scope("openid admin").is_subset_of(&allowed));
    assert!(!allowed.is_subset_of(&Scope::default()));
}

#[test]
fn from_str_matches_parse() {
    let s: Scope = "openid profile".parse().unwrap();
    assert_eq!(s, scope("openid profile"));
    assert!("a  b".parse::<Scope>().is_err());
}

#[test]
fn serializes_as_space_separated_string() {
    let s = scope("openid email openid");
    assert_eq!(serde_json::to_value(&s).unwrap(), "openid email");
}

#[test]
fn deserializes_from_string() {
    let s: Scope = serde_json::from_str("\"openid email\"").unwrap();
    assert_eq!(s.iter().collect::<Vec<_>>(), ["openid", "email"]);
}

#[test]
fn deserialize_rejects_invalid_strings_and_types() {
    let err = serde_json::from_str::<Scope>("\"openid  email\"").unwrap_err();
    assert!(err.to_string().contains("single space"), "{err}");
    assert!(serde_json::from_str::<Scope>("[\"openid\"]").is_err());
    assert!(serde_json::from_str::<Scope>("42").is_err());
}

#[test]
fn round_trips_through_json() {
    let s = scope("openid profile urn:example:read");
    let json = serde_json::to_string(&s).unwrap();
    let back: Scope = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.to_string(), s.to_string());
}
