//! Resources (APIs): the list with the registration form (`identifier`, `scope`, `name`,
//! lifetime), and deletion after a confirmation page. An introspection secret is shown once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::json;

use super::guard::{Admin, admin, admin_form};
use super::view::{self, FormErrors};
use super::{Confirm, enc, list_query};
use crate::manage::Page;
use crate::manage::resources::ResourceView;
use crate::oauth::params::RawParams;
use crate::pages::Branding;
use crate::state::AppState;

/// The fields of the registration form, as errors name them.
const FIELDS: [&str; 4] = ["identifier", "scope", "name", "access_token_lifetime"];

/// The resource list with the registration form.
#[derive(Template)]
#[template(path = "admin/resources.html")]
pub struct ResourcesPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token.
    pub csrf_token: String,
    /// This page of resources.
    pub resources: Page<ResourceView>,
    /// The form as filled in, by [`FIELDS`].
    pub form: [String; 4],
    /// Its errors.
    pub errors: FormErrors,
    /// A secret just issued and the resource it belongs to, shown this once.
    pub created: Option<(String, Option<String>)>,
}

async fn list_page(
    admin: &Admin,
    state: &AppState,
    query: &RawParams,
    form: [String; 4],
    errors: FormErrors,
    created: Option<(String, Option<String>)>,
) -> HttpResponse {
    let (_, page) = list_query(query);
    let resources = match admin.manager.list_resources(page).await {
        Ok(resources) => resources,
        Err(e) => return view::failed(state, e),
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if created.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let page = ResourcesPage {
        brand: &state.branding,
        csrf_token: admin.csrf_token.clone(),
        resources,
        form,
        errors,
        created,
    };
    view::show(admin, state, status, &page)
}

/// `GET /admin/resources?after=…`.
#[tracing::instrument(skip_all)]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = super::query(&req);
    match admin(&req, &state, "/admin/resources").await {
        Ok(admin) => {
            list_page(
                &admin,
                &state,
                &query,
                Default::default(),
                FormErrors::none(),
                None,
            )
            .await
        }
        Err(res) => res,
    }
}

/// `POST /admin/resources`: registers a resource from the form.
#[tracing::instrument(skip_all)]
pub async fn create(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (admin, form) = match admin_form(&req, &body, &state, "/admin/resources").await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    let filled = FIELDS.map(|f| form.get(f).unwrap_or_default().trim().to_owned());
    let mut metadata = json!({"identifier": filled[0], "scope": filled[1]});
    if let Some(map) = metadata.as_object_mut() {
        if !filled[2].is_empty() {
            map.insert("name".into(), json!(filled[2]));
        }
        if !filled[3].is_empty() {
            match filled[3].parse::<u64>() {
                Ok(n) => map.insert("access_token_lifetime".into(), json!(n)),
                Err(_) => {
                    let errors = FormErrors::at(
                        "access_token_lifetime",
                        "Give the lifetime in whole seconds.",
                    );
                    return list_page(&admin, &state, &RawParams::default(), filled, errors, None)
                        .await;
                }
            };
        }
    }
    match admin
        .manager
        .create_resource(&admin.actor(), metadata.to_string())
        .await
    {
        Ok(created) => {
            let shown = (created.resource.identifier().to_owned(), created.secret);
            list_page(
                &admin,
                &state,
                &RawParams::default(),
                Default::default(),
                FormErrors::none(),
                Some(shown),
            )
            .await
        }
        Err(e) => match view::refusal(&state, e, &FIELDS) {
            Ok(errors) => {
                list_page(&admin, &state, &RawParams::default(), filled, errors, None).await
            }
            Err(res) => res,
        },
    }
}

/// `GET /admin/resources/{id}/delete`: asks to confirm.
#[tracing::instrument(skip_all)]
pub async fn confirm_delete(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let action = format!("/admin/resources/{}/delete", enc(&path));
    let admin = match admin(&req, &state, &action).await {
        Ok(admin) => admin,
        Err(res) => return res,
    };
    let resource = match admin.manager.get_resource(&path).await {
        Ok(resource) => resource,
        Err(e) => return view::failed(&state, e),
    };
    let page = Confirm {
        brand: &state.branding,
        csrf_token: admin.csrf_token.clone(),
        title: "Delete resource".into(),
        question: format!(
            "Delete the resource {}? Clients can no longer ask for tokens for it.",
            resource.identifier()
        ),
        action,
        button: "Delete resource".into(),
        back: "/admin/resources".into(),
    };
    view::show(&admin, &state, StatusCode::OK, &page)
}

/// `POST /admin/resources/{id}/delete` (a sensitive action).
#[tracing::instrument(skip_all)]
pub async fn delete(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let back = format!("/admin/resources/{}/delete", enc(&path));
    let (admin, _) = match admin_form(&req, &body, &state, &back).await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    if let Err(res) = admin.fresh(&back) {
        return res;
    }
    match admin.manager.delete_resource(&admin.actor(), &path).await {
        Ok(()) => view::see_other("/admin/resources"),
        Err(e) => view::failed(&state, e),
    }
}
