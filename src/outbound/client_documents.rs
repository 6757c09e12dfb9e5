//! Client ID metadata documents: a `client_id` that is a URL names the document describing
//! the client, fetched through [`super::fetch`] (same rules as a `jwks_uri`) and cached for
//! as long as its `Cache-Control` says within bounds — a failure for a few seconds only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::future::Cache;

use super::fetch::{FAILURE_TTL, FetchError, Fetcher};
use crate::domain::client_metadata::MAX_DOCUMENT_BYTES;

/// A fetched document or why there is none, and how long that stands.
#[derive(Clone)]
struct Entry {
    body: Result<Arc<Vec<u8>>, FetchError>,
    ttl: Duration,
}

struct ByEntry;

impl Expiry<String, Entry> for ByEntry {
    fn expire_after_create(&self, _: &String, entry: &Entry, _: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// Fetches and caches client ID metadata documents.
#[derive(Clone)]
pub struct ClientDocuments {
    fetcher: Fetcher,
    cache: Cache<String, Entry>,
}

impl std::fmt::Debug for ClientDocuments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientDocuments")
            .field("cached", &self.cache.entry_count())
            .finish_non_exhaustive()
    }
}

impl ClientDocuments {
    /// A cache with its own HTTP client.
    pub fn new() -> Result<Self, reqwest::Error> {
        Ok(Self {
            fetcher: Fetcher::new()?,
            cache: Cache::builder()
                .max_capacity(10_000)
                .expire_after(ByEntry)
                .build(),
        })
    }

    /// The body of the document at `url` (at most [`MAX_DOCUMENT_BYTES`]), from the cache
    /// when it holds it.
    pub async fn get(&self, url: &str) -> Result<Arc<Vec<u8>>, FetchError> {
        self.cache
            .get_with(url.to_owned(), async {
                match self
                    .fetcher
                    .get(url, "application/json", MAX_DOCUMENT_BYTES)
                    .await
                {
                    Ok(got) => Entry {
                        body: Ok(Arc::new(got.body)),
                        ttl: got.ttl,
                    },
                    Err(e) => Entry {
                        body: Err(e),
                        ttl: FAILURE_TTL,
                    },
                }
            })
            .await
            .body
    }

    /// Forgets the document at `url` (a test changing what it serves, an operator's reload).
    pub async fn forget(&self, url: &str) {
        self.cache.invalidate(url).await;
    }
}
