//! Where client and resource public keys come from: `jwks` by value, parsed once per distinct
//! set, or `jwks_uri`, fetched (https, or http on a loopback host; no redirects; 5 s; 64 KiB)
//! and cached for as long as its `Cache-Control` says within bounds. An unknown `kid` may force
//! one early refetch per cached entry, so random `kid`s cannot make sigil fetch in a loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::future::Cache;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::jose::client_keys::{ClientKeys, KeySetError};

use super::fetch::Fetcher;
pub use super::fetch::{DEFAULT_TTL, FAILURE_TTL, FETCH_TIMEOUT, MAX_TTL, MIN_TTL};

/// The largest JWK set document accepted.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;

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
    fetcher: Fetcher,
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
        Ok(Self {
            fetcher: Fetcher::new()?,
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
        let got = self
            .fetcher
            .get(
                uri,
                "application/jwk-set+json, application/json",
                MAX_JWKS_BYTES,
            )
            .await
            .map_err(|e| KeysError::Fetch(e.0))?;
        Ok((got.body, got.ttl))
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
