//! The authorization code grant: redeem once, check PKCE and redirect URI, mint tokens.

use serde_json::json;

use crate::audit::AuditEvent;
use crate::domain::client_metadata::GrantType;
use crate::error::{ErrorCode, OAuthError};
use crate::issue::Grant;
use crate::issue::refresh_token::RefreshTokens;
use crate::oauth::target;
use crate::registry::Client;
use crate::secrets;
use crate::startup::AppState;
use crate::store::codes::{self, Issued, Redemption};
use crate::store::refresh_tokens::{self, AccessRecord, FamilyRow, TokenRow};
use crate::store::{denylist, session_clients, transaction, users};

use super::TokenResponse;
use super::user_tokens::{self, UserTokens};

fn invalid_grant() -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidGrant,
        "the authorization code is invalid, expired, already used, or was issued to another client",
    )
}

/// Exchanges a code for tokens; with a `target` resource, the access token's scope is
/// narrowed to the resource's (the ID token is unchanged).
pub async fn exchange(
    state: &AppState,
    client: &Client,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
    target: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    if !client.metadata.allows_grant(GrantType::AuthorizationCode) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "the client may not use the authorization code grant",
        ));
    }
    let mut resource = target::lookup(state, target).await?;
    let now = state.clock.now();
    // Until the grant is read, its resource (and so the exact lifetime) is unknown: a reuse
    // keeps the access token on the denylist for the longest lifetime any token may have.
    let longest = target::longest_lifetime(state);
    let jti = secrets::random_token(16);
    let refreshable = client.metadata.allows_grant(GrantType::RefreshToken);
    let family_id = refreshable.then(|| secrets::random_token(16));
    let code_hash = secrets::digest(code);
    let client_id = client.client_id.clone();
    let issued = Issued {
        jti: jti.clone(),
        exp: now + longest,
        family: family_id.clone(),
    };
    // The code's user is read in the same round trip as the redemption.
    let redeemed = state
        .store
        .run(move |c| {
            let redemption = codes::redeem(c, &code_hash, &client_id, now, &issued)?;
            let user = match &redemption {
                Redemption::Redeemed(row) => match users::by_id(c, &row.user_id)? {
                    Some(user) => {
                        let roles = users::roles(c, &user.id)?;
                        Some((user, roles))
                    }
                    None => None,
                },
                _ => None,
            };
            Ok((redemption, user))
        })
        .await?;
    let (row, user) = match redeemed {
        (Redemption::Redeemed(row), user) => (row, user),
        (Redemption::Invalid, _) => return Err(invalid_grant()),
        (Redemption::Reused(row), _) => {
            revoke_first_use(state, row, now).await?;
            return Err(invalid_grant());
        }
    };
    let (user, roles) = user.ok_or_else(invalid_grant)?;
    let grant: Grant =
        serde_json::from_str(&row.grant_data).map_err(|e| OAuthError::internal(&e))?;
    if grant.redirect_uri != redirect_uri || !grant.code_challenge.verify(code_verifier) {
        return Err(invalid_grant());
    }
    let named = target::reconcile(target, grant.resource.as_deref())?;
    if named != target {
        resource = target::lookup(state, named).await?;
    }
    let aimed = target::decide(state, client, resource.as_ref(), None, &grant.scope)?;
    let lifetime = aimed.lifetime;
    let refresh_token = family_id.as_ref().map(|_| RefreshTokens::first());
    let family = match (&family_id, &refresh_token) {
        (Some(id), Some(token)) => Some(new_family(state, client, &grant, id, token, now)?),
        _ => None,
    };
    let (sid, client_id) = (grant.sid.clone(), client.client_id.clone());
    let access_jti = jti.clone();
    let generation = user.token_generation;
    state
        .store
        .run(move |c| {
            transaction(c, |c| {
                session_clients::record(c, &sid, &client_id, now)?;
                if let Some((mut family, token)) = family {
                    family.generation = generation;
                    let access = AccessRecord {
                        jti: &access_jti,
                        exp: now + lifetime,
                    };
                    refresh_tokens::create(c, &family, &token, access)?;
                }
                Ok(())
            })
        })
        .await?;
    user_tokens::mint(
        state,
        client,
        UserTokens {
            grant: &grant,
            id_scope: &grant.scope,
            target: &aimed,
            user: &user,
            roles: &roles,
            jti: &jti,
            now,
            refresh_token,
        },
    )
}

/// A new refresh-token family for `grant`: bound to the browser session unless the user
/// granted `offline_access`.
fn new_family(
    state: &AppState,
    client: &Client,
    grant: &Grant,
    id: &str,
    token: &str,
    now: i64,
) -> Result<(FamilyRow, TokenRow), OAuthError> {
    let lifetimes = &state.settings.lifetimes;
    let absolute = user_tokens::seconds_or(
        client.metadata.refresh_token_absolute_lifetime,
        lifetimes.refresh_family,
    );
    let sliding = user_tokens::seconds_or(
        client.metadata.refresh_token_lifetime,
        lifetimes.refresh_token,
    );
    let offline = grant.scope.contains("offline_access");
    let family = FamilyRow {
        id: id.to_owned(),
        client_id: client.client_id.clone(),
        user_id: grant.user_id.clone(),
        sid: (!offline).then(|| grant.sid.clone()),
        grant_data: serde_json::to_string(grant).map_err(|e| OAuthError::internal(&e))?,
        generation: 0,
        created_at: now,
        expires_at: now + absolute,
        revoked_at: None,
    };
    let token = TokenRow {
        token_hash: secrets::digest(token),
        family_id: id.to_owned(),
        created_at: now,
        expires_at: now + sliding.min(absolute),
        used_at: None,
    };
    Ok((family, token))
}

/// A code presented twice: the access and refresh tokens its first use issued are revoked
/// (RFC 6749 §4.1.2).
async fn revoke_first_use(
    state: &AppState,
    row: codes::CodeRow,
    now: i64,
) -> Result<(), OAuthError> {
    tracing::warn!(client_id = %row.client_id, "authorization code reused; revoking its tokens");
    state
        .store
        .run(move |c| {
            transaction(c, |c| {
                if let (Some(jti), Some(exp)) = (&row.issued_jti, row.issued_exp) {
                    denylist::deny(c, jti, exp)?;
                }
                if let Some(family) = &row.issued_family {
                    refresh_tokens::revoke_family(c, family, now)?;
                }
                AuditEvent::new(
                    row.client_id.clone(),
                    "code.reuse",
                    Some(row.user_id.clone()),
                )
                .detail(json!({"client_id": row.client_id}))
                .write(c, now)
            })
        })
        .await?;
    Ok(())
}
