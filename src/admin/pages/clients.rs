//! Clients: the list with search and the registration form (`/admin/clients`), one page per
//! client (`/admin/clients/{client_id}`) with secret rotation, and deletion after a
//! confirmation page. A new secret is shown once, on the page answering its creation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Value, json};

use super::guard::{Admin, admin, admin_form};
use super::view::{self, FormErrors};
use super::{Confirm, list_query};
use crate::manage::Page;
use crate::manage::clients::{ClientView, IssuedClient};
use crate::oauth::params::RawParams;
use crate::pages::Branding;
use crate::state::AppState;

/// The fields of the registration form, as errors name them.
const FIELDS: [&str; 5] = [
    "client_name",
    "redirect_uris",
    "scope",
    "token_endpoint_auth_method",
    "grant_types",
];

/// What the registration form was filled in with.
#[derive(Debug, Clone, Default)]
pub struct ClientForm {
    /// `client_name`.
    pub client_name: String,
    /// `redirect_uris`, one per line.
    pub redirect_uris: String,
    /// `scope`.
    pub scope: String,
    /// `token_endpoint_auth_method`.
    pub auth_method: String,
    /// The grant types ticked.
    pub grants: Vec<String>,
}

impl ClientForm {
    fn from(form: &RawParams) -> Self {
        let grants = ["authorization_code", "refresh_token", "client_credentials"]
            .into_iter()
            .filter(|g| form.get(&format!("grant_{g}")).is_some())
            .map(str::to_owned)
            .collect();
        Self {
            client_name: form
                .get("client_name")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            redirect_uris: form.get("redirect_uris").unwrap_or_default().to_owned(),
            scope: form.get("scope").unwrap_or_default().trim().to_owned(),
            auth_method: form
                .get("token_endpoint_auth_method")
                .unwrap_or("client_secret_basic")
                .to_owned(),
            grants,
        }
    }

    /// The RFC 7591 metadata the form describes.
    pub fn metadata(&self) -> Value {
        let mut m = json!({
            "token_endpoint_auth_method": self.auth_method,
            "grant_types": self.grants,
            "redirect_uris": self.redirect_uris.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>(),
        });
        if let Some(map) = m.as_object_mut() {
            if !self.client_name.is_empty() {
                map.insert("client_name".into(), json!(self.client_name));
            }
            if !self.scope.is_empty() {
                map.insert("scope".into(), json!(self.scope));
            }
            let codes = self.grants.iter().any(|g| g == "authorization_code");
            map.insert(
                "response_types".into(),
                json!(if codes { vec!["code"] } else { vec![] }),
            );
        }
        m
    }

    /// Whether `grant` is ticked.
    pub fn has(&self, grant: &str) -> bool {
        self.grants.iter().any(|g| g == grant)
    }
}

/// The client list with its search and the registration form.
#[derive(Template)]
#[template(path = "admin/clients.html")]
pub struct ClientsPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token.
    pub csrf_token: String,
    /// The search text.
    pub q: String,
    /// This page of clients.
    pub clients: Page<ClientView>,
    /// The registration form as filled in.
    pub form: ClientForm,
    /// Its errors.
    pub errors: FormErrors,
}

/// The page answering a registration: the secret, shown this once.
#[derive(Template)]
#[template(path = "admin/client_created.html")]
pub struct CreatedPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The client.
    pub client_id: String,
    /// Its new secret, if it has one.
    pub secret: Option<String>,
    /// Why it is shown: `registered` or `rotated`.
    pub event: &'static str,
}

/// One client.
async fn list_page(
    admin: &Admin,
    state: &AppState,
    query: &RawParams,
    form: ClientForm,
    errors: FormErrors,
) -> HttpResponse {
    let (q, page) = list_query(query);
    let listed = if q.is_empty() {
        admin.manager.list_clients(page).await
    } else {
        admin.manager.search_clients(&q, page).await
    };
    let clients = match listed {
        Ok(clients) => clients,
        Err(e) => return view::failed(state, e),
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ClientsPage {
        brand: &state.branding,
        csrf_token: admin.csrf_token.clone(),
        q,
        clients,
        form,
        errors,
    };
    view::show(admin, state, status, &page)
}

/// `GET /admin/clients?q=…&after=…`.
#[tracing::instrument(skip_all)]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let query = super::query(&req);
    let admin = match admin(&req, &state, "/admin/clients").await {
        Ok(admin) => admin,
        Err(res) => return res,
    };
    let form = ClientForm {
        auth_method: "client_secret_basic".into(),
        grants: vec!["authorization_code".into(), "refresh_token".into()],
        ..ClientForm::default()
    };
    list_page(&admin, &state, &query, form, FormErrors::none()).await
}

/// `POST /admin/clients`: registers a client from the form (a sensitive action).
#[tracing::instrument(skip_all)]
pub async fn create(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (admin, form) = match admin_form(&req, &body, &state, "/admin/clients").await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    if let Err(res) = admin.fresh("/admin/clients") {
        return res;
    }
    let filled = ClientForm::from(&form);
    match admin
        .manager
        .create_client(&admin.actor(), filled.metadata().to_string())
        .await
    {
        Ok(issued) => created(&admin, &state, issued, "registered"),
        Err(e) => match view::refusal(&state, e, &FIELDS) {
            Ok(errors) => list_page(&admin, &state, &RawParams::default(), filled, errors).await,
            Err(res) => res,
        },
    }
}

/// The page answering a registration or a change that issued a secret, shown once.
pub(super) fn created(
    admin: &Admin,
    state: &AppState,
    issued: IssuedClient,
    event: &'static str,
) -> HttpResponse {
    let page = CreatedPage {
        brand: &state.branding,
        client_id: issued.client.client_id().to_owned(),
        secret: issued.secret,
        event,
    };
    let status = if event == "registered" {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    view::show(admin, state, status, &page)
}

/// `POST /admin/clients/{client_id}/secret`: a new secret, shown once (a sensitive action);
/// the old one stops working at once (the cached client is dropped).
#[tracing::instrument(skip_all)]
pub async fn rotate(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let back = format!("/admin/clients/{}", super::enc(&path));
    let (admin, _) = match admin_form(&req, &body, &state, &back).await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    if let Err(res) = admin.fresh(&back) {
        return res;
    }
    match admin
        .manager
        .rotate_client_secret(&admin.actor(), &path)
        .await
    {
        Ok(issued) => created(&admin, &state, issued, "rotated"),
        Err(e) => view::failed(&state, e),
    }
}

/// `GET /admin/clients/{client_id}/delete`: asks to confirm.
#[tracing::instrument(skip_all)]
pub async fn confirm_delete(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let back = format!("/admin/clients/{}", super::enc(&path));
    let admin = match admin(&req, &state, &back).await {
        Ok(admin) => admin,
        Err(res) => return res,
    };
    let client = match admin.manager.get_client(&path).await {
        Ok(client) => client,
        Err(e) => return view::failed(&state, e),
    };
    let page = Confirm {
        brand: &state.branding,
        csrf_token: admin.csrf_token.clone(),
        title: "Delete client".into(),
        question: format!(
            "Delete the client {} ({})? Its tokens stop working and it can no longer sign anyone in.",
            client
                .metadata()
                .client_name
                .as_deref()
                .unwrap_or("without a name"),
            client.client_id()
        ),
        action: format!("{back}/delete"),
        button: "Delete client".into(),
        back,
    };
    view::show(&admin, &state, StatusCode::OK, &page)
}

/// `POST /admin/clients/{client_id}/delete` (a sensitive action); the cached client is
/// dropped with it.
#[tracing::instrument(skip_all)]
pub async fn delete(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let back = format!("/admin/clients/{}/delete", super::enc(&path));
    let (admin, _) = match admin_form(&req, &body, &state, &back).await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    if let Err(res) = admin.fresh(&back) {
        return res;
    }
    match admin.manager.delete_client(&admin.actor(), &path).await {
        Ok(()) => view::see_other("/admin/clients"),
        Err(e) => view::failed(&state, e),
    }
}
