//! The browser: its binding cookie and its server-side SSO session.

use actix_web::{HttpRequest, HttpResponse};

use crate::manage::impersonations::{self, Acting, LiveActing};
use crate::secrets;
use crate::state::AppState;
use crate::store::impersonations::ImpersonationRow;
use crate::store::sessions::{self, SessionRow};
use crate::store::{DbConnection, StoreError};

use crate::pages::cookies::CookiePolicy;

/// Seconds the browser-binding cookie lives.
const BROWSER_COOKIE_LIFETIME: i64 = 30 * 86_400;

/// Seconds between `last_seen` updates (so not every request writes).
const TOUCH_EVERY: i64 = 60;

/// The browser's binding id, and whether it was just made (then it must be set on the response).
#[derive(Debug, Clone)]
pub struct Browser {
    /// The id in the cookie (random, with its MAC).
    pub id: String,
    /// Whether the response must set the cookie.
    pub is_new: bool,
}

impl Browser {
    /// Reads the browser cookie when it holds an id this server issued, or makes a new id.
    pub fn of(req: &HttpRequest, state: &AppState) -> Self {
        let policy = CookiePolicy::for_issuer(&state.settings.issuer);
        match req.cookie(policy.browser()) {
            Some(c) if state.csrf.issued_browser_id(c.value()) => Self {
                id: c.value().to_owned(),
                is_new: false,
            },
            _ => Self {
                id: state.csrf.new_browser_id(),
                is_new: true,
            },
        }
    }

    /// SHA-256 of the id, as stored beside pending requests.
    pub fn hash(&self) -> String {
        secrets::digest(&self.id)
    }

    /// Sets the cookie on `res` when it is new.
    pub fn attach_to(&self, res: &mut HttpResponse, state: &AppState) {
        if self.is_new {
            let policy = CookiePolicy::for_issuer(&state.settings.issuer);
            let cookie = policy.build(
                policy.browser(),
                self.id.clone(),
                Some(BROWSER_COOKIE_LIFETIME),
            );
            if res.add_cookie(&cookie).is_err() {
                tracing::warn!("could not set the browser cookie");
            }
        }
    }
}

/// The live SSO session of this request, refreshing its idle timer: the session the browser
/// acts as a user in while an admin impersonates one, else its own.
pub async fn current(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(resolve(req, state).await?.session)
}

/// The sessions of a request: the one it counts as, and the impersonation behind it.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// The session the request counts as (the acting one while impersonating).
    pub session: Option<SessionRow>,
    /// The impersonation in force, if any, with the username acted as.
    pub acting: Option<(ImpersonationRow, String)>,
    /// Whether the browser holds an acting cookie that no longer counts (to be cleared).
    pub stale_acting: bool,
}

/// Reads the browser's own session and, when it holds an acting cookie, the impersonation
/// (ending it as expired once its time is up; see [`impersonations::resolve`]).
pub async fn resolve(req: &HttpRequest, state: &AppState) -> Result<Resolved, StoreError> {
    let policy = CookiePolicy::for_issuer(&state.settings.issuer);
    let own = req
        .cookie(policy.session())
        .map(|c| secrets::digest(c.value()));
    let acting = req
        .cookie(policy.acting())
        .map(|c| secrets::digest(c.value()));
    if own.is_none() && acting.is_none() {
        return Ok(Resolved::default());
    }
    let now = state.clock.now();
    let idle_after = now - state.settings.lifetimes.session_idle;
    state
        .store
        .run(move |c| {
            let own = match own {
                Some(hash) => sessions::live(c, &hash, now, idle_after)?,
                None => None,
            };
            let mut resolved = Resolved::default();
            if let Some(acting) = acting {
                let admin = own.as_ref().map(|s| s.id_hash.as_str());
                match impersonations::resolve(c, admin, &acting, now, idle_after)? {
                    Acting::Live(live) => {
                        let LiveActing {
                            session,
                            row,
                            username,
                        } = *live;
                        resolved.session = Some(session);
                        resolved.acting = Some((row, username));
                    }
                    Acting::Over => resolved.stale_acting = true,
                }
            }
            if resolved.session.is_none() {
                resolved.session = own;
            }
            if let Some(row) = &resolved.session
                && row.last_seen + TOUCH_EVERY <= now
            {
                sessions::touch(c, &row.id_hash, now)?;
            }
            Ok(resolved)
        })
        .await
}

/// The request's `User-Agent`, cut to [`sessions::USER_AGENT_MAX`] bytes; `None` without one.
pub fn user_agent(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)?
        .to_str()
        .ok()?
        .trim();
    let mut end = value.len().min(sessions::USER_AGENT_MAX);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    Some(value[..end].to_owned()).filter(|v| !v.is_empty())
}

/// A new session for `user_id` started from the browser `user_agent` names (a fresh id on
/// every login: no fixation): the row to store with [`replace`] and the cookie to set.
pub fn fresh(
    state: &AppState,
    user_id: String,
    amr: &str,
    user_agent: Option<String>,
) -> (SessionRow, actix_web::cookie::Cookie<'static>) {
    let now = state.clock.now();
    let value = secrets::random_token(32);
    let row = SessionRow {
        id_hash: secrets::digest(&value),
        sid: secrets::random_token(16),
        user_id,
        auth_time: now,
        amr: amr.to_owned(),
        created_at: now,
        last_seen: now,
        expires_at: now + state.settings.lifetimes.session,
        actor_id: None,
        user_agent,
    };
    let policy = CookiePolicy::for_issuer(&state.settings.issuer);
    let cookie = policy.build(policy.session(), value, None);
    (row, cookie)
}

/// Stores a new session, ending the browser's `previous` one (its id hash), if any.
pub fn replace(
    conn: &mut DbConnection,
    row: &SessionRow,
    previous: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(old) = previous {
        sessions::delete(conn, old)?;
    }
    sessions::create(conn, row)
}
