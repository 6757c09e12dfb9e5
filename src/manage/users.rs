//! Users: creation, reading, listing, roles, password, and signing out everywhere. Passwords
//! are hashed on the blocking pool and never leave it; no answer holds a password or hash.

use std::collections::HashMap;

use serde_json::json;

use super::{Actor, Audit, INVALID_USER, ManageError, Manager, Page, PageRequest, audited};
use crate::domain::user::{UserView, Username, parse_email, parse_name, parse_role};
use crate::signout::{self, UserSignout};
use crate::store::users::{self, UserRow};
use crate::store::{DbConnection, StoreError, lookup};

/// A user to create. The password is only ever hashed.
#[derive(Clone)]
pub struct NewUser {
    /// Login name (stored lower-case).
    pub username: String,
    /// The password, 8 to 1024 characters.
    pub password: String,
    /// Email address.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Roles.
    pub roles: Vec<String>,
}

impl std::fmt::Debug for NewUser {
    /// Everything but the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

/// Role names checked, sorted and without repeats.
pub(super) fn checked_roles(roles: &[String]) -> Result<Vec<String>, ManageError> {
    let mut roles = roles
        .iter()
        .map(|r| parse_role(r))
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// The user as shown, with `roles`.
fn view(row: UserRow, roles: Vec<String>) -> UserView {
    UserView {
        id: row.id,
        username: row.username,
        email: row.email,
        name: row.name,
        roles,
        disabled: row.disabled,
        created_at: row.created_at,
    }
}

/// Stores `row` with `roles` and records `user.create`, in one transaction; a taken
/// username is a conflict. `row` holds the password already hashed.
pub fn insert(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    row: UserRow,
    roles: Vec<String>,
) -> Result<UserView, ManageError> {
    audited(conn, actor, now, |conn| {
        users::create(conn, &row, &roles).map_err(|e| match e {
            StoreError::Conflict(_) => ManageError::Conflict {
                error: INVALID_USER,
                field: Some("username".to_owned()),
                message: format!("username '{}' is already taken", row.username),
            },
            other => other.into(),
        })?;
        let audit = Audit::new("user.create", &row.id).detail(json!({"username": row.username}));
        Ok((view(row, roles), audit))
    })
}

/// The user `id`.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<UserView, ManageError> {
    let row = users::by_id(conn, id)?.ok_or_else(|| ManageError::not_found("user", id))?;
    let roles = users::roles(conn, id)?;
    Ok(view(row, roles))
}

/// The user whose login name is `username` (compared as stored, lower-case).
pub fn by_username(conn: &mut DbConnection, username: &str) -> Result<UserView, ManageError> {
    let name =
        Username::parse(username).map_or_else(|_| username.to_owned(), |u| u.as_str().to_owned());
    let row = users::by_username(conn, &name)?.ok_or_else(|| ManageError::NotFound {
        what: "user",
        message: format!("no user named '{name}'"),
    })?;
    let roles = users::roles(conn, &row.id)?;
    Ok(view(row, roles))
}

/// One page of users, by id, each with its roles.
pub fn list(conn: &mut DbConnection, page: &PageRequest) -> Result<Page<UserView>, ManageError> {
    let rows = users::page(conn, page.after.as_deref(), page.rows())?;
    with_roles(conn, page, rows)
}

/// One page of users whose username, email or name contains `text`, by id.
pub fn search(
    conn: &mut DbConnection,
    text: &str,
    page: &PageRequest,
) -> Result<Page<UserView>, ManageError> {
    let rows = lookup::users_matching(conn, text, page.after.as_deref(), page.rows())?;
    with_roles(conn, page, rows)
}

/// The page of `rows`, each user with its roles.
fn with_roles(
    conn: &mut DbConnection,
    page: &PageRequest,
    rows: Vec<UserRow>,
) -> Result<Page<UserView>, ManageError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut roles: HashMap<String, Vec<String>> = HashMap::new();
    for (user_id, role) in users::roles_of(conn, &ids)? {
        roles.entry(user_id).or_default().push(role);
    }
    Page::from_rows(
        page,
        rows,
        |r| &r.id,
        |row| {
            let own = roles.remove(&row.id).unwrap_or_default();
            Ok::<_, ManageError>(view(row, own))
        },
    )
}

/// Replaces the roles of the user `id` and records `user.roles`, in one transaction.
pub fn set_roles(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    id: &str,
    roles: &[String],
) -> Result<UserView, ManageError> {
    let roles = checked_roles(roles)?;
    audited(conn, actor, now, |conn| {
        users::set_roles(conn, id, &roles).map_err(|e| ManageError::missing(e, "user", id))?;
        let user = get(conn, id)?;
        Ok((
            user,
            Audit::new("user.roles", id).detail(json!({"roles": roles})),
        ))
    })
}

/// Replaces the password hash of the user `id` and records `user.password` (without the
/// hash), in one transaction. Sessions stay; [`signout_everywhere`] ends them.
pub fn set_password_hash(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    id: &str,
    password_hash: &str,
) -> Result<(), ManageError> {
    audited(conn, actor, now, |conn| {
        users::set_password_hash(conn, id, password_hash)
            .map_err(|e| ManageError::missing(e, "user", id))?;
        Ok(((), Audit::new("user.password", id)))
    })
}

/// Signs the user `id` out everywhere (one transaction, recorded as `user.signout`; see
/// [`signout::sign_out_user`]); back-channel logout for the ended sessions is the caller's.
pub fn signout_everywhere(
    conn: &mut DbConnection,
    actor: &Actor,
    now: i64,
    id: &str,
) -> Result<UserSignout, ManageError> {
    signout::sign_out_user(conn, id, actor.as_str(), now)?
        .ok_or_else(|| ManageError::not_found("user", id))
}

/// A user after an edit, with what signing out did when the edit disabled it.
#[derive(Debug)]
pub struct UserEdited {
    /// The user as now stored.
    pub user: UserView,
    /// The sessions and refresh tokens ended, when the edit disabled the user.
    pub signout: Option<UserSignout>,
}

/// Hashes `password` on the blocking pool (refusing one of the wrong length).
async fn hash(password: String) -> Result<String, ManageError> {
    super::blocking(move || Ok(crate::password::hash(&password)?)).await
}

impl Manager {
    /// Creates a user: fields checked by the `domain` rules, password hashed, stored with
    /// its roles and recorded (see [`insert`]).
    pub async fn create_user(&self, actor: &Actor, user: NewUser) -> Result<UserView, ManageError> {
        let username = Username::parse(&user.username)?;
        let email = user.email.as_deref().map(parse_email).transpose()?;
        let name = user.name.as_deref().map(parse_name).transpose()?;
        let roles = checked_roles(&user.roles)?;
        let password_hash = hash(user.password).await?;
        let now = self.now();
        let row = UserRow {
            id: uuid::Uuid::new_v4().to_string(),
            username: username.as_str().to_owned(),
            email,
            name,
            password_hash,
            created_at: now,
            updated_at: now,
            email_verified: false,
            claims: "{}".to_owned(),
            token_generation: 0,
            disabled: false,
        };
        let actor = actor.clone();
        self.run(move |c| insert(c, &actor, now, row, roles)).await
    }

    /// The user `id` (see [`get`]).
    pub async fn get_user(&self, id: &str) -> Result<UserView, ManageError> {
        let id = id.to_owned();
        self.run(move |c| get(c, &id)).await
    }

    /// The user named `username` (see [`by_username`]).
    pub async fn find_user(&self, username: &str) -> Result<UserView, ManageError> {
        let username = username.to_owned();
        self.run(move |c| by_username(c, &username)).await
    }

    /// One page of users, by id (see [`list`]).
    pub async fn list_users(&self, page: PageRequest) -> Result<Page<UserView>, ManageError> {
        self.run(move |c| list(c, &page)).await
    }

    /// One page of users matching `text` (see [`search`]).
    pub async fn search_users(
        &self,
        text: &str,
        page: PageRequest,
    ) -> Result<Page<UserView>, ManageError> {
        let text = text.to_owned();
        self.run(move |c| search(c, &text, &page)).await
    }

    /// Replaces the roles of the user `id` (see [`set_roles`]).
    pub async fn set_user_roles(
        &self,
        actor: &Actor,
        id: &str,
        roles: Vec<String>,
    ) -> Result<UserView, ManageError> {
        let (actor, now, id) = (actor.clone(), self.now(), id.to_owned());
        self.run(move |c| set_roles(c, &actor, now, &id, &roles))
            .await
    }

    /// Sets the password of the user `id`, hashed (see [`set_password_hash`]).
    pub async fn set_user_password(
        &self,
        actor: &Actor,
        id: &str,
        password: String,
    ) -> Result<(), ManageError> {
        let password_hash = hash(password).await?;
        let (actor, now, id) = (actor.clone(), self.now(), id.to_owned());
        self.run(move |c| set_password_hash(c, &actor, now, &id, &password_hash))
            .await
    }

    /// Signs the user `id` out everywhere (see [`signout_everywhere`]); pass the ended
    /// sessions to [`Manager::logout_notices`] for back-channel logout.
    pub async fn sign_out_user(&self, actor: &Actor, id: &str) -> Result<UserSignout, ManageError> {
        let (actor, now, id) = (actor.clone(), self.now(), id.to_owned());
        self.run(move |c| signout_everywhere(c, &actor, now, &id))
            .await
    }
}
