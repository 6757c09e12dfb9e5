//! Keys: the published signing and encryption keys (public information only) and rotation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::guard::{admin, admin_form};
use super::view::{self, FormErrors};
use crate::jose::KeyPurpose;
use crate::manage::keys::{KeyView, RotatedKey, purposes};
use crate::pages::Branding;
use crate::state::AppState;

/// The key list with the rotation form.
#[derive(Template)]
#[template(path = "admin/keys.html")]
pub struct KeysPage<'a> {
    /// The deployment's branding.
    pub brand: &'a Branding,
    /// The CSRF token.
    pub csrf_token: String,
    /// The published keys.
    pub keys: Vec<KeyView>,
    /// The algorithms one may rotate.
    pub algs: Vec<&'static str>,
    /// What a rotation just did.
    pub rotated: Vec<RotatedKey>,
    /// The error of the `alg` field.
    pub errors: FormErrors,
}

async fn page(
    admin: &super::guard::Admin,
    state: &AppState,
    rotated: Vec<RotatedKey>,
    errors: FormErrors,
) -> HttpResponse {
    let keys = match admin.manager.list_keys().await {
        Ok(keys) => keys,
        Err(e) => return view::failed(state, e),
    };
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = KeysPage {
        brand: &state.branding,
        csrf_token: admin.csrf_token.clone(),
        keys,
        algs: KeyPurpose::names(),
        rotated,
        errors,
    };
    view::show(admin, state, status, &page)
}

/// `GET /admin/keys`.
#[tracing::instrument(skip_all)]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    match admin(&req, &state, "/admin/keys").await {
        Ok(admin) => page(&admin, &state, Vec::new(), FormErrors::none()).await,
        Err(res) => res,
    }
}

/// `POST /admin/keys/rotate` with `alg` (empty: every kind), a sensitive action.
#[tracing::instrument(skip_all)]
pub async fn rotate(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (admin, form) = match admin_form(&req, &body, &state, "/admin/keys").await {
        Ok(ok) => ok,
        Err(res) => return res,
    };
    if let Err(res) = admin.fresh("/admin/keys") {
        return res;
    }
    let alg = form.get("alg").filter(|a| !a.is_empty());
    let kinds = match purposes(alg) {
        Ok(kinds) => kinds,
        Err(e) => {
            return match view::refusal(&state, e, &["alg"]) {
                Ok(errors) => page(&admin, &state, Vec::new(), errors).await,
                Err(res) => res,
            };
        }
    };
    match admin.manager.rotate_keys(&admin.actor(), kinds).await {
        Ok(rotated) => {
            if let Err(error) = state.keys.reload_if_changed().await {
                tracing::warn!(%error, "the rotated keys will be picked up by the reloader");
            }
            page(&admin, &state, rotated, FormErrors::none()).await
        }
        Err(e) => view::failed(&state, e),
    }
}
