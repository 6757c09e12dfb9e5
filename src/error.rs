//! Error types: OAuth errors on the wire (RFC 6749 §5.2) and internal failures.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// The registered OAuth / OIDC error codes sigil answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// RFC 6749.
    InvalidRequest,
    /// RFC 6749.
    InvalidClient,
    /// RFC 6749.
    InvalidGrant,
    /// RFC 6749.
    UnauthorizedClient,
    /// RFC 6749.
    UnsupportedGrantType,
    /// RFC 6749.
    UnsupportedResponseType,
    /// RFC 6749.
    InvalidScope,
    /// RFC 6749.
    AccessDenied,
    /// RFC 6749.
    ServerError,
    /// RFC 6749.
    TemporarilyUnavailable,
    /// RFC 6750.
    InvalidToken,
    /// RFC 6750.
    InsufficientScope,
    /// RFC 7009.
    UnsupportedTokenType,
    /// RFC 8707 / RFC 8693.
    InvalidTarget,
    /// RFC 7591.
    InvalidClientMetadata,
    /// RFC 7591.
    InvalidRedirectUri,
    /// OIDC Core.
    LoginRequired,
    /// OIDC Core.
    ConsentRequired,
    /// OIDC Core.
    InteractionRequired,
    /// OIDC Core.
    AccountSelectionRequired,
    /// OIDC Core, RFC 9101.
    InvalidRequestObject,
    /// OIDC Core.
    RequestNotSupported,
    /// OIDC Core.
    RequestUriNotSupported,
    /// OIDC Core.
    RegistrationNotSupported,
    /// Not an OAuth code: the path exists nowhere.
    NotFound,
}

impl ErrorCode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::InvalidTarget => "invalid_target",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::AccountSelectionRequired => "account_selection_required",
            Self::InvalidRequestObject => "invalid_request_object",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::RegistrationNotSupported => "registration_not_supported",
            Self::NotFound => "not_found",
        }
    }

    /// The status RFC 6749 §5.2 (and friends) give the code by default.
    pub fn default_status(self) -> StatusCode {
        match self {
            Self::InvalidClient | Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope | Self::AccessDenied => StatusCode::FORBIDDEN,
            Self::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            Self::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotFound => StatusCode::NOT_FOUND,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// `text` within the `error_description` character set of RFC 6749 §5.2; other characters become `?`.
pub fn description_text(text: impl Into<String>) -> String {
    let text = text.into();
    if text.chars().all(is_description_char) {
        return text;
    }
    text.chars()
        .map(|c| if is_description_char(c) { c } else { '?' })
        .collect()
}

fn is_description_char(c: char) -> bool {
    matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e')
}

/// An error answered as the RFC 6749 §5.2 JSON body; the description is safe for the client.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {description}", code.as_str())]
pub struct OAuthError {
    /// The error code.
    pub code: ErrorCode,
    /// Human-readable text for the client developer.
    pub description: String,
    /// HTTP status.
    pub status: StatusCode,
    /// `WWW-Authenticate` value, where the RFC asks for one.
    pub www_authenticate: Option<String>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    error_description: &'a str,
}

impl OAuthError {
    /// An error with the code's default status.
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description_text(description),
            status: code.default_status(),
            www_authenticate: None,
        }
    }

    /// Overrides the status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Adds a `WWW-Authenticate` header.
    pub fn with_challenge(mut self, challenge: impl Into<String>) -> Self {
        self.www_authenticate = Some(challenge.into());
        self
    }

    /// A `server_error` for an internal failure; the detail goes to the log, not the client.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            ErrorCode::ServerError,
            "the server could not complete the request",
        )
    }

    /// `temporarily_unavailable` when storage cannot be reached.
    pub fn unavailable(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "storage unavailable");
        Self::new(
            ErrorCode::TemporarilyUnavailable,
            "the service is temporarily unavailable, try again later",
        )
    }
}

impl From<crate::store::StoreError> for OAuthError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::Unavailable(_) => Self::unavailable(&e),
            other => Self::internal(&other),
        }
    }
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        res.insert_header((header::PRAGMA, HeaderValue::from_static("no-cache")));
        if let Some(challenge) = &self.www_authenticate {
            res.insert_header((header::WWW_AUTHENTICATE, challenge.as_str()));
        }
        res.json(Body {
            error: self.code.as_str(),
            error_description: &self.description,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn body_is_rfc6749_json_and_not_cached() {
        let err = OAuthError::new(ErrorCode::InvalidClient, "bad client")
            .with_challenge("Basic realm=\"sigil\"");
        let res = err.error_response();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
        assert!(res.headers().get("www-authenticate").is_some());
        let body = res.into_body().try_into_bytes().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"], "invalid_client");
        assert_eq!(v["error_description"], "bad client");
    }

    #[test]
    fn descriptions_keep_to_the_rfc_6749_characters() {
        assert_eq!(description_text("a b!#[]~"), "a b!#[]~");
        assert_eq!(description_text("x\"é\\\n"), "x????");
        let err = OAuthError::new(ErrorCode::InvalidRequest, "parameter \"q\" twice");
        assert_eq!(err.description, "parameter ?q? twice");
    }
}
