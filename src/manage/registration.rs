//! Dynamic registration (RFC 7591 / 7592): clients registering themselves with narrower
//! rules than an administrator's, managed afterwards with their registration access token
//! (the initial access tokens `SIGIL_REGISTRATION=token` asks for are in
//! [`super::registration_tokens`]).

use serde_json::{Value, json};

use super::clients::{ClientView, IssuedClient};
use super::{Actor, Audit, ManageError, Manager, audited};
use crate::domain::client_metadata::{SelfServiceRules, check_self_service, parse_document};
use crate::domain::metadata_error::MetadataError;
use crate::jose::Kek;
use crate::registry::{self, Client};
use crate::secrets;
use crate::store::registrations::{self, Refusal};
use crate::store::{DbConnection, clients, try_transaction};

/// The actor of open registrations in the audit log.
pub const OPEN_ACTOR: &str = "register";

/// How a registration is authorised.
#[derive(Clone)]
pub enum Access {
    /// `SIGIL_REGISTRATION=open`: anyone.
    Open,
    /// An initial access token, as presented (only its hash is looked up).
    Initial(String),
}

impl std::fmt::Debug for Access {
    /// Never the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Open => "Open",
            Self::Initial(_) => "Initial(..)",
        })
    }
}

/// Why a registration operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    /// The initial or registration access token is missing from storage, used up or expired.
    #[error("{}", describe(*.0))]
    Token(Refusal),
    /// The metadata, or storage, failed as any management operation does.
    #[error(transparent)]
    Manage(#[from] ManageError),
}

impl From<MetadataError> for RegistrationError {
    fn from(e: MetadataError) -> Self {
        Self::Manage(e.into())
    }
}

impl From<crate::store::StoreError> for RegistrationError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Manage(e.into())
    }
}

fn describe(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::Unknown => "the access token is not valid",
        Refusal::UsedUp => "the initial access token has no registrations left",
        Refusal::Expired => "the initial access token has expired",
    }
}

/// A client just registered or updated, with its new registration access token (shown once).
pub struct Registered {
    /// The client, with its secret when one was just issued.
    pub client: IssuedClient,
    /// The registration access token.
    pub access_token: String,
}

impl std::fmt::Debug for Registered {
    /// The client id only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registered")
            .field("client_id", &self.client.client.client_id())
            .finish_non_exhaustive()
    }
}

/// An RFC 7592 update: the new metadata, and the `client_secret` the request echoed, if any.
pub struct Update {
    /// The metadata, without `client_id` and `client_secret`.
    pub json: String,
    /// The secret the request carried: it must be the client's current one.
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for Update {
    /// Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Update").finish_non_exhaustive()
    }
}

/// Validates self-service metadata `json`: the registration rules and then `rules`.
pub fn validate(json: &str, rules: SelfServiceRules) -> Result<(), ManageError> {
    let metadata = registry::validate(json)?;
    let Ok(Value::Object(members)) = parse_document(json) else {
        return Err(
            MetadataError::invalid_client_metadata("metadata must be a JSON object").into(),
        );
    };
    Ok(check_self_service(&members, &metadata, rules)?)
}

/// Registers a client from self-service metadata `json` (see [`validate`]) as `access`
/// allows, with a new registration access token, and records `client.create` with actor
/// `register` or the initial token's id — all in one transaction.
pub fn register(
    conn: &mut DbConnection,
    now: i64,
    json: &str,
    kek: &Kek,
    rules: SelfServiceRules,
    access: &Access,
) -> Result<Registered, RegistrationError> {
    try_transaction(conn, |conn| {
        let actor = match access {
            Access::Open => Actor::new(OPEN_ACTOR),
            Access::Initial(token) => {
                match registrations::use_initial(conn, &secrets::digest(token), now)? {
                    Ok(id) => Actor::new(id),
                    Err(refusal) => return Err(RegistrationError::Token(refusal)),
                }
            }
        };
        validate(json, rules)?;
        let new = registry::prepare(json, now, kek).map_err(ManageError::from)?;
        let access_token = secrets::random_token(32);
        let client = audited(conn, &actor, now, |conn| {
            clients::create(conn, &new.row)?;
            registrations::create(
                conn,
                &new.client.client_id,
                &secrets::digest(&access_token),
                now,
            )?;
            let audit = Audit::new("client.create", &new.client.client_id).detail(json!({
                "client_name": new.client.metadata.client_name,
                "via": "register",
            }));
            Ok((
                IssuedClient {
                    client: ClientView(new.client),
                    secret: new.secret,
                },
                audit,
            ))
        })?;
        Ok(Registered {
            client,
            access_token,
        })
    })
}

/// The client `client_id`, when `token` is its registration access token.
pub fn read(
    conn: &mut DbConnection,
    client_id: &str,
    token: &str,
) -> Result<Client, RegistrationError> {
    let stored = registrations::access_token_hash(conn, client_id)?;
    if !stored.is_some_and(|hash| secrets::matches(token, &hash)) {
        return Err(RegistrationError::Token(Refusal::Unknown));
    }
    registry::get(conn, client_id)?.ok_or(RegistrationError::Token(Refusal::Unknown))
}

/// Replaces the metadata of the client `client_id` (RFC 7592 §2.2) when `token` is its
/// registration access token: validated as at registration, the secret kept while it still
/// serves, the registration access token rotated, `client.update` recorded.
pub fn replace(
    conn: &mut DbConnection,
    now: i64,
    (client_id, token): (&str, &str),
    update: &Update,
    kek: &Kek,
    rules: SelfServiceRules,
) -> Result<Registered, RegistrationError> {
    let json = update.json.as_str();
    try_transaction(conn, |conn| {
        let old = read(conn, client_id, token)?;
        if let Some(secret) = &update.client_secret
            && !old
                .secret_hash
                .as_deref()
                .is_some_and(|h| secrets::matches(secret, h))
        {
            return Err(MetadataError::invalid_client_metadata(
                "client_secret is not the client's current secret",
            )
            .into());
        }
        validate(json, rules)?;
        let access_token = secrets::random_token(32);
        let actor = Actor::new(client_id);
        let client = audited(conn, &actor, now, |conn| {
            let revised = registry::revise(&old, json, now, kek)?;
            clients::update(conn, &revised.row)?;
            registrations::rotate(conn, client_id, &secrets::digest(&access_token), now)?;
            let audit = Audit::new("client.update", client_id).detail(json!({
                "client_name": revised.client.metadata.client_name,
                "secret_issued": revised.secret.is_some(),
                "via": "register",
            }));
            Ok((
                IssuedClient {
                    client: ClientView::of(revised.client),
                    secret: revised.secret,
                },
                audit,
            ))
        })?;
        Ok(Registered {
            client,
            access_token,
        })
    })
}

/// Deletes the client `client_id` (RFC 7592 §2.3) when `token` is its registration access
/// token, and records `client.delete`.
pub fn delete(
    conn: &mut DbConnection,
    now: i64,
    client_id: &str,
    token: &str,
) -> Result<(), RegistrationError> {
    try_transaction(conn, |conn| {
        read(conn, client_id, token)?;
        Ok(super::clients::delete(
            conn,
            &Actor::new(client_id),
            now,
            client_id,
        )?)
    })
}

impl Manager {
    /// Registers a self-service client (see [`register`]), fetching its `jwks_uri` first when
    /// its registered encryption needs the keys there.
    pub async fn register_client(
        &self,
        json: String,
        rules: SelfServiceRules,
        access: Access,
    ) -> Result<Registered, RegistrationError> {
        if let Access::Initial(token) = &access {
            let (hash, now) = (secrets::digest(token), self.now());
            self.run(move |c| Ok(registrations::find_initial(c, &hash, now)?))
                .await?
                .map_err(RegistrationError::Token)?;
        }
        self.check_keys(&json, rules).await?;
        let (now, kek) = (self.now(), self.kek()?);
        self.run(move |c| Ok(register(c, now, &json, &kek, rules, &access)))
            .await?
    }

    /// The client `client_id` for the holder of its registration access token (see [`read`]).
    pub async fn read_registration(
        &self,
        client_id: &str,
        token: &str,
    ) -> Result<ClientView, RegistrationError> {
        let (client_id, token) = (client_id.to_owned(), token.to_owned());
        self.run(move |c| Ok(read(c, &client_id, &token).map(ClientView)))
            .await?
    }

    /// Replaces a self-registered client's metadata (see [`replace`]).
    pub async fn replace_registration(
        &self,
        client_id: &str,
        token: &str,
        update: Update,
        rules: SelfServiceRules,
    ) -> Result<Registered, RegistrationError> {
        self.read_registration(client_id, token).await?;
        self.check_keys(&update.json, rules).await?;
        let (now, kek) = (self.now(), self.kek()?);
        let (id, token) = (client_id.to_owned(), token.to_owned());
        let registered = self
            .run(move |c| Ok(replace(c, now, (&id, &token), &update, &kek, rules)))
            .await??;
        self.forget_client(client_id);
        Ok(registered)
    }

    /// Deletes a self-registered client (see [`delete`]).
    pub async fn delete_registration(
        &self,
        client_id: &str,
        token: &str,
    ) -> Result<(), RegistrationError> {
        let (now, id, token) = (self.now(), client_id.to_owned(), token.to_owned());
        self.run(move |c| Ok(delete(c, now, &id, &token))).await??;
        self.forget_client(client_id);
        Ok(())
    }

    /// Validates `json` (see [`validate`]) and checks a `jwks_uri` it relies on.
    async fn check_keys(&self, json: &str, rules: SelfServiceRules) -> Result<(), ManageError> {
        validate(json, rules)?;
        let metadata = registry::validate(json)?;
        Ok(registry::check_remote_keys(&metadata, &self.key_sources).await?)
    }
}
