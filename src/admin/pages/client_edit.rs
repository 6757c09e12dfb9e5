//! One client's page (`/admin/clients/{client_id}`) and its edit form: the metadata as a
//! JSON text, prefilled with the current metadata, replacing it through the same edit as
//! the API's `PUT`, under the tag of the page it was sent from (a change made meanwhile is
//! a clear error, never lost silently). Changing the authentication method is a sensitive
//! action (a recent sign-in); a secret the edit issues is shown once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::Value;

use super::guard::{Admin, admin, admin_form};
use super::view::{self, FormErrors};
use crate::manage::clients::ClientView;
use crate::manage::{Change, Edit, ManageError, Precondition, etag};
use crate::pages::Branding;
use crate::state::AppState;

/// The one field of the edit form.
const FIELD: &str = "metadata";

/// One client.
#[derive(Template)]
#[template(path = "admin/client.html")]
pub struct ClientPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token.
    pub csrf_token: String,
    /// The client.
    pub client: ClientView,
    /// Its metadata, pretty-printed (no secret).
    pub metadata: String,
    /// The edit form's text: the metadata, or what was just sent.
    pub edit: String,
    /// The tag of the client as shown, the edit's precondition.
    pub etag: String,
    /// Whether it has a secret to rotate.
    pub has_secret: bool,
    /// What was just done, if anything.
    pub notice: Option<&'static str>,
    /// Errors of the edit just sent.
    pub errors: FormErrors,
}

/// The page of the client `client_id`, its edit form holding `sent` (or the metadata).
pub async fn client_page(
    admin: &Admin,
    state: &AppState,
    client_id: &str,
    sent: Option<String>,
    errors: FormErrors,
    notice: Option<&'static str>,
) -> HttpResponse {
    let client = match admin.manager.get_client(client_id).await {
        Ok(client) => client,
        Err(e) => return view::failed(state, e),
    };
    let metadata = serde_json::to_string_pretty(&client).unwrap_or_default();
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ClientPage {
        brand: &state.branding,
        csrf_token: admin.csrf_token.clone(),
        has_secret: client
            .metadata()
            .token_endpoint_auth_method
            .as_str()
            .starts_with("client_secret"),
        etag: etag(&client),
        edit: sent.unwrap_or_else(|| metadata.clone()),
        metadata,
        client,
        notice,
        errors,
    };
    view::show(admin, state, status, &page)
}

/// `GET /admin/clients/{client_id}`.
#[tracing::instrument(skip_all)]
pub async fn show(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let back = format!("/admin/clients/{}", super::enc(&path));
    let notice =
        (super::query(&req).get("done") == Some("edited")).then_some("The client was saved.");
    match admin(&req, &state, &back).await {
        Ok(admin) => client_page(&admin, &state, &path, None, FormErrors::none(), notice).await,
        Err(res) => res,
    }
}

/// `POST /admin/clients/{client_id}/edit`: replaces the client's metadata with the form's
/// JSON text.
#[tracing::instrument(skip_all)]
pub async fn edit(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let back = format!("/admin/clients/{}", super::enc(&path));
    let (admin, form) = match admin_form(&req, &body, &state, &back).await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    let sent = form.get(FIELD).unwrap_or_default().to_owned();
    let refuse = |message: &str| FormErrors::at(FIELD, message);
    let doc: Value = match serde_json::from_str(&sent) {
        Ok(doc @ Value::Object(_)) => doc,
        _ => {
            let errors = refuse("the metadata must be a JSON object");
            return client_page(&admin, &state, &path, Some(sent), errors, None).await;
        }
    };
    let current = match admin.manager.get_client(&path).await {
        Ok(client) => client,
        Err(e) => return view::failed(&state, e),
    };
    let method = current
        .metadata()
        .token_endpoint_auth_method
        .as_str()
        .to_owned();
    let asked = doc
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str);
    if asked != Some(method.as_str())
        && let Err(res) = admin.fresh(&back)
    {
        return res;
    }
    let tag = form.get("etag").unwrap_or_default().to_owned();
    let edit = Edit {
        precondition: Precondition::Tags(vec![tag]),
        change: Change::Replace(doc),
    };
    match admin
        .manager
        .update_client(&admin.actor(), &path, edit)
        .await
    {
        Ok(issued) => {
            if issued.secret.is_some() {
                super::clients::created(&admin, &state, issued, "updated")
            } else {
                view::see_other(&format!("{back}?done=edited"))
            }
        }
        Err(e) => {
            let stale = matches!(e, ManageError::PreconditionFailed);
            match view::refusal(&state, e, &[]) {
                Ok(errors) => {
                    let message = errors.general.unwrap_or_default();
                    let errors = if stale {
                        FormErrors {
                            fields: Vec::new(),
                            general: Some(message),
                        }
                    } else {
                        refuse(&message)
                    };
                    client_page(&admin, &state, &path, Some(sent), errors, None).await
                }
                Err(res) => res,
            }
        }
    }
}
