//! Editing a user: email, name, roles and the disabled flag, replaced or merge-patched under
//! a precondition. Disabling a user ends its sessions and refresh tokens in the same
//! transaction, so sign-in and every token it held stop at once.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::edit::read_only;
use super::users::{checked_roles, get};
use super::{Actor, Audit, Edit, INVALID_USER, ManageError, Manager, Page, PageRequest, audited};
use crate::domain::user::{parse_email, parse_name};
use crate::signout;
use crate::store::{DbConnection, users};

/// A role and how many users hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleView {
    /// The role name.
    pub name: String,
    /// Users holding it.
    pub users: i64,
}

/// The user fields an edit sets.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserFields {
    email: Option<String>,
    name: Option<String>,
    roles: Vec<String>,
    disabled: bool,
}

fn invalid(field: &str, message: &str) -> ManageError {
    ManageError::Invalid {
        error: INVALID_USER,
        field: Some(field.to_owned()),
        message: format!("{field} {message}"),
    }
}

/// An optional text member: absent or `null` is none.
fn text(doc: &mut Map<String, Value>, field: &str) -> Result<Option<String>, ManageError> {
    match doc.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(field, "must be a string or null")),
    }
}

/// The fields of the edited document `doc`; read-only members must keep their values and
/// anything unknown is refused.
fn fields(mut doc: Map<String, Value>, current: &Value) -> Result<UserFields, ManageError> {
    for name in ["id", "username", "created_at"] {
        read_only(&mut doc, name, &current[name], INVALID_USER)?;
    }
    let email = text(&mut doc, "email")?
        .map(|e| parse_email(&e))
        .transpose()?;
    let name = text(&mut doc, "name")?
        .map(|n| parse_name(&n))
        .transpose()?;
    let roles = match doc.remove("roles") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(invalid("roles", "must be an array of strings")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => Err(invalid("roles", "must be an array of strings"))?,
    };
    let disabled = match doc.remove("disabled") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => Err(invalid("disabled", "must be true or false"))?,
    };
    if let Some(unknown) = doc.keys().next() {
        return Err(invalid(unknown, "is not a user member"));
    }
    Ok(UserFields {
        email,
        name,
        roles: checked_roles(&roles)?,
        disabled,
    })
}

/// Applies `edit` to the user `id` and records `user.update`, in one transaction; a user
/// disabled by it is signed out everywhere in the same one (recorded as `user.signout`).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    id: &str,
    edit: &Edit,
) -> Result<super::UserEdited, ManageError> {
    audited(conn, actor, now, |conn| {
        let current = get(conn, id)?;
        let doc = edit.apply(&current)?;
        let view =
            serde_json::to_value(&current).map_err(|e| ManageError::Internal(e.to_string()))?;
        let new = fields(doc, &view)?;
        if new.disabled && !current.disabled && actor.as_str() == id {
            return Err(invalid("disabled", "cannot be set on one's own account"));
        }
        users::set_profile(
            conn,
            id,
            new.email.as_deref(),
            new.name.as_deref(),
            new.disabled,
            now,
        )?;
        users::set_roles(conn, id, &new.roles)?;
        let signout = if new.disabled && !current.disabled {
            signout::sign_out_user(conn, id, actor.as_str(), now)?
        } else {
            None
        };
        let user = get(conn, id)?;
        let audit = Audit::new("user.update", id).detail(json!({
            "roles": new.roles,
            "disabled": new.disabled,
        }));
        Ok((super::UserEdited { user, signout }, audit))
    })
}

/// One page of roles, by name, with their holders' count.
pub fn roles(conn: &mut DbConnection, page: &PageRequest) -> Result<Page<RoleView>, ManageError> {
    let rows = users::role_counts(conn, page.after.as_deref(), page.rows())?;
    Page::from_rows(
        page,
        rows,
        |(name, _)| name,
        |(name, users)| Ok(RoleView { name, users }),
    )
}

/// The role `name`, when some user holds it.
pub fn role(conn: &mut DbConnection, name: &str) -> Result<RoleView, ManageError> {
    users::role_counts(conn, None, i64::MAX)?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(name, users)| RoleView { name, users })
        .ok_or_else(|| ManageError::not_found("role", name))
}

impl Manager {
    /// Applies `edit` to the user `id` (see [`update`]).
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: &str,
        edit: Edit,
    ) -> Result<super::UserEdited, ManageError> {
        let (actor, now, id) = (actor.clone(), self.now(), id.to_owned());
        self.run(move |c| update(c, &actor, now, &id, &edit)).await
    }

    /// One page of roles (see [`roles`]).
    pub async fn list_roles(&self, page: PageRequest) -> Result<Page<RoleView>, ManageError> {
        self.run(move |c| roles(c, &page)).await
    }

    /// The role `name` (see [`role`]).
    pub async fn get_role(&self, name: &str) -> Result<RoleView, ManageError> {
        let name = name.to_owned();
        self.run(move |c| role(c, &name)).await
    }
}
