//! Resource (API) metadata: the identifier clients name in `resource` / `audience` (RFC 8707),
//! the scopes it defines, and how its access tokens are made.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::client_metadata::{check_jwks, parse_document, secure_url, unknown_member};
use super::enc_alg::{ContentAlg, KeyAlg};
use super::metadata_error::quoted;
use super::scope::Scope;
use crate::domain::alg::SigningAlg;

/// Scopes that belong to the OpenID layer, never to a resource.
pub const RESERVED_SCOPES: [&str; 2] = ["openid", "offline_access"];

/// Longest access-token lifetime a resource may set, in seconds.
pub const MAX_ACCESS_TOKEN_LIFETIME: u64 = 86_400;

const MAX_IDENTIFIER_CHARS: usize = 2000;
const MAX_NAME_CHARS: usize = 200;

const KNOWN_FIELDS: [&str; 10] = [
    "identifier",
    "scope",
    "access_token_lifetime",
    "name",
    "access_token_signed_response_alg",
    "access_token_encrypted_response_alg",
    "access_token_encrypted_response_enc",
    "jwks",
    "jwks_uri",
    "introspection",
];

/// Why resource metadata was rejected; reads `invalid_resource_metadata: …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid_resource_metadata: {0}")]
pub struct ResourceMetadataError(pub String);

fn invalid(description: impl Into<String>) -> ResourceMetadataError {
    ResourceMetadataError(description.into())
}

/// Validated resource metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceMetadata {
    /// Absolute URI without a fragment: the `aud` of its tokens.
    pub identifier: String,
    /// The scopes the resource defines; never empty.
    pub scope: Scope,
    /// Access-token lifetime in seconds (1..=86400); `None` means the client's or the default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_lifetime: Option<u64>,
    /// A human-readable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The algorithm its access tokens are signed with.
    #[serde(serialize_with = "alg_name")]
    pub access_token_signed_response_alg: SigningAlg,
    /// The key-management algorithm its access tokens are encrypted with; `None`: plain JWS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_encrypted_response_alg: Option<KeyAlg>,
    /// The content encryption of its encrypted access tokens; set whenever the `_alg` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_encrypted_response_enc: Option<ContentAlg>,
    /// Its public JWK set, by value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks: Option<Value>,
    /// The URL of its public JWK set (https, or http on a loopback host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Whether the resource has its own credentials for `/introspect`.
    pub introspection: bool,
}

fn alg_name<S: Serializer>(alg: &SigningAlg, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(alg.as_str())
}

/// How a resource's access tokens are encrypted: to which keys, with what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceEncryption {
    /// The resource's JWK set by value.
    pub jwks: Option<Value>,
    /// Or its URL.
    pub jwks_uri: Option<String>,
    /// Key management.
    pub alg: KeyAlg,
    /// Content encryption.
    pub enc: ContentAlg,
}

impl ResourceMetadata {
    /// How its access tokens are encrypted, when they are.
    pub fn encryption(&self) -> Option<ResourceEncryption> {
        Some(ResourceEncryption {
            jwks: self.jwks.clone(),
            jwks_uri: self.jwks_uri.clone(),
            alg: self.access_token_encrypted_response_alg?,
            enc: self.access_token_encrypted_response_enc?,
        })
    }
}

impl ResourceMetadata {
    /// Parses and validates a JSON document; unknown members, wrong types and duplicate
    /// members are refused.
    pub fn parse(json: &str) -> Result<Self, ResourceMetadataError> {
        Self::from_value(parse_document(json).map_err(invalid)?)
    }

    /// Validates metadata already parsed as JSON.
    pub fn from_value(value: Value) -> Result<Self, ResourceMetadataError> {
        let Value::Object(mut map) = value else {
            return Err(invalid("metadata must be a JSON object"));
        };
        if let Some(unknown) = unknown_member(&map, &KNOWN_FIELDS) {
            return Err(invalid(unknown));
        }
        let identifier =
            string(&mut map, "identifier")?.ok_or_else(|| invalid("identifier is required"))?;
        check_identifier(&identifier)?;
        let scope =
            parse_scope(string(&mut map, "scope")?.ok_or_else(|| invalid("scope is required"))?)?;
        let access_token_lifetime = match take(&mut map, "access_token_lifetime") {
            None => None,
            Some(Value::Number(n)) => match n.as_u64() {
                Some(s) if (1..=MAX_ACCESS_TOKEN_LIFETIME).contains(&s) => Some(s),
                _ => {
                    return Err(invalid(format!(
                        "access_token_lifetime must be a whole number of seconds from 1 to \
                         {MAX_ACCESS_TOKEN_LIFETIME} (got {n})"
                    )));
                }
            },
            Some(_) => return Err(invalid("access_token_lifetime must be a number of seconds")),
        };
        let name = string(&mut map, "name")?;
        if let Some(n) = &name
            && (n.trim().is_empty()
                || n.chars().count() > MAX_NAME_CHARS
                || n.chars().any(char::is_control))
        {
            return Err(invalid(format!(
                "name must be 1 to {MAX_NAME_CHARS} characters of text without control characters"
            )));
        }
        let access_token_signed_response_alg =
            match string(&mut map, "access_token_signed_response_alg")? {
                None => SigningAlg::RS256,
                Some(a) => SigningAlg::parse(&a).ok_or_else(|| {
                    invalid(format!(
                        "access_token_signed_response_alg {} is not supported (supported: {})",
                        quoted(&a),
                        SigningAlg::NAMES.join(", ")
                    ))
                })?,
            };
        let (jwks, jwks_uri) = keys(&mut map)?;
        let (access_token_encrypted_response_alg, access_token_encrypted_response_enc) =
            encryption(&mut map, jwks.is_some() || jwks_uri.is_some())?;
        let introspection = match take(&mut map, "introspection") {
            None => false,
            Some(Value::Bool(b)) => b,
            Some(_) => return Err(invalid("introspection must be true or false")),
        };
        Ok(Self {
            identifier,
            scope,
            access_token_lifetime,
            name,
            access_token_signed_response_alg,
            access_token_encrypted_response_alg,
            access_token_encrypted_response_enc,
            jwks,
            jwks_uri,
            introspection,
        })
    }
}

/// `jwks` (public keys only) or `jwks_uri` (https, or http on loopback), not both.
fn keys(
    map: &mut Map<String, Value>,
) -> Result<(Option<Value>, Option<String>), ResourceMetadataError> {
    let jwks = take(map, "jwks")
        .map(|v| check_jwks(v).map_err(|e| invalid(e.description)))
        .transpose()?;
    let jwks_uri = string(map, "jwks_uri")?;
    if let Some(uri) = &jwks_uri {
        secure_url(uri).map_err(|why| invalid(format!("jwks_uri {} {why}", quoted(uri))))?;
    }
    if jwks.is_some() && jwks_uri.is_some() {
        return Err(invalid(
            "jwks and jwks_uri are mutually exclusive; register only one of them",
        ));
    }
    Ok((jwks, jwks_uri))
}

/// `access_token_encrypted_response_alg` / `_enc`: a public-key algorithm (a resource has no
/// client secret to derive a key from), `enc` defaulting to A128CBC-HS256.
fn encryption(
    map: &mut Map<String, Value>,
    has_keys: bool,
) -> Result<(Option<KeyAlg>, Option<ContentAlg>), ResourceMetadataError> {
    let alg = string(map, "access_token_encrypted_response_alg")?;
    let enc = string(map, "access_token_encrypted_response_enc")?;
    let Some(alg) = alg else {
        return match enc {
            Some(_) => Err(invalid(
                "access_token_encrypted_response_enc requires access_token_encrypted_response_alg",
            )),
            None => Ok((None, None)),
        };
    };
    let offered: Vec<&str> = KeyAlg::ALL
        .into_iter()
        .filter(|a| !a.is_symmetric())
        .map(KeyAlg::as_str)
        .collect();
    let alg = KeyAlg::parse(&alg)
        .filter(|a| !a.is_symmetric())
        .ok_or_else(|| {
            invalid(format!(
                "access_token_encrypted_response_alg {} is not supported (supported: {})",
                quoted(&alg),
                offered.join(", ")
            ))
        })?;
    let enc = match enc {
        None => ContentAlg::A128CbcHs256,
        Some(e) => ContentAlg::parse(&e).ok_or_else(|| {
            invalid(format!(
                "access_token_encrypted_response_enc {} is not supported (supported: {})",
                quoted(&e),
                ContentAlg::NAMES.join(", ")
            ))
        })?,
    };
    if !has_keys {
        return Err(invalid(
            "access_token_encrypted_response_alg requires jwks or jwks_uri (the resource's key)",
        ));
    }
    Ok((Some(alg), Some(enc)))
}

/// Removes a member; `null` counts as absent.
fn take(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    map.remove(name).filter(|v| !v.is_null())
}

fn string(
    map: &mut Map<String, Value>,
    name: &str,
) -> Result<Option<String>, ResourceMetadataError> {
    match take(map, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("{name} must be a string"))),
    }
}

/// An absolute URI (RFC 3986 §4.3) without a fragment, as RFC 8707 §2 requires.
fn check_identifier(identifier: &str) -> Result<(), ResourceMetadataError> {
    let bad = |why: &str| invalid(format!("identifier {} {why}", quoted(identifier)));
    if identifier.chars().count() > MAX_IDENTIFIER_CHARS {
        return Err(bad(&format!(
            "is longer than {MAX_IDENTIFIER_CHARS} characters"
        )));
    }
    if identifier
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii())
    {
        return Err(bad(
            "must not contain spaces, control or non-ASCII characters",
        ));
    }
    if identifier.contains('#') {
        return Err(bad("must not have a fragment"));
    }
    match url::Url::parse(identifier) {
        Ok(_) => Ok(()),
        Err(_) => Err(bad("is not an absolute URI")),
    }
}

fn parse_scope(raw: String) -> Result<Scope, ResourceMetadataError> {
    let scope = Scope::parse(&raw).map_err(|e| invalid(format!("scope: {e}")))?;
    if scope.is_empty() {
        return Err(invalid("scope must name at least one scope"));
    }
    if let Some(reserved) = RESERVED_SCOPES.iter().find(|s| scope.contains(s)) {
        return Err(invalid(format!(
            "scope must not contain {reserved}: it belongs to OpenID Connect, not to a resource"
        )));
    }
    Ok(scope)
}

#[cfg(test)]
mod tests;
