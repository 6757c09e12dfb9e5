//! Encrypting what sigil hands out: an ID token, a userinfo or an introspection answer
//! becomes a nested JWT encrypted as the client registered — to a key of its JWK set (taken
//! from the cached key source, no database read), or with a key derived from its secret —
//! and an access token for a resource with a key becomes one encrypted to that key.

use std::sync::Arc;

use crate::domain::enc_alg::{ContentAlg, KeyAlg};
use crate::domain::resource::ResourceEncryption;
use crate::jose::client_keys::ClientKeys;
use crate::jose::content::OwnCopy;
use crate::jose::encrypt::{Recipient, encrypt_nested};
use crate::jose::{JoseError, Kek, KeySet};
use crate::outbound::jwks::{KeySource, KeySources, KeysError};
use crate::registry::Client;

/// A response a client may have asked to be encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// The ID token (`id_token_encrypted_response_*`).
    IdToken,
    /// The userinfo answer (`userinfo_encrypted_response_*`).
    Userinfo,
    /// The introspection answer (`introspection_encrypted_response_*`, RFC 9701).
    Introspection,
}

/// Why a response could not be encrypted; the text is safe for the client.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The client's keys could not be had.
    #[error("the client's encryption key is unavailable: {0}")]
    Keys(#[from] KeysError),
    /// The client's keys hold none for its registered algorithm.
    #[error("the client's JWK set has no key for {0}")]
    NoKey(KeyAlg),
    /// The registration cannot be acted on.
    #[error("the client's encryption settings are unusable: {0}")]
    Settings(String),
    /// Encryption failed.
    #[error(transparent)]
    Jose(#[from] JoseError),
}

#[derive(Debug)]
enum To {
    Public(Arc<ClientKeys>, KeyAlg),
    Secret(Recipient),
}

/// How one response is encrypted for one client, or one access token for its resource.
#[derive(Debug)]
pub struct Sealing {
    to: To,
    enc: ContentAlg,
    own: Option<OwnCopy>,
}

impl Sealing {
    /// Encrypts the signed JWT `jws`.
    pub fn seal(&self, jws: &str) -> Result<String, JoseError> {
        let recipient = match &self.to {
            To::Public(keys, alg) => keys
                .recipient(*alg)
                .ok_or_else(|| JoseError(format!("no {alg} key")))?,
            To::Secret(recipient) => recipient,
        };
        encrypt_nested(jws, self.enc, recipient, self.own.as_ref())
    }
}

/// How `client` wants `response` encrypted, or `None` for not at all.
pub async fn sealing_for(
    sources: &KeySources,
    kek: &Kek,
    client: &Client,
    response: Response,
) -> Result<Option<Sealing>, SealError> {
    let meta = &client.metadata;
    let (alg, enc) = match response {
        Response::IdToken => (
            &meta.id_token_encrypted_response_alg,
            &meta.id_token_encrypted_response_enc,
        ),
        Response::Userinfo => (
            &meta.userinfo_encrypted_response_alg,
            &meta.userinfo_encrypted_response_enc,
        ),
        Response::Introspection => (
            &meta.introspection_encrypted_response_alg,
            &meta.introspection_encrypted_response_enc,
        ),
    };
    let Some(alg) = alg.as_deref() else {
        return Ok(None);
    };
    let unusable = |what: &str| SealError::Settings(what.to_owned());
    let alg = KeyAlg::parse(alg).ok_or_else(|| unusable("unknown algorithm"))?;
    let enc = enc
        .as_deref()
        .and_then(ContentAlg::parse)
        .ok_or_else(|| unusable("unknown content encryption"))?;
    let to = if alg.is_symmetric() {
        let sealed = client
            .secret_sealed
            .as_deref()
            .ok_or_else(|| unusable("no secret is kept for a key derived from it"))?;
        let secret = kek.unwrap(sealed)?;
        To::Secret(Recipient::from_secret(alg, enc, &secret)?)
    } else {
        let source = KeySource::of(meta.jwks.as_ref(), meta.jwks_uri.as_deref())
            .ok_or_else(|| unusable("no jwks or jwks_uri"))?;
        let keys = sources.keys(source).await?;
        if keys.recipient(alg).is_none() {
            return Err(SealError::NoKey(alg));
        }
        To::Public(keys, alg)
    };
    Ok(Some(Sealing { to, enc, own: None }))
}

/// How access tokens for a resource that registered a key are encrypted: to that key, with
/// sigil's own copy of the content key kept so `/introspect`, `/userinfo` and `/revoke` can
/// read them back.
pub async fn sealing_for_resource(
    sources: &KeySources,
    keys: &KeySet,
    encryption: &ResourceEncryption,
) -> Result<Sealing, SealError> {
    let source = KeySource::of(encryption.jwks.as_ref(), encryption.jwks_uri.as_deref())
        .ok_or_else(|| SealError::Settings("no jwks or jwks_uri".into()))?;
    let public = sources.keys(source).await?;
    if public.recipient(encryption.alg).is_none() {
        return Err(SealError::NoKey(encryption.alg));
    }
    let own = keys
        .own_copy()
        .cloned()
        .ok_or_else(|| SealError::Settings("no key for sigil's own copy".into()))?;
    Ok(Sealing {
        to: To::Public(public, encryption.alg),
        enc: encryption.enc,
        own: Some(own),
    })
}
