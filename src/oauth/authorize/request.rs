//! Parse and validate an authorization request into a fully checked `AuthorizeRequest`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::client_metadata::{GrantType, ResponseType};
use crate::domain::pkce::CodeChallenge;
use crate::domain::scope::Scope;
use crate::error::ErrorCode;
use crate::oauth::params::RawParams;
use crate::registry::Client;

/// Scopes sigil understands when a client registered none of its own.
pub const SUPPORTED_SCOPES: [&str; 7] = [
    "openid",
    "profile",
    "email",
    "phone",
    "address",
    "roles",
    "offline_access",
];

/// Longest `state`, `nonce` or hint accepted, in bytes.
const MAX_PARAM_LEN: usize = 4096;

/// How the response travels back to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// Query parameters on the redirect URI.
    #[default]
    Query,
    /// An auto-submitted HTML form POST.
    FormPost,
}

/// The `prompt` values asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Prompt {
    /// No UI may be shown.
    pub none: bool,
    /// Re-authenticate even with a session.
    pub login: bool,
    /// Ask for consent even when remembered.
    pub consent: bool,
    /// Let the user choose an account.
    pub select_account: bool,
}

/// A verified place to send errors and results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyTo {
    /// The registered redirect URI, exactly as requested.
    pub redirect_uri: String,
    /// `state`, byte for byte.
    pub state: Option<String>,
    /// Query or form post.
    pub mode: ResponseMode,
}

/// A fully checked authorization request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    /// The client.
    pub client_id: String,
    /// Where the answer goes.
    pub reply: ReplyTo,
    /// Requested scope, within what the client may have.
    pub scope: Scope,
    /// OIDC nonce.
    pub nonce: Option<String>,
    /// PKCE challenge.
    pub code_challenge: CodeChallenge,
    /// `prompt`.
    pub prompt: Prompt,
    /// `max_age` in seconds.
    pub max_age: Option<i64>,
    /// `login_hint`.
    pub login_hint: Option<String>,
    /// `id_token_hint`, verified later against the session.
    pub id_token_hint: Option<String>,
    /// The `claims` request parameter.
    pub claims: Option<Value>,
    /// The resource (RFC 8707 `resource` or `audience`) the access token is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// An authorization error: a page when the redirect cannot be trusted, else a redirect.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthorizeError {
    /// Shown to the person; never redirected.
    Page {
        /// Short title.
        title: &'static str,
        /// Plain-words explanation.
        message: String,
    },
    /// Storage is down before anything could be verified: a 503 page.
    Unavailable,
    /// Sent back to the verified redirect URI.
    Redirect {
        /// Where.
        to: ReplyTo,
        /// The error code.
        code: ErrorCode,
        /// Text for the client developer.
        description: String,
    },
}

impl AuthorizeError {
    /// An error shown as a page (nothing can be trusted to redirect to).
    pub fn page(title: &'static str, message: impl Into<String>) -> Self {
        Self::Page {
            title,
            message: message.into(),
        }
    }

    /// An error redirected to `to`.
    pub fn redirect(to: &ReplyTo, code: ErrorCode, description: impl Into<String>) -> Self {
        Self::Redirect {
            to: to.clone(),
            code,
            description: crate::error::description_text(description),
        }
    }
}

/// The error shown when no client id can be trusted.
pub fn unknown_client() -> AuthorizeError {
    AuthorizeError::page(
        "Unknown application",
        "The application that sent you here is not registered with this sign-in service, so you cannot continue. Go back to the application and try again, or contact its owner.",
    )
}

/// The page for a `client_id` URL whose metadata document cannot be used (nothing is
/// redirected: its redirect URIs are unverified).
pub fn unusable_document(reason: &str) -> AuthorizeError {
    AuthorizeError::page(
        "Application not verified",
        format!(
            "The application that sent you here describes itself with a metadata document that cannot be used: {reason}. You cannot continue. Go back to the application, or contact its owner."
        ),
    )
}

/// Validates `params` for `client`, following RFC 6749 §4.1.2.1: nothing is redirected until
/// the client and redirect URI are verified.
pub fn parse(params: &RawParams, client: &Client) -> Result<AuthorizeRequest, AuthorizeError> {
    if params.is_duplicated("client_id") {
        return Err(unknown_client());
    }
    let bad_redirect = || {
        AuthorizeError::page(
            "Invalid redirect",
            "The application asked to send you back to an address it has not registered, so this request was stopped to protect you. Contact the application's owner.",
        )
    };
    if params.is_duplicated("redirect_uri") {
        return Err(bad_redirect());
    }
    let redirect_uri = params.get("redirect_uri").ok_or_else(|| {
        AuthorizeError::page(
            "Invalid request",
            "The application did not say where to send you back (redirect_uri is missing).",
        )
    })?;
    if !client.metadata.redirect_uri_registered(redirect_uri) {
        return Err(bad_redirect());
    }
    let mode = match params.get("response_mode") {
        None | Some("query") => ResponseMode::Query,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => ResponseMode::Query,
    };
    let reply = ReplyTo {
        redirect_uri: redirect_uri.to_owned(),
        state: params.get("state").map(str::to_owned),
        mode,
    };
    let err = |code, text: &str| AuthorizeError::redirect(&reply, code, text);
    if let Some(dup) = params.first_duplicate_except(&crate::oauth::target::REPEATABLE) {
        return Err(err(
            ErrorCode::InvalidRequest,
            &format!("parameter {dup} is given more than once"),
        ));
    }
    if let Some(mode) = params.get("response_mode")
        && !matches!(mode, "query" | "form_post")
    {
        return Err(err(
            ErrorCode::InvalidRequest,
            "response_mode must be query or form_post",
        ));
    }
    if params.get("request").is_some() {
        // `request_object::merge` takes the object out before parsing; one left is a second.
        return Err(err(
            ErrorCode::InvalidRequestObject,
            "request is given more than once",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(err(
            ErrorCode::RequestUriNotSupported,
            "request_uri is not supported",
        ));
    }
    if params.get("registration").is_some() {
        return Err(err(
            ErrorCode::RegistrationNotSupported,
            "the registration parameter is not supported",
        ));
    }
    match params.get("response_type") {
        None => return Err(err(ErrorCode::InvalidRequest, "response_type is required")),
        Some("code") => {}
        Some(_) => {
            return Err(err(
                ErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            ));
        }
    }
    if !client.metadata.response_types.contains(&ResponseType::Code)
        || !client.metadata.allows_grant(GrantType::AuthorizationCode)
    {
        return Err(err(
            ErrorCode::UnauthorizedClient,
            "the client is not registered for the authorization code grant",
        ));
    }
    for key in ["state", "nonce", "login_hint", "id_token_hint", "claims"] {
        if params.get(key).is_some_and(|v| v.len() > MAX_PARAM_LEN) {
            return Err(err(
                ErrorCode::InvalidRequest,
                &format!("{key} is too long"),
            ));
        }
    }
    let scope =
        parse_scope(params.get("scope"), client).map_err(|e| err(ErrorCode::InvalidScope, e))?;
    let resource =
        crate::oauth::target::requested(params).map_err(|e| err(e.code, &e.description))?;
    let code_challenge = CodeChallenge::parse(
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    )
    .map_err(|e| err(ErrorCode::InvalidRequest, e))?;
    let prompt =
        parse_prompt(params.get("prompt")).map_err(|e| err(ErrorCode::InvalidRequest, e))?;
    let max_age = parse_max_age(params.get("max_age"), client)
        .map_err(|e| err(ErrorCode::InvalidRequest, e))?;
    let claims = match params.get("claims") {
        None => None,
        Some(raw) => Some(parse_claims(raw).map_err(|e| err(ErrorCode::InvalidRequest, e))?),
    };
    Ok(AuthorizeRequest {
        client_id: client.client_id.clone(),
        reply,
        scope,
        nonce: params.get("nonce").map(str::to_owned),
        code_challenge,
        prompt,
        max_age,
        login_hint: params.get("login_hint").map(str::to_owned),
        id_token_hint: params.get("id_token_hint").map(str::to_owned),
        claims,
        resource,
    })
}

/// `max_age`, or the client's registered `default_max_age` when the request names none.
fn parse_max_age(raw: Option<&str>, client: &Client) -> Result<Option<i64>, &'static str> {
    match raw {
        None => Ok(client
            .metadata
            .default_max_age
            .and_then(|n| i64::try_from(n).ok())),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Some(n)),
            _ => Err("max_age must be a non-negative integer"),
        },
    }
}

/// The scopes `client` may ask for.
pub fn allowed_scope(client: &Client) -> Scope {
    match &client.metadata.scope {
        Some(scope) => scope.clone(),
        None => Scope::parse(&SUPPORTED_SCOPES.join(" ")).unwrap_or_default(),
    }
}

fn parse_scope(raw: Option<&str>, client: &Client) -> Result<Scope, &'static str> {
    let raw = raw.ok_or("scope is required")?;
    let scope = Scope::parse(raw).map_err(|_| "scope is malformed")?;
    if scope.is_empty() {
        return Err("scope is required");
    }
    if !scope.is_subset_of(&allowed_scope(client)) {
        return Err("the client may not request one or more of these scopes");
    }
    Ok(scope)
}

fn parse_prompt(raw: Option<&str>) -> Result<Prompt, &'static str> {
    let mut prompt = Prompt::default();
    let Some(raw) = raw else {
        return Ok(prompt);
    };
    for value in raw.split(' ') {
        match value {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => prompt.select_account = true,
            _ => return Err("prompt has an unknown value"),
        }
    }
    if prompt.none && (prompt.login || prompt.consent || prompt.select_account) {
        return Err("prompt=none cannot be combined with other values");
    }
    Ok(prompt)
}

fn parse_claims(raw: &str) -> Result<Value, &'static str> {
    let value: Value = serde_json::from_str(raw).map_err(|_| "claims is not valid JSON")?;
    let Some(obj) = value.as_object() else {
        return Err("claims must be a JSON object");
    };
    for (member, requests) in obj {
        if !matches!(member.as_str(), "userinfo" | "id_token") {
            continue;
        }
        match requests {
            Value::Null => {}
            Value::Object(map) => {
                if map.values().any(|v| !(v.is_null() || v.is_object())) {
                    return Err("each requested claim must be null or an object");
                }
            }
            _ => return Err("claims.userinfo and claims.id_token must be objects"),
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
