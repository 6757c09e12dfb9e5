//! The signing and encryption keys in memory: loaded once, swapped when another process rotates them.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;

use crate::clock::SharedClock;
use crate::jose::keys::generate_for;
use crate::jose::{Kek, KeyError, KeyPurpose, KeySet};
use crate::store::{Store, StoreError, keys};

/// Why the keyring could not be loaded or changed.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Keys could not be generated or decrypted.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl From<crate::jose::JoseError> for KeyringError {
    fn from(e: crate::jose::JoseError) -> Self {
        Self::Key(e.into())
    }
}

/// The current key set, swappable without a restart.
pub struct Keyring {
    current: ArcSwap<KeySet>,
    kek: Kek,
    store: Store,
    clock: SharedClock,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").finish_non_exhaustive()
    }
}

/// Creates an active key for every signing and encryption algorithm that has none — on a
/// new database, and on one made before a kind of key existed (blocking; start-up and CLI).
pub fn ensure_keys(store: &Store, kek: &Kek, now: i64) -> Result<Vec<String>, KeyringError> {
    let mut conn = store.conn()?;
    let existing = keys::published(&mut conn, now)?;
    let mut created = Vec::new();
    for purpose in KeyPurpose::all() {
        let has_active = existing
            .iter()
            .any(|r| r.alg == purpose.as_str() && r.retired_at.is_none());
        if !has_active {
            let row = generate_for(purpose, kek, now)?;
            if keys::insert_if_no_active(&mut conn, &row)? {
                created.push(row.kid);
            }
        }
    }
    Ok(created)
}

impl Keyring {
    /// Loads the published keys (blocking; at start-up).
    pub fn load(store: Store, kek: Kek, clock: SharedClock) -> Result<Self, KeyringError> {
        let rows = keys::published(&mut *store.conn()?, clock.now())?;
        let set = KeySet::load(&rows, &kek)?;
        Ok(Self {
            current: ArcSwap::from_pointee(set),
            kek,
            store,
            clock,
        })
    }

    /// The key-encryption key the private keys (and sealed client secrets) are wrapped under.
    pub fn kek(&self) -> &Kek {
        &self.kek
    }

    /// The current key set.
    pub fn current(&self) -> Arc<KeySet> {
        self.current.load_full()
    }

    /// Re-reads the keys when the published set changed; returns whether it swapped.
    pub async fn reload_if_changed(&self) -> Result<bool, KeyringError> {
        let now = self.clock.now();
        let fingerprint = self.store.run(move |c| keys::fingerprint(c, now)).await?;
        if fingerprint.as_slice() == self.current.load().fingerprint() {
            return Ok(false);
        }
        let rows = self.store.run(move |c| keys::published(c, now)).await?;
        let kek = self.kek.clone();
        let set = tokio::task::spawn_blocking(move || KeySet::load(&rows, &kek))
            .await
            .map_err(|_| StoreError::Task)??;
        self.current.store(Arc::new(set));
        Ok(true)
    }

    /// Checks for rotated or expired keys every `interval` until the process ends.
    pub fn spawn_reloader(self: Arc<Self>, interval: Duration) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                match self.reload_if_changed().await {
                    Ok(true) => tracing::info!("signing keys reloaded"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "signing key reload failed"),
                }
            }
        });
    }
}
