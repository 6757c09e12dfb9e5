//! `/admin/api/v1/impersonations`: every browser impersonation (open or ended), paginated,
//! and stopping one, which ends its acting session as the stop button of its banner does.

use actix_web::{HttpResponse, web};

use super::auth::Admin;
use super::problem::Problem;
use super::request::{ListQuery, gone, page};
use super::schema::{Errors, Json};
use crate::manage::Manager;
use crate::state::AppState;

/// Lists the impersonations (`id`, `actor`, `user_id`, `reason`, `started_at`,
/// `expires_at`, `ended_at`, `status`), by id.
#[utoipa::path(get, path = "/admin/api/v1/impersonations", tag = "impersonations",
    params(ListQuery),
    responses((status = 200, description = "A page of impersonations", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn list(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let request = query.page(&state, "impersonations")?;
    let found = Manager::from_state(&state)
        .list_impersonations(request)
        .await?;
    page(&state, "impersonations", found)
}

/// Stops an open impersonation: its acting session ends and the admin's browser is the
/// admin again; recorded as `impersonation.stop` with the API caller as actor. Unknown
/// is 404, already ended 409.
#[utoipa::path(delete, path = "/admin/api/v1/impersonations/{id}", tag = "impersonations",
    params(("id" = String, Path, description = "The impersonation id")),
    responses((status = 204, description = "Stopped"), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn stop(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let manager = Manager::from_state(&state);
    let ended = manager.stop_impersonation(&admin.actor, &path).await?;
    match manager.logout_notices(ended.into_iter().collect()).await {
        Ok(notices) => state.backchannel.spawn(notices),
        Err(e) => tracing::warn!(error = %e, "back-channel logout notices not made"),
    }
    Ok(gone())
}
