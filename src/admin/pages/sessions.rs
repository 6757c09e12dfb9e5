//! Sessions and the audit log: a user's live sessions by username with an end button each,
//! the impersonations with a stop button for those in force, and the audit log filtered by
//! actor, subject, action and time, newest first.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::guard::{Admin, admin, admin_form};
use super::view::{self, FormErrors};
use super::{PAGE_SIZE, enc};
use crate::manage::audit::AuditPage;
use crate::manage::impersonations::ImpersonationView;
use crate::manage::sessions::SessionView;
use crate::manage::{Page, PageRequest};
use crate::pages::Branding;
use crate::signout::EndedSession;
use crate::state::AppState;
use crate::store::audit::AuditFilter;

/// Sessions of one user, and the impersonations.
#[derive(Template)]
#[template(path = "admin/sessions.html")]
pub struct SessionsPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token.
    pub csrf_token: String,
    /// The username asked for.
    pub username: String,
    /// That user's id, when found.
    pub user_id: Option<String>,
    /// Their live sessions.
    pub sessions: Vec<SessionView>,
    /// A page of impersonations.
    pub impersonations: Page<ImpersonationView>,
    /// The error of the username field.
    pub errors: FormErrors,
}

/// The audit log with its filters.
#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditLogPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token.
    pub csrf_token: String,
    /// The filters as filled in: actor, subject, action, since.
    pub filters: [String; 4],
    /// The events.
    pub recent: Vec<crate::manage::audit::AuditView>,
    /// The query of the next (older) page, when there is one.
    pub next: Option<String>,
    /// The error of the `since` field.
    pub errors: FormErrors,
}

/// Delivers the back-channel logout notices owed for `ended` sessions, in the background.
pub async fn notify(admin: &Admin, state: &AppState, ended: Vec<EndedSession>) {
    match admin.manager.logout_notices(ended).await {
        Ok(notices) if !notices.is_empty() => state.backchannel.spawn(notices),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "could not sign the logout notices"),
    }
}

/// `GET /admin/sessions?user=USERNAME&after=…`.
#[tracing::instrument(skip_all)]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = super::query(&req);
    let admin = match admin(&req, &state, "/admin/sessions").await {
        Ok(admin) => admin,
        Err(res) => return res,
    };
    let username = query.get("user").unwrap_or_default().trim().to_owned();
    let (mut user_id, mut sessions, mut errors) = (None, Vec::new(), FormErrors::none());
    if !username.is_empty() {
        match admin.manager.find_user(&username).await {
            Ok(user) => match admin.manager.list_sessions(&user.id).await {
                Ok(found) => {
                    sessions = found;
                    user_id = Some(user.id);
                }
                Err(e) => return view::failed(&state, e),
            },
            Err(crate::manage::ManageError::NotFound { message, .. }) => {
                errors = FormErrors::at("user", message);
            }
            Err(e) => return view::failed(&state, e),
        }
    }
    let page = PageRequest {
        limit: Some(PAGE_SIZE),
        after: query.get("after").map(str::to_owned),
    };
    let impersonations = match admin.manager.list_impersonations(page).await {
        Ok(page) => page,
        Err(e) => return view::failed(&state, e),
    };
    let status = if errors.any() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let page = SessionsPage {
        brand: &state.branding,
        csrf_token: admin.csrf_token.clone(),
        username,
        user_id,
        sessions,
        impersonations,
        errors,
    };
    view::show(&admin, &state, status, &page)
}

/// `POST /admin/sessions/{sid}/end` (`user_id` says whose page to go back to).
#[tracing::instrument(skip_all)]
pub async fn end(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (admin, form) = match admin_form(&req, &body, &state, "/admin/sessions").await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    match admin.manager.end_session(&admin.actor(), &path).await {
        Ok(ended) => {
            let user_id = ended.user_id.clone();
            notify(&admin, &state, vec![ended]).await;
            let back = form.get("user_id").unwrap_or(&user_id);
            view::see_other(&format!("/admin/users/{}?done=session", enc(back)))
        }
        Err(e) => view::failed(&state, e),
    }
}

/// `POST /admin/impersonations/{id}/stop`.
#[tracing::instrument(skip_all)]
pub async fn stop_impersonation(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (admin, _) = match admin_form(&req, &body, &state, "/admin/sessions").await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    match admin
        .manager
        .stop_impersonation(&admin.actor(), &path)
        .await
    {
        Ok(ended) => {
            notify(&admin, &state, ended.into_iter().collect()).await;
            view::see_other("/admin/sessions")
        }
        Err(e) => view::failed(&state, e),
    }
}

/// A `since` filter: RFC 3339 or Unix seconds.
fn parse_since(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().or_else(|| {
        time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| t.unix_timestamp())
    })
}

/// `GET /admin/audit?actor=…&subject=…&action=…&since=…&before=…`.
#[tracing::instrument(skip_all)]
pub async fn audit(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = super::query(&req);
    let admin = match admin(&req, &state, "/admin/audit").await {
        Ok(admin) => admin,
        Err(res) => return res,
    };
    let field = |name: &str| query.get(name).unwrap_or_default().trim().to_owned();
    let filters = [
        field("actor"),
        field("subject"),
        field("action"),
        field("since"),
    ];
    let some = |v: &String| Some(v.clone()).filter(|v| !v.is_empty());
    let mut errors = FormErrors::none();
    let since = match some(&filters[3]) {
        None => None,
        Some(raw) => match parse_since(&raw) {
            Some(t) => Some(t),
            None => {
                errors = FormErrors::at(
                    "since",
                    "Use a time like 2026-12-01T10:00:00Z, or Unix seconds.",
                );
                None
            }
        },
    };
    let filter = AuditFilter {
        actor: some(&filters[0]),
        subject: some(&filters[1]),
        action: some(&filters[2]),
        since,
        until: None,
    };
    let before = query.get("before").and_then(|b| b.parse().ok());
    let page = admin.manager.newest_audit(filter, before, PAGE_SIZE).await;
    let AuditPage { items, next_before } = match page {
        Ok(page) => page,
        Err(e) => return view::failed(&state, e),
    };
    let next = next_before.map(|before| {
        format!(
            "actor={}&subject={}&action={}&since={}&before={before}",
            enc(&filters[0]),
            enc(&filters[1]),
            enc(&filters[2]),
            enc(&filters[3])
        )
    });
    let status = if errors.any() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = AuditLogPage {
        brand: &state.branding,
        csrf_token: admin.csrf_token.clone(),
        filters,
        recent: items,
        next,
        errors,
    };
    view::show(&admin, &state, status, &page)
}
