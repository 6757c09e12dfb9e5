//! The periodic clean-up: expired codes, pending requests, sessions, denylist entries,
//! assertion `jti`s, old failure counters, retired keys and expired refresh-token families
//! leave their tables.

use std::time::Duration;

use crate::manage::impersonations;
use crate::state::AppState;
use crate::store::{
    StoreError, auth_requests, client_assertions, codes, denylist, keys, login_attempts,
    refresh_tokens, session_clients, sessions,
};

/// How long a spent or expired code is kept at least, so a late reuse is still recognised as
/// reuse (longer while the access token it issued could still be accepted).
pub const CODE_GRACE: i64 = 86_400;

/// How long an idle failure counter is kept.
pub const ATTEMPT_MEMORY: i64 = 86_400;

/// Rows removed by one pass, per table.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Purged {
    /// Authorization codes.
    pub codes: usize,
    /// Pending authorization requests.
    pub auth_requests: usize,
    /// Browser sessions.
    pub sessions: usize,
    /// Denylisted access tokens.
    pub denylist: usize,
    /// Client assertion ids.
    pub client_assertions: usize,
    /// Failed sign-in counters.
    pub login_attempts: usize,
    /// Signing keys that left the JWKS.
    pub keys: usize,
    /// Refresh-token families past their absolute expiry.
    pub refresh_families: usize,
    /// Session-to-client records older than the longest session.
    pub session_clients: usize,
    /// Impersonations whose time was up, ended (and recorded) as expired.
    pub impersonations: usize,
}

/// Runs one clean-up pass.
pub async fn run_once(state: &AppState) -> Result<Purged, StoreError> {
    let now = state.clock.now();
    let idle_after = now - state.settings.lifetimes.session_idle;
    let longest_session = now - state.settings.lifetimes.session;
    state
        .store
        .run(move |c| {
            // Before sessions are purged: ending an impersonation ends its acting session.
            let impersonations = impersonations::expire_due(c, now)?;
            Ok(Purged {
                impersonations,
                codes: codes::purge(c, now - CODE_GRACE, now)?,
                auth_requests: auth_requests::purge(c, now)?,
                sessions: sessions::purge(c, now, idle_after)?,
                denylist: denylist::purge(c, now)?,
                client_assertions: client_assertions::purge(c, now)?,
                login_attempts: login_attempts::purge(c, now - ATTEMPT_MEMORY)?,
                keys: keys::purge_expired(c, now)?,
                refresh_families: refresh_tokens::purge(c, now)?,
                session_clients: session_clients::purge(c, longest_session)?,
            })
        })
        .await
}

/// Runs the clean-up every `interval`, the first one `interval` after start, until the process ends.
pub fn spawn(state: actix_web::web::Data<AppState>, interval: Duration) {
    tokio::spawn(async move {
        let start = tokio::time::Instant::now() + interval;
        let mut tick = tokio::time::interval_at(start, interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_once(&state).await {
                Ok(purged) if purged != Purged::default() => {
                    tracing::info!(?purged, "housekeeping removed expired rows")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
        }
    });
}
