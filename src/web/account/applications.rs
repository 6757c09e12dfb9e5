//! `POST /account/applications/revoke`: client_id, csrf_token. Forgets the person's consent to
//! the application and ends every refresh token it holds for them; the next sign-in to it
//! asks for consent again.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{back, posted, unavailable};
use crate::manage::{ManageError, Manager};
use crate::pages;
use crate::state::AppState;

/// `POST /account/applications/revoke`.
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn revoke(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (visitor, form) = match posted(&req, body, &state).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let client_id = form.get("client_id").unwrap_or_default();
    if client_id.is_empty() {
        return not_allowed(&state);
    }
    tracing::Span::current().record("client_id", client_id);
    let revoked = Manager::from_state(&state)
        .revoke_application(&visitor.actor(), &visitor.user.id, client_id)
        .await;
    match revoked {
        Ok(_) => back("revoked"),
        Err(ManageError::NotFound { .. }) => not_allowed(&state),
        Err(e) => unavailable(&state, &e),
    }
}

/// The page for an application the person has not (or no longer) allowed.
fn not_allowed(state: &AppState) -> HttpResponse {
    pages::error_page(
        &state.branding,
        StatusCode::NOT_FOUND,
        "Application not found",
        "That application has no access to your account, or it was already revoked. Go back to your account to see the applications you allowed.",
    )
}
