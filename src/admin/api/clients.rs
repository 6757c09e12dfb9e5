//! `/admin/api/v1/clients`: registration from RFC 7591 metadata (answered as `client
//! create` answers, the secret shown once), reading, replacing, patching, deleting, and
//! rotating the secret.

use actix_web::{HttpRequest, HttpResponse, web};

use super::auth::Admin;
use super::problem::Problem;
use super::request::{Body, ListQuery, created, gone, item, json_body, page, precondition};
use super::schema::{Errors, Json};
use crate::manage::{Change, Edit, Manager};
use crate::state::AppState;

const LIST: &str = "clients";

fn location(client_id: &str) -> String {
    format!("{}/clients/{client_id}", super::PREFIX)
}

/// Lists clients.
#[utoipa::path(get, path = "/admin/api/v1/clients", tag = "clients", params(ListQuery),
    responses((status = 200, description = "A page of clients", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn list(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let request = query.page(&state, LIST)?;
    let found = Manager::from_state(&state).list_clients(request).await?;
    page(&state, LIST, found)
}

/// Registers a client from RFC 7591 metadata.
#[utoipa::path(post, path = "/admin/api/v1/clients", tag = "clients", request_body = Json,
    responses((status = 201, description = "The registration response, with the secret once", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin, client_id))]
pub async fn create(
    admin: Admin,
    state: web::Data<AppState>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    json_body(&body)?;
    let json = String::from_utf8_lossy(&body).into_owned();
    let issued = Manager::from_state(&state)
        .create_client(&admin.actor, json)
        .await?;
    let id = issued.client.client_id().to_owned();
    tracing::Span::current().record("client_id", id.as_str());
    Ok(created(&location(&id), &issued.client, &issued))
}

/// Reads a client.
#[utoipa::path(get, path = "/admin/api/v1/clients/{client_id}", tag = "clients",
    params(("client_id" = String, Path, description = "The client id")),
    responses((status = 200, description = "The client, without its secret", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin, client_id = %path))]
pub async fn get(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let client = Manager::from_state(&state).get_client(&path).await?;
    Ok(item(&client, &client))
}

async fn edit(
    admin: Admin,
    state: web::Data<AppState>,
    req: HttpRequest,
    client_id: &str,
    body: Body,
    change: fn(serde_json::Value) -> Change,
) -> Result<HttpResponse, Problem> {
    let doc = json_body(&body)?;
    let edit = Edit {
        precondition: precondition(&req)?,
        change: change(doc),
    };
    let issued = Manager::from_state(&state)
        .update_client(&admin.actor, client_id, edit)
        .await?;
    Ok(item(&issued.client, &issued))
}

/// Replaces a client's metadata (`If-Match` required).
#[utoipa::path(put, path = "/admin/api/v1/clients/{client_id}", tag = "clients", request_body = Json,
    params(("client_id" = String, Path, description = "The client id"),
           ("If-Match" = String, Header, description = "The ETag of the last GET")),
    responses((status = 200, description = "The client as stored", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin, client_id = %path))]
pub async fn replace(
    admin: Admin,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    edit(admin, state, req, &path, body, Change::Replace).await
}

/// Patches a client's metadata with a JSON merge patch (`If-Match` required).
#[utoipa::path(patch, path = "/admin/api/v1/clients/{client_id}", tag = "clients", request_body = Json,
    params(("client_id" = String, Path, description = "The client id"),
           ("If-Match" = String, Header, description = "The ETag of the last GET")),
    responses((status = 200, description = "The client as stored", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin, client_id = %path))]
pub async fn patch(
    admin: Admin,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    edit(admin, state, req, &path, body, Change::Merge).await
}

/// Deletes a client.
#[utoipa::path(delete, path = "/admin/api/v1/clients/{client_id}", tag = "clients",
    params(("client_id" = String, Path, description = "The client id")),
    responses((status = 204, description = "Deleted"), Errors))]
#[tracing::instrument(skip_all, fields(admin, client_id = %path))]
pub async fn delete(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    Manager::from_state(&state)
        .delete_client(&admin.actor, &path)
        .await?;
    Ok(gone())
}

/// Gives a client a new secret, shown once in this answer.
#[utoipa::path(post, path = "/admin/api/v1/clients/{client_id}/secret", tag = "clients",
    params(("client_id" = String, Path, description = "The client id")),
    responses((status = 200, description = "The client with its new secret", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin, client_id = %path))]
pub async fn rotate_secret(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let issued = Manager::from_state(&state)
        .rotate_client_secret(&admin.actor, &path)
        .await?;
    Ok(item(&issued.client, &issued))
}
