//! Browser impersonation: an admin with the role `impersonator` acts as a non-admin user
//! through a session of the user's that names the admin as actor. Started with a reason,
//! ended on stop or when its time is up; each recorded (`impersonation.start`, `.stop`,
//! `.expire`). The admin's own session and the user's own sessions are never touched.

use serde::Serialize;
use serde_json::json;

use super::{Actor, Audit, INVALID_REQUEST, ManageError, Manager, Page, PageRequest, audited};
use crate::audit::AuditEvent;
use crate::secrets;
use crate::signout::{self, EndedSession};
use crate::store::impersonations::{self, ImpersonationRow};
use crate::store::sessions::{self, SessionRow};
use crate::store::{DbConnection, StoreError, transaction, users};

/// The role that lets an admin act as a user.
pub const IMPERSONATOR: &str = "impersonator";
/// The role of administrators (never impersonated).
pub const ADMIN: &str = "admin";
/// The longest reason kept, in characters.
const MAX_REASON: usize = 500;

/// An impersonation as management shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImpersonationView {
    /// Its id.
    pub id: String,
    /// The admin (`sub`).
    pub actor: String,
    /// The user acted as (`sub`).
    pub user_id: String,
    /// Why.
    pub reason: String,
    /// Started, UTC Unix seconds.
    pub started_at: i64,
    /// When it ends (or ended) by itself.
    pub expires_at: i64,
    /// When it ended, if it did.
    pub ended_at: Option<i64>,
    /// `active`, `stopped` or `expired`.
    pub status: &'static str,
}

impl ImpersonationView {
    fn of(row: ImpersonationRow, now: i64) -> Self {
        let status = match (row.ended_by.as_deref(), row.ended_at) {
            (Some("stop"), _) => "stopped",
            (_, Some(_)) => "expired",
            (None, None) if row.expires_at <= now => "expired",
            _ => "active",
        };
        Self {
            id: row.id,
            actor: row.actor_id,
            user_id: row.user_id,
            reason: row.reason,
            started_at: row.started_at,
            expires_at: row.expires_at,
            ended_at: row.ended_at,
            status,
        }
    }
}

/// A started impersonation: the acting session's cookie value (shown to nobody but the
/// browser) and what was stored.
#[derive(Clone)]
pub struct Started {
    /// The value of the acting-session cookie.
    pub cookie: String,
    /// The impersonation.
    pub view: ImpersonationView,
}

impl std::fmt::Debug for Started {
    /// Never the cookie.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started")
            .field("view", &self.view)
            .finish_non_exhaustive()
    }
}

/// What starting needs beyond the connection.
#[derive(Debug, Clone)]
pub struct Start<'a> {
    /// The admin's own live session.
    pub admin_session: &'a SessionRow,
    /// The user to act as.
    pub user_id: &'a str,
    /// Why, as the admin wrote it.
    pub reason: &'a str,
    /// Now.
    pub now: i64,
    /// Seconds it may last.
    pub max_lifetime: i64,
}

fn refused(field: &str, message: impl Into<String>) -> ManageError {
    ManageError::Invalid {
        error: INVALID_REQUEST,
        field: Some(field.to_owned()),
        message: message.into(),
    }
}

/// Starts acting as `s.user_id` from `s.admin_session`: the admin must hold `admin` and
/// `impersonator`, the user must exist, be someone else and not be an admin, and a reason
/// must be given. Stores the acting session and the impersonation and records
/// `impersonation.start`, in one transaction.
pub fn start(conn: &mut DbConnection, s: Start<'_>) -> Result<Started, ManageError> {
    let reason = s.reason.trim();
    if reason.is_empty() {
        return Err(refused("reason", "give a reason for acting as this user"));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(refused(
            "reason",
            format!("the reason is longer than {MAX_REASON} characters"),
        ));
    }
    let admin_id = s.admin_session.user_id.clone();
    let actor = Actor::new(admin_id.clone());
    let cookie = secrets::random_token(32);
    let (now, reason) = (s.now, reason.to_owned());
    audited(conn, &actor, now, |conn| {
        let roles = users::roles(conn, &admin_id)?;
        if s.admin_session.actor_id.is_some()
            || !roles.iter().any(|r| r == ADMIN)
            || !roles.iter().any(|r| r == IMPERSONATOR)
        {
            return Err(refused(
                "impersonation",
                "only an administrator with the impersonator role may act as a user",
            ));
        }
        if users::by_id(conn, s.user_id)?.is_none() {
            return Err(ManageError::not_found("user", s.user_id));
        }
        if s.user_id == admin_id || users::roles(conn, s.user_id)?.iter().any(|r| r == ADMIN) {
            return Err(refused(
                "impersonation",
                "administrators cannot be impersonated",
            ));
        }
        let expires_at = (now + s.max_lifetime).min(s.admin_session.expires_at);
        let session = SessionRow {
            id_hash: secrets::digest(&cookie),
            sid: secrets::random_token(16),
            user_id: s.user_id.to_owned(),
            auth_time: now,
            amr: s.admin_session.amr.clone(),
            created_at: now,
            last_seen: now,
            expires_at,
            actor_id: Some(admin_id.clone()),
            user_agent: s.admin_session.user_agent.clone(),
        };
        sessions::create(conn, &session)?;
        let row = ImpersonationRow {
            id: secrets::random_token(16),
            session_hash: session.id_hash.clone(),
            sid: session.sid.clone(),
            actor_id: admin_id.clone(),
            actor_session: s.admin_session.id_hash.clone(),
            user_id: s.user_id.to_owned(),
            reason: reason.clone(),
            started_at: now,
            expires_at,
            ended_at: None,
            ended_by: None,
        };
        impersonations::create(conn, &row)?;
        let audit = Audit::new("impersonation.start", s.user_id)
            .detail(json!({"reason": reason, "id": row.id, "expires_at": expires_at}));
        let view = ImpersonationView::of(row, now);
        Ok((
            Started {
                cookie: cookie.clone(),
                view,
            },
            audit,
        ))
    })
}

/// Ends `row` by `how` (`stop` by `actor`, or `expire`): marks it, ends its acting session
/// (see [`signout::end_session`]) and records `impersonation.{how}`, in one transaction.
/// `None` when it had already ended.
fn finish(
    conn: &mut DbConnection,
    row: &ImpersonationRow,
    actor: &str,
    how: &'static str,
    now: i64,
) -> Result<Option<Option<EndedSession>>, StoreError> {
    transaction(conn, |conn| {
        if !impersonations::end(conn, &row.id, now, how)? {
            return Ok(None);
        }
        let ended = match sessions::by_sid(conn, &row.sid)? {
            Some(session) => Some(signout::end_session(conn, &session, actor, now)?),
            None => None,
        };
        let action = if how == "stop" {
            "impersonation.stop"
        } else {
            "impersonation.expire"
        };
        AuditEvent::new(actor, action, Some(row.user_id.clone()))
            .detail(json!({"id": row.id, "actor": row.actor_id}))
            .write(conn, now)?;
        Ok(Some(ended))
    })
}

/// Stops the impersonation `id` for `actor`; unknown is not found, already ended a conflict.
pub fn stop(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    id: &str,
) -> Result<Option<EndedSession>, ManageError> {
    let row = impersonations::by_id(conn, id)?
        .ok_or_else(|| ManageError::not_found("impersonation", id))?;
    finish(conn, &row, actor.as_str(), "stop", now)?.ok_or_else(|| ManageError::Conflict {
        error: INVALID_REQUEST,
        field: None,
        message: format!("impersonation '{id}' has already ended"),
    })
}

/// An impersonation in force: the acting session, the impersonation and the user's name.
#[derive(Debug, Clone)]
pub struct LiveActing {
    /// The session the browser acts in.
    pub session: SessionRow,
    /// The impersonation.
    pub row: ImpersonationRow,
    /// The username of the user acted as.
    pub username: String,
}

/// What a browser's acting cookie comes to.
#[derive(Debug, Clone)]
pub enum Acting {
    /// Acting as the user.
    Live(Box<LiveActing>),
    /// Not (or no longer) acting: the cookie should go.
    Over,
}

/// Resolves the acting session `session_hash` of a browser whose own session is `admin`
/// (its id hash, when live): live while its impersonation is open, not past its time, and
/// started from that very admin session; once its time is up it is ended as `expire`
/// (recorded once); a stale one (its admin session gone) is left to expire.
pub fn resolve(
    conn: &mut DbConnection,
    admin: Option<&str>,
    session_hash: &str,
    now: i64,
    idle_after: i64,
) -> Result<Acting, StoreError> {
    let Some(row) = impersonations::open_by_session(conn, session_hash)? else {
        return Ok(Acting::Over);
    };
    if row.expires_at <= now {
        finish(conn, &row, &row.actor_id.clone(), "expire", now)?;
        return Ok(Acting::Over);
    }
    if admin != Some(row.actor_session.as_str()) {
        return Ok(Acting::Over);
    }
    let Some(session) = sessions::live(conn, session_hash, now, idle_after)? else {
        return Ok(Acting::Over);
    };
    let username = users::by_id(conn, &row.user_id)?
        .map(|u| u.username)
        .unwrap_or_default();
    Ok(Acting::Live(Box::new(LiveActing {
        session,
        row,
        username,
    })))
}

/// Ends, as `expire`, every impersonation whose time was up at `now` though its browser
/// never came back to notice (each recorded once); returns how many.
pub fn expire_due(conn: &mut DbConnection, now: i64) -> Result<usize, StoreError> {
    let mut ended = 0;
    for row in impersonations::due(conn, now)? {
        if finish(conn, &row, &row.actor_id.clone(), "expire", now)?.is_some() {
            ended += 1;
        }
    }
    Ok(ended)
}

/// The impersonation whose acting session is `session_hash`, stopped by its own admin from
/// the browser: `None` when there is none open.
pub fn stop_by_session(
    conn: &mut DbConnection,
    session_hash: &str,
    now: i64,
) -> Result<Option<Option<EndedSession>>, StoreError> {
    let Some(row) = impersonations::open_by_session(conn, session_hash)? else {
        return Ok(None);
    };
    finish(conn, &row, &row.actor_id.clone(), "stop", now)
}

/// Refuses a change only the user may make — their password — in a session an admin acts
/// in: while impersonated, the user's password cannot be changed.
pub fn refuse_while_acting(session: &SessionRow) -> Result<(), ManageError> {
    match &session.actor_id {
        Some(_) => Err(refused(
            "current_password",
            "the password cannot be changed while an administrator is acting as this user",
        )),
        None => Ok(()),
    }
}

/// One page of impersonations, by id.
pub fn list(
    conn: &mut DbConnection,
    page: &PageRequest,
    now: i64,
) -> Result<Page<ImpersonationView>, ManageError> {
    let rows = impersonations::page(conn, page.after.as_deref(), page.rows())?;
    Page::from_rows(
        page,
        rows,
        |r| &r.id,
        |r| Ok::<_, ManageError>(ImpersonationView::of(r, now)),
    )
}

impl Manager {
    /// Starts acting as `user_id` from the admin's `admin_session` (see [`start`]).
    pub async fn start_impersonation(
        &self,
        admin_session: SessionRow,
        user_id: &str,
        reason: &str,
        max_lifetime: i64,
    ) -> Result<Started, ManageError> {
        let (user_id, reason, now) = (user_id.to_owned(), reason.to_owned(), self.now());
        self.run(move |c| {
            start(
                c,
                Start {
                    admin_session: &admin_session,
                    user_id: &user_id,
                    reason: &reason,
                    now,
                    max_lifetime,
                },
            )
        })
        .await
    }

    /// One page of impersonations (see [`list`]).
    pub async fn list_impersonations(
        &self,
        page: PageRequest,
    ) -> Result<Page<ImpersonationView>, ManageError> {
        let now = self.now();
        self.run(move |c| list(c, &page, now)).await
    }

    /// Stops the impersonation `id` (see [`stop`]); back-channel logout of its session's
    /// clients goes through [`Manager::logout_notices`].
    pub async fn stop_impersonation(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<Option<EndedSession>, ManageError> {
        let (actor, now, id) = (actor.clone(), self.now(), id.to_owned());
        self.run(move |c| stop(c, &actor, now, &id)).await
    }
}
