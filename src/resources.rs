//! Resources: registration prepared from validated metadata (secrets hashed), and resources
//! loaded for requests. Storing and auditing is `manage`'s.

use serde_json::{Map, Value, json};

use crate::domain::enc_alg::KeyAlg;
use crate::domain::resource::{ResourceMetadata, ResourceMetadataError};
use crate::jose::client_keys::ClientKeys;
use crate::secrets;
use crate::store::resources::{self, ResourceRow};
use crate::store::{DbConnection, StoreError};

/// Why a resource could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    /// The metadata is invalid.
    #[error(transparent)]
    Metadata(#[from] ResourceMetadataError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A registered resource as loaded for a request.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Random id; with introspection enabled, the id it authenticates with.
    pub id: String,
    /// SHA-256 of its introspection secret, when it has one.
    pub secret_hash: Option<String>,
    /// Validated metadata.
    pub metadata: ResourceMetadata,
    /// When it was registered, UTC Unix seconds.
    pub created_at: i64,
}

impl Resource {
    /// The resource as JSON: `id`, the secret (only when just issued), `created_at`, metadata.
    pub fn to_json(&self, secret: Option<&str>) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(self.id));
        if let Some(secret) = secret {
            out.insert("client_secret".into(), json!(secret));
        }
        out.insert("created_at".into(), json!(self.created_at));
        if let Ok(Value::Object(meta)) = serde_json::to_value(&self.metadata) {
            out.extend(meta);
        }
        Value::Object(out)
    }

    /// Whether `secret` is this resource's introspection secret (constant time).
    pub fn secret_matches(&self, secret: &str) -> bool {
        self.secret_hash
            .as_deref()
            .is_some_and(|h| secrets::matches(secret, h))
    }

    fn from_row(row: ResourceRow) -> Result<Self, StoreError> {
        let metadata = ResourceMetadata::parse(&row.metadata)
            .map_err(|e| StoreError::Corrupt(format!("resource {}: {e}", row.id)))?;
        Ok(Self {
            id: row.id,
            secret_hash: row.secret_hash,
            metadata,
            created_at: row.created_at,
        })
    }
}

/// A resource ready to be stored: the validated resource, its row and its one-time secret.
pub struct NewResource {
    /// The resource as requests will load it.
    pub resource: Resource,
    /// Its row.
    pub row: ResourceRow,
    /// The introspection secret, shown once; `None` without introspection.
    pub secret: Option<String>,
}

impl std::fmt::Debug for NewResource {
    /// The id only: never the secret or its hash.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewResource")
            .field("id", &self.resource.id)
            .finish_non_exhaustive()
    }
}

/// Validates `json` and builds the resource to store, with its one-time secret; nothing is
/// stored.
pub fn prepare(json: &str, now: i64) -> Result<NewResource, ResourceError> {
    let metadata = ResourceMetadata::parse(json)?;
    if let (Some(jwks), Some(alg)) = (&metadata.jwks, metadata.access_token_encrypted_response_alg)
    {
        check_keys(jwks, alg)?;
    }
    let secret = metadata.introspection.then(|| secrets::random_token(32));
    let resource = Resource {
        id: secrets::random_token(16),
        secret_hash: secret.as_deref().map(secrets::digest),
        metadata,
        created_at: now,
    };
    let stored = serde_json::to_string(&resource.metadata)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let row = ResourceRow {
        id: resource.id.clone(),
        identifier: resource.metadata.identifier.clone(),
        metadata: stored,
        secret_hash: resource.secret_hash.clone(),
        created_at: now,
    };
    Ok(NewResource {
        resource,
        row,
        secret,
    })
}

/// Refuses a JWK set that is invalid or has no key `alg` can encrypt to.
pub fn check_keys(jwks: &Value, alg: KeyAlg) -> Result<(), ResourceMetadataError> {
    let keys = ClientKeys::parse(jwks).map_err(|e| ResourceMetadataError(e.to_string()))?;
    if keys.recipient(alg).is_none() {
        return Err(ResourceMetadataError(format!(
            "access_token_encrypted_response_alg {alg} has no matching key: the JWK set needs \
             a key with \"use\": \"enc\" (or no \"use\") of a type {alg} works with"
        )));
    }
    Ok(())
}

/// Loads one resource by id.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Option<Resource>, StoreError> {
    resources::get(conn, id)?
        .map(Resource::from_row)
        .transpose()
}

/// Loads the resource registered under `identifier`.
pub fn by_identifier(
    conn: &mut DbConnection,
    identifier: &str,
) -> Result<Option<Resource>, StoreError> {
    resources::by_identifier(conn, identifier)?
        .map(Resource::from_row)
        .transpose()
}

/// Up to `limit` resources whose id sorts after `after`, by id.
pub fn page(
    conn: &mut DbConnection,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Resource>, StoreError> {
    resources::page(conn, after, limit)?
        .into_iter()
        .map(Resource::from_row)
        .collect()
}
