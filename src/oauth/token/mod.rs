//! `POST /token`: parse the form into a typed request, authenticate the client, run the grant.

pub mod authorization_code;
pub mod client_credentials;
pub mod refresh_token;
pub mod token_exchange;
pub mod user_tokens;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::domain::scope::Scope;
use crate::error::{ErrorCode, OAuthError};
use crate::oauth::params::RawParams;
use crate::oauth::{client_auth, form, target};
use crate::state::AppState;
use refresh_token::Asked;

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
        /// The resource identifier named by `resource` / `audience`.
        target: Option<String>,
    },
    /// RFC 6749 §4.4: a client acting on its own behalf.
    ClientCredentials {
        /// The `scope` parameter.
        scope: Option<Scope>,
        /// The resource identifier named by `resource` / `audience`.
        target: Option<String>,
    },
    /// RFC 6749 §6.
    RefreshToken {
        /// The refresh token.
        refresh_token: String,
        /// A narrower scope for the new tokens.
        scope: Option<Scope>,
        /// The resource identifier named by `resource` / `audience`.
        target: Option<String>,
    },
    /// RFC 8693: a token traded for another.
    TokenExchange(token_exchange::ExchangeRequest),
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
            Some("authorization_code") => Ok(Self::AuthorizationCode {
                code: required("code")?,
                redirect_uri: required("redirect_uri")?,
                code_verifier: required("code_verifier")?,
                target: target::requested(params)?,
            }),
            Some("client_credentials") => Ok(Self::ClientCredentials {
                scope: params
                    .get("scope")
                    .map(Scope::parse)
                    .transpose()
                    .map_err(|_| OAuthError::new(ErrorCode::InvalidScope, "scope is malformed"))?,
                target: target::requested(params)?,
            }),
            Some("refresh_token") => Ok(Self::RefreshToken {
                refresh_token: required("refresh_token")?,
                scope: params.get("scope").map(parse_scope).transpose()?,
                target: target::requested(params)?,
            }),
            Some("urn:ietf:params:oauth:grant-type:token-exchange") => Ok(Self::TokenExchange(
                token_exchange::ExchangeRequest::parse(params)?,
            )),
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
    /// The type of the token issued by an exchange (RFC 8693 §2.2.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
}

impl TokenResponse {
    /// A response with an access token only (no ID token).
    pub fn access_only(access_token: String, expires_in: i64, scope: &Scope) -> Self {
        Self {
            access_token,
            token_type: "Bearer",
            expires_in,
            scope: scope.to_string(),
            refresh_token: None,
            id_token: None,
            issued_token_type: None,
        }
    }
}

/// `POST /token`.
#[tracing::instrument(skip_all, fields(client_id, grant_type))]
pub async fn token(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let body = form::read(&req, payload).await?;
    let params = form::parse_repeatable(&req, &body, &target::REPEATABLE)?;
    let request = TokenRequest::parse(&params)?;
    let presented = client_auth::presented(&req, &params)?;
    let client = client_auth::authenticate(&state, presented).await?;
    let response = match request {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
            target,
        } => {
            tracing::Span::current().record("grant_type", "authorization_code");
            authorization_code::exchange(
                &state,
                &client,
                &code,
                &redirect_uri,
                &code_verifier,
                target.as_deref(),
            )
            .await?
        }
        TokenRequest::ClientCredentials { scope, target } => {
            tracing::Span::current().record("grant_type", "client_credentials");
            client_credentials::grant(&state, &client, scope.as_ref(), target.as_deref()).await?
        }
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
            target,
        } => {
            tracing::Span::current().record("grant_type", "refresh_token");
            let asked = Asked {
                scope: scope.as_ref(),
                target: target.as_deref(),
            };
            refresh_token::refresh(&state, &client, &refresh_token, asked).await?
        }
        TokenRequest::TokenExchange(exchange) => {
            tracing::Span::current().record("grant_type", "token_exchange");
            let address = req
                .peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default();
            token_exchange::exchange(&state, &client, exchange, &address).await?
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(response))
}
