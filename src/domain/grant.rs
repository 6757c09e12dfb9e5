//! A grant: what a user granted a client, as codes and refresh families carry it.

use serde::{Deserialize, Serialize};

use crate::domain::scope::Scope;

/// What a user granted a client: carried by codes and refresh-token families into tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    /// The user (`sub`).
    pub user_id: String,
    /// The client.
    pub client_id: String,
    /// Granted scope.
    pub scope: Scope,
    /// Redirect URI the code was sent to.
    pub redirect_uri: String,
    /// OIDC nonce.
    pub nonce: Option<String>,
    /// PKCE challenge.
    pub code_challenge: crate::domain::pkce::CodeChallenge,
    /// When the user authenticated.
    pub auth_time: i64,
    /// How the user authenticated.
    pub amr: Vec<String>,
    /// Session id (`sid`).
    pub sid: String,
    /// The `claims` request parameter.
    pub claims: Option<serde_json::Value>,
    /// The resource named at the authorization endpoint (RFC 8707).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The admin acting as the user (browser impersonation): the `sub` of the tokens' `act`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<String>,
}
