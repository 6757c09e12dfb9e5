//! Clients: registration from RFC 7591 metadata, reading, listing, deletion and secret
//! rotation — the secret shown once, in the answer that issues it.

use serde::{Serialize, Serializer};
use serde_json::json;

use super::{Actor, Audit, ManageError, Manager, Page, PageRequest, audited};
use crate::domain::client_metadata::ClientMetadata;
use crate::jose::Kek;
use crate::registry::{self, Client};
use crate::store::{DbConnection, clients};

/// A registered client as management shows it: id, issue time and metadata, never a secret
/// or its hash. Serializes as the RFC 7591 registration response without the secret.
#[derive(Clone)]
pub struct ClientView(pub(super) Client);

impl std::fmt::Debug for ClientView {
    /// The id and metadata: never the secret's hash or sealed copy.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientView")
            .field("client_id", &self.0.client_id)
            .field("issued_at", &self.0.issued_at)
            .field("metadata", &self.0.metadata)
            .finish()
    }
}

impl ClientView {
    /// The view of `client`.
    pub(super) fn of(client: Client) -> Self {
        Self(client)
    }

    /// The `client_id`.
    pub fn client_id(&self) -> &str {
        &self.0.client_id
    }

    /// The validated metadata.
    pub fn metadata(&self) -> &ClientMetadata {
        &self.0.metadata
    }

    /// When it was registered, UTC Unix seconds.
    pub fn issued_at(&self) -> i64 {
        self.0.issued_at
    }
}

impl Serialize for ClientView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.registration_response(None).serialize(s)
    }
}

/// A client with the secret just issued to it (at registration or rotation): the only answer
/// that ever holds the secret. Serializes as the RFC 7591 registration response.
#[derive(Clone)]
pub struct IssuedClient {
    /// The client.
    pub client: ClientView,
    /// Its new secret; `None` for clients that authenticate without one.
    pub secret: Option<String>,
}

impl std::fmt::Debug for IssuedClient {
    /// The client id only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedClient")
            .field("client_id", &self.client.client_id())
            .finish_non_exhaustive()
    }
}

impl Serialize for IssuedClient {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.client
            .0
            .registration_response(self.secret.as_deref())
            .serialize(s)
    }
}

/// Registers a client from RFC 7591 metadata `json` and records `client.create`, in one
/// transaction. A `jwks_uri` is not fetched here ([`Manager::create_client`] checks it).
pub fn register(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    json: &str,
    kek: &Kek,
) -> Result<IssuedClient, ManageError> {
    let new = registry::prepare(json, now, kek)?;
    audited(conn, actor, now, |conn| {
        clients::create(conn, &new.row)?;
        let audit = Audit::new("client.create", &new.client.client_id)
            .detail(json!({"client_name": new.client.metadata.client_name}));
        Ok((
            IssuedClient {
                client: ClientView(new.client),
                secret: new.secret,
            },
            audit,
        ))
    })
}

/// The client `client_id`.
pub fn get(conn: &mut DbConnection, client_id: &str) -> Result<ClientView, ManageError> {
    registry::get(conn, client_id)?
        .map(ClientView)
        .ok_or_else(|| ManageError::not_found("client", client_id))
}

/// One page of clients, by id.
pub fn list(conn: &mut DbConnection, page: &PageRequest) -> Result<Page<ClientView>, ManageError> {
    let rows = registry::page(conn, page.after.as_deref(), page.rows())?;
    Page::from_rows(page, rows, |c| &c.client_id, |c| Ok(ClientView(c)))
}

/// One page of clients whose id or metadata contains `text`, by id.
pub fn search(
    conn: &mut DbConnection,
    text: &str,
    page: &PageRequest,
) -> Result<Page<ClientView>, ManageError> {
    let rows = registry::matching(conn, text, page.after.as_deref(), page.rows())?;
    Page::from_rows(page, rows, |c| &c.client_id, |c| Ok(ClientView(c)))
}

/// Deletes the client `client_id` and records `client.delete`, in one transaction.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    client_id: &str,
) -> Result<(), ManageError> {
    audited(conn, actor, now, |conn| {
        clients::delete(conn, client_id)
            .map_err(|e| ManageError::missing(e, "client", client_id))?;
        Ok(((), Audit::new("client.delete", client_id)))
    })
}

/// Gives the client `client_id` a new secret, stored as registration stores it, and records
/// `client.rotate_secret`, in one transaction; the old secret stops working. A client that
/// authenticates without a secret is a conflict.
pub fn rotate_secret(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    client_id: &str,
    kek: &Kek,
) -> Result<IssuedClient, ManageError> {
    audited(conn, actor, now, |conn| {
        let mut client = registry::get(conn, client_id)?
            .ok_or_else(|| ManageError::not_found("client", client_id))?;
        let Some(issued) = registry::issue_secret(&client.metadata, kek)? else {
            return Err(ManageError::Conflict {
                error: "invalid_client_metadata",
                field: Some("token_endpoint_auth_method".to_owned()),
                message: format!(
                    "client '{client_id}' authenticates with {} and has no secret to rotate",
                    client.metadata.token_endpoint_auth_method.as_str()
                ),
            });
        };
        clients::set_secret(conn, client_id, &issued.hash, issued.sealed.as_deref(), now)
            .map_err(|e| ManageError::missing(e, "client", client_id))?;
        client.secret_hash = Some(issued.hash);
        client.secret_sealed = issued.sealed;
        Ok((
            IssuedClient {
                client: ClientView(client),
                secret: Some(issued.secret),
            },
            Audit::new("client.rotate_secret", client_id),
        ))
    })
}

impl Manager {
    /// Registers a client from RFC 7591 metadata `json` (see [`register`]), fetching its
    /// `jwks_uri` first when its registered encryption needs the keys there.
    pub async fn create_client(
        &self,
        actor: &Actor,
        json: String,
    ) -> Result<IssuedClient, ManageError> {
        let metadata = ClientMetadata::parse(&json, &registry::metadata_policy())?;
        registry::check_remote_keys(&metadata, &self.key_sources).await?;
        let (actor, now, kek) = (actor.clone(), self.now(), self.kek()?);
        self.run(move |c| register(c, &actor, now, &json, &kek))
            .await
    }

    /// The client `client_id` (see [`get`]).
    pub async fn get_client(&self, client_id: &str) -> Result<ClientView, ManageError> {
        let client_id = client_id.to_owned();
        self.run(move |c| get(c, &client_id)).await
    }

    /// One page of clients, by id (see [`list`]).
    pub async fn list_clients(&self, page: PageRequest) -> Result<Page<ClientView>, ManageError> {
        self.run(move |c| list(c, &page)).await
    }

    /// One page of clients matching `text` (see [`search`]).
    pub async fn search_clients(
        &self,
        text: &str,
        page: PageRequest,
    ) -> Result<Page<ClientView>, ManageError> {
        let text = text.to_owned();
        self.run(move |c| search(c, &text, &page)).await
    }

    /// Deletes the client `client_id` (see [`delete`]).
    pub async fn delete_client(&self, actor: &Actor, client_id: &str) -> Result<(), ManageError> {
        let (actor, now, id) = (actor.clone(), self.now(), client_id.to_owned());
        self.run(move |c| delete(c, &actor, now, &id)).await?;
        self.forget_client(client_id);
        Ok(())
    }

    /// Gives the client `client_id` a new secret (see [`rotate_secret`]).
    pub async fn rotate_client_secret(
        &self,
        actor: &Actor,
        client_id: &str,
    ) -> Result<IssuedClient, ManageError> {
        let (actor, now, kek) = (actor.clone(), self.now(), self.kek()?);
        let id = client_id.to_owned();
        let issued = self
            .run(move |c| rotate_secret(c, &actor, now, &id, &kek))
            .await?;
        self.forget_client(client_id);
        Ok(issued)
    }
}
