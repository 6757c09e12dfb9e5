//! OpenID Connect Discovery 1.0 and RFC 8414 metadata, built once from the issuer.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{RegistrationMode, SelfService};
use crate::domain::client_metadata::GrantType;
use crate::domain::enc_alg::{ContentAlg, KeyAlg};
use crate::jose::SigningAlg;
use crate::oauth::authorize::request::SUPPORTED_SCOPES;

/// Provider metadata: only what this build actually serves.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderMetadata {
    /// The issuer, exactly as configured.
    pub issuer: String,
    /// `/authorize`.
    pub authorization_endpoint: String,
    /// `/token`.
    pub token_endpoint: String,
    /// `/userinfo`.
    pub userinfo_endpoint: String,
    /// `/introspect` (RFC 7662).
    pub introspection_endpoint: String,
    /// How callers authenticate at `/introspect` (never `none`).
    pub introspection_endpoint_auth_methods_supported: Vec<&'static str>,
    /// Algorithms for `private_key_jwt` assertions at `/introspect`.
    pub introspection_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    /// Algorithms of RFC 9701 JWT introspection responses.
    pub introspection_signing_alg_values_supported: Vec<&'static str>,
    /// Where the signing keys are published.
    pub jwks_uri: String,
    /// `/revoke` (RFC 7009).
    pub revocation_endpoint: String,
    /// Client authentication methods at `/revoke`.
    pub revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    /// `/logout` (OIDC RP-Initiated Logout 1.0).
    pub end_session_endpoint: String,
    /// Back-channel logout tokens are sent (OIDC Back-Channel Logout 1.0).
    pub backchannel_logout_supported: bool,
    /// Logout tokens carry `sid`.
    pub backchannel_logout_session_supported: bool,
    /// Scopes clients may request.
    pub scopes_supported: Vec<&'static str>,
    /// Response types `/authorize` accepts: `code` only (OAuth 2.1).
    pub response_types_supported: Vec<&'static str>,
    /// Response modes.
    pub response_modes_supported: Vec<&'static str>,
    /// Grant types `/token` accepts.
    pub grant_types_supported: Vec<&'static str>,
    /// Subject identifier types.
    pub subject_types_supported: Vec<&'static str>,
    /// ID token signing algorithms.
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    /// Userinfo signing algorithms.
    pub userinfo_signing_alg_values_supported: Vec<&'static str>,
    /// Client authentication methods at `/token`.
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    /// Algorithms for `private_key_jwt` assertions.
    pub token_endpoint_auth_signing_alg_values_supported: Vec<&'static str>,
    /// PKCE methods: `S256` only.
    pub code_challenge_methods_supported: Vec<&'static str>,
    /// `prompt` values understood.
    pub prompt_values_supported: Vec<&'static str>,
    /// Claims that can be released.
    pub claims_supported: Vec<&'static str>,
    /// Claim types.
    pub claim_types_supported: Vec<&'static str>,
    /// The `claims` request parameter is honoured.
    pub claims_parameter_supported: bool,
    /// JWE algorithms ID tokens can be encrypted with.
    pub id_token_encryption_alg_values_supported: Vec<&'static str>,
    /// JWE content encryptions for ID tokens.
    pub id_token_encryption_enc_values_supported: Vec<&'static str>,
    /// JWE algorithms userinfo answers can be encrypted with.
    pub userinfo_encryption_alg_values_supported: Vec<&'static str>,
    /// JWE content encryptions for userinfo answers.
    pub userinfo_encryption_enc_values_supported: Vec<&'static str>,
    /// JWE algorithms introspection answers can be encrypted with (RFC 9701).
    pub introspection_encryption_alg_values_supported: Vec<&'static str>,
    /// JWE content encryptions for introspection answers.
    pub introspection_encryption_enc_values_supported: Vec<&'static str>,
    /// Algorithms request objects may be signed with (`none` for clients that register it).
    pub request_object_signing_alg_values_supported: Vec<&'static str>,
    /// JWE algorithms request objects may be encrypted with (to sigil's `use: enc` keys).
    pub request_object_encryption_alg_values_supported: Vec<&'static str>,
    /// JWE content encryptions for request objects.
    pub request_object_encryption_enc_values_supported: Vec<&'static str>,
    /// Request objects (`request`, RFC 9101) are supported.
    pub request_parameter_supported: bool,
    /// `request_uri` is not supported.
    pub request_uri_parameter_supported: bool,
    /// RFC 9207: `iss` in every authorization response.
    pub authorization_response_iss_parameter_supported: bool,
    /// `/register` (RFC 7591), when `SIGIL_REGISTRATION` is not `off`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// An https URL may be a `client_id` (client ID metadata documents).
    pub client_id_metadata_document_supported: bool,
}

/// Client authentication methods accepted at `/token` and `/revoke`.
const CLIENT_AUTH_METHODS: [&str; 4] = [
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
    "none",
];

/// The serialized documents and their ETags.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The metadata.
    pub metadata: ProviderMetadata,
    body: Vec<u8>,
    etag: String,
}

/// `issuer` + `path`, without a doubled slash.
pub fn endpoint(issuer: &str, path: &str) -> String {
    format!("{}{}", issuer.trim_end_matches('/'), path)
}

impl Discovery {
    /// Builds the metadata for `issuer`, with registration as `self_service` says.
    pub fn new(issuer: &str, self_service: &SelfService) -> Self {
        let metadata = ProviderMetadata {
            issuer: issuer.to_owned(),
            authorization_endpoint: endpoint(issuer, "/authorize"),
            token_endpoint: endpoint(issuer, "/token"),
            userinfo_endpoint: endpoint(issuer, "/userinfo"),
            introspection_endpoint: endpoint(issuer, "/introspect"),
            introspection_endpoint_auth_methods_supported: vec![
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
            ],
            introspection_endpoint_auth_signing_alg_values_supported: SigningAlg::names(),
            introspection_signing_alg_values_supported: vec![
                crate::issue::introspection::RESPONSE_ALG.as_str(),
            ],
            jwks_uri: endpoint(issuer, "/jwks"),
            revocation_endpoint: endpoint(issuer, "/revoke"),
            revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS.to_vec(),
            end_session_endpoint: endpoint(issuer, "/logout"),
            backchannel_logout_supported: true,
            backchannel_logout_session_supported: true,
            scopes_supported: SUPPORTED_SCOPES.to_vec(),
            response_types_supported: vec!["code"],
            response_modes_supported: vec!["query", "form_post"],
            grant_types_supported: vec![
                "authorization_code",
                "refresh_token",
                "client_credentials",
                GrantType::TokenExchange.as_str(),
            ],
            subject_types_supported: vec!["public"],
            id_token_signing_alg_values_supported: SigningAlg::names(),
            userinfo_signing_alg_values_supported: SigningAlg::names(),
            token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS.to_vec(),
            token_endpoint_auth_signing_alg_values_supported: SigningAlg::names(),
            code_challenge_methods_supported: vec!["S256"],
            prompt_values_supported: vec!["none", "login", "consent", "select_account"],
            claims_supported: crate::issue::claims::supported(),
            claim_types_supported: vec!["normal"],
            claims_parameter_supported: true,
            id_token_encryption_alg_values_supported: KeyAlg::NAMES.to_vec(),
            id_token_encryption_enc_values_supported: ContentAlg::NAMES.to_vec(),
            userinfo_encryption_alg_values_supported: KeyAlg::NAMES.to_vec(),
            userinfo_encryption_enc_values_supported: ContentAlg::NAMES.to_vec(),
            introspection_encryption_alg_values_supported: KeyAlg::NAMES.to_vec(),
            introspection_encryption_enc_values_supported: ContentAlg::NAMES.to_vec(),
            request_object_signing_alg_values_supported: SigningAlg::NAMES
                .into_iter()
                .chain(["none"])
                .collect(),
            request_object_encryption_alg_values_supported: KeyAlg::OWN_NAMES.to_vec(),
            request_object_encryption_enc_values_supported: ContentAlg::NAMES.to_vec(),
            request_parameter_supported: true,
            request_uri_parameter_supported: false,
            authorization_response_iss_parameter_supported: true,
            registration_endpoint: (self_service.registration != RegistrationMode::Off)
                .then(|| endpoint(issuer, "/register")),
            client_id_metadata_document_supported: self_service.client_id_metadata_documents,
        };
        let body = serde_json::to_vec(&metadata).unwrap_or_default();
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", &crate::secrets::hex(&digest)[..32]);
        Self {
            metadata,
            body,
            etag,
        }
    }
}

/// `GET /.well-known/openid-configuration`.
#[tracing::instrument(skip_all)]
pub async fn openid_configuration(req: HttpRequest, d: web::Data<Discovery>) -> HttpResponse {
    super::cacheable_json(&req, &d.body, &d.etag, 3600)
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414; same metadata).
#[tracing::instrument(skip_all)]
pub async fn oauth_authorization_server(req: HttpRequest, d: web::Data<Discovery>) -> HttpResponse {
    super::cacheable_json(&req, &d.body, &d.etag, 3600)
}
