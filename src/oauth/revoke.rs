//! `POST /revoke` (RFC 7009): a client revokes its own refresh or access token. Unknown,
//! expired, malformed and other clients' tokens get the same empty 200, so nothing is revealed.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::audit::AuditEvent;
use crate::error::{ErrorCode, OAuthError};
use crate::jose::purpose::{Expiry, Own, TokenKind, verify_own};
use crate::oauth::{client_auth, form};
use crate::secrets;
use crate::state::AppState;
use crate::store::{denylist, refresh_tokens, transaction};

/// What a presented token turned out to be, once checked as the caller's.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// An access token of the caller: deny its `jti` until `exp`.
    Access {
        /// Its `jti`.
        jti: String,
        /// Its `exp`.
        exp: i64,
        /// Its `sub`.
        sub: Option<String>,
    },
    /// Possibly a refresh token: look its hash up.
    Refresh {
        /// SHA-256 of the token.
        hash: String,
    },
    /// Nothing to do.
    Nothing,
}

/// `POST /revoke`.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn revoke(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let body = form::read(&req, payload).await?;
    let params = form::parse(&req, &body)?;
    let client = client_auth::authenticate(&state, client_auth::presented(&req, &params)?).await?;
    let token = params
        .get("token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidRequest, "token is required"))?;
    let target = classify(&state, token, &client.client_id);
    let (client_id, now) = (client.client_id.clone(), state.clock.now());
    state
        .store
        .run(move |c| transaction(c, |c| apply(c, target, &client_id, now)))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .finish())
}

/// A JWS- or JWE-shaped token is an access token (checked here: signature, `typ`, `iss`, not
/// expired, issued to `client_id`); anything else may be a refresh token. The shapes cannot be
/// confused, so `token_type_hint` only names what the caller expects and is not needed.
fn classify(state: &AppState, token: &str, client_id: &str) -> Target {
    if !matches!(token.split('.').count(), 3 | 5) {
        return Target::Refresh {
            hash: secrets::digest(token),
        };
    }
    let keys = state.keys.current();
    let own = Own {
        kind: TokenKind::AccessToken,
        issuer: &state.settings.issuer,
        now: state.clock.now(),
        expiry: Expiry::Enforced,
    };
    let Ok(decoded) = verify_own(token, &keys, &own) else {
        return Target::Nothing;
    };
    let claims = &decoded.claims;
    if claims.get("client_id").and_then(Value::as_str) != Some(client_id) {
        return Target::Nothing;
    }
    match (
        claims.get("jti").and_then(Value::as_str),
        claims.get("exp").and_then(Value::as_i64),
    ) {
        (Some(jti), Some(exp)) => Target::Access {
            jti: jti.to_owned(),
            exp,
            sub: claims.get("sub").and_then(Value::as_str).map(str::to_owned),
        },
        _ => Target::Nothing,
    }
}

fn apply(
    c: &mut crate::store::DbConnection,
    target: Target,
    client_id: &str,
    now: i64,
) -> Result<(), crate::store::StoreError> {
    match target {
        Target::Nothing => Ok(()),
        Target::Access { jti, exp, sub } => {
            denylist::deny(c, &jti, exp)?;
            AuditEvent::new(client_id, "token.revoke", sub)
                .detail(json!({"client_id": client_id, "token_type": "access_token"}))
                .write(c, now)
        }
        Target::Refresh { hash } => {
            let Some(family) = refresh_tokens::family_of(c, &hash)? else {
                return Ok(());
            };
            if family.client_id != client_id {
                return Ok(());
            }
            if refresh_tokens::revoke_family(c, &family.id, now)? {
                AuditEvent::new(client_id, "token.revoke", Some(family.user_id.clone()))
                    .detail(json!({
                        "client_id": client_id,
                        "token_type": "refresh_token",
                        "family": family.id,
                    }))
                    .write(c, now)?;
            }
            Ok(())
        }
    }
}
