//! The `request` parameter (RFC 9101, OIDC Core §6): the object is opened and verified by the
//! one validator in `jose::request_object`, its `jti` is refused if seen before, and its
//! parameters then replace the query's of the same name (RFC 9101 §6.3) before the request is
//! parsed like any other. An unsigned object (allowed only for a client that registered
//! `none`) is merged the same way and so trusted no more than query parameters.

use serde_json::Value;

use crate::error::ErrorCode;
use crate::jose::SigningAlg;
use crate::jose::request_object::{self, Expect, RequestObjectError, Signing};
use crate::oauth::params::RawParams;
use crate::outbound::jwks::KeySource;
use crate::registry::Client;
use crate::state::AppState;
use crate::store::client_assertions;

use super::request::{AuthorizeError, ReplyTo, ResponseMode};

/// The registered claims of a request object, which are not authorization parameters.
const REGISTERED: [&str; 6] = ["iss", "aud", "exp", "iat", "nbf", "jti"];

/// Where a refused request object is reported: the query's redirect URI when the client
/// registered it, else a page.
fn refusal(params: &RawParams, client: &Client) -> impl Fn(String) -> AuthorizeError + use<> {
    let reply = params
        .get("redirect_uri")
        .filter(|uri| {
            client.metadata.redirect_uri_registered(uri) && !params.is_duplicated("redirect_uri")
        })
        .map(|uri| ReplyTo {
            redirect_uri: uri.to_owned(),
            state: params.get("state").map(str::to_owned),
            mode: match params.get("response_mode") {
                Some("form_post") => ResponseMode::FormPost,
                _ => ResponseMode::Query,
            },
        });
    move |why: String| match &reply {
        Some(to) => AuthorizeError::redirect(to, ErrorCode::InvalidRequestObject, why),
        None => AuthorizeError::page(
            "Invalid request",
            "The application's sign-in request could not be verified, so you cannot continue. Go back to the application and try again, or contact its owner.",
        ),
    }
}

fn signing_of(client: &Client) -> Result<Signing, String> {
    match client.metadata.request_object_signing_alg.as_deref() {
        None => Ok(Signing::Any),
        Some("none") => Ok(Signing::Unsigned),
        Some(name) => SigningAlg::parse(name)
            .map(Signing::Only)
            .ok_or_else(|| "the client's request_object_signing_alg is not supported".to_owned()),
    }
}

/// The query's parameters with the `request` object's merged over them; unchanged without one.
pub async fn merge(
    state: &AppState,
    client: &Client,
    params: RawParams,
) -> Result<RawParams, AuthorizeError> {
    let Some(token) = params.get("request").map(str::to_owned) else {
        return Ok(params);
    };
    let refuse = refusal(&params, client);
    if params.is_duplicated("request") {
        return Err(refuse("request is given more than once".into()));
    }
    if params.get("request_uri").is_some() {
        return Err(refuse(
            "request and request_uri are mutually exclusive".into(),
        ));
    }
    let meta = &client.metadata;
    let encryption = match (
        meta.request_object_encryption_alg.as_deref(),
        meta.request_object_encryption_enc.as_deref(),
    ) {
        (Some(alg), Some(enc)) => Some(
            crate::domain::enc_alg::KeyAlg::parse(alg)
                .zip(crate::domain::enc_alg::ContentAlg::parse(enc))
                .ok_or_else(|| {
                    refuse("the client's request object encryption is unusable".into())
                })?,
        ),
        _ => None,
    };
    let expect = Expect {
        client_id: &client.client_id,
        issuer: &state.settings.issuer,
        now: state.clock.now(),
        signing: signing_of(client).map_err(&refuse)?,
        encryption,
    };
    let inner = request_object::open(&token, &state.keys.current(), &expect)
        .map_err(|e| refuse(e.to_string()))?;
    let source = KeySource::of(meta.jwks.as_ref(), meta.jwks_uri.as_deref());
    let keys = match source {
        Some(source) if expect.signing != Signing::Unsigned => Some(
            state
                .key_sources
                .keys(source)
                .await
                .map_err(|e| refuse(e.to_string()))?,
        ),
        _ => None,
    };
    let verified = match request_object::verify(&inner, keys.as_deref(), &expect) {
        Err(RequestObjectError::UnknownKey(kid)) => match source {
            Some(source) => {
                let keys = state
                    .key_sources
                    .keys_with_kid(source, &kid)
                    .await
                    .map_err(|e| refuse(e.to_string()))?;
                request_object::verify(&inner, Some(&keys), &expect)
            }
            None => Err(RequestObjectError::UnknownKey(kid)),
        },
        other => other,
    }
    .map_err(|e| refuse(e.to_string()))?;
    let (id, jti, exp) = (client.client_id.clone(), verified.jti.clone(), verified.exp);
    let fresh = state
        .store
        .run(move |c| client_assertions::record(c, &id, &jti, exp))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "request object replay check failed");
            AuthorizeError::Unavailable
        })?;
    if !fresh {
        return Err(refuse(
            "the request object was already used (its jti is not new)".into(),
        ));
    }
    let from_object: Vec<(String, String)> = verified
        .claims
        .into_iter()
        .filter(|(k, _)| !REGISTERED.contains(&k.as_str()))
        .flat_map(|(k, v)| as_params(k, v))
        .collect();
    let mut pairs: Vec<(String, String)> = params
        .into_pairs()
        .into_iter()
        .filter(|(k, _)| k != "request" && !from_object.iter().any(|(o, _)| o == k))
        .collect();
    pairs.extend(from_object);
    Ok(RawParams::new(pairs))
}

/// A claim as authorization parameters: strings as they are, numbers and booleans as text,
/// an array of strings as repeated parameters, an object (`claims`) as JSON.
fn as_params(name: String, value: Value) -> Vec<(String, String)> {
    match value {
        Value::Null => Vec::new(),
        Value::String(s) => vec![(name, s)],
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(|s| (name.clone(), s.to_owned())))
            .collect(),
        other => vec![(name, other.to_string())],
    }
}
