//! Deciding whether a token is active and visible to the caller, and what to say about it.

use serde_json::{Map, Value};

use super::Caller;
use crate::error::OAuthError;
use crate::issue::access_token::{CHAIN, CHAIN_CLIENTS, GENERATION, clients, lineage};
use crate::jose::purpose::{Expiry, Own, TokenKind, verify_own};
use crate::secrets;
use crate::state::AppState;
use crate::store::{denylist, refresh_tokens};

/// The claims of an active token the caller may see; `None` for anything else — the caller
/// is never told why.
pub async fn inspect(
    state: &AppState,
    caller: &Caller,
    token: &str,
) -> Result<Option<Map<String, Value>>, OAuthError> {
    // A JWS, or a JWE sigil encrypted to a resource, is an access token.
    if matches!(token.split('.').count(), 3 | 5) {
        access_token(state, caller, token).await
    } else {
        refresh_token(state, caller, token).await
    }
}

fn names(aud: Option<&Value>, who: &str) -> bool {
    match aud {
        Some(Value::String(s)) => s == who,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(who)),
        _ => false,
    }
}

/// Whether the caller may see a token with these claims.
fn visible(caller: &Caller, claims: &Map<String, Value>) -> bool {
    let aud = claims.get("aud");
    match caller {
        Caller::Client(c) => {
            claims.get("client_id").and_then(Value::as_str) == Some(c.client_id.as_str())
                || names(aud, &c.client_id)
        }
        Caller::Resource(r) => names(aud, &r.metadata.identifier),
    }
}

/// A JWT access token: our signature under our policy, our issuer, unexpired, not denied,
/// and (for user tokens) the user still there with no newer token generation.
async fn access_token(
    state: &AppState,
    caller: &Caller,
    token: &str,
) -> Result<Option<Map<String, Value>>, OAuthError> {
    let keys = state.keys.current();
    let own = Own {
        kind: TokenKind::AccessToken,
        issuer: &state.settings.issuer,
        now: state.clock.now(),
        expiry: Expiry::Enforced,
    };
    let Ok(decoded) = verify_own(token, &keys, &own) else {
        return Ok(None);
    };
    let mut claims = decoded.claims;
    if !visible(caller, &claims) {
        return Ok(None);
    }
    let jtis = lineage(&claims);
    if jtis.is_empty() {
        return Ok(None);
    }
    let clients = clients(&claims);
    if clients.is_empty() {
        return Ok(None);
    }
    let generation = claims.get(GENERATION).and_then(Value::as_i64);
    // A user's token names its user; a client's own token has no generation.
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|_| generation.is_some())
        .map(str::to_owned);
    let user_token = claims.contains_key(GENERATION);
    // One statement: the denial, the client's existence and (for a user's token) the user.
    let standing = state
        .store
        .run(move |c| denylist::standing(c, sub.as_deref(), &jtis, &clients))
        .await?;
    let Some(standing) = standing.filter(|s| !s.denied && s.client_exists) else {
        return Ok(None);
    };
    let user = standing.user;
    if user_token {
        let current = match (&user, generation) {
            (Some(u), Some(g)) => u.token_generation <= g,
            _ => false,
        };
        if !current {
            return Ok(None);
        }
    }
    claims.remove(GENERATION);
    claims.remove(CHAIN);
    claims.remove(CHAIN_CLIENTS);
    claims.insert("active".into(), Value::Bool(true));
    claims.insert("token_type".into(), "Bearer".into());
    // `username` is the profile claim `preferred_username`: released with that scope only.
    let profile = claims
        .get("scope")
        .and_then(Value::as_str)
        .is_some_and(|s| s.split(' ').any(|s| s == "profile"));
    if let Some(user) = user.filter(|_| profile) {
        claims.insert("username".into(), Value::String(user.username));
    }
    Ok(Some(claims))
}

/// An opaque refresh token: unused, unexpired, its family live and within its absolute
/// lifetime, its user's generation unchanged; visible only to the client that holds it.
async fn refresh_token(
    state: &AppState,
    caller: &Caller,
    token: &str,
) -> Result<Option<Map<String, Value>>, OAuthError> {
    let Caller::Client(client) = caller else {
        return Ok(None);
    };
    let hash = secrets::digest(token);
    let Some((row, family, generation)) = state
        .store
        .run(move |c| refresh_tokens::lookup(c, &hash))
        .await?
    else {
        return Ok(None);
    };
    let now = state.clock.now();
    let active = family.client_id == client.client_id
        && row.used_at.is_none()
        && row.expires_at > now
        && family.revoked_at.is_none()
        && family.expires_at > now
        && generation == Some(family.generation);
    if !active {
        return Ok(None);
    }
    let scope = family.grant()?.scope.to_string();
    let mut claims = Map::new();
    claims.insert("active".into(), Value::Bool(true));
    claims.insert("client_id".into(), Value::String(family.client_id));
    claims.insert("sub".into(), Value::String(family.user_id));
    claims.insert("scope".into(), Value::String(scope));
    claims.insert("exp".into(), Value::from(row.expires_at));
    claims.insert("iat".into(), Value::from(row.created_at));
    claims.insert("token_type".into(), "refresh_token".into());
    Ok(Some(claims))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::client_metadata::ClientMetadata;
    use crate::domain::resource::ResourceMetadata;
    use crate::registry::{Client, metadata_policy};
    use crate::resources::Resource;

    fn client(id: &str) -> Caller {
        let metadata = ClientMetadata::parse(
            r#"{"redirect_uris": ["https://app.example/cb"]}"#,
            &metadata_policy(),
        )
        .unwrap();
        Caller::Client(Box::new(Client {
            client_id: id.into(),
            secret_hash: None,
            secret_sealed: None,
            metadata,
            issued_at: 0,
        }))
    }

    fn resource(identifier: &str) -> Caller {
        let metadata =
            ResourceMetadata::parse(&json!({"identifier": identifier, "scope": "a"}).to_string())
                .unwrap();
        Caller::Resource(Box::new(Resource {
            id: "r1".into(),
            secret_hash: None,
            metadata,
            created_at: 0,
        }))
    }

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn clients_see_their_own_tokens_and_those_meant_for_them() {
        let c = client("c1");
        assert!(visible(&c, &claims(json!({"client_id": "c1", "aud": "x"}))));
        assert!(visible(
            &c,
            &claims(json!({"client_id": "c2", "aud": "c1"}))
        ));
        assert!(visible(
            &c,
            &claims(json!({"client_id": "c2", "aud": ["x", "c1"]}))
        ));
        assert!(!visible(
            &c,
            &claims(json!({"client_id": "c2", "aud": "x"}))
        ));
        assert!(!visible(&c, &claims(json!({"aud": {"c1": true}}))));
    }

    #[test]
    fn resources_see_only_tokens_whose_audience_is_their_identifier() {
        let r = resource("https://api.example/");
        assert!(visible(&r, &claims(json!({"aud": "https://api.example/"}))));
        assert!(visible(
            &r,
            &claims(json!({"aud": ["https://api.example/"]}))
        ));
        assert!(!visible(&r, &claims(json!({"aud": "https://api.example"}))));
        assert!(!visible(
            &r,
            &claims(json!({"client_id": "r1", "aud": "r1"}))
        ));
    }
}
