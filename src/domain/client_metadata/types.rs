//! The enumerated client metadata values and their wire names.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::domain::metadata_error::{MetadataError, quoted};

/// The kind of application (OpenID Connect Dynamic Client Registration §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplicationType {
    /// A web application (the default): redirect URIs must use https.
    #[default]
    Web,
    /// A native application: loopback http and private-use schemes are allowed.
    Native,
}

impl ApplicationType {
    /// The wire name: `web` or `native`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Native => "native",
        }
    }
}

impl FromStr for ApplicationType {
    type Err = MetadataError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "web" => Ok(Self::Web),
            "native" => Ok(Self::Native),
            other => Err(MetadataError::invalid_client_metadata(format!(
                "unsupported application_type {}; supported values: web, native",
                quoted(other)
            ))),
        }
    }
}

/// An OAuth grant type a client may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GrantType {
    /// `authorization_code` (with PKCE).
    #[serde(rename = "authorization_code")]
    AuthorizationCode,
    /// `refresh_token`.
    #[serde(rename = "refresh_token")]
    RefreshToken,
    /// `client_credentials`.
    #[serde(rename = "client_credentials")]
    ClientCredentials,
    /// `urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693).
    #[serde(rename = "urn:ietf:params:oauth:grant-type:token-exchange")]
    TokenExchange,
}

impl GrantType {
    /// Every supported grant type.
    pub const ALL: [GrantType; 4] = [
        Self::AuthorizationCode,
        Self::RefreshToken,
        Self::ClientCredentials,
        Self::TokenExchange,
    ];

    /// The wire name of the grant type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
            Self::TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
        }
    }
}

impl FromStr for GrantType {
    type Err = MetadataError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(grant) = Self::ALL.into_iter().find(|g| g.as_str() == s) {
            return Ok(grant);
        }
        let hint = match s {
            "implicit" | "password" => " (OAuth 2.1 removed the implicit and password grants)",
            _ => "",
        };
        Err(MetadataError::invalid_client_metadata(format!(
            "unsupported grant type {}{hint}; supported grant types: {}",
            quoted(s),
            Self::ALL.map(Self::as_str).join(", ")
        )))
    }
}

/// An OAuth response type; OAuth 2.1 keeps only `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResponseType {
    /// `code`: the authorization code flow.
    #[serde(rename = "code")]
    Code,
}

impl ResponseType {
    /// The wire name of the response type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
        }
    }
}

impl FromStr for ResponseType {
    type Err = MetadataError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "code" => Ok(Self::Code),
            other => Err(MetadataError::invalid_client_metadata(format!(
                "unsupported response type {}; only \"code\" is supported \
                 (OAuth 2.1 removed the implicit and hybrid flows)",
                quoted(other)
            ))),
        }
    }
}

/// How a client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    /// `client_secret_basic` (the default): HTTP Basic with the client secret.
    #[default]
    ClientSecretBasic,
    /// `client_secret_post`: the client secret in the request body.
    ClientSecretPost,
    /// `private_key_jwt`: a JWT signed with a key from the client's JWK set.
    PrivateKeyJwt,
    /// `none`: a public client, with no client authentication.
    None,
}

impl TokenEndpointAuthMethod {
    /// Every supported authentication method.
    pub const ALL: [TokenEndpointAuthMethod; 4] = [
        Self::ClientSecretBasic,
        Self::ClientSecretPost,
        Self::PrivateKeyJwt,
        Self::None,
    ];

    /// The wire name of the method.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::None => "none",
        }
    }
}

impl FromStr for TokenEndpointAuthMethod {
    type Err = MetadataError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(method) = Self::ALL.into_iter().find(|m| m.as_str() == s) {
            return Ok(method);
        }
        let hint = match s {
            "client_secret_jwt" => " (use private_key_jwt or client_secret_basic instead)",
            _ => "",
        };
        Err(MetadataError::invalid_client_metadata(format!(
            "unsupported token_endpoint_auth_method {}{hint}; supported values: {}",
            quoted(s),
            Self::ALL.map(Self::as_str).join(", ")
        )))
    }
}

display_as_str!(
    ApplicationType,
    GrantType,
    ResponseType,
    TokenEndpointAuthMethod
);
