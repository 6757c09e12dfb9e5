//! Which resource a token is for (RFC 8707 `resource`, RFC 8693 `audience`), and what that
//! makes of its audience, scope, lifetime and signing algorithm.
//!
//! Every grant calls [`select`], or [`lookup`] then [`decide`] (the code grant decides with
//! [`decide_with`] inside its redemption, where a refusal leaves the code spent). The rule (INTERFACE.md): a client may get tokens for a resource
//! when its registered scope includes at least one scope the resource defines; the token's
//! scope is then what was asked ∩ what the client may have ∩ what the resource defines.
//! Anything else is `invalid_target`.

use crate::domain::resource::ResourceEncryption;
use crate::domain::scope::Scope;
use crate::error::{ErrorCode, OAuthError};
use crate::issue::access_token::ACCESS_TOKEN_ALG;
use crate::issue::sealing::{Sealing, sealing_for_resource};
use crate::jose::SigningAlg;
use crate::oauth::authorize::request::allowed_scope;
use crate::oauth::params::RawParams;
use crate::registry::Client;
use crate::resources::{self, Resource};
use crate::state::AppState;

/// The token parameters that may repeat (RFC 8707 §2; RFC 8693 §2.1).
pub const REPEATABLE: [&str; 2] = ["resource", "audience"];

/// What an access token is made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Its `aud`: the resource's identifier, or the default audience.
    pub aud: String,
    /// Its scope.
    pub scope: Scope,
    /// Its lifetime in seconds.
    pub lifetime: i64,
    /// Its signing algorithm.
    pub alg: SigningAlg,
    /// How it is encrypted to its resource, when the resource registered a key.
    pub encryption: Option<ResourceEncryption>,
}

fn invalid_target(description: &'static str) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidTarget, description)
}

/// The one target named by `resource` and/or `audience`; more than one distinct value is
/// `invalid_target` (one resource per token).
pub fn requested(params: &RawParams) -> Result<Option<String>, OAuthError> {
    let mut names = REPEATABLE.iter().flat_map(|p| params.all(p));
    let first = names.next();
    if let Some(first) = first
        && names.any(|other| other != first)
    {
        return Err(invalid_target(
            "name one resource per token request (resource and audience name different ones)",
        ));
    }
    Ok(first.map(str::to_owned))
}

/// The resource a token request is for: the one it names, else the one its grant named at
/// the authorization endpoint. Naming another resource than the grant's is `invalid_target`.
pub fn reconcile<'a>(
    asked: Option<&'a str>,
    granted: Option<&'a str>,
) -> Result<Option<&'a str>, OAuthError> {
    match (asked, granted) {
        (Some(a), Some(g)) if a != g => Err(invalid_target(
            "the token request names another resource than the authorization request",
        )),
        _ => Ok(asked.or(granted)),
    }
}

/// The refusal of a resource that is not registered.
pub fn unregistered() -> OAuthError {
    invalid_target("no resource is registered under this identifier")
}

/// Loads the resource registered under `target`; an unregistered one is `invalid_target`.
pub async fn lookup(
    state: &AppState,
    target: Option<&str>,
) -> Result<Option<Resource>, OAuthError> {
    let Some(identifier) = target.map(str::to_owned) else {
        return Ok(None);
    };
    if let Some(cached) = state.resources.get(&identifier) {
        return Ok(Some(Resource::clone(&cached)));
    }
    let key = identifier.clone();
    let resource = state
        .store
        .run(move |c| resources::by_identifier(c, &key))
        .await?
        .ok_or_else(unregistered)?;
    state
        .resources
        .put(&identifier, std::sync::Arc::new(resource.clone()));
    Ok(Some(resource))
}

/// The longest lifetime any access token may have here: what a revocation recorded before
/// the exact target is known must cover.
pub fn longest_lifetime(state: &AppState) -> i64 {
    let resource_max =
        i64::try_from(crate::domain::resource::MAX_ACCESS_TOKEN_LIFETIME).unwrap_or(i64::MAX);
    state.settings.lifetimes.access_token.max(resource_max)
}

/// The settings a target decision needs, copied out of the state (so a decision can run
/// inside a storage transaction).
#[derive(Debug, Clone)]
pub struct Defaults {
    /// `aud` of tokens for no resource.
    pub audience: String,
    /// Access-token lifetime unless the resource or client sets one.
    pub access_token_lifetime: i64,
}

impl Defaults {
    /// The state's defaults.
    pub fn of(state: &AppState) -> Self {
        Self {
            audience: state.settings.default_audience.clone(),
            access_token_lifetime: state.settings.lifetimes.access_token,
        }
    }
}

/// Access-token lifetime: the resource's, else the client's, else the configured default.
pub fn lifetime(defaults: &Defaults, client: &Client, resource: Option<&Resource>) -> i64 {
    resource
        .and_then(|r| r.metadata.access_token_lifetime)
        .or(client.metadata.access_token_lifetime)
        .and_then(|l| i64::try_from(l).ok())
        .unwrap_or(defaults.access_token_lifetime)
}

/// Decides the token's target: `requested` (the `scope` parameter, if any) must lie within
/// `granted` (what the grant carries) or it is `invalid_scope`; with a resource, the scope is
/// narrowed to the client's allowed scopes and the resource's, and must not end up empty.
pub fn decide(
    state: &AppState,
    client: &Client,
    resource: Option<&Resource>,
    requested: Option<&Scope>,
    granted: &Scope,
) -> Result<Target, OAuthError> {
    decide_with(&Defaults::of(state), client, resource, requested, granted)
}

/// [`decide`] with the defaults given.
pub fn decide_with(
    defaults: &Defaults,
    client: &Client,
    resource: Option<&Resource>,
    requested: Option<&Scope>,
    granted: &Scope,
) -> Result<Target, OAuthError> {
    if let Some(requested) = requested
        && !requested.is_subset_of(granted)
    {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "the requested scope exceeds what the client may have",
        ));
    }
    let base = requested.unwrap_or(granted);
    let lifetime = lifetime(defaults, client, resource);
    let Some(resource) = resource else {
        return Ok(Target {
            aud: defaults.audience.clone(),
            scope: base.clone(),
            lifetime,
            alg: ACCESS_TOKEN_ALG,
            encryption: None,
        });
    };
    let defined = &resource.metadata.scope;
    let allowed = allowed_scope(client).intersection(defined);
    if allowed.is_empty() {
        return Err(invalid_target(
            "the client may not obtain tokens for this resource",
        ));
    }
    let scope = base.intersection(&allowed);
    if scope.is_empty() {
        return Err(invalid_target(
            "none of the requested scopes is defined by this resource",
        ));
    }
    Ok(Target {
        aud: resource.metadata.identifier.clone(),
        scope,
        lifetime,
        alg: resource.metadata.access_token_signed_response_alg,
        encryption: resource.metadata.encryption(),
    })
}

/// How the access token for `target` is encrypted, when its resource registered a key.
pub async fn access_token_sealing(
    state: &AppState,
    target: &Target,
) -> Result<Option<Sealing>, OAuthError> {
    let Some(encryption) = &target.encryption else {
        return Ok(None);
    };
    sealing_for_resource(&state.key_sources, &state.keys.current(), encryption)
        .await
        .map(Some)
        .map_err(crate::oauth::sealing_error)
}

/// Looks up `target` (a resource identifier, or `None` for the default audience) and decides
/// the token's audience, scope, lifetime and algorithm; see [`decide`].
pub async fn select(
    state: &AppState,
    client: &Client,
    requested: Option<&Scope>,
    granted: &Scope,
    target: Option<&str>,
) -> Result<Target, OAuthError> {
    let resource = lookup(state, target).await?;
    decide(state, client, resource.as_ref(), requested, granted)
}
