//! RFC 9457 problem details: the one error body of the admin API, and how management errors
//! become one. Internal failures are logged and answered without their text.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::manage::ManageError;

/// A field at fault in a refused input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InvalidParam {
    /// The member or parameter.
    pub name: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A problem details body (`application/problem+json`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The status's reason phrase.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for the caller.
    pub detail: String,
    /// The RFC 7591 (or management) error code of refused input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    /// The fields at fault in refused input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid_params: Option<Vec<InvalidParam>>,
    /// The `WWW-Authenticate` challenge of a 401.
    #[serde(skip)]
    #[schema(ignore)]
    challenge: Option<&'static str>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.title, self.detail)
    }
}

impl Problem {
    /// A problem with `status` and `detail`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            error: None,
            invalid_params: None,
            challenge: None,
        }
    }

    /// 422 refusing `name` with `error` and `reason`.
    pub fn invalid(error: &'static str, name: Option<&str>, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        let mut p = Self::new(StatusCode::UNPROCESSABLE_ENTITY, reason.clone());
        p.error = Some(error);
        p.invalid_params = Some(
            name.map(|name| InvalidParam {
                name: name.to_owned(),
                reason,
            })
            .into_iter()
            .collect(),
        );
        p
    }

    /// 400 for a request that cannot be read (malformed JSON, an unknown cursor).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 401 with a bearer challenge, saying `invalid_token` when a token was sent.
    pub fn unauthorized(token_sent: bool, detail: &str) -> Self {
        let mut p = Self::new(StatusCode::UNAUTHORIZED, detail);
        p.challenge = Some(if token_sent {
            "Bearer realm=\"sigil\", error=\"invalid_token\""
        } else {
            "Bearer realm=\"sigil\""
        });
        p
    }

    /// 403 for a valid token without the admin scope.
    pub fn forbidden(detail: &str) -> Self {
        let mut p = Self::new(StatusCode::FORBIDDEN, detail);
        p.challenge =
            Some("Bearer realm=\"sigil\", error=\"insufficient_scope\", scope=\"sigil:admin\"");
        p
    }

    /// 500, its cause logged and not shown.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "admin API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the request could not be completed",
        )
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.content_type("application/problem+json")
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(challenge) = &self.challenge {
            res.insert_header((header::WWW_AUTHENTICATE, *challenge));
        }
        res.json(self)
    }
}

impl From<ManageError> for Problem {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Invalid {
                error,
                ref field,
                ref message,
            } => Self::invalid(error, field.as_deref(), message.clone()),
            ManageError::NotFound { message, .. } => Self::new(StatusCode::NOT_FOUND, message),
            ManageError::Conflict {
                error,
                field,
                message,
            } => {
                let mut p = Self::invalid(error, field.as_deref(), message);
                p.status = StatusCode::CONFLICT.as_u16();
                p.title = "Conflict";
                p
            }
            ManageError::PreconditionFailed => {
                Self::new(StatusCode::PRECONDITION_FAILED, e.to_string())
            }
            ManageError::Store(ref inner) => Self::internal(inner),
            ManageError::Internal(ref inner) => Self::internal(inner),
        }
    }
}

impl From<crate::store::StoreError> for Problem {
    fn from(e: crate::store::StoreError) -> Self {
        Self::internal(&e)
    }
}
