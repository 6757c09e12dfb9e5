//! `GET /account`: the page, and how it is drawn again with a form's errors.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Visitor, notice, unavailable, visitor};
use crate::manage::Manager;
use crate::oauth::params::{self, Repeat};
use crate::pages::account::{ApplicationLine, SessionLine, when};
use crate::pages::{self, AccountPage, ScopeLine};
use crate::state::AppState;

/// Why the password form was refused, next to each field.
#[derive(Debug, Default)]
pub(super) struct PasswordErrors {
    /// On `current_password`.
    pub current: Option<String>,
    /// On `new_password`.
    pub new: Option<String>,
}

/// `GET /account[?done=…]`.
#[tracing::instrument(skip_all)]
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let visitor = match visitor(&req, &state).await {
        Ok(visitor) => visitor,
        Err(answer) => return answer,
    };
    let done = params::from_query(&req, Repeat::NEVER)
        .ok()
        .and_then(|q| q.get("done").and_then(notice));
    render(
        &state,
        &visitor,
        done.map(str::to_owned),
        PasswordErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// The account page of `visitor` with `notice` and the password form's `errors`.
pub(super) async fn render(
    state: &AppState,
    visitor: &Visitor,
    notice: Option<String>,
    errors: PasswordErrors,
    status: StatusCode,
) -> HttpResponse {
    let overview = Manager::from_state(state)
        .account_overview(&visitor.user.id)
        .await;
    let (sessions, applications) = match overview {
        Ok(overview) => overview,
        Err(e) => return unavailable(state, &e),
    };
    let sessions = sessions
        .into_iter()
        .map(|s| SessionLine {
            current: s.sid == visitor.session.sid,
            signed_in: when(s.auth_time),
            last_seen: when(s.last_seen),
            device: s.device,
            sid: s.sid,
        })
        .collect();
    let applications = applications
        .into_iter()
        .map(|a| ApplicationLine {
            scopes: a.scopes.iter().map(|s| ScopeLine::for_scope(s)).collect(),
            granted: when(a.granted_at),
            client_name: a.client_name,
            client_id: a.client_id,
        })
        .collect();
    let mut res = pages::render(
        status,
        &AccountPage {
            brand: &state.branding,
            csrf_token: state.csrf.token(&visitor.browser.id),
            username: visitor.user.username.clone(),
            name: visitor.user.name.clone(),
            email: visitor.user.email.clone(),
            notice,
            current_password_error: errors.current,
            new_password_error: errors.new,
            sessions,
            applications,
        },
    );
    visitor.browser.attach_to(&mut res, state);
    res
}
