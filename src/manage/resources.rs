//! Resources (APIs): registration from metadata, reading, listing and deletion.

use serde::{Serialize, Serializer};
use serde_json::json;

use super::{Actor, Audit, INVALID_RESOURCE_METADATA, ManageError, Manager, Page, PageRequest};
use crate::resources::{self as registry, Resource};
use crate::store::{DbConnection, StoreError, resources};

/// A registered resource as management shows it: never its secret or the secret's hash.
/// Serializes as `id`, `created_at` and the metadata members.
#[derive(Clone)]
pub struct ResourceView(Resource);

impl std::fmt::Debug for ResourceView {
    /// The id and metadata: never the secret's hash.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceView")
            .field("id", &self.0.id)
            .field("created_at", &self.0.created_at)
            .field("metadata", &self.0.metadata)
            .finish()
    }
}

impl ResourceView {
    /// The resource's id.
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// Its identifier URI.
    pub fn identifier(&self) -> &str {
        &self.0.metadata.identifier
    }
}

impl Serialize for ResourceView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.to_json(None).serialize(s)
    }
}

/// A resource just registered, with its introspection secret: the only answer that holds it.
/// Serializes as a [`ResourceView`] with `client_secret` when there is one.
#[derive(Clone)]
pub struct CreatedResource {
    /// The resource.
    pub resource: ResourceView,
    /// Its introspection secret; `None` without introspection.
    pub secret: Option<String>,
}

impl std::fmt::Debug for CreatedResource {
    /// The id only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedResource")
            .field("id", &self.resource.id())
            .finish_non_exhaustive()
    }
}

impl Serialize for CreatedResource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.resource.0.to_json(self.secret.as_deref()).serialize(s)
    }
}

/// Registers a resource from metadata `json` and records `resource.create`, in one
/// transaction; an identifier already registered is a conflict.
pub fn register(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    json: &str,
) -> Result<CreatedResource, ManageError> {
    let new = registry::prepare(json, now)?;
    let identifier = new.resource.metadata.identifier.clone();
    super::audited(conn, actor, now, |conn| {
        resources::create(conn, &new.row).map_err(|e| match e {
            StoreError::Conflict(_) => ManageError::Conflict {
                error: INVALID_RESOURCE_METADATA,
                field: Some("identifier".to_owned()),
                message: format!("a resource with identifier {identifier:?} is already registered"),
            },
            other => other.into(),
        })?;
        let audit = Audit::new("resource.create", &new.resource.id)
            .detail(json!({"identifier": identifier}));
        Ok((
            CreatedResource {
                resource: ResourceView(new.resource),
                secret: new.secret,
            },
            audit,
        ))
    })
}

/// The resource `id`.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<ResourceView, ManageError> {
    registry::get(conn, id)?
        .map(ResourceView)
        .ok_or_else(|| ManageError::not_found("resource", id))
}

/// One page of resources, by id.
pub fn list(
    conn: &mut DbConnection,
    page: &PageRequest,
) -> Result<Page<ResourceView>, ManageError> {
    let rows = registry::page(conn, page.after.as_deref(), page.rows())?;
    Page::from_rows(page, rows, |r| &r.id, |r| Ok(ResourceView(r)))
}

/// Deletes the resource `id` and records `resource.delete`, in one transaction.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    id: &str,
) -> Result<(), ManageError> {
    super::audited(conn, actor, now, |conn| {
        resources::delete(conn, id).map_err(|e| ManageError::missing(e, "resource", id))?;
        Ok(((), Audit::new("resource.delete", id)))
    })
}

impl Manager {
    /// Registers a resource from metadata `json` (see [`register`]).
    pub async fn create_resource(
        &self,
        actor: &Actor,
        json: String,
    ) -> Result<CreatedResource, ManageError> {
        let (actor, now) = (actor.clone(), self.now());
        self.run(move |c| register(c, &actor, now, &json)).await
    }

    /// The resource `id` (see [`get`]).
    pub async fn get_resource(&self, id: &str) -> Result<ResourceView, ManageError> {
        let id = id.to_owned();
        self.run(move |c| get(c, &id)).await
    }

    /// One page of resources, by id (see [`list`]).
    pub async fn list_resources(
        &self,
        page: PageRequest,
    ) -> Result<Page<ResourceView>, ManageError> {
        self.run(move |c| list(c, &page)).await
    }

    /// Deletes the resource `id` (see [`delete`]).
    pub async fn delete_resource(&self, actor: &Actor, id: &str) -> Result<(), ManageError> {
        let identifier = self.get_resource(id).await?.identifier().to_owned();
        let (actor, now, id) = (actor.clone(), self.now(), id.to_owned());
        self.run(move |c| delete(c, &actor, now, &id)).await?;
        self.forget_resource(&identifier);
        Ok(())
    }
}
