//! Where client and resource public keys come from: `jwks` by value, parsed once per distinct
//! set, or `jwks_uri`, fetched (https, or http on a loopback host; no redirects; 5 s; 64 KiB)
//! and cached for as long as its `Cache-Control` says within bounds. An unknown `kid` may force
//! one early refetch per cached entry, so random `kid`s cannot make sigil fetch in a loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use headers::{CacheControl, HeaderMapExt};
use moka::Expiry;
use moka::future::Cache;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::jose::client_keys::{ClientKeys, KeySetError};

/// Limits of one fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest JWK set document accepted.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// Cache lifetime without a usable `Cache-Control`.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// Shortest cache lifetime, whatever the server says (also for `no-store`).
pub const MIN_TTL: Duration = Duration::from_secs(60);
/// Longest cache lifetime.
pub const MAX_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a failed fetch is remembered before it is tried again.
pub const FAILURE_TTL: Duration = Duration::from_secs(10);

/// Where a key set is registered.
#[derive(Debug, Clone, Copy)]
pub enum KeySource<'a> {
    /// `jwks`, by value.
    Inline(&'a Value),
    /// `jwks_uri`.
    Uri(&'a str),
}

impl<'a> KeySource<'a> {
    /// The source registered in metadata: `jwks` or `jwks_uri` (registration allows one).
    pub fn of(jwks: Option<&'a Value>, jwks_uri: Option<&'a str>) -> Option<Self> {
        jwks.map(Self::Inline).or(jwks_uri.map(Self::Uri))
    }
}

/// Why no keys could be had; the text is safe for the key set's owner.
#[derive(Debug, Clone, thiserror::Error)]
pub enum KeysError {
    /// The `jwks_uri` could not be fetched or read.
    #[error("the jwks_uri could not be fetched: {0}")]
    Fetch(String),
    /// The key set is not valid.
    #[error("the JWK set is not valid: {0}")]
    Invalid(#[from] KeySetError),
}

struct Entry {
    keys: Result<Arc<ClientKeys>, KeysError>,
    ttl: Duration,
    forced: AtomicBool,
}

struct ByEntry;

impl Expiry<String, Arc<Entry>> for ByEntry {
    fn expire_after_create(&self, _: &String, entry: &Arc<Entry>, _: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    fn expire_after_update(
        &self,
        _: &String,
        entry: &Arc<Entry>,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// Fetches and caches key sets (one shared HTTP client, no redirects followed).
#[derive(Clone)]
pub struct KeySources {
    http: reqwest::Client,
    cache: Cache<String, Arc<Entry>>,
}

impl std::fmt::Debug for KeySources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySources")
            .field("cached", &self.cache.entry_count())
            .finish_non_exhaustive()
    }
}

impl KeySources {
    /// A source with its own HTTP client.
    pub fn new() -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(FETCH_TIMEOUT)
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(super::guard::PublicOnly))
            .user_agent(concat!("sigil/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            cache: Cache::builder()
                .max_capacity(10_000)
                .expire_after(ByEntry)
                .build(),
        })
    }

    /// The keys of `source`, from the cache when it holds them.
    pub async fn keys(&self, source: KeySource<'_>) -> Result<Arc<ClientKeys>, KeysError> {
        let entry = self.entry(source).await;
        entry.keys.clone()
    }

    /// The keys of `source` once a token named `kid`: when the cached set lacks it, a
    /// `jwks_uri` is fetched again — once per cached entry, however many `kid`s are tried.
    pub async fn keys_with_kid(
        &self,
        source: KeySource<'_>,
        kid: &str,
    ) -> Result<Arc<ClientKeys>, KeysError> {
        let entry = self.entry(source).await;
        let KeySource::Uri(uri) = source else {
            return entry.keys.clone();
        };
        if let Ok(keys) = &entry.keys
            && keys.has_kid(kid)
        {
            return Ok(keys.clone());
        }
        if entry.forced.swap(true, Ordering::AcqRel) {
            return entry.keys.clone();
        }
        let fresh = Arc::new(self.fetch(uri).await);
        fresh.forced.store(true, Ordering::Release);
        self.cache.insert(cache_key(source), fresh.clone()).await;
        fresh.keys.clone()
    }

    async fn entry(&self, source: KeySource<'_>) -> Arc<Entry> {
        let key = cache_key(source);
        self.cache
            .get_with(key, async {
                Arc::new(match source {
                    KeySource::Inline(jwks) => Entry {
                        keys: ClientKeys::parse(jwks)
                            .map(Arc::new)
                            .map_err(KeysError::from),
                        ttl: MAX_TTL,
                        forced: AtomicBool::new(true),
                    },
                    KeySource::Uri(uri) => self.fetch(uri).await,
                })
            })
            .await
    }

    async fn fetch(&self, uri: &str) -> Entry {
        match self.download(uri).await {
            Ok((body, ttl)) => {
                let keys = serde_json::from_slice::<Value>(&body)
                    .map_err(|_| KeysError::Fetch("the document is not JSON".into()))
                    .and_then(|doc| Ok(Arc::new(ClientKeys::parse(&doc)?)));
                let ttl = if keys.is_ok() { ttl } else { FAILURE_TTL };
                Entry {
                    keys,
                    ttl,
                    forced: AtomicBool::new(false),
                }
            }
            Err(e) => Entry {
                keys: Err(e),
                ttl: FAILURE_TTL,
                forced: AtomicBool::new(true),
            },
        }
    }

    async fn download(&self, uri: &str) -> Result<(Vec<u8>, Duration), KeysError> {
        let url = url::Url::parse(uri).map_err(|_| KeysError::Fetch("not a URL".into()))?;
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        if literal.is_some_and(|ip| !super::guard::is_allowed(ip)) {
            return Err(KeysError::Fetch(
                "it names an address sigil may not reach".into(),
            ));
        }
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            _ => literal.is_some_and(|ip| ip.is_loopback()),
        };
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(KeysError::Fetch("https is required".into()));
        }
        let mut res = self
            .http
            .get(url)
            .header("accept", "application/jwk-set+json, application/json")
            .send()
            .await
            .map_err(|e| KeysError::Fetch(describe(&e)))?;
        let status = res.status();
        if status.is_redirection() {
            return Err(KeysError::Fetch(format!(
                "it answered with a redirect ({status}), which is not followed"
            )));
        }
        if !status.is_success() {
            return Err(KeysError::Fetch(format!("it answered {status}")));
        }
        let ttl = ttl_of(res.headers());
        if res
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err(KeysError::Fetch(
                "the document is larger than 64 KiB".into(),
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = res
            .chunk()
            .await
            .map_err(|e| KeysError::Fetch(describe(&e)))?
        {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(KeysError::Fetch(
                    "the document is larger than 64 KiB".into(),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, ttl))
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "it did not answer within 5 s".into()
    } else if e.is_connect() {
        "it could not be reached".into()
    } else {
        "the answer could not be read".into()
    }
}

fn cache_key(source: KeySource<'_>) -> String {
    match source {
        KeySource::Uri(uri) => format!("uri:{uri}"),
        KeySource::Inline(jwks) => {
            let bytes = serde_json::to_vec(jwks).unwrap_or_default();
            format!("jwks:{}", crate::secrets::hex(&Sha256::digest(bytes)))
        }
    }
}

/// The cache lifetime `Cache-Control` asks for, kept within [`MIN_TTL`]..=[`MAX_TTL`].
fn ttl_of(headers: &reqwest::header::HeaderMap) -> Duration {
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
