//! Browser sessions: a user's sessions listed, one ended, and the back-channel logout notices
//! for ended sessions. Ending is `signout`'s flow, which records it; this names its target.

use serde::Serialize;

use super::{Actor, ManageError, Manager};
use crate::backchannel;
use crate::jose::KeySet;
use crate::outbound::Notice;
use crate::signout::{self, EndedSession};
use crate::store::sessions::{self, SessionRow};
use crate::store::{DbConnection, keys, users};

/// A browser session as management shows it: never the cookie or its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionView {
    /// The public session id (`sid`).
    pub sid: String,
    /// The signed-in user.
    pub user_id: String,
    /// When the user last authenticated, UTC Unix seconds.
    pub auth_time: i64,
    /// Authentication methods (`pwd`).
    pub amr: Vec<String>,
    /// Created, UTC Unix seconds.
    pub created_at: i64,
    /// Last request seen, UTC Unix seconds.
    pub last_seen: i64,
    /// Absolute expiry, UTC Unix seconds.
    pub expires_at: i64,
    /// The browser's `User-Agent` when the session started, if it sent one.
    pub user_agent: Option<String>,
    /// The browser and system that `User-Agent` names, for people (`Chrome on Linux`).
    pub device: String,
}

impl From<SessionRow> for SessionView {
    fn from(row: SessionRow) -> Self {
        Self {
            sid: row.sid,
            user_id: row.user_id,
            auth_time: row.auth_time,
            amr: row.amr.split_whitespace().map(str::to_owned).collect(),
            created_at: row.created_at,
            last_seen: row.last_seen,
            expires_at: row.expires_at,
            device: crate::domain::device::describe(row.user_agent.as_deref()),
            user_agent: row.user_agent,
        }
    }
}

/// The sessions of the user `user_id` not past their absolute expiry, newest first.
pub fn list_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    now: i64,
) -> Result<Vec<SessionView>, ManageError> {
    if users::by_id(conn, user_id)?.is_none() {
        return Err(ManageError::not_found("user", user_id));
    }
    Ok(sessions::for_user(conn, user_id, now)?
        .into_iter()
        .map(SessionView::from)
        .collect())
}

/// Ends the session `sid` (one transaction, recorded as `session.end`; see
/// [`signout::end_session`]); back-channel logout is the caller's.
pub fn end(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    sid: &str,
) -> Result<EndedSession, ManageError> {
    let session =
        sessions::by_sid(conn, sid)?.ok_or_else(|| ManageError::not_found("session", sid))?;
    Ok(signout::end_session(conn, &session, actor.as_str(), now)?)
}

impl Manager {
    /// The live sessions of the user `user_id` (see [`list_for_user`]).
    pub async fn list_sessions(&self, user_id: &str) -> Result<Vec<SessionView>, ManageError> {
        let (user_id, now) = (user_id.to_owned(), self.now());
        self.run(move |c| list_for_user(c, &user_id, now)).await
    }

    /// Ends the session `sid` (see [`end`]).
    pub async fn end_session(&self, actor: &Actor, sid: &str) -> Result<EndedSession, ManageError> {
        let (actor, now, sid) = (actor.clone(), self.now(), sid.to_owned());
        self.run(move |c| end(c, &actor, now, &sid)).await
    }

    /// The signed back-channel logout tokens owed to the clients of `ended` sessions, for
    /// the caller to deliver; the keys are read only when some client asked for them.
    pub async fn logout_notices(
        &self,
        ended: Vec<EndedSession>,
    ) -> Result<Vec<Notice>, ManageError> {
        let wanted = ended.iter().any(|s| {
            s.clients
                .iter()
                .any(|c| c.metadata.backchannel_logout_uri.is_some())
        });
        if !wanted {
            return Ok(Vec::new());
        }
        let (store, kek, issuer, now) = (
            self.store.clone(),
            self.kek()?,
            self.issuer.clone(),
            self.now(),
        );
        super::blocking(move || {
            let rows = keys::published(&mut *store.conn()?, now)?;
            let keys = KeySet::load(&rows, &kek)?;
            Ok(backchannel::notices(&keys, &issuer, &ended, now))
        })
        .await
    }
}
