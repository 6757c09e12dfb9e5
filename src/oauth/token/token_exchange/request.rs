//! The token-exchange request (RFC 8693 §2.1), parsed: which token stands for the subject,
//! which for the actor, and what is asked for.

use crate::domain::scope::Scope;
use crate::domain::token_type::TokenType;
use crate::error::{ErrorCode, OAuthError};
use crate::oauth::params::RawParams;
use crate::oauth::target;

/// A presented token with the type the client says it is.
#[derive(Clone, PartialEq, Eq)]
pub struct Presented {
    /// The token.
    pub token: String,
    /// Its declared type.
    pub kind: TokenType,
}

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presented")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Who the new token is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The subject of a presented token (`subject_token`).
    Token(Presented),
    /// A user the client asks to impersonate (`requested_subject`, a username).
    Impersonated(String),
}

/// The parameters of a token-exchange request, each checked for form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRequest {
    /// The subject.
    pub subject: Subject,
    /// The actor's token, for delegation.
    pub actor: Option<Presented>,
    /// The type of token asked for: an access token, or the same as `jwt`.
    pub requested: TokenType,
    /// The `scope` parameter.
    pub scope: Option<Scope>,
    /// The resource named by `resource` / `audience`.
    pub target: Option<String>,
}

fn invalid(description: impl Into<String>) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequest, description)
}

/// A parameter that is present must not be empty.
fn given<'a>(params: &'a RawParams, name: &'static str) -> Result<Option<&'a str>, OAuthError> {
    match params.get(name) {
        Some("") => Err(invalid(format!("{name} must not be empty"))),
        other => Ok(other),
    }
}

/// A token parameter and its `_type` companion, which come together or not at all.
fn presented(
    params: &RawParams,
    token: &'static str,
    type_name: &'static str,
) -> Result<Option<Presented>, OAuthError> {
    let (value, kind) = match (given(params, token)?, given(params, type_name)?) {
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(invalid(format!("{type_name} is required with {token}"))),
        (None, Some(_)) => return Err(invalid(format!("{type_name} is given without {token}"))),
        (Some(value), Some(kind)) => (value, kind),
    };
    let kind = TokenType::parse(kind).ok_or_else(|| {
        invalid(format!(
            "{type_name} is not a token type sigil knows (RFC 8693 section 3)"
        ))
    })?;
    if kind == TokenType::RefreshToken {
        return Err(invalid(format!(
            "a refresh token cannot be the {token}: present an access token, ID token or JWT"
        )));
    }
    Ok(Some(Presented {
        token: value.to_owned(),
        kind,
    }))
}

impl ExchangeRequest {
    /// Parses the RFC 8693 parameters; `invalid_request` for anything missing, empty, unknown
    /// or not offered, `invalid_scope` for a malformed scope, `invalid_target` for two targets.
    pub fn parse(params: &RawParams) -> Result<Self, OAuthError> {
        let subject_token = presented(params, "subject_token", "subject_token_type")?;
        let requested_subject = given(params, "requested_subject")?;
        let subject = match (subject_token, requested_subject) {
            (Some(token), None) => Subject::Token(token),
            (None, Some(username)) => Subject::Impersonated(username.to_owned()),
            (None, None) => {
                return Err(invalid(
                    "subject_token is required (or requested_subject, to impersonate a user)",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(invalid("give subject_token or requested_subject, not both"));
            }
        };
        let actor = presented(params, "actor_token", "actor_token_type")?;
        let requested = match given(params, "requested_token_type")? {
            None => TokenType::AccessToken,
            Some(uri) => match TokenType::parse(uri) {
                Some(t @ (TokenType::AccessToken | TokenType::Jwt)) => t,
                Some(other) => {
                    return Err(invalid(format!(
                        "requested_token_type {other} is not offered: ask for an access token"
                    )));
                }
                None => {
                    return Err(invalid(
                        "requested_token_type is not a token type sigil knows (RFC 8693 section 3)",
                    ));
                }
            },
        };
        Ok(Self {
            subject,
            actor,
            requested,
            scope: params
                .get("scope")
                .map(super::super::parse_scope)
                .transpose()?,
            target: target::requested(params)?,
        })
    }
}

#[cfg(test)]
mod tests;
