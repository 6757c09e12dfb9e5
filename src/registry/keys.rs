//! Whether a client's keys cover the algorithms it registered: every asymmetric
//! `*_encrypted_response_alg` needs a key that can receive it, and every signature it will
//! send (assertions, request objects) a key that verifies it.

use crate::domain::client_metadata::{ClientMetadata, TokenEndpointAuthMethod};
use crate::domain::enc_alg::KeyAlg;
use crate::domain::metadata_error::MetadataError;
use crate::jose::SigningAlg;
use crate::jose::client_keys::ClientKeys;
use crate::outbound::jwks::{KeySource, KeySources};

/// The `(member, alg)` pairs of every encrypted response the client registered.
pub fn encryption_algs(meta: &ClientMetadata) -> Vec<(&'static str, KeyAlg)> {
    [
        (
            "id_token_encrypted_response_alg",
            &meta.id_token_encrypted_response_alg,
        ),
        (
            "userinfo_encrypted_response_alg",
            &meta.userinfo_encrypted_response_alg,
        ),
        (
            "introspection_encrypted_response_alg",
            &meta.introspection_encrypted_response_alg,
        ),
    ]
    .into_iter()
    .filter_map(|(member, alg)| Some((member, alg.as_deref().and_then(KeyAlg::parse)?)))
    .collect()
}

/// Whether some registered encryption derives its key from the client secret.
pub(super) fn derives_from_secret(meta: &ClientMetadata) -> bool {
    encryption_algs(meta)
        .iter()
        .any(|(_, alg)| alg.is_symmetric())
}

fn signing_algs(meta: &ClientMetadata) -> Vec<(&'static str, SigningAlg)> {
    [
        (
            "token_endpoint_auth_signing_alg",
            &meta.token_endpoint_auth_signing_alg,
        ),
        (
            "request_object_signing_alg",
            &meta.request_object_signing_alg,
        ),
    ]
    .into_iter()
    .filter_map(|(member, alg)| Some((member, alg.as_deref().and_then(SigningAlg::parse)?)))
    .collect()
}

/// Refuses metadata whose algorithms `keys` cannot serve.
pub fn check_coverage(meta: &ClientMetadata, keys: &ClientKeys) -> Result<(), MetadataError> {
    for (member, alg) in encryption_algs(meta) {
        if !alg.is_symmetric() && keys.recipient(alg).is_none() {
            return Err(MetadataError::invalid_client_metadata(format!(
                "{member} {alg} has no matching key: the client's JWK set needs a key with \
                 \"use\": \"enc\" (or no \"use\") of a type {alg} works with"
            )));
        }
    }
    for (member, alg) in signing_algs(meta) {
        if !keys.can_verify(alg) {
            return Err(MetadataError::invalid_client_metadata(format!(
                "{member} {alg} has no matching key: the client's JWK set needs a key with \
                 \"use\": \"sig\" (or no \"use\") for {alg}"
            )));
        }
    }
    if meta.token_endpoint_auth_method == TokenEndpointAuthMethod::PrivateKeyJwt
        && !SigningAlg::ALL.into_iter().any(|a| keys.can_verify(a))
    {
        return Err(MetadataError::invalid_client_metadata(
            "private_key_jwt needs a signing key in the client's JWK set",
        ));
    }
    Ok(())
}

/// For a `jwks_uri` client whose registered encryption needs its keys: fetches them (through
/// the cache) and checks they cover its algorithms. Other metadata passes untouched.
pub async fn check_remote_keys(
    meta: &ClientMetadata,
    sources: &KeySources,
) -> Result<(), MetadataError> {
    let Some(uri) = meta.jwks_uri.as_deref() else {
        return Ok(());
    };
    if encryption_algs(meta).iter().all(|(_, a)| a.is_symmetric()) {
        return Ok(());
    }
    let keys = sources
        .keys(KeySource::Uri(uri))
        .await
        .map_err(|e| MetadataError::invalid_client_metadata(e.to_string()))?;
    check_coverage(meta, &keys)
}
