//! The account page: the signed-in person's profile, the password form, their sessions and
//! the applications they let in, each session and application with its own form.

use askama::Template;
use time::OffsetDateTime;
use time::macros::format_description;

use super::{Branding, ScopeLine};

/// The account page of the signed-in user.
#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token, sent back as the `csrf_token` hidden input of every form.
    pub csrf_token: String,
    /// The login name.
    pub username: String,
    /// The display name, if set.
    pub name: Option<String>,
    /// The email address, if set.
    pub email: Option<String>,
    /// What the last change did, in words (the flash message after a redirect).
    pub notice: Option<String>,
    /// Why the current password was refused.
    pub current_password_error: Option<String>,
    /// Why the new password was refused.
    pub new_password_error: Option<String>,
    /// The live sessions, newest first.
    pub sessions: Vec<SessionLine>,
    /// The applications with consent, most recent first.
    pub applications: Vec<ApplicationLine>,
}

/// One session on the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLine {
    /// The public session id, posted back to sign it out.
    pub sid: String,
    /// The browser and system, for people.
    pub device: String,
    /// When it was signed in, for people.
    pub signed_in: String,
    /// When it was last seen, for people.
    pub last_seen: String,
    /// Whether it is the session showing the page.
    pub current: bool,
}

/// One application on the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationLine {
    /// The client's id, posted back to revoke it.
    pub client_id: String,
    /// The client's name for people.
    pub client_name: String,
    /// What it was allowed, one line per scope.
    pub scopes: Vec<ScopeLine>,
    /// When consent was given, for people.
    pub granted: String,
}

/// A UTC Unix time as people read it: `1 Dec 2026, 18:41 UTC`.
pub fn when(unix: i64) -> String {
    let format =
        format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::when;

    #[test]
    fn times_read_as_dates_in_utc() {
        assert_eq!(when(1_800_000_000), "15 Jan 2027, 08:00 UTC");
        assert_eq!(when(i64::MAX), "unknown");
    }
}
