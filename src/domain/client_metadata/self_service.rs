//! What a client may ask when it registers itself (RFC 7591 open or token registration) or
//! is described by a client ID metadata document: narrower than what an administrator may.

use serde_json::{Map, Value};

use super::fields::parse_document;
use super::{ApplicationType, ClientMetadata, GrantType, MetadataPolicy};
use crate::domain::metadata_error::{MetadataError, quoted};

/// The scope only an administrator may give a client.
pub const ADMIN_SCOPE: &str = "sigil:admin";

/// What self-service allows beyond the metadata parser's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfServiceRules {
    /// Whether the `client_credentials` grant may be asked.
    pub client_credentials: bool,
    /// Whether a web client's redirect URIs must be https (loopback http is for native apps).
    pub https_for_web: bool,
}

/// The largest client ID metadata document accepted.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024;

/// Refuses what self-service may not ask: `sigil_*` members, the admin scope, a grant it may
/// not have, and plain-http redirect URIs for web clients when `rules` say so.
pub fn check_self_service(
    members: &Map<String, Value>,
    metadata: &ClientMetadata,
    rules: SelfServiceRules,
) -> Result<(), MetadataError> {
    if let Some(name) = members.keys().find(|k| k.starts_with("sigil_")) {
        return Err(MetadataError::invalid_client_metadata(format!(
            "the member {} is set by an administrator and cannot be registered here",
            quoted(name)
        )));
    }
    if metadata
        .scope
        .as_ref()
        .is_some_and(|s| s.contains(ADMIN_SCOPE))
    {
        return Err(MetadataError::invalid_client_metadata(format!(
            "the scope {ADMIN_SCOPE} is given by an administrator and cannot be registered here"
        )));
    }
    if !rules.client_credentials && metadata.allows_grant(GrantType::ClientCredentials) {
        return Err(MetadataError::invalid_client_metadata(
            "the client_credentials grant cannot be registered here",
        ));
    }
    if rules.https_for_web
        && metadata.application_type == ApplicationType::Web
        && let Some(uri) = metadata
            .redirect_uris
            .iter()
            .find(|u| !u.as_str().starts_with("https:"))
    {
        return Err(MetadataError::invalid_redirect_uri(format!(
            "redirect URI {} must use https; plain http on a loopback host is for native \
             applications (application_type native, RFC 8252)",
            quoted(uri.as_str())
        )));
    }
    Ok(())
}

/// Parses a client ID metadata document fetched from `url`: a JSON object whose `client_id`
/// is `url` exactly, describing a public client (`token_endpoint_auth_method` `none`, no
/// secret) that uses the authorization code (and refresh token) grants only.
pub fn parse_client_document(
    url: &str,
    body: &[u8],
    policy: &MetadataPolicy<'_>,
) -> Result<ClientMetadata, MetadataError> {
    let invalid = |d: &str| MetadataError::invalid_client_metadata(d);
    let text = std::str::from_utf8(body).map_err(|_| invalid("the document is not JSON"))?;
    let Value::Object(mut members) =
        parse_document(text).map_err(|_| invalid("the document is not JSON"))?
    else {
        return Err(invalid("the document is not a JSON object"));
    };
    match members.remove("client_id") {
        Some(Value::String(id)) if id == url => {}
        Some(Value::String(id)) => {
            return Err(invalid(&format!(
                "its client_id {} differs from the URL it was fetched from",
                quoted(&id)
            )));
        }
        _ => return Err(invalid("it has no client_id")),
    }
    if let Some(name) = members.keys().find(|k| k.starts_with("client_secret")) {
        return Err(invalid(&format!(
            "it names {}, but a client described by a metadata document has no secret",
            quoted(name)
        )));
    }
    match members.get("token_endpoint_auth_method") {
        None => {
            members.insert("token_endpoint_auth_method".into(), "none".into());
        }
        Some(Value::String(m)) if m == "none" => {}
        Some(_) => {
            return Err(invalid(
                "its token_endpoint_auth_method must be none: it is a public client",
            ));
        }
    }
    let raw = members.clone();
    let metadata = ClientMetadata::from_value(Value::Object(members), policy)?;
    let rules = SelfServiceRules {
        client_credentials: false,
        https_for_web: false,
    };
    check_self_service(&raw, &metadata, rules)?;
    if let Some(grant) = metadata
        .grant_types
        .iter()
        .find(|g| !matches!(g, GrantType::AuthorizationCode | GrantType::RefreshToken))
    {
        return Err(invalid(&format!(
            "the {} grant is not available to a client described by a metadata document",
            grant.as_str()
        )));
    }
    Ok(metadata)
}

#[cfg(test)]
mod tests;
