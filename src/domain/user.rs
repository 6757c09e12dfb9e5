//! Users as the outside sees them, and the rules for their fields.

use serde::Serialize;

/// Why a user field was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct UserFieldError {
    /// The field.
    pub field: &'static str,
    /// What is wrong.
    pub problem: &'static str,
}

fn bad(field: &'static str, problem: &'static str) -> UserFieldError {
    UserFieldError { field, problem }
}

/// A login name: 1–64 of `a-z 0-9 . _ - @`, stored lower-case so `Alice` and `alice` are one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Validates and lower-cases a username.
    pub fn parse(raw: &str) -> Result<Self, UserFieldError> {
        let lower = raw.trim().to_lowercase();
        if lower.is_empty() || lower.chars().count() > 64 {
            return Err(bad("username", "must be 1 to 64 characters"));
        }
        if !lower
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err(bad(
                "username",
                "may contain only letters, digits, '.', '_', '-' and '@'",
            ));
        }
        Ok(Self(lower))
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks an email address loosely (one `@`, something on both sides, no spaces).
pub fn parse_email(raw: &str) -> Result<String, UserFieldError> {
    let email = raw.trim();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.') && !d.contains('@'));
    if valid {
        Ok(email.to_owned())
    } else {
        Err(bad("email", "is not an email address"))
    }
}

/// Checks a display name: 1–200 characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, UserFieldError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(bad("name", "must be 1 to 200 printable characters"));
    }
    Ok(name.to_owned())
}

/// Checks a role name: 1–64 of `a-z 0-9 : _ . -`.
pub fn parse_role(raw: &str) -> Result<String, UserFieldError> {
    let valid = !raw.is_empty()
        && raw.len() <= 64
        && raw.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, ':' | '_' | '.' | '-')
        });
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(bad(
            "role",
            "must be 1 to 64 of lower-case letters, digits, ':', '_', '.' and '-'",
        ))
    }
}

/// A user as printed by the CLI and the admin API: never the password hash.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UserView {
    /// Stable opaque id (the `sub`).
    pub id: String,
    /// Login name.
    pub username: String,
    /// Email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Roles.
    pub roles: Vec<String>,
    /// Whether the user is disabled (cannot sign in).
    pub disabled: bool,
    /// Created, UTC Unix seconds.
    pub created_at: i64,
}

/// A user as tokens and userinfo see them: everything but the password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Opaque, stable id (the `sub`).
    pub id: String,
    /// Login name.
    pub username: String,
    /// Email address.
    pub email: Option<String>,
    /// Whether the email address was verified.
    pub email_verified: bool,
    /// Display name.
    pub name: Option<String>,
    /// Further OpenID standard claims (given_name, phone_number, address, …) as JSON text.
    pub claims: String,
    /// Last changed, UTC Unix seconds.
    pub updated_at: i64,
    /// The token generation ("sign out everywhere" bumps it).
    pub token_generation: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" Alice ").unwrap().as_str(), "alice");
        assert!(Username::parse("").is_err());
        assert!(Username::parse("a b").is_err());
        assert!(Username::parse(&"a".repeat(65)).is_err());
        assert!(Username::parse("ops@example.com").is_ok());
    }

    #[test]
    fn emails_names_roles() {
        assert!(parse_email("a@example.com").is_ok());
        for bad in [
            "a",
            "@example.com",
            "a@b",
            "a b@example.com",
            "a@@example.com",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
        assert!(parse_name("Ada Lovelace").is_ok());
        assert!(parse_name("bad\u{7}").is_err());
        assert!(parse_role("admin").is_ok());
        assert!(parse_role("Admin").is_err());
        assert!(parse_role("").is_err());
    }
}
