//! Clients: registration prepared from validated metadata (RFC 7591 response out, secrets
//! stored hashed), and clients loaded for requests. Storing and auditing is `manage`'s.

use serde_json::{Map, Value, json};

use crate::domain::client_metadata::{ClientMetadata, MetadataPolicy, TokenEndpointAuthMethod};
use crate::domain::enc_alg::{ContentAlg, KeyAlg};
use crate::domain::metadata_error::MetadataError;
use crate::jose::client_keys::ClientKeys;
use crate::jose::{Kek, SigningAlg};
use crate::secrets;
use crate::store::clients::{self, ClientRow};
use crate::store::{DbConnection, StoreError};

pub mod keys;

pub use keys::check_remote_keys;

/// What this build supports in client metadata.
pub fn metadata_policy() -> MetadataPolicy<'static> {
    MetadataPolicy {
        signing_algs: &SigningAlg::NAMES,
        encryption_algs: &KeyAlg::NAMES,
        encryption_encs: &ContentAlg::NAMES,
        request_encryption_algs: &KeyAlg::OWN_NAMES,
    }
}

/// Why a registration failed.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The metadata is invalid (RFC 7591 error).
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A registered client as loaded for a request.
#[derive(Debug, Clone)]
pub struct Client {
    /// The `client_id`.
    pub client_id: String,
    /// SHA-256 of the secret, if it has one.
    pub secret_hash: Option<String>,
    /// The secret under the KEK, kept only for encryption with a key derived from it.
    pub secret_sealed: Option<String>,
    /// Validated metadata.
    pub metadata: ClientMetadata,
    /// When it was registered, UTC Unix seconds.
    pub issued_at: i64,
}

impl Client {
    /// The client's name for people: its registered name, else its id.
    pub fn display_name(&self) -> String {
        self.metadata
            .client_name
            .clone()
            .or_else(|| self.document_host())
            .unwrap_or_else(|| self.client_id.clone())
    }

    /// The host of the metadata document that describes this client, when its `client_id`
    /// is a URL (a client ID metadata document); `None` for registered clients.
    pub fn document_host(&self) -> Option<String> {
        if !is_document_id(&self.client_id) {
            return None;
        }
        url::Url::parse(&self.client_id)
            .ok()?
            .host_str()
            .map(str::to_owned)
    }

    /// The RFC 7591 registration response: id, secret (only when just issued), all metadata.
    pub fn registration_response(&self, secret: Option<&str>) -> Value {
        let mut out = Map::new();
        out.insert("client_id".into(), json!(self.client_id));
        if let Some(secret) = secret {
            out.insert("client_secret".into(), json!(secret));
            out.insert("client_secret_expires_at".into(), json!(0));
        }
        out.insert("client_id_issued_at".into(), json!(self.issued_at));
        if let Ok(Value::Object(meta)) = serde_json::to_value(&self.metadata) {
            out.extend(meta);
        }
        Value::Object(out)
    }

    fn from_row(row: ClientRow) -> Result<Self, StoreError> {
        let metadata = ClientMetadata::parse(&row.metadata, &metadata_policy())
            .map_err(|e| StoreError::Corrupt(format!("client {}: {e}", row.client_id)))?;
        Ok(Self {
            client_id: row.client_id,
            secret_hash: row.secret_hash,
            secret_sealed: row.secret_sealed,
            metadata,
            issued_at: row.created_at,
        })
    }
}

/// A client ready to be stored: the validated client, its row and its one-time secret.
pub struct NewClient {
    /// The client as requests will load it.
    pub client: Client,
    /// Its row.
    pub row: ClientRow,
    /// The secret, shown once; `None` for clients that authenticate without one.
    pub secret: Option<String>,
}

impl std::fmt::Debug for NewClient {
    /// The client id only: never the secret or its hash.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewClient")
            .field("client_id", &self.client.client_id)
            .finish_non_exhaustive()
    }
}

/// A freshly issued client secret: the secret (shown once), its hash, and the secret under
/// the KEK when a registered encryption derives its key from it.
pub struct IssuedSecret {
    /// The secret itself.
    pub secret: String,
    /// Its SHA-256, as stored.
    pub hash: String,
    /// The secret wrapped under the KEK, when the client's encryption needs it.
    pub sealed: Option<String>,
}

impl std::fmt::Debug for IssuedSecret {
    /// Nothing of the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedSecret").finish_non_exhaustive()
    }
}

/// Whether a client with this metadata authenticates with a secret.
pub fn uses_secret(metadata: &ClientMetadata) -> bool {
    match metadata.token_endpoint_auth_method {
        TokenEndpointAuthMethod::ClientSecretBasic | TokenEndpointAuthMethod::ClientSecretPost => {
            true
        }
        TokenEndpointAuthMethod::PrivateKeyJwt | TokenEndpointAuthMethod::None => false,
    }
}

/// A new secret for a client with `metadata`, stored as registration stores it (SHA-256, and
/// sealed under `kek` when its encryption derives from it); `None` when it uses no secret.
pub fn issue_secret(
    metadata: &ClientMetadata,
    kek: &Kek,
) -> Result<Option<IssuedSecret>, StoreError> {
    if !uses_secret(metadata) {
        return Ok(None);
    }
    let secret = secrets::random_token(32);
    let sealed = if keys::derives_from_secret(metadata) {
        Some(
            kek.wrap(secret.as_bytes())
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        )
    } else {
        None
    };
    Ok(Some(IssuedSecret {
        hash: secrets::digest(&secret),
        secret,
        sealed,
    }))
}

/// Validates `json` and builds the client to store, with its one-time secret; nothing is
/// stored. A `jwks` by value must hold a key for every algorithm registered; a `jwks_uri` is
/// checked by [`check_remote_keys`] before. `kek` wraps the secret of a client whose
/// encryption key derives from it.
pub fn prepare(json: &str, now: i64, kek: &Kek) -> Result<NewClient, RegisterError> {
    let metadata = validate(json)?;
    let issued = issue_secret(&metadata, kek)?;
    let client = Client {
        client_id: secrets::random_token(16),
        secret_hash: issued.as_ref().map(|s| s.hash.clone()),
        secret_sealed: issued.as_ref().and_then(|s| s.sealed.clone()),
        metadata,
        issued_at: now,
    };
    let stored =
        serde_json::to_string(&client.metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let row = ClientRow {
        client_id: client.client_id.clone(),
        secret_hash: client.secret_hash.clone(),
        metadata: stored,
        created_at: now,
        updated_at: now,
        secret_sealed: client.secret_sealed.clone(),
    };
    Ok(NewClient {
        client,
        row,
        secret: issued.map(|s| s.secret),
    })
}

/// Validates `json` as registration does: the metadata rules, and a `jwks` by value holding a
/// key for every algorithm registered.
pub fn validate(json: &str) -> Result<ClientMetadata, MetadataError> {
    let metadata = ClientMetadata::parse(json, &metadata_policy())?;
    if let Some(jwks) = &metadata.jwks {
        let keys = ClientKeys::parse(jwks)
            .map_err(|e| MetadataError::invalid_client_metadata(e.to_string()))?;
        keys::check_coverage(&metadata, &keys)?;
    }
    Ok(metadata)
}

/// The client `existing` with its metadata replaced by `json` (validated as at registration),
/// ready to store. Its secret stays unless the new metadata needs none (then it goes) or
/// needs one it lacks — a secret, or its sealed copy for a key derived from it — and then a
/// new one is issued, to be shown once.
pub fn revise(
    existing: &Client,
    json: &str,
    now: i64,
    kek: &Kek,
) -> Result<NewClient, RegisterError> {
    let metadata = validate(json)?;
    let lacking = existing.secret_hash.is_none()
        || (keys::derives_from_secret(&metadata) && existing.secret_sealed.is_none());
    let (hash, sealed, secret) = if !uses_secret(&metadata) {
        (None, None, None)
    } else if lacking {
        let issued = issue_secret(&metadata, kek)?;
        match issued {
            Some(i) => (Some(i.hash), i.sealed, Some(i.secret)),
            None => (None, None, None),
        }
    } else {
        let sealed = existing
            .secret_sealed
            .clone()
            .filter(|_| keys::derives_from_secret(&metadata));
        (existing.secret_hash.clone(), sealed, None)
    };
    let client = Client {
        client_id: existing.client_id.clone(),
        secret_hash: hash,
        secret_sealed: sealed,
        metadata,
        issued_at: existing.issued_at,
    };
    let stored =
        serde_json::to_string(&client.metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let row = ClientRow {
        client_id: client.client_id.clone(),
        secret_hash: client.secret_hash.clone(),
        metadata: stored,
        created_at: client.issued_at,
        updated_at: now,
        secret_sealed: client.secret_sealed.clone(),
    };
    Ok(NewClient {
        client,
        row,
        secret,
    })
}

/// Whether `client_id` is a URL naming a client ID metadata document (registered ids are
/// random base64url text and never contain `://`).
pub fn is_document_id(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

/// Why the URL `client_id` cannot name a client ID metadata document, if it cannot: it needs
/// a path, and no fragment, credentials or dot segments.
pub fn document_url_problem(client_id: &str) -> Option<&'static str> {
    let Ok(url) = url::Url::parse(client_id) else {
        return Some("its client_id is not a URL");
    };
    let raw_path = client_id
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|at| &rest[at..]))
        .unwrap_or_default();
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        Some("its client_id URL must not carry a fragment, user name or password")
    } else if raw_path.is_empty() || raw_path == "/" {
        Some("its client_id URL must have a path")
    } else if raw_path
        .split(['/', '?'])
        .any(|segment| segment == "." || segment == "..")
    {
        Some("its client_id URL must not contain . or .. segments")
    } else {
        None
    }
}

/// The public client a client ID metadata document fetched from `url` describes.
pub fn document_client(url: &str, body: &[u8]) -> Result<Client, MetadataError> {
    if let Some(problem) = document_url_problem(url) {
        return Err(MetadataError::invalid_client_metadata(problem));
    }
    let metadata =
        crate::domain::client_metadata::parse_client_document(url, body, &metadata_policy())?;
    Ok(Client {
        client_id: url.to_owned(),
        secret_hash: None,
        secret_sealed: None,
        metadata,
        issued_at: 0,
    })
}

/// Loads one client.
pub fn get(conn: &mut DbConnection, client_id: &str) -> Result<Option<Client>, StoreError> {
    clients::get(conn, client_id)?
        .map(Client::from_row)
        .transpose()
}

/// Up to `limit` clients after `after` (by id) whose id or metadata contains `text`.
pub fn matching(
    conn: &mut DbConnection,
    text: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Client>, StoreError> {
    crate::store::lookup::clients_matching(conn, text, after, limit)?
        .into_iter()
        .map(Client::from_row)
        .collect()
}

/// Up to `limit` clients whose id sorts after `after`, by id.
pub fn page(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Client>, StoreError> {
    clients::page(conn, after, limit)?
        .into_iter()
        .map(Client::from_row)
        .collect()
}
