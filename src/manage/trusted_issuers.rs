//! Trusted external issuers: registration from metadata (a `jwks_uri` fetched first),
//! reading, listing and deletion.

use serde::{Serialize, Serializer};
use serde_json::json;

use super::{
    Actor, Audit, INVALID_TRUSTED_ISSUER_METADATA, ManageError, Manager, Page, PageRequest,
};
use crate::domain::metadata_error::quoted;
use crate::domain::trusted_issuer::TrustedIssuerMetadata;
use crate::federation::{self, TrustedIssuer};
use crate::store::{DbConnection, StoreError, trusted_issuers};

/// A registered trusted issuer. Serializes as `id`, `created_at` and the metadata members.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustedIssuerView(TrustedIssuer);

impl TrustedIssuerView {
    /// The trusted issuer's id.
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// Its issuer identifier.
    pub fn issuer(&self) -> &str {
        &self.0.metadata.issuer
    }
}

impl Serialize for TrustedIssuerView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.to_json().serialize(s)
    }
}

/// Registers a trusted issuer from metadata `json` and records `trusted_issuer.create`, in
/// one transaction; `own_issuer` is sigil's own issuer, which is refused, and an issuer
/// already registered is a conflict. A `jwks_uri` is not fetched here
/// ([`Manager::create_trusted_issuer`] checks it).
pub fn register(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    json: &str,
    own_issuer: &str,
) -> Result<TrustedIssuerView, ManageError> {
    let (issuer, row) = federation::prepare(json, now, own_issuer)?;
    super::audited(conn, actor, now, |conn| {
        trusted_issuers::create(conn, &row).map_err(|e| match e {
            StoreError::Conflict(_) => ManageError::Conflict {
                error: INVALID_TRUSTED_ISSUER_METADATA,
                field: Some("issuer".to_owned()),
                message: format!(
                    "a trusted issuer with issuer {} is already registered",
                    quoted(&issuer.metadata.issuer)
                ),
            },
            other => other.into(),
        })?;
        let audit = Audit::new("trusted_issuer.create", &issuer.id).detail(json!({
            "issuer": issuer.metadata.issuer,
            "audience": issuer.metadata.audience,
            "user_claim": issuer.metadata.user_claim,
        }));
        Ok((TrustedIssuerView(issuer), audit))
    })
}

/// The trusted issuer `id`.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<TrustedIssuerView, ManageError> {
    federation::get(conn, id)?
        .map(TrustedIssuerView)
        .ok_or_else(|| ManageError::not_found("trusted issuer", id))
}

/// One page of trusted issuers, by id.
pub fn list(
    conn: &mut DbConnection,
    page: &PageRequest,
) -> Result<Page<TrustedIssuerView>, ManageError> {
    let rows = federation::page(conn, page.after.as_deref(), page.rows())?;
    Page::from_rows(page, rows, |i| &i.id, |i| Ok(TrustedIssuerView(i)))
}

/// Deletes the trusted issuer `id` and records `trusted_issuer.delete` with its issuer, in
/// one transaction.
pub fn delete(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    id: &str,
) -> Result<(), ManageError> {
    super::audited(conn, actor, now, |conn| {
        let issuer = trusted_issuers::get(conn, id)?
            .ok_or_else(|| ManageError::not_found("trusted issuer", id))?;
        trusted_issuers::delete(conn, id)
            .map_err(|e| ManageError::missing(e, "trusted issuer", id))?;
        let audit =
            Audit::new("trusted_issuer.delete", id).detail(json!({"issuer": issuer.issuer}));
        Ok(((), audit))
    })
}

impl Manager {
    /// Registers a trusted issuer from metadata `json` (see [`register`]), fetching its
    /// `jwks_uri` first: one that cannot be fetched or holds no usable key is refused.
    pub async fn create_trusted_issuer(
        &self,
        actor: &Actor,
        json: String,
    ) -> Result<TrustedIssuerView, ManageError> {
        let metadata = TrustedIssuerMetadata::parse(&json)?;
        federation::check_remote_keys(&metadata, &self.key_sources).await?;
        let (actor, now, own) = (actor.clone(), self.now(), self.issuer.clone());
        self.run(move |c| register(c, &actor, now, &json, &own))
            .await
    }

    /// The trusted issuer `id` (see [`get`]).
    pub async fn get_trusted_issuer(&self, id: &str) -> Result<TrustedIssuerView, ManageError> {
        let id = id.to_owned();
        self.run(move |c| get(c, &id)).await
    }

    /// One page of trusted issuers, by id (see [`list`]).
    pub async fn list_trusted_issuers(
        &self,
        page: PageRequest,
    ) -> Result<Page<TrustedIssuerView>, ManageError> {
        self.run(move |c| list(c, &page)).await
    }

    /// Deletes the trusted issuer `id` (see [`delete`]).
    pub async fn delete_trusted_issuer(&self, actor: &Actor, id: &str) -> Result<(), ManageError> {
        let issuer = self.get_trusted_issuer(id).await?.issuer().to_owned();
        let (actor, now, id) = (actor.clone(), self.now(), id.to_owned());
        self.run(move |c| delete(c, &actor, now, &id)).await?;
        self.forget_trusted_issuer(&issuer);
        Ok(())
    }
}
