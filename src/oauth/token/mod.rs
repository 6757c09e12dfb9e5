//! `POST /token`: parse the form into a typed request, authenticate the client, run the grant.

pub mod authorization_code;
pub mod refresh_token;
pub mod user_tokens;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::domain::scope::Scope;
use crate::error::{ErrorCode, OAuthError};
use crate::oauth::authorize::request::RawParams;
use crate::oauth::{client_auth, form};
use crate::startup::AppState;

/// A token request, by grant type; each variant holds only the parameters its grant takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRequest {
    /// RFC 6749 §4.1.3 with RFC 7636.
    AuthorizationCode {
        /// The code.
        code: String,
        /// Must equal the authorization request's.
        redirect_uri: String,
        /// PKCE verifier.
        code_verifier: String,
    },
    /// RFC 6749 §6.
    RefreshToken {
        /// The refresh token.
        refresh_token: String,
        /// A narrower scope for the new access token.
        scope: Option<Scope>,
    },
}

impl TokenRequest {
    /// Parses by `grant_type`; an unknown grant is `unsupported_grant_type` before anything else.
    pub fn parse(params: &RawParams) -> Result<Self, OAuthError> {
        let required = |name: &'static str| {
            params.get(name).map(str::to_owned).ok_or_else(|| {
                OAuthError::new(ErrorCode::InvalidRequest, format!("{name} is required"))
            })
        };
        match params.get("grant_type") {
            None => Err(OAuthError::new(
                ErrorCode::InvalidRequest,
                "grant_type is required",
            )),
            Some("authorization_code")
                if params.get("resource").is_some() || params.get("audience").is_some() =>
            {
                Err(OAuthError::new(
                    ErrorCode::InvalidTarget,
                    "no resource server is registered under this identifier",
                ))
            }
            Some("authorization_code") => Ok(Self::AuthorizationCode {
                code: required("code")?,
                redirect_uri: required("redirect_uri")?,
                code_verifier: required("code_verifier")?,
            }),
            Some("refresh_token")
                if params.get("resource").is_some() || params.get("audience").is_some() =>
            {
                Err(OAuthError::new(
                    ErrorCode::InvalidTarget,
                    "no resource server is registered under this identifier",
                ))
            }
            Some("refresh_token") => Ok(Self::RefreshToken {
                refresh_token: required("refresh_token")?,
                scope: params.get("scope").map(parse_scope).transpose()?,
            }),
            Some(_) => Err(OAuthError::new(
                ErrorCode::UnsupportedGrantType,
                "this grant type is not supported",
            )),
        }
    }
}

/// A `scope` parameter: well-formed and not empty, else `invalid_scope`.
fn parse_scope(raw: &str) -> Result<Scope, OAuthError> {
    match Scope::parse(raw) {
        Ok(scope) if !scope.is_empty() => Ok(scope),
        _ => Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "scope must be one or more space-separated scope tokens",
        )),
    }
}

/// The successful token response (RFC 6749 §5.1).
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Granted scope.
    pub scope: String,
    /// Refresh token, when the client may refresh.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// ID token, when `openid` was granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// `POST /token`.
#[tracing::instrument(skip_all, fields(client_id, grant_type))]
pub async fn token(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let body = form::read(&req, payload).await?;
    let params = form::parse(&req, &body)?;
    let request = TokenRequest::parse(&params)?;
    let presented = client_auth::presented(&req, &params)?;
    let client = client_auth::authenticate(&state, presented).await?;
    let response = match request {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            tracing::Span::current().record("grant_type", "authorization_code");
            authorization_code::exchange(&state, &client, &code, &redirect_uri, &code_verifier)
                .await?
        }
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
        } => {
            tracing::Span::current().record("grant_type", "refresh_token");
            refresh_token::refresh(&state, &client, &refresh_token, scope.as_ref()).await?
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(response))
}
