//! The application state every request handler shares: the settings, the store, the keys, the
//! caches and helpers of the repositories beside it and the layers below — nothing global —
//! and the cached client lookup.

use std::sync::Arc;

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::keyring::Keyring;
use crate::registry::{self, Client};
use crate::store::{Store, StoreError};

/// Everything a request handler may need; nothing global.
pub struct AppState {
    /// Validated settings.
    pub settings: Settings,
    /// The database.
    pub store: Store,
    /// The signing keys.
    pub keys: Arc<Keyring>,
    /// The clock.
    pub clock: SharedClock,
    /// Page branding.
    pub branding: crate::pages::Branding,
    /// CSRF tokens for the browser forms.
    pub csrf: crate::pages::csrf::Csrf,
    /// An argon2id hash of a random password, verified for unknown users so they take as long.
    pub dummy_hash: String,
    /// Refresh-token successor derivation.
    pub refresh_tokens: crate::issue::refresh_token::RefreshTokens,
    /// Clients read on the token, introspection and revocation paths.
    pub clients: crate::cache::TtlCache<crate::registry::Client>,
    /// Resources named by token requests.
    pub resources: crate::cache::TtlCache<crate::resources::Resource>,
    /// Trusted external issuers by issuer identifier, for subject tokens of theirs; each entry
    /// lives [`crate::cache::TTL`] (2 s), which bounds how long a deletion through the CLI
    /// (another process) goes unseen.
    pub trusted_issuers: crate::cache::TtlCache<crate::federation::TrustedIssuer>,
    /// Checks passwords on dedicated threads.
    pub passwords: crate::password::Checker,
    /// Delivers back-channel logout tokens (one shared HTTP client).
    pub backchannel: crate::outbound::Notifier,
    /// Client and resource public keys, fetched and parsed once.
    pub key_sources: crate::outbound::jwks::KeySources,
}

impl AppState {
    /// The client `client_id` through the short-lived cache (see [`crate::cache`]).
    pub async fn client(&self, client_id: &str) -> Result<Option<Arc<Client>>, StoreError> {
        if let Some(client) = self.clients.get(client_id) {
            return Ok(Some(client));
        }
        let key = client_id.to_owned();
        let Some(client) = self.store.run(move |c| registry::get(c, &key)).await? else {
            return Ok(None);
        };
        let client = Arc::new(client);
        self.clients.put(client_id, client.clone());
        Ok(Some(client))
    }
}
