//! `/admin/api/v1/sessions` (a user's, and ending one), `/keys` (the published keys without
//! private parts, and rotation) and `/audit` (filtered, paginated).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::auth::Admin;
use super::problem::Problem;
use super::request::{Body, ListQuery, done, gone, page, typed_body};
use super::schema::{Errors, Json};
use crate::manage::keys::purposes;
use crate::manage::{INVALID_REQUEST, Manager, Page};
use crate::state::AppState;
use crate::store::audit::AuditFilter;

/// Whose sessions to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    /// The user id (required).
    user_id: Option<String>,
    /// Items per page: 1 to 200, default 50.
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Which keys to rotate.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateKeys {
    /// One algorithm (`RS256`, `ES256`, …); every kind when absent.
    alg: Option<String>,
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events by this actor.
    actor: Option<String>,
    /// Only events about this subject.
    subject: Option<String>,
    /// Only events of this action (`client.create`, `user.update`, …).
    event: Option<String>,
    /// Only events at or after this time, UTC Unix seconds.
    since: Option<String>,
    /// Only events before this time, UTC Unix seconds.
    until: Option<String>,
    /// Items per page: 1 to 200, default 50.
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn seconds(name: &str, raw: Option<&str>) -> Result<Option<i64>, Problem> {
    raw.map(|r| {
        r.parse::<i64>().map_err(|_| {
            Problem::invalid(
                INVALID_REQUEST,
                Some(name),
                format!("{name} must be Unix seconds"),
            )
        })
    })
    .transpose()
}

/// Lists a user's live sessions.
#[utoipa::path(get, path = "/admin/api/v1/sessions", tag = "sessions", params(SessionQuery),
    responses((status = 200, description = "A page of sessions", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn list_sessions(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<SessionQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let paging = ListQuery {
        limit: query.limit,
        cursor: query.cursor,
    };
    let request = paging.page(&state, "sessions")?;
    let user_id = query
        .user_id
        .filter(|u| !u.is_empty())
        .ok_or_else(|| Problem::invalid(INVALID_REQUEST, Some("user_id"), "user_id is required"))?;
    let all = Manager::from_state(&state).list_sessions(&user_id).await?;
    page(
        &state,
        "sessions",
        Page::from_all(&request, all, |s| &s.sid),
    )
}

/// Ends a session.
#[utoipa::path(delete, path = "/admin/api/v1/sessions/{sid}", tag = "sessions",
    params(("sid" = String, Path, description = "The session id (`sid`)")),
    responses((status = 204, description = "Ended"), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn end_session(
    admin: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let manager = Manager::from_state(&state);
    let ended = manager.end_session(&admin.actor, &path).await?;
    match manager.logout_notices(vec![ended]).await {
        Ok(notices) => state.backchannel.spawn(notices),
        Err(e) => tracing::warn!(error = %e, "back-channel logout notices not made"),
    }
    Ok(gone())
}

/// Lists every key in the JWKS with its status and public JWK.
#[utoipa::path(get, path = "/admin/api/v1/keys", tag = "keys", params(ListQuery),
    responses((status = 200, description = "A page of keys", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn list_keys(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Problem> {
    let request = query.page(&state, "keys")?;
    let all = Manager::from_state(&state).list_keys().await?;
    page(&state, "keys", Page::from_all(&request, all, |k| &k.kid))
}

/// Rotates the signing and encryption keys (one algorithm, or every kind).
#[utoipa::path(post, path = "/admin/api/v1/keys/rotate", tag = "keys", request_body = RotateKeys,
    responses((status = 200, description = "The keys made active", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn rotate_keys(
    admin: Admin,
    state: web::Data<AppState>,
    body: Body,
) -> Result<HttpResponse, Problem> {
    let asked: RotateKeys = if body.is_empty() {
        RotateKeys::default()
    } else {
        typed_body(&body, INVALID_REQUEST)?
    };
    let algs = purposes(asked.alg.as_deref())?;
    let rotated = Manager::from_state(&state)
        .rotate_keys(&admin.actor, algs)
        .await?;
    state
        .keys
        .reload_if_changed()
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(done(&serde_json::json!({"rotated": rotated})))
}

/// Reads the audit log, filtered by actor, subject, event and time.
#[utoipa::path(get, path = "/admin/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "A page of audit events, oldest first", body = Json), Errors))]
#[tracing::instrument(skip_all, fields(admin))]
pub async fn audit(
    _: Admin,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, Problem> {
    let query = query.into_inner();
    let filter = AuditFilter {
        since: seconds("since", query.since.as_deref())?,
        until: seconds("until", query.until.as_deref())?,
        actor: query.actor,
        subject: query.subject,
        action: query.event,
    };
    let paging = ListQuery {
        limit: query.limit,
        cursor: query.cursor,
    };
    let request = paging.page(&state, "audit")?;
    let found = Manager::from_state(&state)
        .list_audit(filter, request)
        .await?;
    page(&state, "audit", found)
}
