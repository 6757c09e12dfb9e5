//! A small time-bounded cache for registry reads on hot paths (clients, resources), on moka.
//!
//! Entries live for a few seconds: a change made by another process (the CLI, a second
//! server) is seen within that time, while a busy token endpoint reads each client once.

use std::sync::Arc;
use std::time::Duration;

/// How long an entry is trusted.
pub const TTL: Duration = Duration::from_secs(2);

/// Entries kept at most; past that the least used go first.
const CAPACITY: u64 = 10_000;

/// Values by key, each trusted for [`TTL`].
pub struct TtlCache<V> {
    entries: moka::sync::Cache<String, Arc<V>>,
}

impl<V> std::fmt::Debug for TtlCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtlCache")
            .field("entries", &self.entries.entry_count())
            .finish()
    }
}

impl<V> Clone for TtlCache<V> {
    /// Another handle on the same entries.
    fn clone(&self) -> Self {
        Self {
            entries: self.entries.clone(),
        }
    }
}

impl<V: Send + Sync + 'static> Default for TtlCache<V> {
    fn default() -> Self {
        Self {
            entries: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(TTL)
                .build(),
        }
    }
}

impl<V: Send + Sync + 'static> TtlCache<V> {
    /// The value under `key`, if loaded less than [`TTL`] ago.
    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        self.entries.get(key)
    }

    /// Remembers `value` under `key`.
    pub fn put(&self, key: &str, value: Arc<V>) {
        self.entries.insert(key.to_owned(), value);
    }

    /// Forgets `key`, so the next read loads it anew (after a change made here).
    pub fn remove(&self, key: &str) {
        self.entries.invalidate(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_returned_once_put() {
        let cache = TtlCache::default();
        assert!(cache.get("a").is_none());
        cache.put("a", Arc::new(1));
        assert_eq!(cache.get("a").as_deref(), Some(&1));
        assert!(cache.get("b").is_none());
    }
}
