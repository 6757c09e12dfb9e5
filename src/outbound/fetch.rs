//! One GET of a registered document (`jwks_uri`, a client ID metadata document): https, or
//! http on a loopback host; never an address the [`super::guard`] refuses; no redirects
//! followed; a timeout; a size cap; and the cache lifetime its `Cache-Control` asks for,
//! kept within bounds.

use std::sync::Arc;
use std::time::Duration;

use headers::{CacheControl, HeaderMapExt};

/// Limits of one fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Cache lifetime without a usable `Cache-Control`.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// Shortest cache lifetime, whatever the server says (also for `no-store`).
pub const MIN_TTL: Duration = Duration::from_secs(60);
/// Longest cache lifetime.
pub const MAX_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a failed fetch is remembered before it is tried again.
pub const FAILURE_TTL: Duration = Duration::from_secs(10);

/// Why a document could not be had; the text completes "… could not be fetched: " and is
/// safe for the document's owner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// A fetched document: its body and how long it may be cached.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The body, at most the cap asked for.
    pub body: Vec<u8>,
    /// The cache lifetime.
    pub ttl: Duration,
}

/// The shared HTTP client for registered documents (no redirects, public addresses only).
#[derive(Debug, Clone)]
pub struct Fetcher {
    http: reqwest::Client,
}

impl Fetcher {
    /// A fetcher with its own HTTP client.
    pub fn new() -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(FETCH_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(super::guard::PublicOnly))
            .user_agent(concat!("sigil/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http })
    }

    /// GETs `uri` asking for `accept`, refusing a body over `max_bytes`.
    pub async fn get(
        &self,
        uri: &str,
        accept: &str,
        max_bytes: usize,
    ) -> Result<Fetched, FetchError> {
        let fail = |s: &str| FetchError(s.to_owned());
        let url = url::Url::parse(uri).map_err(|_| fail("not a URL"))?;
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        if literal.is_some_and(|ip| !super::guard::is_allowed(ip)) {
            return Err(fail("it names an address sigil may not reach"));
        }
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            _ => literal.is_some_and(|ip| ip.is_loopback()),
        };
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(fail("https is required"));
        }
        let mut res = self
            .http
            .get(url)
            .header("accept", accept)
            .send()
            .await
            .map_err(|e| FetchError(describe(&e)))?;
        let status = res.status();
        if status.is_redirection() {
            return Err(FetchError(format!(
                "it answered with a redirect ({status}), which is not followed"
            )));
        }
        if !status.is_success() {
            return Err(FetchError(format!("it answered {status}")));
        }
        let ttl = ttl_of(res.headers());
        let too_large = || {
            FetchError(format!(
                "the document is larger than {} KiB",
                max_bytes / 1024
            ))
        };
        if res.content_length().is_some_and(|n| n > max_bytes as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| FetchError(describe(&e)))? {
            if body.len() + chunk.len() > max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched { body, ttl })
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("it did not answer within {} s", FETCH_TIMEOUT.as_secs())
    } else if e.is_connect() {
        "it could not be reached".into()
    } else {
        "the answer could not be read".into()
    }
}

/// The cache lifetime `Cache-Control` asks for, kept within [`MIN_TTL`]..=[`MAX_TTL`].
pub fn ttl_of(headers: &reqwest::header::HeaderMap) -> Duration {
    let Some(cc) = headers.typed_get::<CacheControl>() else {
        return DEFAULT_TTL;
    };
    if cc.no_store() || cc.no_cache() {
        return MIN_TTL;
    }
    cc.s_max_age()
        .or(cc.max_age())
        .unwrap_or(DEFAULT_TTL)
        .clamp(MIN_TTL, MAX_TTL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_is_honoured_within_bounds() {
        let with = |v: &str| {
            let mut h = reqwest::header::HeaderMap::new();
            h.insert("cache-control", v.parse().unwrap());
            ttl_of(&h)
        };
        assert_eq!(ttl_of(&reqwest::header::HeaderMap::new()), DEFAULT_TTL);
        assert_eq!(with("max-age=600"), Duration::from_secs(600));
        assert_eq!(with("public, max-age=5"), MIN_TTL);
        assert_eq!(with("max-age=999999999"), MAX_TTL);
        assert_eq!(with("no-store"), MIN_TTL);
        assert_eq!(with("garbage=="), DEFAULT_TTL);
    }
}
