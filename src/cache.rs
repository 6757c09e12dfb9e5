//! A small time-bounded cache for registry reads on hot paths (clients, resources).
//!
//! Entries live for a few seconds: a change made by another process (the CLI, a second
//! server) is seen within that time, while a busy token endpoint reads each client once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long an entry is trusted.
pub const TTL: Duration = Duration::from_secs(2);

/// Entries kept at most; a full cache starts again empty.
const CAPACITY: usize = 10_000;

/// Values by key, each trusted for [`TTL`].
#[derive(Debug)]
pub struct TtlCache<V> {
    entries: RwLock<HashMap<String, (Instant, Arc<V>)>>,
}

impl<V> Default for TtlCache<V> {
    fn default() -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
        }
    }
}

impl<V> TtlCache<V> {
    /// The value under `key`, if loaded less than [`TTL`] ago.
    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        let entries = self.entries.read().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, v)| v.clone())
    }

    /// Remembers `value` under `key`.
    pub fn put(&self, key: &str, value: Arc<V>) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(key.to_owned(), (Instant::now(), value));
        }
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
