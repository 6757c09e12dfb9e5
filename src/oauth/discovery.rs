//! OpenID Connect Discovery 1.0 and RFC 8414 metadata, built once from the issuer.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::jose::SigningAlg;
use crate::startup::AppState;

/// Provider metadata: only what this build actually serves.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderMetadata {
    /// The issuer, exactly as configured.
    pub issuer: String,
    /// Where the signing keys are published.
    pub jwks_uri: String,
    /// Response types `/authorize` accepts (none until it exists).
    pub response_types_supported: Vec<&'static str>,
    /// Subject identifier types.
    pub subject_types_supported: Vec<&'static str>,
    /// ID token signing algorithms.
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
}

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
    /// Builds the metadata for `issuer`.
    pub fn new(issuer: &str) -> Self {
        let metadata = ProviderMetadata {
            issuer: issuer.to_owned(),
            jwks_uri: endpoint(issuer, "/jwks"),
            response_types_supported: Vec::new(),
            subject_types_supported: vec!["public"],
            id_token_signing_alg_values_supported: SigningAlg::names(),
        };
        let body = serde_json::to_vec(&metadata).unwrap_or_default();
        let digest = Sha256::digest(&body);
        let etag = format!("\"{}\"", &crate::jose::keys::hex(&digest)[..32]);
        Self {
            metadata,
            body,
            etag,
        }
    }
}

/// `GET /.well-known/openid-configuration`.
#[tracing::instrument(skip_all)]
pub async fn openid_configuration(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let d = &state.discovery;
    super::cacheable_json(&req, &d.body, &d.etag, 3600)
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414; same metadata).
#[tracing::instrument(skip_all)]
pub async fn oauth_authorization_server(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> HttpResponse {
    let d = &state.discovery;
    super::cacheable_json(&req, &d.body, &d.etag, 3600)
}
