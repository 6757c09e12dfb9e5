//! Ending sign-ins: one browser session (logout), or every session and refresh token of a
//! user ("sign out everywhere"). Each is one transaction; the back-channel notices follow.

use serde::Serialize;
use serde_json::json;

use crate::audit::AuditEvent;
use crate::registry::{self, Client};
use crate::store::sessions::{self, SessionRow};
use crate::store::{DbConnection, StoreError, refresh_tokens, session_clients, transaction, users};

/// A session that ended, with the clients that received tokens in it.
#[derive(Debug, Clone)]
pub struct EndedSession {
    /// The session id (`sid`).
    pub sid: String,
    /// Its user (`sub`).
    pub user_id: String,
    /// The clients that received tokens in it (still registered).
    pub clients: Vec<Client>,
}

/// What "sign out everywhere" did.
#[derive(Debug, Clone, Serialize)]
pub struct UserSignout {
    /// The user.
    pub user_id: String,
    /// Browser sessions ended.
    pub sessions_ended: usize,
    /// Refresh-token families revoked.
    pub refresh_families_revoked: usize,
    /// The ended sessions, for back-channel logout.
    #[serde(skip)]
    pub ended: Vec<EndedSession>,
}

/// The clients of `sid`, forgetting the session's record of them.
fn take_clients(conn: &mut DbConnection, sid: &str) -> Result<Vec<Client>, StoreError> {
    let mut clients = Vec::new();
    for client_id in session_clients::clients_of(conn, sid)? {
        if let Some(client) = registry::get(conn, &client_id)? {
            clients.push(client);
        }
    }
    session_clients::forget(conn, sid)?;
    Ok(clients)
}

/// Ends one browser session: deletes it, revokes its session-bound refresh families, forgets
/// its clients and records `session.end`, in one transaction.
pub fn end_session(
    conn: &mut DbConnection,
    session: &SessionRow,
    actor: &str,
    now: i64,
) -> Result<EndedSession, StoreError> {
    transaction(conn, |conn| {
        sessions::delete(conn, &session.id_hash)?;
        let revoked = refresh_tokens::revoke_for_session(conn, &session.sid, now)?;
        let clients = take_clients(conn, &session.sid)?;
        AuditEvent::new(actor, "session.end", Some(session.user_id.clone()))
            .detail(json!({
                "sid": session.sid,
                "refresh_families_revoked": revoked,
                "clients": clients.iter().map(|c| c.client_id.as_str()).collect::<Vec<_>>(),
            }))
            .write(conn, now)?;
        Ok(EndedSession {
            sid: session.sid.clone(),
            user_id: session.user_id.clone(),
            clients,
        })
    })
}

/// Signs the user `user_id` out everywhere: bumps the token generation (older access tokens
/// turn inactive), ends every session, revokes every refresh family and records
/// `user.signout`, in one transaction. `None` when there is no such user.
pub fn sign_out_user(
    conn: &mut DbConnection,
    user_id: &str,
    actor: &str,
    now: i64,
) -> Result<Option<UserSignout>, StoreError> {
    transaction(conn, |conn| {
        let Some(done) = end_sign_ins(conn, user_id, None, now)? else {
            return Ok(None);
        };
        AuditEvent::new(actor, "user.signout", Some(done.user_id.clone()))
            .detail(json!({
                "sessions_ended": done.sessions_ended,
                "refresh_families_revoked": done.refresh_families_revoked,
            }))
            .write(conn, now)?;
        Ok(Some(done))
    })
}

/// Ends what the user `user_id` is signed in with, but the session `keep` (its `sid`, when
/// given): bumps the token generation, ends the other sessions and revokes every refresh
/// family. Writes no audit row: the caller records it in the same transaction. `None` when
/// there is no such user.
pub fn end_sign_ins(
    conn: &mut DbConnection,
    user_id: &str,
    keep: Option<&str>,
    now: i64,
) -> Result<Option<UserSignout>, StoreError> {
    let Some(user) = users::by_id(conn, user_id)? else {
        return Ok(None);
    };
    users::bump_generation(conn, &user.id)?;
    let sids = sessions::delete_for_user(conn, &user.id, keep)?;
    let mut ended = Vec::with_capacity(sids.len());
    for sid in sids {
        let clients = take_clients(conn, &sid)?;
        ended.push(EndedSession {
            sid,
            user_id: user.id.clone(),
            clients,
        });
    }
    let revoked = refresh_tokens::revoke_for_user(conn, &user.id, now)?;
    Ok(Some(UserSignout {
        user_id: user.id,
        sessions_ended: ended.len(),
        refresh_families_revoked: revoked,
        ended,
    }))
}
