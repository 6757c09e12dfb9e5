//! Client registration: validated metadata in, RFC 7591 response out, secrets stored hashed.

use serde_json::{Map, Value, json};

use crate::audit::AuditEvent;
use crate::domain::client_metadata::{ClientMetadata, MetadataPolicy, TokenEndpointAuthMethod};
use crate::domain::enc_alg::{ContentAlg, KeyAlg};
use crate::domain::metadata_error::MetadataError;
use crate::jose::client_keys::ClientKeys;
use crate::jose::{Kek, SigningAlg};
use crate::secrets;
use crate::store::clients::{self, ClientRow};
use crate::store::{DbConnection, StoreError, transaction};

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
            .unwrap_or_else(|| self.client_id.clone())
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

/// Validates `json`, stores the client and returns it with its one-time secret. A `jwks` by
/// value must hold a key for every algorithm registered; a `jwks_uri` is checked by
/// [`check_remote_keys`] before. `kek` wraps the secret of a client whose encryption key
/// derives from it.
pub fn register(
    conn: &mut DbConnection,
    json: &str,
    now: i64,
    actor: &str,
    kek: &Kek,
) -> Result<(Client, Option<String>), RegisterError> {
    let metadata = ClientMetadata::parse(json, &metadata_policy())?;
    if let Some(jwks) = &metadata.jwks {
        let keys = ClientKeys::parse(jwks)
            .map_err(|e| MetadataError::invalid_client_metadata(e.to_string()))?;
        keys::check_coverage(&metadata, &keys)?;
    }
    let secret = match metadata.token_endpoint_auth_method {
        TokenEndpointAuthMethod::ClientSecretBasic | TokenEndpointAuthMethod::ClientSecretPost => {
            Some(secrets::random_token(32))
        }
        TokenEndpointAuthMethod::PrivateKeyJwt | TokenEndpointAuthMethod::None => None,
    };
    let secret_sealed = match (&secret, keys::derives_from_secret(&metadata)) {
        (Some(secret), true) => Some(
            kek.wrap(secret.as_bytes())
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        ),
        _ => None,
    };
    let client = Client {
        client_id: secrets::random_token(16),
        secret_hash: secret.as_deref().map(secrets::digest),
        secret_sealed,
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
    transaction(conn, |conn| {
        clients::create(conn, &row)?;
        AuditEvent::new(actor, "client.create", Some(client.client_id.clone()))
            .detail(json!({"client_name": client.metadata.client_name}))
            .write(conn, now)
    })?;
    Ok((client, secret))
}

/// Loads one client.
pub fn get(conn: &mut DbConnection, client_id: &str) -> Result<Option<Client>, StoreError> {
    clients::get(conn, client_id)?
        .map(Client::from_row)
        .transpose()
}

/// Every client, oldest first.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Client>, StoreError> {
    clients::list(conn)?
        .into_iter()
        .map(Client::from_row)
        .collect()
}

/// Deletes a client and records it.
pub fn delete(
    conn: &mut DbConnection,
    client_id: &str,
    now: i64,
    actor: &str,
) -> Result<(), StoreError> {
    transaction(conn, |conn| {
        clients::delete(conn, client_id)?;
        AuditEvent::new(actor, "client.delete", Some(client_id.to_owned())).write(conn, now)
    })
}
