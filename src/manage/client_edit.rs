//! Editing a client: its RFC 7591 metadata replaced or merge-patched under a precondition,
//! validated exactly as at registration. The registration response members that are no
//! metadata (`client_id`, `client_id_issued_at`) are read-only; a secret is never taken in.

use serde_json::{Map, Value, json};

use super::clients::{ClientView, IssuedClient, get};
use super::edit::read_only;
use super::{Actor, Audit, Edit, ManageError, Manager, audited};
use crate::domain::client_metadata::ClientMetadata;
use crate::domain::metadata_error::MetadataErrorCode;
use crate::jose::Kek;
use crate::registry;
use crate::store::{DbConnection, clients};

const INVALID: &str = MetadataErrorCode::InvalidClientMetadata.as_str();

/// The metadata of the edited document `doc`, as JSON, with the read-only members checked
/// against `current` and taken out.
fn metadata_of(mut doc: Map<String, Value>, current: &Value) -> Result<String, ManageError> {
    for name in ["client_id", "client_id_issued_at"] {
        read_only(&mut doc, name, &current[name], INVALID)?;
    }
    for name in ["client_secret", "client_secret_expires_at"] {
        if doc.remove(name).is_some() {
            return Err(ManageError::Invalid {
                error: INVALID,
                field: Some(name.to_owned()),
                message: format!("{name} cannot be set; rotate the secret instead"),
            });
        }
    }
    serde_json::to_string(&doc).map_err(|e| ManageError::Internal(e.to_string()))
}

/// The new metadata `edit` makes of `current`, as JSON.
fn edited(current: &ClientView, edit: &Edit) -> Result<String, ManageError> {
    let doc = edit.apply(current)?;
    let view = serde_json::to_value(current).map_err(|e| ManageError::Internal(e.to_string()))?;
    metadata_of(doc, &view)
}

/// Applies `edit` to the client `client_id` and records `client.update`, in one transaction.
/// The answer holds a secret only when the new metadata needed one the client lacked.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    client_id: &str,
    edit: &Edit,
    kek: &Kek,
) -> Result<IssuedClient, ManageError> {
    audited(conn, actor, now, |conn| {
        let current = get(conn, client_id)?;
        let json = edited(&current, edit)?;
        let existing = registry::get(conn, client_id)?
            .ok_or_else(|| ManageError::not_found("client", client_id))?;
        let revised = registry::revise(&existing, &json, now, kek)?;
        clients::update(conn, &revised.row)
            .map_err(|e| ManageError::missing(e, "client", client_id))?;
        let audit = Audit::new("client.update", client_id).detail(json!({
            "client_name": revised.client.metadata.client_name,
            "secret_issued": revised.secret.is_some(),
        }));
        Ok((
            IssuedClient {
                client: ClientView::of(revised.client),
                secret: revised.secret,
            },
            audit,
        ))
    })
}

impl Manager {
    /// Applies `edit` to the client `client_id` (see [`update`]), fetching a new `jwks_uri`
    /// first when its registered encryption needs the keys there.
    pub async fn update_client(
        &self,
        actor: &Actor,
        client_id: &str,
        edit: Edit,
    ) -> Result<IssuedClient, ManageError> {
        let current = self.get_client(client_id).await?;
        let json = edited(&current, &edit)?;
        let metadata = ClientMetadata::parse(&json, &registry::metadata_policy())?;
        registry::check_remote_keys(&metadata, &self.key_sources).await?;
        let (actor, now, kek) = (actor.clone(), self.now(), self.kek()?);
        let id = client_id.to_owned();
        let issued = self
            .run(move |c| update(c, &actor, now, &id, &edit, &kek))
            .await?;
        self.forget_client(client_id);
        Ok(issued)
    }
}
