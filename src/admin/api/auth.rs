//! Who may call the admin API: a bearer access token sigil issued to a client for itself
//! (client credentials), for sigil's own audience, live (not revoked, its client still
//! registered), whose scope holds `sigil:admin` — and whose client still registers that
//! scope, so taking it out of the client's metadata ends the client's admin access at once.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde_json::{Map, Value};

use super::problem::Problem;
use crate::issue::access_token::{CHAIN, GENERATION, clients, lineage};
use crate::jose::purpose::{Expiry, Own, TokenKind, verify_own};
use crate::manage::Actor;
use crate::state::AppState;
use crate::store::denylist;

/// The scope the admin API asks for.
pub const ADMIN_SCOPE: &str = "sigil:admin";

/// An authenticated administrator: the client whose token was presented.
#[derive(Debug, Clone)]
pub struct Admin {
    /// The actor audit rows name: the token's `sub` (for client credentials the client id).
    pub actor: Actor,
}

fn invalid_token() -> Problem {
    Problem::unauthorized(true, "the access token is invalid, expired or revoked")
}

fn text<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

fn names(aud: Option<&Value>, who: &str) -> bool {
    match aud {
        Some(Value::String(s)) => s == who,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(who)),
        _ => false,
    }
}

fn has_admin_scope(scope: Option<&str>) -> bool {
    scope.is_some_and(|s| s.split(' ').any(|s| s == ADMIN_SCOPE))
}

/// Checks the request's bearer token (see the module docs).
async fn authenticate(req: HttpRequest) -> Result<Admin, Problem> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| Problem::internal(&"no application state"))?
        .clone();
    let missing = || Problem::unauthorized(false, "a bearer access token is required");
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| invalid_token())?;
    let token = crate::oauth::credentials(value, "Bearer")
        .filter(|t| !t.is_empty())
        .ok_or_else(missing)?;
    let own = Own {
        kind: TokenKind::AccessToken,
        issuer: &state.settings.issuer,
        now: state.clock.now(),
        expiry: Expiry::Enforced,
    };
    let claims = verify_own(token, &state.keys.current(), &own)
        .map_err(|_| invalid_token())?
        .claims;
    // A token for a resource server is that server's, not the admin API's.
    if !names(claims.get("aud"), &state.settings.default_audience) {
        return Err(invalid_token());
    }
    let (jtis, chain_clients) = (lineage(&claims), clients(&claims));
    if jtis.is_empty() || chain_clients.is_empty() {
        return Err(invalid_token());
    }
    let standing = state
        .store
        .run(move |c| denylist::standing(c, None, &jtis, &chain_clients))
        .await?;
    if !standing.is_some_and(|s| !s.denied && s.client_exists) {
        return Err(invalid_token());
    }
    let (sub, client_id) = (text(&claims, "sub"), text(&claims, "client_id"));
    let own_token = sub.is_some()
        && sub == client_id
        && !claims.contains_key(GENERATION)
        && !claims.contains_key(CHAIN);
    if !own_token || !has_admin_scope(text(&claims, "scope")) {
        return Err(Problem::forbidden(
            "the admin API needs a client's own access token with the sigil:admin scope",
        ));
    }
    let client_id = client_id.unwrap_or_default();
    let client = state.client(client_id).await?;
    let registered = client.is_some_and(|c| {
        c.metadata
            .scope
            .as_ref()
            .is_some_and(|s| s.contains(ADMIN_SCOPE))
    });
    if !registered {
        return Err(Problem::forbidden(
            "the client is no longer registered with the sigil:admin scope",
        ));
    }
    tracing::Span::current().record("admin", client_id);
    Ok(Admin {
        actor: Actor::new(client_id),
    })
}

impl FromRequest for Admin {
    type Error = Problem;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Problem>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(authenticate(req.clone()))
    }
}
