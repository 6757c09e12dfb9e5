//! `POST /account/sessions/end`: sid, csrf_token. Ends one of the person's own sessions (this
//! one too, which signs this browser out); another person's session is not found.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{back, notify_ended, posted, unavailable};
use crate::manage::{ManageError, Manager};
use crate::pages;
use crate::state::AppState;

/// `POST /account/sessions/end`.
#[tracing::instrument(skip_all)]
pub async fn end(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (visitor, form) = match posted(&req, body, &state).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    let sid = form.get("sid").unwrap_or_default();
    if sid.is_empty() {
        return not_yours(&state);
    }
    let ended = Manager::from_state(&state)
        .end_own_session(&visitor.actor(), &visitor.user.id, sid)
        .await;
    match ended {
        Ok(ended) => {
            notify_ended(&state, vec![ended]).await;
            back("session")
        }
        Err(ManageError::NotFound { .. }) => not_yours(&state),
        Err(e) => unavailable(&state, &e),
    }
}

/// The page for a session that is not (or no longer) one of the person's own.
fn not_yours(state: &AppState) -> HttpResponse {
    pages::error_page(
        &state.branding,
        StatusCode::NOT_FOUND,
        "Session not found",
        "That session has already ended, or is not one of yours. Go back to your account to see where you are signed in.",
    )
}
