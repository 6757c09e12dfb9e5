//! `GET/POST /userinfo` (OIDC Core §5.3) with RFC 6750 bearer errors.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use crate::domain::scope::Scope;
use crate::error::{ErrorCode, OAuthError};
use crate::issue::sealing::{Response, sealing_for};
use crate::issue::userinfo::{self, UserInfo, UserInfoInput};
use crate::jose::SigningAlg;
use crate::jose::purpose::{Expiry, Own, TokenKind, verify_own};
use crate::registry;
use crate::state::AppState;
use crate::store::{denylist, users};

fn challenge(code: Option<(ErrorCode, &str)>) -> OAuthError {
    match code {
        None => OAuthError::new(
            ErrorCode::InvalidRequest,
            "a bearer access token is required",
        )
        .with_status(StatusCode::UNAUTHORIZED)
        .with_challenge("Bearer realm=\"sigil\""),
        Some((code, description)) => OAuthError::new(code, description).with_challenge(format!(
            "Bearer realm=\"sigil\", error=\"{}\", error_description=\"{}\"",
            code.as_str(),
            description
        )),
    }
}

fn invalid_token() -> OAuthError {
    challenge(Some((
        ErrorCode::InvalidToken,
        "the access token is invalid, expired or revoked",
    )))
}

/// The bearer token from the header or (POST) a form body — never both.
fn bearer(req: &HttpRequest, body: &[u8]) -> Result<String, OAuthError> {
    let from_header = match req.headers().get(header::AUTHORIZATION) {
        None => None,
        Some(v) => {
            let v = v.to_str().map_err(|_| invalid_token())?;
            let token = super::credentials(v, "Bearer").ok_or_else(|| challenge(None))?;
            Some(token.to_owned())
        }
    };
    let from_body = if req.method() == actix_web::http::Method::POST && !body.is_empty() {
        crate::oauth::form::parse(req, body)?
            .get("access_token")
            .map(str::to_owned)
    } else {
        None
    };
    match (from_header, from_body) {
        (Some(_), Some(_)) => Err(challenge(Some((
            ErrorCode::InvalidRequest,
            "send the access token in one place only",
        )))
        .with_status(StatusCode::BAD_REQUEST)),
        (Some(t), None) | (None, Some(t)) if !t.is_empty() => Ok(t),
        _ => Err(challenge(None)),
    }
}

/// `GET` or `POST /userinfo`.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn userinfo(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, OAuthError> {
    let body = crate::oauth::form::read(&req, payload).await?;
    let token = bearer(&req, &body)?;
    let keys = state.keys.current();
    let now = state.clock.now();
    let own = Own {
        kind: TokenKind::AccessToken,
        issuer: &state.settings.issuer,
        now,
        expiry: Expiry::Enforced,
    };
    let decoded = verify_own(&token, &keys, &own).map_err(|_| invalid_token())?;
    let text = |name: &str| {
        decoded
            .claims
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(invalid_token)
    };
    let (sub, client_id) = (text("sub")?, text("client_id")?);
    let jtis = crate::issue::access_token::lineage(&decoded.claims);
    let clients = crate::issue::access_token::clients(&decoded.claims);
    if jtis.is_empty() {
        return Err(invalid_token());
    }
    let scope = Scope::parse(&text("scope")?).map_err(|_| invalid_token())?;
    if !scope.contains("openid") {
        return Err(challenge(Some((
            ErrorCode::InsufficientScope,
            "the access token lacks the openid scope",
        ))));
    }
    tracing::Span::current().record("client_id", client_id.as_str());
    let (account, roles, client) = state
        .store
        .run(move |c| {
            Ok((
                denylist::user_and_denial(c, &sub, &jtis, &clients)?,
                users::roles(c, &sub)?,
                registry::get(c, &client_id)?,
            ))
        })
        .await?;
    let (Some((user, false)), Some(client)) = (account, client) else {
        return Err(invalid_token());
    };
    // A token from before "sign out everywhere" (or carrying no generation) is dead.
    let generation = decoded
        .claims
        .get(crate::issue::access_token::GENERATION)
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if generation < user.token_generation {
        return Err(invalid_token());
    }
    let sealing = sealing_for(
        &state.key_sources,
        state.keys.kek(),
        &client,
        Response::Userinfo,
    )
    .await
    .map_err(crate::oauth::sealing_error)?;
    let signed = match client.metadata.userinfo_signed_response_alg.as_deref() {
        // An encrypted answer is a nested JWT: signed first, with the default if none is set.
        None if sealing.is_some() => Some(SigningAlg::RS256),
        None => None,
        // Registration admits only algorithms sigil signs with; anything else fails closed.
        Some(name) => Some(SigningAlg::parse(name).ok_or_else(|| {
            OAuthError::internal(&"the client's userinfo_signed_response_alg is not supported")
        })?),
    };
    let account = user.account();
    let input = UserInfoInput {
        issuer: &state.settings.issuer,
        client_id: &client.client_id,
        account: &account,
        roles: &roles,
        scope: &scope,
        signed,
        now,
    };
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    match userinfo::answer(&keys, input).map_err(|e| OAuthError::internal(&e))? {
        UserInfo::Json(claims) => Ok(res.json(claims)),
        UserInfo::Jwt(jwt) => {
            let body = match &sealing {
                Some(sealing) => sealing.seal(&jwt).map_err(|e| OAuthError::internal(&e))?,
                None => jwt,
            };
            Ok(res.content_type("application/jwt").body(body))
        }
    }
}
