//! Management: the one core the CLI (and the admin API, admin pages and `/register` after it)
//! calls to create, read, update and delete clients, users, resources, trusted issuers, keys
//! and sessions. Each operation takes typed input and the [`Actor`] it acts for, validates
//! through the `domain` parsers, writes its change and its audit row in one transaction, and
//! answers with typed output or a [`ManageError`].
//!
//! The `pub fn`s on a connection are the cores (no network, no hashing); [`Manager`]'s async
//! methods add what cannot run inside a transaction — a `jwks_uri` fetched before
//! registration, argon2 and key generation on the blocking pool — and run the cores there.

pub mod account;
pub mod audit;
pub mod client_edit;
pub mod clients;
mod edit;
mod error;
pub mod impersonations;
pub mod keys;
pub mod overview;
mod page;
pub mod registration;
pub mod registration_tokens;
pub mod resources;
pub mod sessions;
pub mod trusted_issuers;
pub mod user_edit;
pub mod users;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::Value;

use crate::audit::AuditEvent;
use crate::cache::TtlCache;
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::federation::TrustedIssuer;
use crate::jose::Kek;
use crate::outbound::jwks::KeySources;
use crate::registry::Client;
use crate::resources::Resource;
use crate::state::AppState;
use crate::store::{DbConnection, Store, try_transaction};

pub use edit::{Change, Edit, Precondition, etag};
pub use error::{
    INVALID_REQUEST, INVALID_RESOURCE_METADATA, INVALID_TRUSTED_ISSUER_METADATA, INVALID_USER,
    ManageError,
};
pub use page::{DEFAULT_LIMIT, MAX_LIMIT, Page, PageRequest};
pub use users::UserEdited;

/// Who performs an operation, as its audit row names them: `cli`, or an admin's `sub`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    /// The command line.
    pub fn cli() -> Self {
        Self("cli".to_owned())
    }

    /// Someone named by `id` (an admin's `sub`, a client id).
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The name the audit log records.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an audit row says about a change: action, subject and details (never a secret).
#[derive(Debug, Clone)]
pub(crate) struct Audit {
    action: &'static str,
    subject: String,
    detail: Value,
}

impl Audit {
    /// An entry for `action` on `subject`, with empty details.
    pub(crate) fn new(action: &'static str, subject: impl Into<String>) -> Self {
        Self {
            action,
            subject: subject.into(),
            detail: Value::Object(Default::default()),
        }
    }

    /// Sets the details.
    pub(crate) fn detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }
}

/// Runs `change` and writes the audit row it describes in one transaction: both or neither.
/// The one place a management change is recorded.
pub(crate) fn audited<T>(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    change: impl FnOnce(&mut DbConnection) -> Result<(T, Audit), ManageError>,
) -> Result<T, ManageError> {
    try_transaction(conn, |conn| {
        let (out, audit) = change(conn)?;
        AuditEvent::new(actor.as_str(), audit.action, Some(audit.subject))
            .detail(audit.detail)
            .write(conn, now)?;
        Ok(out)
    })
}

/// Where a manager's KEK comes from: one already loaded, or a loader run when an operation
/// first needs it — so a command that needs none (or fails validation) never makes one.
#[derive(Clone)]
pub struct KekSource {
    loaded: Arc<OnceLock<Kek>>,
    load: Arc<dyn Fn() -> Result<Kek, String> + Send + Sync>,
}

impl KekSource {
    /// A KEK already loaded (the running app's).
    pub fn loaded(kek: Kek) -> Self {
        let loaded = OnceLock::new();
        let _ = loaded.set(kek);
        Self {
            loaded: Arc::new(loaded),
            load: Arc::new(|| Err("no key-encryption key".to_owned())),
        }
    }

    /// A KEK that `load` resolves on first use; its error is the message shown.
    pub fn lazy(load: impl Fn() -> Result<Kek, String> + Send + Sync + 'static) -> Self {
        Self {
            loaded: Arc::new(OnceLock::new()),
            load: Arc::new(load),
        }
    }

    /// The KEK, loading it on first use.
    fn get(&self) -> Result<Kek, ManageError> {
        if let Some(kek) = self.loaded.get() {
            return Ok(kek.clone());
        }
        let kek = (self.load)().map_err(ManageError::Internal)?;
        Ok(self.loaded.get_or_init(|| kek).clone())
    }
}

/// The running app's caches of what management changes: each change forgets its entry, so the
/// app serves the new state at once (another process still waits out [`crate::cache::TTL`]).
#[derive(Clone)]
struct Caches {
    clients: TtlCache<Client>,
    resources: TtlCache<Resource>,
    trusted_issuers: TtlCache<TrustedIssuer>,
}

/// The management operations with what they need: the store, the KEK, the issuer, the key
/// retention, the key fetcher, the clock and the session idle timeout (and, in the running
/// app, its caches).
#[derive(Clone)]
pub struct Manager {
    store: Store,
    kek: KekSource,
    issuer: String,
    key_retention: Duration,
    key_sources: KeySources,
    clock: SharedClock,
    session_idle: i64,
    caches: Option<Caches>,
}

impl std::fmt::Debug for Manager {
    /// Nothing of the KEK.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manager")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl Manager {
    /// A manager over `store` for a process without the app's state (the CLI).
    pub fn new(
        store: Store,
        kek: KekSource,
        settings: &Settings,
        key_sources: KeySources,
        clock: SharedClock,
    ) -> Self {
        Self {
            store,
            kek,
            issuer: settings.issuer.clone(),
            key_retention: settings.key_retention,
            key_sources,
            clock,
            session_idle: settings.lifetimes.session_idle,
            caches: None,
        }
    }

    /// A manager sharing the running app's store, KEK, key fetcher, clock and caches.
    pub fn from_state(state: &AppState) -> Self {
        Self {
            caches: Some(Caches {
                clients: state.clients.clone(),
                resources: state.resources.clone(),
                trusted_issuers: state.trusted_issuers.clone(),
            }),
            ..Self::new(
                state.store.clone(),
                KekSource::loaded(state.keys.kek().clone()),
                &state.settings,
                state.key_sources.clone(),
                state.clock.clone(),
            )
        }
    }

    /// Forgets the cached client `client_id` after a change to it.
    fn forget_client(&self, client_id: &str) {
        if let Some(caches) = &self.caches {
            caches.clients.remove(client_id);
        }
    }

    /// Forgets the cached resource `identifier` after a change to it.
    fn forget_resource(&self, identifier: &str) {
        if let Some(caches) = &self.caches {
            caches.resources.remove(identifier);
        }
    }

    /// Forgets the cached trusted issuer `issuer` after a change to it.
    fn forget_trusted_issuer(&self, issuer: &str) {
        if let Some(caches) = &self.caches {
            caches.trusted_issuers.remove(issuer);
        }
    }

    /// The KEK, loaded on first use.
    fn kek(&self) -> Result<Kek, ManageError> {
        self.kek.get()
    }

    /// Now, UTC Unix seconds.
    fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Runs `f` with a connection on the blocking pool.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, ManageError> + Send + 'static,
    ) -> Result<T, ManageError> {
        self.store.run(move |c| Ok(f(c))).await?
    }
}

/// Runs CPU-heavy work (hashing, key generation) on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ManageError> + Send + 'static,
) -> Result<T, ManageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| ManageError::Internal("background task failed".to_owned()))?
}

#[cfg(test)]
mod tests;
