//! Client registration metadata (RFC 7591, OpenID Connect Dynamic Client Registration 1.0),
//! parsed strictly into a checked value with defaults filled in.

use serde::Serialize;

use super::metadata_error::MetadataError;
use super::redirect_uri::RedirectUri;
use super::scope::Scope;

mod checks;
mod exchange;
mod fields;
mod parse;
mod self_service;
mod types;

pub(crate) use checks::{check_jwks, secure_url};
pub use exchange::{MAX_EXCHANGE_LIFETIME, TokenExchangePolicy};
pub(crate) use fields::{parse_document, unknown_member};
pub use self_service::{
    ADMIN_SCOPE, MAX_DOCUMENT_BYTES, SelfServiceRules, check_self_service, parse_client_document,
};
pub use types::{ApplicationType, GrantType, ResponseType, TokenEndpointAuthMethod};

/// The content-encryption algorithm assumed when only `*_encrypted_response_alg` is given.
pub const DEFAULT_ENCRYPTED_RESPONSE_ENC: &str = "A128CBC-HS256";

/// What the server supports, against which algorithm choices are checked.
#[derive(Debug, Clone, Copy)]
pub struct MetadataPolicy<'a> {
    /// JWS algorithms accepted for `*_signed_response_alg` and `token_endpoint_auth_signing_alg`.
    pub signing_algs: &'a [&'a str],
    /// JWE key-management algorithms; empty means encrypted responses are not supported.
    pub encryption_algs: &'a [&'a str],
    /// JWE content-encryption algorithms accepted for `*_encrypted_response_enc`.
    pub encryption_encs: &'a [&'a str],
    /// JWE key-management algorithms a request object may be encrypted with (to the
    /// server's own keys); empty means encrypted request objects are not supported.
    pub request_encryption_algs: &'a [&'a str],
}

/// Validated client metadata; serializes to the RFC 7591 / OIDC registration JSON names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientMetadata {
    /// Registered redirect URIs, unique, in registration order; empty without the code grant.
    pub redirect_uris: Vec<RedirectUri>,
    /// Grant types the client may use; never empty.
    pub grant_types: Vec<GrantType>,
    /// Response types: `[code]` with the authorization_code grant, otherwise empty.
    pub response_types: Vec<ResponseType>,
    /// How the client authenticates at the token endpoint.
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
    /// Web or native application.
    pub application_type: ApplicationType,
    /// Scopes the client may request; `None` means the server's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Human-readable name shown on the consent page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Home page of the client (absolute http(s) URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    /// Logo of the client (absolute http(s) URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// Privacy policy of the client (absolute http(s) URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    /// Terms of service of the client (absolute http(s) URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
    /// Ways to contact the people responsible for the client, typically e-mail addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    /// The client's public JWK set, by value (`{"keys": [...]}`, no private members).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    /// The URL of the client's public JWK set (https, or http on a loopback host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// JWS algorithm for ID tokens; `None` means the server's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_signed_response_alg: Option<String>,
    /// JWE key-management algorithm for ID tokens; `None` means not encrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_encrypted_response_alg: Option<String>,
    /// JWE content-encryption algorithm for ID tokens; set whenever the `_alg` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_encrypted_response_enc: Option<String>,
    /// JWS algorithm for userinfo responses; `None` means plain JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo_signed_response_alg: Option<String>,
    /// JWE key-management algorithm for userinfo responses; `None` means not encrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo_encrypted_response_alg: Option<String>,
    /// JWE content-encryption algorithm for userinfo responses; set whenever the `_alg` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo_encrypted_response_enc: Option<String>,
    /// JWE key-management algorithm for introspection answers (RFC 9701); `None` means not
    /// encrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introspection_encrypted_response_alg: Option<String>,
    /// JWE content-encryption algorithm for introspection answers; set whenever the `_alg` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introspection_encrypted_response_enc: Option<String>,
    /// JWS algorithm the client's request objects must be signed with (`none` allowed, and
    /// then trusted no more than query parameters); `None` means any supported signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg: Option<String>,
    /// JWE key-management algorithm the client's encrypted request objects must use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_object_encryption_alg: Option<String>,
    /// JWE content-encryption algorithm of the client's encrypted request objects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_object_encryption_enc: Option<String>,
    /// JWS algorithm of the client's `private_key_jwt` assertions; `None` means any supported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg: Option<String>,
    /// Where the client may ask to be sent after logout; same rules as redirect URIs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub post_logout_redirect_uris: Vec<RedirectUri>,
    /// Back-channel logout endpoint of the client (https, or http on a loopback host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_uri: Option<String>,
    /// Whether the logout token must carry the `sid` claim.
    #[serde(skip_serializing_if = "is_false")]
    pub backchannel_logout_session_required: bool,
    /// Maximum authentication age in seconds before the user must log in again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_max_age: Option<u64>,
    /// Whether ID tokens must always carry the `auth_time` claim.
    #[serde(skip_serializing_if = "is_false")]
    pub require_auth_time: bool,
    /// Identifier of the client software, stable across versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_id: Option<String>,
    /// Version of the client software.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    /// Sigil extension `sigil_first_party`: consent is skipped for first-party clients.
    #[serde(rename = "sigil_first_party", skip_serializing_if = "is_false")]
    pub first_party: bool,
    /// Sigil extension `sigil_access_token_lifetime`: access token lifetime in seconds (1..=86400).
    #[serde(
        rename = "sigil_access_token_lifetime",
        skip_serializing_if = "Option::is_none"
    )]
    pub access_token_lifetime: Option<u64>,
    /// Sigil extension `sigil_refresh_token_lifetime`: sliding (idle) refresh-token lifetime.
    #[serde(
        rename = "sigil_refresh_token_lifetime",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token_lifetime: Option<u64>,
    /// Sigil extension `sigil_refresh_token_absolute_lifetime`: a family's absolute lifetime.
    #[serde(
        rename = "sigil_refresh_token_absolute_lifetime",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token_absolute_lifetime: Option<u64>,
    /// Sigil extension `sigil_refresh_token_grace_period`: seconds (0..=10) during which the
    /// previous refresh token may be presented again and gets the same successor.
    #[serde(
        rename = "sigil_refresh_token_grace_period",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token_grace_period: Option<u64>,
    /// Sigil extension `sigil_token_exchange`: the RFC 8693 exchanges the client may make,
    /// set by an administrator; `None` means subject tokens addressed to it only, no
    /// delegation, no impersonation.
    #[serde(
        rename = "sigil_token_exchange",
        skip_serializing_if = "Option::is_none"
    )]
    pub token_exchange: Option<TokenExchangePolicy>,
}

impl ClientMetadata {
    /// Parses and validates metadata from a JSON document.
    pub fn parse(json: &str, policy: &MetadataPolicy<'_>) -> Result<Self, MetadataError> {
        parse::from_json(json, policy)
    }

    /// Validates metadata already parsed as JSON (duplicate members can no longer be seen).
    pub fn from_value(
        value: serde_json::Value,
        policy: &MetadataPolicy<'_>,
    ) -> Result<Self, MetadataError> {
        parse::from_value(value, policy)
    }

    /// Whether this is a public client (`token_endpoint_auth_method` is `none`).
    pub fn is_public(&self) -> bool {
        self.token_endpoint_auth_method == TokenEndpointAuthMethod::None
    }

    /// Whether the client registered the given grant type.
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Whether `candidate` is byte-for-byte equal to one of the registered redirect URIs.
    pub fn redirect_uri_registered(&self, candidate: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|uri| uri.as_str() == candidate)
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

#[cfg(test)]
mod tests;
