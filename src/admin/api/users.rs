//! `/admin/api/v1/users` and `/roles`: creating users (answered as `user create` answers),
//! reading, replacing and patching them (disabling ends their sessions and refresh tokens),
//! setting a password or the roles, and signing a user out everywhere.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Admin;
use super::problem::Problem;
use super::request::{
    Body, ListQuery, created, done, gone, item, json_body, page, precondition, typed_body,
};
use super::schema::{Errors, Json};
use crate::manage::users::NewUser;
use crate::manage::{Change, Edit, INVALID_USER, Manager};
use crate::signout::UserSignout;
use crate::state::AppState;

/// A user to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Login name.
    username: String,
    /// Password, 8 to 1024 characters.
    password: String,
    /// Email address.
    email: Option<String>,
    /// Display name.
    name: Option<String>,
    /// Roles.
    #[serde(default)]
    roles: Vec<String>,
}

/// A new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// Password, 8 to 1024 characters.
    password: String,
}

/// The roles a user is to hold.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoles {
    /// Role names.
    roles: Vec<String>,
}

/// Delivers the back-channel logout notices owed for what a sign-out ended.
async fn notify(state: &AppState, manager: &Manager, done: &mut UserSignout) {
    let ended = std::mem::take(&mut done.ended);
    match manager.logout_notices(ended).await {
        Ok(notices) => state.backchannel.spawn(notices),
        Err(e) => tracing::warn!(error = %e, "back-channel logout notices not made"),
    }
}

/// Lists users.
#[utoipa::path(get, path = "/admin/api/v1/users", tag = "users", params(ListQuery),
    responses((status = 200, description = "A page of users", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn list(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let request = query.page(&state, "users")?;
    let found = Manager::from_state(&state).list_users(request).await?;
    page(&state, "users", found)
}

/// Creates a user.
#[utoipa::path(post, path = "/admin/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, description = "The user, as `user create` prints it", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn create(
    admin: Admin,
    state: web::Data<AppState>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    let new: CreateUser = typed_body(&body, INVALID_USER)?;
    let user = NewUser {
        username: new.username,
        password: new.password,
        email: new.email,
        name: new.name,
        roles: new.roles,
    };
    let user = Manager::from_state(&state)
        .create_user(&admin.actor, user)
        .await?;
    let location = format!("{}/users/{}", super::PREFIX, user.id);
    Ok(created(&location, &user, &user))
}

/// Reads a user.
#[utoipa::path(get, path = "/admin/api/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "The user id")),
    responses((status = 200, description = "The user", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin, user_id = %path))]
pub async fn get(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let user = Manager::from_state(&state).get_user(&path).await?;
    Ok(item(&user, &user))
}

async fn edit(
    admin: Admin,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: &str,
    body: Body,
    change: fn(serde_json::Value) -> Change,
) -> Result<HttpResponse, Problem> {
    let doc = json_body(&body)?;
    let edit = Edit {
        precondition: precondition(&req)?,
        change: change(doc),
    };
    let manager = Manager::from_state(&state);
    let mut edited = manager.update_user(&admin.actor, id, edit).await?;
    if let Some(signout) = edited.signout.as_mut() {
        notify(&state, &manager, signout).await;
    }
    Ok(item(&edited.user, &edited.user))
}

/// Replaces a user's email, name, roles and disabled flag (`If-Match` required).
#[utoipa::path(put, path = "/admin/api/v1/users/{id}", tag = "users", request_body = Json,
    params(("id" = String, Path, description = "The user id"),
           ("If-Match" = String, Header, description = "The ETag of the last GET")),
    responses((status = 200, description = "The user as stored", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin, user_id = %path))]
pub async fn replace(
    admin: Admin,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    edit(admin, state, req, &path, body, Change::Replace).await
}

/// Patches a user with a JSON merge patch; `{"disabled": true}` ends its sessions and
/// refresh tokens (`If-Match` required).
#[utoipa::path(patch, path = "/admin/api/v1/users/{id}", tag = "users", request_body = Json,
    params(("id" = String, Path, description = "The user id"),
           ("If-Match" = String, Header, description = "The ETag of the last GET")),
    responses((status = 200, description = "The user as stored", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin, user_id = %path))]
pub async fn patch(
    admin: Admin,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    edit(admin, state, req, &path, body, Change::Merge).await
}

/// Sets a user's password.
#[utoipa::path(post, path = "/admin/api/v1/users/{id}/password", tag = "users", request_body = SetPassword,
    params(("id" = String, Path, description = "The user id")),
    responses((status = 204, description = "Set"), Errors))]
#[tracing::instrument(skip_all, fields(admin, user_id = %path))]
pub async fn set_password(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    let new: SetPassword = typed_body(&body, INVALID_USER)?;
    Manager::from_state(&state)
        .set_user_password(&admin.actor, &path, new.password)
        .await?;
    Ok(gone())
}

/// Replaces a user's roles.
#[utoipa::path(post, path = "/admin/api/v1/users/{id}/roles", tag = "users", request_body = SetRoles,
    params(("id" = String, Path, description = "The user id")),
    responses((status = 200, description = "The user with its roles", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin, user_id = %path))]
pub async fn set_roles(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    let new: SetRoles = typed_body(&body, INVALID_USER)?;
    let user = Manager::from_state(&state)
        .set_user_roles(&admin.actor, &path, new.roles)
        .await?;
    Ok(item(&user, &user))
}

/// Signs a user out everywhere: every session and refresh token ends, and access tokens
/// issued before turn inactive.
#[utoipa::path(post, path = "/admin/api/v1/users/{id}/signout", tag = "users",
    params(("id" = String, Path, description = "The user id")),
    responses((status = 200, description = "What ended", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin, user_id = %path))]
pub async fn sign_out(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let manager = Manager::from_state(&state);
    let mut out = manager.sign_out_user(&admin.actor, &path).await?;
    notify(&state, &manager, &mut out).await;
    Ok(done(&out))
}

/// Lists the roles users hold, with their holders' count.
#[utoipa::path(get, path = "/admin/api/v1/roles", tag = "users", params(ListQuery),
    responses((status = 200, description = "A page of roles", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn roles(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let request = query.page(&state, "roles")?;
    let found = Manager::from_state(&state).list_roles(request).await?;
    page(&state, "roles", found)
}

/// Reads a role.
#[utoipa::path(get, path = "/admin/api/v1/roles/{name}", tag = "users",
    params(("name" = String, Path, description = "The role name")),
    responses((status = 200, description = "The role", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn role(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let role = Manager::from_state(&state).get_role(&path).await?;
    Ok(item(&role, &role))
}
