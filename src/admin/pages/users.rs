//! Users: the list with search and the creation form (`/admin/users`), and one page per
//! user (`/admin/users/{id}`, the id `user create` prints) with roles, password reset,
//! signing out everywhere, their sessions, and — for impersonators, on non-admins' pages —
//! the form that starts acting as them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::guard::{Admin, admin, admin_form};
use super::view::{self, FormErrors};
use super::{enc, list_query};
use crate::domain::user::UserView;
use crate::manage::impersonations::ADMIN;
use crate::manage::sessions::SessionView;
use crate::manage::users::NewUser;
use crate::manage::{Change, Edit, INVALID_USER, ManageError, Page, Precondition, etag};
use crate::oauth::params::RawParams;
use crate::pages::Branding;
use crate::state::AppState;

/// The fields of the creation form, as errors name them.
const FIELDS: [&str; 5] = ["username", "password", "email", "name", "roles"];

/// What the creation form was filled in with (never the password).
#[derive(Debug, Clone, Default)]
pub struct UserForm {
    /// `username`.
    pub username: String,
    /// `email`.
    pub email: String,
    /// `name`.
    pub name: String,
    /// `roles`, space- or comma-separated.
    pub roles: String,
}

/// Role names from a space- or comma-separated text.
pub fn roles_of(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The user list with its search and the creation form.
#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token.
    pub csrf_token: String,
    /// The search text.
    pub q: String,
    /// This page of users.
    pub users: Page<UserView>,
    /// The creation form as filled in.
    pub form: UserForm,
    /// Its errors.
    pub errors: FormErrors,
}

/// One user.
#[derive(Template)]
#[template(path = "admin/user.html")]
pub struct UserPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token.
    pub csrf_token: String,
    /// The user.
    pub user: UserView,
    /// Their live sessions.
    pub sessions: Vec<SessionView>,
    /// Whether the viewer may start acting as this user.
    pub can_impersonate: bool,
    /// The roles field as filled in.
    pub roles: String,
    /// The tag of the user as shown, the precondition of the disable form.
    pub etag: String,
    /// The reason field as filled in.
    pub reason: String,
    /// What was just done, if anything.
    pub notice: Option<String>,
    /// Errors of the form just sent.
    pub errors: FormErrors,
}

async fn list_page(
    admin: &Admin,
    state: &AppState,
    query: &RawParams,
    form: UserForm,
    errors: FormErrors,
) -> HttpResponse {
    let (q, page) = list_query(query);
    let listed = if q.is_empty() {
        admin.manager.list_users(page).await
    } else {
        admin.manager.search_users(&q, page).await
    };
    let users = match listed {
        Ok(users) => users,
        Err(e) => return view::failed(state, e),
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = UsersPage {
        brand: &state.branding,
        csrf_token: admin.csrf_token.clone(),
        q,
        users,
        form,
        errors,
    };
    view::show(admin, state, status, &page)
}

/// `GET /admin/users?q=…&after=…`.
#[tracing::instrument(skip_all)]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = super::query(&req);
    match admin(&req, &state, "/admin/users").await {
        Ok(admin) => {
            list_page(
                &admin,
                &state,
                &query,
                UserForm::default(),
                FormErrors::none(),
            )
            .await
        }
        Err(res) => res,
    }
}

/// `POST /admin/users`: creates a user from the form.
#[tracing::instrument(skip_all)]
pub async fn create(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (admin, form) = match admin_form(&req, &body, &state, "/admin/users").await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    let filled = UserForm {
        username: form.get("username").unwrap_or_default().trim().to_owned(),
        email: form.get("email").unwrap_or_default().trim().to_owned(),
        name: form.get("name").unwrap_or_default().trim().to_owned(),
        roles: form.get("roles").unwrap_or_default().trim().to_owned(),
    };
    let new = NewUser {
        username: filled.username.clone(),
        password: form.get("password").unwrap_or_default().to_owned(),
        email: Some(filled.email.clone()).filter(|e| !e.is_empty()),
        name: Some(filled.name.clone()).filter(|n| !n.is_empty()),
        roles: roles_of(&filled.roles),
    };
    if roles_of(&filled.roles).iter().any(|r| r == ADMIN)
        && let Err(res) = admin.fresh("/admin/users")
    {
        return res;
    }
    match admin.manager.create_user(&admin.actor(), new).await {
        Ok(user) => view::see_other(&format!("/admin/users/{}", enc(&user.id))),
        Err(e) => match view::refusal(&state, e, &FIELDS) {
            Ok(errors) => list_page(&admin, &state, &RawParams::default(), filled, errors).await,
            Err(res) => res,
        },
    }
}

/// The page of the user `id`, with `notice` and the `errors` of a form just sent.
pub async fn user_page(
    admin: &Admin,
    state: &AppState,
    id: &str,
    notice: Option<String>,
    errors: FormErrors,
    reason: String,
) -> HttpResponse {
    let user = match admin.manager.get_user(id).await {
        Ok(user) => user,
        Err(e) => return view::failed(state, e),
    };
    let sessions = match admin.manager.list_sessions(id).await {
        Ok(sessions) => sessions,
        Err(e) => return view::failed(state, e),
    };
    let can_impersonate = admin.is_impersonator()
        && user.id != admin.user.id
        && !user.roles.iter().any(|r| r == ADMIN);
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = UserPage {
        brand: &state.branding,
        csrf_token: admin.csrf_token.clone(),
        roles: user.roles.join(" "),
        etag: etag(&user),
        user,
        sessions,
        can_impersonate,
        reason,
        notice,
        errors,
    };
    view::show(admin, state, status, &page)
}

/// `GET /admin/users/{id}`.
#[tracing::instrument(skip_all)]
pub async fn show(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let back = format!("/admin/users/{}", enc(&path));
    let query = super::query(&req);
    match admin(&req, &state, &back).await {
        Ok(admin) => {
            let notice = query.get("done").map(notice_for);
            user_page(
                &admin,
                &state,
                &path,
                notice,
                FormErrors::none(),
                String::new(),
            )
            .await
        }
        Err(res) => res,
    }
}

/// The words for a change just made (`?done=…`).
fn notice_for(done: &str) -> String {
    match done {
        "roles" => "The roles were saved.",
        "password" => "The password was reset.",
        "signout" => "The user was signed out everywhere.",
        "session" => "The session was ended.",
        "stopped" => "You stopped acting as this user.",
        "disabled" => "The user was disabled and signed out everywhere.",
        "enabled" => "The user was enabled.",
        _ => "Done.",
    }
    .to_owned()
}

/// Disables or enables the user `id` (`disabled` = `true` or `false`) through the same
/// edit as the API's `PATCH {"disabled": …}`, under the tag (`etag`) of the page it was
/// sent from; disabling signs the user out everywhere.
async fn disable(
    admin: &Admin,
    state: &AppState,
    id: &str,
    form: &RawParams,
) -> Result<&'static str, ManageError> {
    let disabled = match form.get("disabled") {
        Some("true") => true,
        Some("false") => false,
        _ => {
            return Err(ManageError::Invalid {
                error: INVALID_USER,
                field: Some("disabled".to_owned()),
                message: "disabled must be true or false".to_owned(),
            });
        }
    };
    let tag = form.get("etag").unwrap_or_default().to_owned();
    let edit = Edit {
        precondition: Precondition::Tags(vec![tag]),
        change: Change::Merge(serde_json::json!({ "disabled": disabled })),
    };
    let edited = admin.manager.update_user(&admin.actor(), id, edit).await?;
    if let Some(signout) = edited.signout {
        super::sessions::notify(admin, state, signout.ended).await;
    }
    Ok(if disabled { "disabled" } else { "enabled" })
}

/// `POST /admin/users/{id}/{action}`: `roles`, `password`, `signout`, `disabled` or
/// `impersonation`.
#[tracing::instrument(skip_all, fields(action))]
pub async fn act(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (id, action) = path.into_inner();
    tracing::Span::current().record("action", action.as_str());
    let back = format!("/admin/users/{}", enc(&id));
    let (admin, form) = match admin_form(&req, &body, &state, &back).await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    let actor = admin.actor();
    let done = match action.as_str() {
        "roles" => {
            if let Err(res) = admin.fresh(&back) {
                return res;
            }
            let roles = roles_of(form.get("roles").unwrap_or_default());
            admin
                .manager
                .set_user_roles(&actor, &id, roles)
                .await
                .map(|_| "roles")
        }
        "password" => {
            if let Err(res) = admin.fresh(&back) {
                return res;
            }
            let password = form.get("new_password").unwrap_or_default().to_owned();
            admin
                .manager
                .set_user_password(&actor, &id, password)
                .await
                .map(|()| "password")
        }
        "signout" => match admin.manager.sign_out_user(&actor, &id).await {
            Ok(out) => {
                super::sessions::notify(&admin, &state, out.ended).await;
                Ok("signout")
            }
            Err(e) => Err(e),
        },
        "disabled" => disable(&admin, &state, &id, &form).await,
        "impersonation" => {
            return super::impersonation::start(&req, &admin, &state, &id, &form).await;
        }
        _ => return view::not_found(&state, "There is no such action on users."),
    };
    match done {
        Ok(done) => view::see_other(&format!("{back}?done={done}")),
        Err(e) => match view::refusal(&state, e, &["roles", "new_password", "disabled"]) {
            Ok(mut errors) => {
                if errors.general.is_some() && errors.fields.is_empty() {
                    let field = match action.as_str() {
                        "roles" => "roles",
                        "disabled" => "disabled",
                        _ => "new_password",
                    };
                    errors = FormErrors::at(field, errors.general.unwrap_or_default());
                }
                user_page(&admin, &state, &id, None, errors, String::new()).await
            }
            Err(res) => res,
        },
    }
}
