//! `/admin/api/v1/resources` and `/trusted-issuers`: registration from their metadata,
//! reading, listing and deletion.

use actix_web::{HttpResponse, web};

use super::auth::Admin;
use super::problem::Problem;
use super::request::{Body, ListQuery, created, gone, item, json_body, page};
use super::schema::{Errors, Json};
use crate::manage::Manager;
use crate::state::AppState;

/// The body as text, once it is known to be JSON.
fn json_text(body: &Body) -> Result<String, Problem> {
    json_body(body)?;
    Ok(String::from_utf8_lossy(body).into_owned())
}

/// Lists resources.
#[utoipa::path(get, path = "/admin/api/v1/resources", tag = "resources", params(ListQuery),
    responses((status = 200, description = "A page of resources", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn list_resources(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let request = query.page(&state, "resources")?;
    let found = Manager::from_state(&state).list_resources(request).await?;
    page(&state, "resources", found)
}

/// Registers a resource (`identifier`, `scope`, `access_token_lifetime`, …).
#[utoipa::path(post, path = "/admin/api/v1/resources", tag = "resources", request_body = Json,
    responses((status = 201, description = "The resource, with its introspection secret once", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn create_resource(
    admin: Admin,
    state: web::Data<AppState>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    let json = json_text(&body)?;
    let made = Manager::from_state(&state)
        .create_resource(&admin.actor, json)
        .await?;
    let location = format!("{}/resources/{}", super::PREFIX, made.resource.id());
    Ok(created(&location, &made.resource, &made))
}

/// Reads a resource.
#[utoipa::path(get, path = "/admin/api/v1/resources/{id}", tag = "resources",
    params(("id" = String, Path, description = "The resource id")),
    responses((status = 200, description = "The resource", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn get_resource(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let resource = Manager::from_state(&state).get_resource(&path).await?;
    Ok(item(&resource, &resource))
}

/// Deletes a resource.
#[utoipa::path(delete, path = "/admin/api/v1/resources/{id}", tag = "resources",
    params(("id" = String, Path, description = "The resource id")),
    responses((status = 204, description = "Deleted"), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn delete_resource(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    Manager::from_state(&state)
        .delete_resource(&admin.actor, &path)
        .await?;
    Ok(gone())
}

/// Lists trusted issuers.
#[utoipa::path(get, path = "/admin/api/v1/trusted-issuers", tag = "trusted issuers", params(ListQuery),
    responses((status = 200, description = "A page of trusted issuers", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn list_trusted_issuers(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let request = query.page(&state, "trusted-issuers")?;
    let found = Manager::from_state(&state)
        .list_trusted_issuers(request)
        .await?;
    page(&state, "trusted-issuers", found)
}

/// Registers a trusted issuer from its metadata.
#[utoipa::path(post, path = "/admin/api/v1/trusted-issuers", tag = "trusted issuers", request_body = Json,
    responses((status = 201, description = "The trusted issuer", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn create_trusted_issuer(
    admin: Admin,
    state: web::Data<AppState>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    let json = json_text(&body)?;
    let made = Manager::from_state(&state)
        .create_trusted_issuer(&admin.actor, json)
        .await?;
    let location = format!("{}/trusted-issuers/{}", super::PREFIX, made.id());
    Ok(created(&location, &made, &made))
}

/// Reads a trusted issuer.
#[utoipa::path(get, path = "/admin/api/v1/trusted-issuers/{id}", tag = "trusted issuers",
    params(("id" = String, Path, description = "The trusted issuer id")),
    responses((status = 200, description = "The trusted issuer", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn get_trusted_issuer(
    _: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let found = Manager::from_state(&state)
        .get_trusted_issuer(&path)
        .await?;
    Ok(item(&found, &found))
}

/// Deletes a trusted issuer.
#[utoipa::path(delete, path = "/admin/api/v1/trusted-issuers/{id}", tag = "trusted issuers",
    params(("id" = String, Path, description = "The trusted issuer id")),
    responses((status = 204, description = "Deleted"), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn delete_trusted_issuer(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    Manager::from_state(&state)
        .delete_trusted_issuer(&admin.actor, &path)
        .await?;
    Ok(gone())
}
