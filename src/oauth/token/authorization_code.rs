//! The authorization code grant: redeem once, check PKCE and redirect URI, mint tokens.

use serde_json::json;

use crate::audit::AuditEvent;
use crate::domain::client_metadata::GrantType;
use crate::error::{ErrorCode, OAuthError};
use crate::issue::Grant;
use crate::issue::refresh_token::RefreshTokens;
use crate::oauth::target;
use crate::registry::Client;
use crate::resources::Resource;
use crate::secrets;
use crate::state::AppState;
use crate::store::codes::{self, Issued, Redemption};
use crate::store::refresh_tokens::{self, AccessRecord, FamilyRow, TokenRow};
use crate::store::users::UserRow;
use crate::store::{
    DbConnection, StoreError, denylist, session_clients, sessions, transaction, users,
};

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
    let requested = target::lookup(state, target).await?;
    let now = state.clock.now();
    // Until the grant is read, its resource (and so the exact lifetime) is unknown: a reuse
    // keeps the access token on the denylist for the longest lifetime any token may have.
    let longest = target::longest_lifetime(state);
    let jti = secrets::random_token(16);
    let refreshable = client.metadata.allows_grant(GrantType::RefreshToken);
    let family_id = refreshable.then(|| secrets::random_token(16));
    let refresh_token = family_id.as_ref().map(|_| RefreshTokens::first());
    let plan = match (&family_id, &refresh_token) {
        (Some(id), Some(token)) => Some(FamilyPlan::new(state, client, id, token)),
        _ => None,
    };
    let check = Check {
        code_hash: secrets::digest(code),
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        code_verifier: code_verifier.to_owned(),
        issued: Issued {
            jti: jti.clone(),
            exp: now + longest,
            family: family_id.clone(),
        },
        now,
        idle_after: now - state.settings.lifetimes.session_idle,
    };
    // One transaction spends the code, checks it, reads its user and records what it
    // issues (the refresh family with the access token's id, the session's client). A
    // failed check still spends the code, so a guessed verifier gets one try.
    let exchanged = state
        .store
        .run(move |c| transaction(c, |c| redeem_and_record(c, &check, plan.as_ref())))
        .await?;
    let (grant, user, roles) = match exchanged {
        Exchanged::Done { grant, user, roles } => (*grant, *user, roles),
        Exchanged::Invalid => return Err(invalid_grant()),
        Exchanged::Reused(row) => {
            revoke_first_use(state, *row, now).await?;
            return Err(invalid_grant());
        }
    };
    let aimed = match aim(state, client, target, requested, &grant).await {
        Ok(aimed) => aimed,
        Err(e) => {
            // The family was recorded with the code; nothing was issued from it.
            if let Some(id) = family_id {
                let _ = state
                    .store
                    .run(move |c| refresh_tokens::revoke_family(c, &id, now))
                    .await;
            }
            return Err(e);
        }
    };
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

/// The access token's target: the resource the token request names, else the one the grant
/// is bound to (naming another is `invalid_target`).
async fn aim(
    state: &AppState,
    client: &Client,
    asked: Option<&str>,
    requested: Option<Resource>,
    grant: &Grant,
) -> Result<target::Target, OAuthError> {
    let named = target::reconcile(asked, grant.resource.as_deref())?;
    let resource = if named == asked {
        requested
    } else {
        target::lookup(state, named).await?
    };
    target::decide(state, client, resource.as_ref(), None, &grant.scope)
}

/// What the redemption checks, and what it records when the code is good.
struct Check {
    code_hash: String,
    client_id: String,
    redirect_uri: String,
    code_verifier: String,
    issued: Issued,
    now: i64,
    /// A session counts as idle when `last_seen` is at or before this.
    idle_after: i64,
}

/// The redemption's outcome.
enum Exchanged {
    /// Spent now, checked, recorded.
    Done {
        grant: Box<Grant>,
        user: Box<UserRow>,
        roles: Vec<String>,
    },
    /// Unknown, expired, another client's, or failing the redirect URI or PKCE check.
    Invalid,
    /// Spent before.
    Reused(Box<codes::CodeRow>),
}

fn redeem_and_record(
    c: &mut DbConnection,
    check: &Check,
    plan: Option<&FamilyPlan>,
) -> Result<Exchanged, StoreError> {
    let now = check.now;
    let row = match codes::redeem(c, &check.code_hash, &check.client_id, now, &check.issued)? {
        Redemption::Redeemed(row) => row,
        Redemption::Invalid => return Ok(Exchanged::Invalid),
        Redemption::Reused(row) => return Ok(Exchanged::Reused(Box::new(row))),
    };
    let grant: Grant =
        serde_json::from_str(&row.grant_data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if grant.redirect_uri != check.redirect_uri
        || !grant.code_challenge.verify(&check.code_verifier)
    {
        return Ok(Exchanged::Invalid);
    }
    // A code dies with the session it was issued in (sign-out, sign-out everywhere, expiry).
    let Some(user) =
        sessions::user_while_live(c, &grant.user_id, &grant.sid, now, check.idle_after)?
    else {
        return Ok(Exchanged::Invalid);
    };
    let roles = users::roles(c, &user.id)?;
    session_clients::record(c, &grant.sid, &check.client_id, now)?;
    if let Some(plan) = plan {
        let (family, token) = plan.rows(&grant, user.token_generation, now)?;
        let access = AccessRecord {
            jti: &check.issued.jti,
            exp: check.issued.exp,
        };
        refresh_tokens::create(c, &family, &token, access)?;
    }
    Ok(Exchanged::Done {
        grant: Box::new(grant),
        user: Box::new(user),
        roles,
    })
}

/// A new refresh-token family, decided before the grant is read: its id, first token and
/// lifetimes (the client's, else the server's).
struct FamilyPlan {
    id: String,
    client_id: String,
    token: String,
    absolute: i64,
    sliding: i64,
}

impl FamilyPlan {
    fn new(state: &AppState, client: &Client, id: &str, token: &str) -> Self {
        let lifetimes = &state.settings.lifetimes;
        Self {
            id: id.to_owned(),
            client_id: client.client_id.clone(),
            token: token.to_owned(),
            absolute: user_tokens::seconds_or(
                client.metadata.refresh_token_absolute_lifetime,
                lifetimes.refresh_family,
            ),
            sliding: user_tokens::seconds_or(
                client.metadata.refresh_token_lifetime,
                lifetimes.refresh_token,
            ),
        }
    }

    /// The family's rows for `grant`: bound to the browser session unless the user granted
    /// `offline_access`.
    fn rows(
        &self,
        grant: &Grant,
        generation: i64,
        now: i64,
    ) -> Result<(FamilyRow, TokenRow), StoreError> {
        let offline = grant.scope.contains("offline_access");
        let family = FamilyRow {
            id: self.id.clone(),
            client_id: self.client_id.clone(),
            user_id: grant.user_id.clone(),
            sid: (!offline).then(|| grant.sid.clone()),
            grant_data: serde_json::to_string(grant)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            generation,
            created_at: now,
            expires_at: now + self.absolute,
            revoked_at: None,
        };
        let token = TokenRow {
            token_hash: secrets::digest(&self.token),
            family_id: self.id.clone(),
            created_at: now,
            expires_at: now + self.sliding.min(self.absolute),
            used_at: None,
        };
        Ok((family, token))
    }
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
