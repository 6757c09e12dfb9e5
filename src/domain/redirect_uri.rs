//! Registered redirect URIs, checked against OAuth 2.1 and RFC 8252 and kept verbatim.

use std::fmt;
use std::net::Ipv6Addr;

use serde::Serialize;
use url::{Host, Url};

use super::client_metadata::ApplicationType;
use super::metadata_error::{MetadataError, MetadataErrorCode, quoted};

/// Schemes refused up front, with a specific message, wherever a URI is accepted.
const DANGEROUS_SCHEMES: &[&str] = &[
    "javascript",
    "vbscript",
    "data",
    "file",
    "blob",
    "filesystem",
    "about",
];

/// Where loopback http is allowed, for error messages.
const LOOPBACK_HOSTS: &str = "localhost, 127.0.0.0/8 or [::1]";

/// A validated redirect URI, stored exactly as registered (never normalised).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RedirectUri(String);

impl RedirectUri {
    /// Validates `s` as a redirect URI for a client of the given application type.
    pub fn parse(s: &str, application_type: ApplicationType) -> Result<Self, MetadataError> {
        Self::parse_as(
            s,
            application_type,
            "redirect URI",
            MetadataErrorCode::InvalidRedirectUri,
        )
    }

    /// Like [`RedirectUri::parse`], naming the URI `what` and failing with `code`.
    pub(crate) fn parse_as(
        s: &str,
        application_type: ApplicationType,
        what: &str,
        code: MetadataErrorCode,
    ) -> Result<Self, MetadataError> {
        match check_redirect_uri(s, application_type) {
            Ok(()) => Ok(Self(s.to_owned())),
            Err(reason) => Err(MetadataError {
                code,
                description: format!("{what} {} {reason}", quoted(s)),
            }),
        }
    }

    /// The URI exactly as it was registered.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for RedirectUri {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks the redirect URI rules; the error completes the sentence "redirect URI "…" …".
fn check_redirect_uri(s: &str, application_type: ApplicationType) -> Result<(), String> {
    let url = parse_absolute(s)?;
    if url.fragment().is_some() {
        return Err("must not contain a fragment ('#')".to_owned());
    }
    let scheme = url.scheme();
    match (application_type, scheme) {
        (_, "https") => Ok(()),
        (_, "http") if is_loopback(&url) => Ok(()),
        (ApplicationType::Web, "http") => Err(format!(
            "must use https; plain http is allowed only for loopback hosts ({LOOPBACK_HOSTS})"
        )),
        (ApplicationType::Web, _) => Err(format!(
            "must use https, not the {scheme:?} scheme \
             (private-use schemes are allowed only for native clients)"
        )),
        (ApplicationType::Native, "http") => Err(format!(
            "uses http with a non-loopback host; native clients may use plain http \
             only with {LOOPBACK_HOSTS} (RFC 8252 §7.3)"
        )),
        (ApplicationType::Native, _) if scheme.contains('.') => Ok(()),
        (ApplicationType::Native, _) => Err(format!(
            "uses the {scheme:?} scheme; a private-use scheme must contain a '.', \
             as a reverse domain name such as \"com.example.app\" (RFC 8252 §7.1)"
        )),
    }
}

/// Parses an absolute URI strictly: RFC 3986 characters only, no userinfo, and
/// `scheme://authority` for http(s). The error completes "… "<uri>" …".
pub(crate) fn parse_absolute(s: &str) -> Result<Url, String> {
    if s.is_empty() {
        return Err("is empty".to_owned());
    }
    if let Some((scheme, _)) = s.split_once(':') {
        let scheme = scheme.trim().to_ascii_lowercase();
        if DANGEROUS_SCHEMES.contains(&scheme.as_str()) {
            return Err(format!(
                "uses the {scheme:?} scheme, which is never allowed"
            ));
        }
    }
    check_uri_characters(s)?;
    let url = Url::parse(s).map_err(|e| format!("is not an absolute URI ({e})"))?;
    let rest = s.get(url.scheme().len()..).unwrap_or_default();
    if url.is_special() {
        let authority_and_path = rest.strip_prefix("://").unwrap_or_default();
        if authority_and_path.is_empty() || authority_and_path.starts_with('/') {
            return Err(format!("must have the form {}://host/path", url.scheme()));
        }
    }
    let raw_userinfo = rest
        .strip_prefix("://")
        .map(|a| a.split(['/', '?', '#']).next().unwrap_or_default())
        .is_some_and(|authority| authority.contains('@'));
    if raw_userinfo || !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password ('user@')".to_owned());
    }
    Ok(url)
}

/// Refuses characters that RFC 3986 does not allow in a URI, and malformed `%` escapes.
fn check_uri_characters(s: &str) -> Result<(), String> {
    if let Some(c) = s.chars().find(|&c| !is_uri_char(c)) {
        return Err(format!(
            "contains the character {c:?}, which is not allowed in a URI (percent-encode it)"
        ));
    }
    let bytes = s.as_bytes();
    for (i, _) in s.match_indices('%') {
        let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
        if !(hex(i + 1) && hex(i + 2)) {
            return Err("contains a '%' that is not followed by two hex digits".to_owned());
        }
    }
    Ok(())
}

/// RFC 3986 unreserved, reserved and `%`.
fn is_uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// Whether the URL's host is `localhost`, an IPv4 address in 127.0.0.0/8, or `[::1]`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(addr)) => addr.is_loopback(),
        Some(Host::Ipv6(addr)) => addr == Ipv6Addr::LOCALHOST,
        None => false,
    }
}

#[cfg(test)]
mod tests;
