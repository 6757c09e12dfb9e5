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
    /// Client ID metadata documents, fetched and cached.
    pub client_documents: crate::outbound::client_documents::ClientDocuments,
}

/// Why a client could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ClientLookupError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The client ID metadata document could not be fetched or is not acceptable; the text
    /// completes "its metadata document cannot be used: …" and is safe to show.
    #[error("{0}")]
    Document(String),
}

impl AppState {
    /// The client `client_id` through the short-lived cache (see [`crate::cache`]), or the
    /// one its metadata document describes when `client_id` is a URL and documents are on
    /// (a document that cannot be used is no client here; see [`AppState::find_client`]).
    pub async fn client(&self, client_id: &str) -> Result<Option<Arc<Client>>, StoreError> {
        match self.find_client(client_id).await {
            Ok(client) => Ok(client),
            Err(ClientLookupError::Store(e)) => Err(e),
            Err(ClientLookupError::Document(reason)) => {
                tracing::info!(%reason, "client ID metadata document refused");
                Ok(None)
            }
        }
    }

    /// As [`AppState::client`], telling why a client ID metadata document cannot be used.
    pub async fn find_client(
        &self,
        client_id: &str,
    ) -> Result<Option<Arc<Client>>, ClientLookupError> {
        if self.settings.self_service.client_id_metadata_documents
            && registry::is_document_id(client_id)
        {
            return self.document_client(client_id).await.map(Some);
        }
        Ok(self.registered_client(client_id).await?)
    }

    /// The client a client ID metadata document at `url` describes.
    async fn document_client(&self, url: &str) -> Result<Arc<Client>, ClientLookupError> {
        if let Some(problem) = registry::document_url_problem(url) {
            return Err(ClientLookupError::Document(problem.to_owned()));
        }
        let body =
            self.client_documents.get(url).await.map_err(|e| {
                ClientLookupError::Document(format!("it could not be fetched: {e}"))
            })?;
        registry::document_client(url, &body)
            .map(Arc::new)
            .map_err(|e| ClientLookupError::Document(e.description))
    }

    /// A registered client, through the short-lived cache.
    async fn registered_client(&self, client_id: &str) -> Result<Option<Arc<Client>>, StoreError> {
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
