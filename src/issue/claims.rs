//! Standard OIDC claims of a user, released by the granted scope.

use serde_json::{Map, Value};

use crate::domain::scope::Scope;
use crate::domain::user::Account;

/// Claims each scope releases (OIDC Core §5.4), plus `roles`.
const SCOPE_CLAIMS: [(&str, &[&str]); 5] = [
    (
        "profile",
        &[
            "name",
            "family_name",
            "given_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "updated_at",
        ],
    ),
    ("email", &["email", "email_verified"]),
    ("phone", &["phone_number", "phone_number_verified"]),
    ("address", &["address"]),
    ("roles", &["roles"]),
];

/// Every claim name sigil can release (for discovery).
pub fn supported() -> Vec<&'static str> {
    let mut out = vec![
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "auth_time",
        "nonce",
        "acr",
        "amr",
        "azp",
        "sid",
    ];
    for (_, names) in SCOPE_CLAIMS {
        out.extend_from_slice(names);
    }
    out
}

/// The user's claim values (all of them; callers filter).
pub fn all_claims(user: &Account, roles: &[String]) -> Map<String, Value> {
    let mut out = match serde_json::from_str::<Value>(&user.claims) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    out.insert(
        "preferred_username".into(),
        Value::String(user.username.clone()),
    );
    if let Some(name) = &user.name {
        out.insert("name".into(), Value::String(name.clone()));
    }
    if let Some(email) = &user.email {
        out.insert("email".into(), Value::String(email.clone()));
        out.insert("email_verified".into(), Value::Bool(user.email_verified));
    }
    out.insert("updated_at".into(), Value::from(user.updated_at));
    out.insert(
        "roles".into(),
        Value::Array(roles.iter().cloned().map(Value::String).collect()),
    );
    out
}

/// The claims released for a granted `scope`: those of each scope it holds (OIDC Core §5.4),
/// and nothing else. This is the one place claims are released. The `claims` request parameter
/// (OIDC Core §5.5) cannot widen it: a claim goes out only when the scope that covers it was
/// requested, is allowed for the client and was consented to, which is what the consent page
/// shows.
pub fn release(all: &Map<String, Value>, scope: &Scope) -> Map<String, Value> {
    let mut out = Map::new();
    for (s, names) in SCOPE_CLAIMS {
        if scope.contains(s) {
            for name in names.iter() {
                if let Some(v) = all.get(*name) {
                    out.insert((*name).to_owned(), v.clone());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> Account {
        Account {
            id: "u1".into(),
            username: "ada".into(),
            email: Some("ada@example.com".into()),
            name: Some("Ada".into()),
            updated_at: 5,
            email_verified: true,
            claims: r#"{"phone_number": "+1 555", "given_name": "Ada"}"#.into(),
            token_generation: 0,
        }
    }

    #[test]
    fn scopes_release_their_claims_only() {
        let all = all_claims(&user(), &["admin".into()]);
        let openid = release(&all, &Scope::parse("openid").unwrap());
        assert!(openid.is_empty());
        let email = release(&all, &Scope::parse("openid email").unwrap());
        assert_eq!(email["email"], "ada@example.com");
        assert_eq!(email["email_verified"], true);
        assert!(email.get("name").is_none());
        let profile = release(&all, &Scope::parse("openid profile roles").unwrap());
        assert_eq!(profile["given_name"], "Ada");
        assert_eq!(profile["roles"][0], "admin");
        assert!(profile.get("phone_number").is_none());
    }

    #[test]
    fn a_claim_goes_out_only_with_its_scope() {
        let all = all_claims(&user(), &["admin".into()]);
        let out = release(&all, &Scope::parse("openid").unwrap());
        assert!(out.get("phone_number").is_none());
        assert!(out.get("roles").is_none());
        let phone = release(&all, &Scope::parse("openid phone").unwrap());
        assert_eq!(phone["phone_number"], "+1 555");
    }
}
