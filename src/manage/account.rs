//! A user's own account: changing their password (which ends every other sign-in), ending
//! one of their sessions, and the applications they granted consent to, revoked one by one.
//! Each change is one transaction with its audit row, the user as actor.

use serde::Serialize;
use serde_json::json;

use super::sessions::SessionView;
use super::{Actor, Audit, INVALID_USER, ManageError, Manager, audited};
use crate::password::PasswordError;
use crate::registry;
use crate::signout::{self, EndedSession, UserSignout};
use crate::store::sessions;
use crate::store::{DbConnection, consents, refresh_tokens, users};

/// A password change asked for by the signed-in user, from the session `keep_sid`.
#[derive(Clone)]
pub struct PasswordChange {
    /// The user (`sub`).
    pub user_id: String,
    /// The session the change comes from, which stays signed in.
    pub keep_sid: String,
    /// The password the user typed as their current one.
    pub current: String,
    /// The new password, 8 to 1024 characters like every password.
    pub new: String,
}

impl std::fmt::Debug for PasswordChange {
    /// Neither password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordChange")
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// An application the user let in: the client and the scopes they consented to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationView {
    /// The client's id.
    pub client_id: String,
    /// The client's name for people (its id when it has none, or is no longer registered).
    pub client_name: String,
    /// The granted scopes.
    pub scopes: Vec<String>,
    /// When consent was last given, UTC Unix seconds.
    pub granted_at: i64,
}

/// The refusal of a wrong current password, told next to its field.
fn wrong_current_password() -> ManageError {
    ManageError::Invalid {
        error: INVALID_USER,
        field: Some("current_password".to_owned()),
        message: "The current password is not correct.".to_owned(),
    }
}

/// Stores `password_hash` as the user's password and ends every other sign-in of theirs —
/// sessions but `keep_sid`, every refresh token, access tokens issued before (see
/// [`signout::end_sign_ins`]) — recorded as `user.password`, in one transaction.
pub fn set_own_password(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    user_id: &str,
    keep_sid: &str,
    password_hash: &str,
) -> Result<UserSignout, ManageError> {
    audited(conn, actor, now, |conn| {
        let done = signout::end_sign_ins(conn, user_id, Some(keep_sid), now)?
            .ok_or_else(|| ManageError::not_found("user", user_id))?;
        users::set_password_hash(conn, user_id, password_hash)
            .map_err(|e| ManageError::missing(e, "user", user_id))?;
        let audit = Audit::new("user.password", user_id).detail(json!({
            "kept_session": keep_sid,
            "sessions_ended": done.sessions_ended,
            "refresh_families_revoked": done.refresh_families_revoked,
        }));
        Ok((done, audit))
    })
}

/// Ends the session `sid` of the user `user_id` (recorded as `session.end`); another user's
/// session, or none, is not found.
pub fn end_own_session(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    user_id: &str,
    sid: &str,
) -> Result<EndedSession, ManageError> {
    let session = sessions::by_sid(conn, sid)?
        .filter(|s| s.user_id == user_id)
        .ok_or_else(|| ManageError::not_found("session", sid))?;
    Ok(signout::end_session(conn, &session, actor.as_str(), now)?)
}

/// The applications the user `user_id` granted consent to, most recent first.
pub fn applications(
    conn: &mut DbConnection,
    user_id: &str,
) -> Result<Vec<ApplicationView>, ManageError> {
    let mut apps = Vec::new();
    for row in consents::for_user(conn, user_id)? {
        let client_name = registry::get(conn, &row.client_id)?
            .map_or_else(|| row.client_id.clone(), |c| c.display_name());
        apps.push(ApplicationView {
            client_name,
            scopes: row.scope.split_whitespace().map(str::to_owned).collect(),
            client_id: row.client_id,
            granted_at: row.granted_at,
        });
    }
    Ok(apps)
}

/// Revokes the consent the user `user_id` gave `client_id` and every refresh token that
/// client holds for them (with the access tokens minted from those), recorded as
/// `consent.revoke`, in one transaction; returns how many refresh-token families ended.
pub fn revoke_application(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    user_id: &str,
    client_id: &str,
) -> Result<usize, ManageError> {
    audited(conn, actor, now, |conn| {
        if !consents::revoke(conn, user_id, client_id)? {
            return Err(ManageError::NotFound {
                what: "consent",
                message: format!("no consent given to the client '{client_id}'"),
            });
        }
        let revoked = refresh_tokens::revoke_for_user_client(conn, user_id, client_id, now)?;
        let audit = Audit::new("consent.revoke", user_id).detail(json!({
            "client_id": client_id,
            "refresh_families_revoked": revoked,
        }));
        Ok((revoked, audit))
    })
}

impl Manager {
    /// Changes a user's own password: the current one is checked and the new one hashed on
    /// the blocking pool, then [`set_own_password`] stores it and ends the other sign-ins.
    /// A wrong current password is refused on `current_password`, a new one of the wrong
    /// length on `new_password`.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        change: PasswordChange,
    ) -> Result<UserSignout, ManageError> {
        // Longer than any password: wrong without hashing it.
        if change.current.chars().count() > 1024 {
            return Err(wrong_current_password());
        }
        let user_id = change.user_id.clone();
        let row = self
            .run(move |c| Ok(users::by_id(c, &user_id)?))
            .await?
            .ok_or_else(|| ManageError::not_found("user", &change.user_id))?;
        let (current, phc) = (change.current, row.password_hash);
        if !super::blocking(move || Ok(crate::password::verify(&current, &phc))).await? {
            return Err(wrong_current_password());
        }
        let new = change.new;
        let password_hash = super::blocking(move || {
            crate::password::hash(&new).map_err(|e| match e {
                PasswordError::Length => ManageError::Invalid {
                    error: INVALID_USER,
                    field: Some("new_password".to_owned()),
                    message: "The new password must be 8 to 1024 characters long.".to_owned(),
                },
                other => other.into(),
            })
        })
        .await?;
        let (actor, now) = (actor.clone(), self.now());
        let (user_id, keep_sid) = (change.user_id, change.keep_sid);
        self.run(move |c| set_own_password(c, &actor, now, &user_id, &keep_sid, &password_hash))
            .await
    }

    /// Ends the session `sid` of the user `user_id` (see [`end_own_session`]).
    pub async fn end_own_session(
        &self,
        actor: &Actor,
        user_id: &str,
        sid: &str,
    ) -> Result<EndedSession, ManageError> {
        let (actor, now) = (actor.clone(), self.now());
        let (user_id, sid) = (user_id.to_owned(), sid.to_owned());
        self.run(move |c| end_own_session(c, &actor, now, &user_id, &sid))
            .await
    }

    /// The user's live sessions (neither expired nor idle), newest first, and the
    /// applications they let in, read together.
    pub async fn account_overview(
        &self,
        user_id: &str,
    ) -> Result<(Vec<SessionView>, Vec<ApplicationView>), ManageError> {
        let (user_id, now) = (user_id.to_owned(), self.now());
        let idle_after = now - self.session_idle;
        self.run(move |c| {
            let mut sessions = super::sessions::list_for_user(c, &user_id, now)?;
            sessions.retain(|s| s.last_seen > idle_after);
            Ok((sessions, applications(c, &user_id)?))
        })
        .await
    }

    /// Revokes the user's consent to `client_id` and its refresh tokens (see
    /// [`revoke_application`]).
    pub async fn revoke_application(
        &self,
        actor: &Actor,
        user_id: &str,
        client_id: &str,
    ) -> Result<usize, ManageError> {
        let (actor, now) = (actor.clone(), self.now());
        let (user_id, client_id) = (user_id.to_owned(), client_id.to_owned());
        self.run(move |c| revoke_application(c, &actor, now, &user_id, &client_id))
            .await
    }
}
