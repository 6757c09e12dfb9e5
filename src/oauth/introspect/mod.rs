//! `POST /introspect` (RFC 7662, with RFC 9701 JWT responses): an authenticated client or
//! resource asks whether a token is active; what it may not see is simply inactive.

mod inspect;

use crate::issue::sealing::{Response, sealing_for};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value};

use crate::error::{ErrorCode, OAuthError};
use crate::issue::introspection;
use crate::oauth::client_auth::{self, Presented};
use crate::oauth::form;
use crate::oauth::params::RawParams;
use crate::registry::{self, Client};
use crate::resources::{self, Resource};
use crate::state::AppState;

/// The media type of RFC 9701 JWT introspection responses.
pub const JWT_MEDIA_TYPE: &str = "application/token-introspection+jwt";

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A confidential client.
    Client(Box<Client>),
    /// A resource with its own introspection credentials.
    Resource(Box<Resource>),
}

impl Caller {
    /// The id the caller authenticated with.
    pub fn id(&self) -> &str {
        match self {
            Self::Client(c) => &c.client_id,
            Self::Resource(r) => &r.id,
        }
    }
}

fn unauthenticated() -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClient, "client authentication failed")
        .with_challenge("Basic realm=\"sigil\"")
}

/// 401 errors always carry a challenge here, whatever method was tried.
fn challenged(e: OAuthError) -> OAuthError {
    if e.code == ErrorCode::InvalidClient {
        e.with_challenge("Basic realm=\"sigil\"")
    } else {
        e
    }
}

/// Authenticates a client (any method but `none`) or a resource, in at most one database round
/// trip for secrets: cached clients first, then clients and resources from the database.
async fn authenticate(
    state: &AppState,
    req: &HttpRequest,
    params: &RawParams,
) -> Result<Caller, OAuthError> {
    let presented = client_auth::presented(req, params).map_err(challenged)?;
    let (id, secret) = match &presented {
        Presented::Public { .. } => return Err(unauthenticated()),
        Presented::Assertion { .. } => {
            let client = client_auth::authenticate(state, presented).await;
            return client
                .map(|c| Caller::Client(Box::new(c)))
                .map_err(challenged);
        }
        Presented::Basic { id, secret } | Presented::Post { id, secret } => (id.clone(), secret),
    };
    let (client, resource) = match state.clients.get(&id) {
        Some(cached) => (Some(registry::Client::clone(&cached)), None),
        None => {
            let key = id.clone();
            let found = state
                .store
                .run(move |c| match registry::get(c, &key)? {
                    Some(client) => Ok((Some(client), None)),
                    None => Ok((None, resources::get(c, &key)?)),
                })
                .await?;
            if let Some(client) = &found.0 {
                state.clients.put(&id, std::sync::Arc::new(client.clone()));
            }
            found
        }
    };
    if let Some(client) = client {
        let client = client_auth::verify(state, &presented, client).await;
        return client
            .map(|c| Caller::Client(Box::new(c)))
            .map_err(challenged);
    }
    match resource {
        Some(r) if r.secret_matches(secret) => Ok(Caller::Resource(Box::new(r))),
        _ => Err(unauthenticated()),
    }
}

/// `POST /introspect`.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn introspect(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let body = form::read(&req, payload).await?;
    let params = form::parse(&req, &body)?;
    let caller = authenticate(&state, &req, &params).await?;
    tracing::Span::current().record("client_id", caller.id());
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "token is required"))?;
    let answer = inspect::inspect(&state, &caller, token)
        .await?
        .unwrap_or_else(|| Map::from_iter([("active".to_owned(), Value::Bool(false))]));
    respond(&req, &state, &caller, answer).await
}

fn wants_jwt(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let essence = t.split(';').next().unwrap_or_default().trim();
            essence.eq_ignore_ascii_case(JWT_MEDIA_TYPE)
        })
}

/// JSON, or (asked with `Accept`) a signed JWT — encrypted when the client registered
/// `introspection_encrypted_response_alg` (RFC 9701 §5).
async fn respond(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    answer: Map<String, Value>,
) -> Result<HttpResponse, OAuthError> {
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if !wants_jwt(req) {
        return Ok(res.json(answer));
    }
    let jwt = introspection::signed(
        &state.keys.current(),
        &state.settings.issuer,
        caller.id(),
        state.clock.now(),
        answer,
    )
    .map_err(|e| OAuthError::internal(&e))?;
    let sealing = match caller {
        Caller::Client(client) => sealing_for(
            &state.key_sources,
            state.keys.kek(),
            client,
            Response::Introspection,
        )
        .await
        .map_err(crate::oauth::sealing_error)?,
        Caller::Resource(_) => None,
    };
    let body = match sealing {
        Some(sealing) => sealing.seal(&jwt).map_err(|e| OAuthError::internal(&e))?,
        None => jwt,
    };
    Ok(res.content_type(JWT_MEDIA_TYPE).body(body))
}
