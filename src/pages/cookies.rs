//! Cookie names and attributes: HttpOnly, SameSite=Lax, Secure and `__Host-` under https.

use actix_web::cookie::{Cookie, SameSite, time::Duration};

/// How sigil's cookies are named and flagged for this issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookiePolicy {
    secure: bool,
}

impl CookiePolicy {
    /// Secure cookies (with the `__Host-` prefix) when the issuer is https.
    pub fn for_issuer(issuer: &str) -> Self {
        Self {
            secure: issuer.starts_with("https://"),
        }
    }

    /// The SSO session cookie's name.
    pub fn session(&self) -> &'static str {
        if self.secure {
            "__Host-sigil_session"
        } else {
            "sigil_session"
        }
    }

    /// The cookie of the session an admin acts as a user in (browser impersonation).
    pub fn acting(&self) -> &'static str {
        if self.secure {
            "__Host-sigil_acting"
        } else {
            "sigil_acting"
        }
    }

    /// The browser-binding cookie's name (anchors CSRF tokens and pending requests).
    pub fn browser(&self) -> &'static str {
        if self.secure {
            "__Host-sigil_browser"
        } else {
            "sigil_browser"
        }
    }

    /// A cookie with sigil's attributes; `max_age` `None` makes it last for the browser session.
    pub fn build(
        &self,
        name: &'static str,
        value: String,
        max_age: Option<i64>,
    ) -> Cookie<'static> {
        let mut cookie = Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax)
            .finish();
        if let Some(seconds) = max_age {
            cookie.set_max_age(Duration::seconds(seconds));
        }
        cookie
    }

    /// A cookie that deletes `name`.
    pub fn removal(&self, name: &'static str) -> Cookie<'static> {
        let mut cookie = self.build(name, String::new(), Some(0));
        cookie.make_removal();
        cookie
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_issuers_get_host_prefixed_secure_cookies() {
        let p = CookiePolicy::for_issuer("https://id.example");
        let c = p.build(p.session(), "v".into(), None);
        assert_eq!(c.name(), "__Host-sigil_session");
        assert_eq!(c.secure(), Some(true));
        assert_eq!(c.http_only(), Some(true));
        assert_eq!(c.same_site(), Some(SameSite::Lax));
        assert_eq!(c.path(), Some("/"));
        let p = CookiePolicy::for_issuer("http://127.0.0.1:8080");
        let c = p.build(p.session(), "v".into(), Some(60));
        assert_eq!(c.name(), "sigil_session");
        assert_eq!(c.secure(), Some(false));
    }
}
