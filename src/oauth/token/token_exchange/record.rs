//! The exchange's one storage step: the standing of the tokens it is made from (not revoked,
//! their client still registered, their user not signed out everywhere since), the user it is
//! for, and the audit row — read and written in one trip to the database.

use serde_json::{Value, json};

use crate::audit::AuditEvent;
use crate::store::users::{self, UserRow};
use crate::store::{DbConnection, StoreError, denylist};

use super::party::{Party, Principal};

/// Whom the new token is for, as the storage step must find them.
#[derive(Debug, Clone)]
pub enum Whom {
    /// The principal of a verified token of sigil's.
    Token(Box<Party>),
    /// The user with this username, to impersonate (never an admin).
    Impersonated(String),
}

/// What the storage step checks and writes.
#[derive(Debug, Clone)]
pub struct Step {
    /// The subject.
    pub whom: Whom,
    /// The actor's token, when there is one.
    pub actor: Option<Party>,
    /// The audit row; its `subject` is filled in with the user found.
    pub audit: AuditEvent,
    /// Whether the user's roles are needed (the `roles` scope).
    pub want_roles: bool,
    /// Now, UTC Unix seconds.
    pub now: i64,
}

/// What the storage step found.
#[derive(Debug)]
pub enum Outcome {
    /// The exchange may go on: the subject's user (`None` for a client) and its roles.
    Granted(Option<UserRow>, Vec<String>),
    /// The subject token no longer stands.
    SubjectGone,
    /// The actor token no longer stands.
    ActorGone,
    /// The requested subject does not exist or may not be impersonated (recorded).
    NotImpersonable,
}

/// The role no exchange ever impersonates.
pub const ADMIN_ROLE: &str = "admin";

/// The token's user, when it still stands: not denied (nor any token it came from), its
/// client still registered, its user there with no newer token generation. `Some(None)` for a
/// client's own token that stands.
fn standing(c: &mut DbConnection, party: &Party) -> Result<Option<Option<UserRow>>, StoreError> {
    let (sub, generation) = match &party.principal {
        Principal::User { id, generation } => (Some(id.as_str()), Some(*generation)),
        Principal::Client(_) => (None, None),
        // A trusted issuer's token is not revoked here; its user is mapped separately.
        Principal::Foreign { .. } => return Ok(Some(None)),
    };
    let Some(found) = denylist::standing(c, sub, &party.lineage, &party.clients)? else {
        return Ok(None);
    };
    if found.denied || !found.client_exists {
        return Ok(None);
    }
    match (found.user, generation) {
        (Some(user), Some(g)) if user.token_generation <= g => Ok(Some(Some(user))),
        (None, None) => Ok(Some(None)),
        _ => Ok(None),
    }
}

/// The local user a trusted issuer's user claim names (by username, else by an email only
/// one user has), with its roles; never an admin, nor a disabled user.
fn mapped(c: &mut DbConnection, value: &str) -> Result<Option<(UserRow, Vec<String>)>, StoreError> {
    let Some(user) = users::by_username_or_email(c, value)?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    let roles = users::roles(c, &user.id)?;
    if roles.iter().any(|r| r == ADMIN_ROLE) {
        return Ok(None);
    }
    Ok(Some((user, roles)))
}

/// Runs the step.
pub fn run(c: &mut DbConnection, step: Step) -> Result<Outcome, StoreError> {
    let Step {
        whom,
        actor,
        mut audit,
        want_roles,
        now,
    } = step;
    if let Some(actor) = &actor
        && standing(c, actor)?.is_none()
    {
        return Ok(Outcome::ActorGone);
    }
    let user = match whom {
        Whom::Token(party) => match &party.principal {
            Principal::Foreign { user, .. } => {
                let Some((user, roles)) = mapped(c, user)? else {
                    return Ok(Outcome::SubjectGone);
                };
                audit.subject = Some(user.id.clone());
                audit.write(c, now)?;
                return Ok(Outcome::Granted(Some(user), roles));
            }
            _ => match standing(c, &party)? {
                Some(user) => user,
                None => return Ok(Outcome::SubjectGone),
            },
        },
        Whom::Impersonated(username) => {
            let found = users::by_username(c, &username)?;
            let roles = match &found {
                Some(user) => users::roles(c, &user.id)?,
                None => Vec::new(),
            };
            match found {
                Some(user) if !roles.iter().any(|r| r == ADMIN_ROLE) => {
                    audit.subject = Some(user.id.clone());
                    audit.write(c, now)?;
                    return Ok(Outcome::Granted(Some(user), roles));
                }
                _ => {
                    let mut refused = audit.clone();
                    refused.action = "token.impersonate.refused";
                    if let Value::Object(detail) = &mut refused.detail {
                        detail.insert("requested_subject".into(), json!(username));
                    }
                    refused.write(c, now)?;
                    return Ok(Outcome::NotImpersonable);
                }
            }
        }
    };
    let roles = match &user {
        Some(user) if want_roles => users::roles(c, &user.id)?,
        _ => Vec::new(),
    };
    audit.write(c, now)?;
    Ok(Outcome::Granted(user, roles))
}
