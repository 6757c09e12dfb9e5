//! Client authentication at the token endpoint: `client_secret_basic`, `client_secret_post`,
//! `private_key_jwt` (RFC 7523) and `none` — each client only by its registered method.

use actix_web::HttpRequest;
use actix_web::http::header;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::domain::client_metadata::TokenEndpointAuthMethod;
use crate::error::{ErrorCode, OAuthError};
use crate::jose::SigningAlg;
use crate::jose::policy::Policy;
use crate::jose::verify::{Expect, VerifyError, check_claims};
use crate::oauth::discovery::endpoint;
use crate::oauth::params::{self, RawParams};
use crate::outbound::jwks::KeySource;
use crate::registry::Client;
use crate::secrets;
use crate::state::AppState;
use crate::store::client_assertions;

/// The assertion type of RFC 7523 client authentication.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Credentials as presented, before any lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    /// HTTP Basic.
    Basic {
        /// client_id.
        id: String,
        /// client_secret.
        secret: String,
    },
    /// Form body.
    Post {
        /// client_id.
        id: String,
        /// client_secret.
        secret: String,
    },
    /// A signed JWT.
    Assertion {
        /// The JWT.
        jwt: String,
        /// `client_id` from the form, if sent.
        id: Option<String>,
    },
    /// Public client: only an id.
    Public {
        /// client_id.
        id: String,
    },
}

fn invalid_client(basic: bool) -> OAuthError {
    let err = OAuthError::new(ErrorCode::InvalidClient, "client authentication failed");
    if basic {
        err.with_challenge("Basic realm=\"sigil\"")
    } else {
        err
    }
}

/// Reads the credentials from the request; more than one method is `invalid_request`.
pub fn presented(req: &HttpRequest, form: &RawParams) -> Result<Presented, OAuthError> {
    let basic = match req.headers().get(header::AUTHORIZATION) {
        None => None,
        Some(value) => Some(
            parse_basic(value.to_str().unwrap_or_default()).ok_or_else(|| invalid_client(true))?,
        ),
    };
    let secret = form.get("client_secret");
    let assertion = form.get("client_assertion");
    let methods = [basic.is_some(), secret.is_some(), assertion.is_some()]
        .iter()
        .filter(|m| **m)
        .count();
    if methods > 1 {
        return Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            "use exactly one client authentication method",
        ));
    }
    let form_id = form.get("client_id").map(str::to_owned);
    if let Some((id, secret)) = basic {
        if form_id.as_deref().is_some_and(|f| f != id) {
            return Err(invalid_client(true));
        }
        return Ok(Presented::Basic { id, secret });
    }
    if let Some(secret) = secret {
        let id = form_id.ok_or_else(|| invalid_client(false))?;
        return Ok(Presented::Post {
            id,
            secret: secret.to_owned(),
        });
    }
    if let Some(jwt) = assertion {
        if form.get("client_assertion_type") != Some(JWT_BEARER) {
            return Err(OAuthError::new(
                ErrorCode::InvalidRequest,
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ));
        }
        return Ok(Presented::Assertion {
            jwt: jwt.to_owned(),
            id: form_id,
        });
    }
    match form_id {
        Some(id) => Ok(Presented::Public { id }),
        None => Err(invalid_client(false)),
    }
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn parse_basic(value: &str) -> Option<(String, String)> {
    let encoded = super::credentials(value, "Basic")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let id = params::unescape(id)?;
    let secret = params::unescape(secret)?;
    (!id.is_empty()).then_some((id, secret))
}

/// Authenticates the presented credentials against the registered client.
pub async fn authenticate(state: &AppState, presented: Presented) -> Result<Client, OAuthError> {
    let basic = matches!(presented, Presented::Basic { .. });
    let claimed_id = match &presented {
        Presented::Basic { id, .. } | Presented::Post { id, .. } | Presented::Public { id } => {
            id.clone()
        }
        Presented::Assertion { jwt, id } => assertion_issuer(jwt, id.as_deref())?,
    };
    let client = state
        .client(&claimed_id)
        .await?
        .ok_or_else(|| invalid_client(basic))?;
    verify(state, &presented, Client::clone(&client)).await
}

/// Checks the presented credentials against an already loaded client (by its registered
/// method only); for callers that looked the client up themselves.
pub async fn verify(
    state: &AppState,
    presented: &Presented,
    client: Client,
) -> Result<Client, OAuthError> {
    let basic = matches!(presented, Presented::Basic { .. });
    let method = client.metadata.token_endpoint_auth_method;
    let ok = match (presented, method) {
        (Presented::Basic { secret, .. }, TokenEndpointAuthMethod::ClientSecretBasic)
        | (Presented::Post { secret, .. }, TokenEndpointAuthMethod::ClientSecretPost) => client
            .secret_hash
            .as_deref()
            .is_some_and(|h| secrets::matches(secret, h)),
        (Presented::Public { .. }, TokenEndpointAuthMethod::None) => true,
        (Presented::Assertion { jwt, .. }, TokenEndpointAuthMethod::PrivateKeyJwt) => {
            check_assertion(state, &client, jwt).await?
        }
        _ => false,
    };
    if ok {
        tracing::Span::current().record("client_id", client.client_id.as_str());
        Ok(client)
    } else {
        Err(invalid_client(basic))
    }
}

/// The `iss` of an assertion (unverified, only to find the client), agreeing with any form `client_id`.
fn assertion_issuer(jwt: &str, form_id: Option<&str>) -> Result<String, OAuthError> {
    let decoded = crate::jose::verify::decode_unverified(jwt).map_err(|_| invalid_client(false))?;
    let iss = decoded
        .claims
        .get("iss")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid_client(false))?;
    if form_id.is_some_and(|f| f != iss) {
        return Err(invalid_client(false));
    }
    Ok(iss.to_owned())
}

async fn check_assertion(state: &AppState, client: &Client, jwt: &str) -> Result<bool, OAuthError> {
    let meta = &client.metadata;
    let Some(source) = KeySource::of(meta.jwks.as_ref(), meta.jwks_uri.as_deref()) else {
        return Ok(false);
    };
    // A registered `token_endpoint_auth_signing_alg` is the one algorithm accepted.
    let policy = match client
        .metadata
        .token_endpoint_auth_signing_alg
        .as_deref()
        .map(SigningAlg::parse)
    {
        None => Policy::default(),
        Some(Some(alg)) => Policy { algs: vec![alg] },
        Some(None) => return Ok(false),
    };
    let Ok(keys) = state.key_sources.keys(source).await else {
        return Ok(false);
    };
    let decoded = match keys.verify(jwt, &policy) {
        Err(VerifyError::UnknownKey(kid)) => {
            let Ok(keys) = state.key_sources.keys_with_kid(source, &kid).await else {
                return Ok(false);
            };
            keys.verify(jwt, &policy)
        }
        other => other,
    };
    let Ok(decoded) = decoded else {
        return Ok(false);
    };
    let now = state.clock.now();
    let issuer = &state.settings.issuer;
    let token_endpoint = endpoint(issuer, "/token");
    let c = &decoded.claims;
    let aud_ok = [issuer.as_str(), token_endpoint.as_str()]
        .iter()
        .any(|aud| {
            check_claims(
                c,
                &Expect {
                    issuer: &client.client_id,
                    audience: Some(aud),
                    now,
                },
            )
            .is_ok()
        });
    let sub_ok = c.get("sub").and_then(Value::as_str) == Some(client.client_id.as_str());
    let exp = c.get("exp").and_then(Value::as_i64).unwrap_or(0);
    let jti = c.get("jti").and_then(Value::as_str).map(str::to_owned);
    let (Some(jti), true, true) = (jti, aud_ok, sub_ok) else {
        return Ok(false);
    };
    if exp > now + 3600 {
        return Ok(false);
    }
    let id = client.client_id.clone();
    let fresh = state
        .store
        .run(move |c| client_assertions::record(c, &id, &jti, exp))
        .await?;
    Ok(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_url_decoded() {
        let header = format!("Basic {}", STANDARD.encode("my%20id:p%3Ass+word"));
        assert_eq!(
            parse_basic(&header),
            Some(("my id".to_owned(), "p:ss word".to_owned()))
        );
        assert_eq!(
            parse_basic(&format!("bASIC {}", STANDARD.encode("id:secret"))),
            Some(("id".to_owned(), "secret".to_owned()))
        );
        assert_eq!(parse_basic("Bearer x"), None);
        assert_eq!(parse_basic("Basic !!!"), None);
        assert_eq!(
            parse_basic(&format!("Basic {}", STANDARD.encode("nocolon"))),
            None
        );
    }
}
