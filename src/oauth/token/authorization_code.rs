//! The authorization code grant: one store call redeems the code (spend, PKCE and redirect
//! URI check, target), then the tokens are minted.

use serde_json::json;

use crate::audit::AuditEvent;
use crate::domain::client_metadata::GrantType;
use crate::domain::grant::Grant;
use crate::error::{ErrorCode, OAuthError};
use crate::issue::refresh_token::RefreshTokens;
use crate::oauth::target;
use crate::oauth::target::Target;
use crate::registry::Client;
use crate::resources;
use crate::resources::Resource;
use crate::secrets;
use crate::state::AppState;
use crate::store::codes::{self, Issued};
use crate::store::redemption::{self, CodeCheck, Redeemed};
use crate::store::refresh_tokens::{self, FamilyRow, TokenRow};
use crate::store::{DbConnection, StoreError, denylist, transaction};

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
    // The client's encryption key is had before the code is spent, so a key server that is
    // down costs the client a retry, not its code.
    let id_sealing = user_tokens::id_token_sealing(state, client).await?;
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
    let check = CodeCheck {
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
    // The target is decided inside the redemption: a refused one leaves the code spent and
    // starts no family.
    let aim = Aim {
        defaults: target::Defaults::of(state),
        client: client.clone(),
        asked: target.map(str::to_owned),
        requested,
    };
    let redeemed = state
        .store
        .run(move |c| {
            let family = plan
                .as_ref()
                .map(|p| move |g: &Grant, generation| p.rows(g, generation, now));
            let family = family.as_ref().map(|f| f as redemption::FamilyRows<'_>);
            let jti = check.issued.jti.clone();
            let decide = |c: &mut DbConnection, grant: &Grant| {
                let aimed = aim.decide(c, grant)?;
                if aimed.is_ok() {
                    user_tokens::issue_event(grant, "authorization_code", &jti).write(c, now)?;
                }
                Ok(aimed)
            };
            redemption::redeem(c, &check, decide, family)
        })
        .await?;
    let (grant, user, roles, aimed) = match redeemed {
        Redeemed::Done {
            grant,
            user,
            roles,
            aimed,
        } => (*grant, *user, roles, aimed),
        Redeemed::Refused(e) => return Err(e),
        Redeemed::Invalid => return Err(invalid_grant()),
        Redeemed::Reused(row) => {
            revoke_first_use(state, *row, now).await?;
            return Err(invalid_grant());
        }
    };
    let access_sealing = target::access_token_sealing(state, &aimed).await?;
    user_tokens::mint(
        state,
        client,
        UserTokens {
            grant: &grant,
            id_scope: &grant.scope,
            target: &aimed,
            user: &user.account(),
            roles: &roles,
            jti: &jti,
            now,
            refresh_token,
            id_sealing: id_sealing.as_ref(),
            access_sealing: access_sealing.as_ref(),
        },
    )
}

/// How the access token's target is decided inside the redemption: the resource the token
/// request names, else the one the grant is bound to (naming another is `invalid_target`).
struct Aim {
    defaults: target::Defaults,
    client: Client,
    asked: Option<String>,
    requested: Option<Resource>,
}

impl Aim {
    fn decide(
        self,
        c: &mut DbConnection,
        grant: &Grant,
    ) -> Result<Result<Target, OAuthError>, StoreError> {
        let named = match target::reconcile(self.asked.as_deref(), grant.resource.as_deref()) {
            Ok(named) => named,
            Err(e) => return Ok(Err(e)),
        };
        let resource = match named {
            None => None,
            Some(n) if Some(n) == self.asked.as_deref() => self.requested,
            Some(n) => match resources::by_identifier(c, n)? {
                Some(resource) => Some(resource),
                None => return Ok(Err(target::unregistered())),
            },
        };
        Ok(target::decide_with(
            &self.defaults,
            &self.client,
            resource.as_ref(),
            None,
            &grant.scope,
        ))
    }
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
    /// `offline_access` — always bound while an admin acts as the user, so the family ends
    /// with the impersonation.
    fn rows(
        &self,
        grant: &Grant,
        generation: i64,
        now: i64,
    ) -> Result<(FamilyRow, TokenRow), StoreError> {
        let offline = grant.scope.contains("offline_access") && grant.act.is_none();
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
