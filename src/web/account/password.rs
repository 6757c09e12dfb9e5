//! `POST /account/password`: current_password, new_password, csrf_token. The current password
//! is checked like a sign-in (it counts against the same failure counters); on success every
//! other session and every refresh token of the user ends, and this session stays.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::page::{PasswordErrors, render};
use super::{back, notify_ended, posted, unavailable};
use crate::manage::account::PasswordChange;
use crate::manage::impersonations;
use crate::manage::{ManageError, Manager};
use crate::state::AppState;
use crate::web::{local_login, throttle};

/// `POST /account/password`.
#[tracing::instrument(skip_all)]
pub async fn change(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (visitor, form) = match posted(&req, body, &state).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    // While an admin acts as the user, the user's password stays theirs to change.
    if let Err(refused) = impersonations::refuse_while_acting(&visitor.session) {
        let errors = PasswordErrors {
            current: Some(refused.to_string()),
            new: None,
        };
        return render(&state, &visitor, None, errors, StatusCode::FORBIDDEN).await;
    }
    let current = form.get("current_password").unwrap_or_default().to_owned();
    let new = form.get("new_password").unwrap_or_default().to_owned();
    let errors = PasswordErrors {
        current: current
            .is_empty()
            .then(|| "Enter your current password.".to_owned()),
        new: new.is_empty().then(|| "Choose a new password.".to_owned()),
    };
    if errors.current.is_some() || errors.new.is_some() {
        return render(&state, &visitor, None, errors, StatusCode::BAD_REQUEST).await;
    }
    let throttle::Counted {
        user_key, addr_key, ..
    } = throttle::counted(&req, &visitor.user.username);
    let (uk, ak, now) = (user_key.clone(), addr_key.clone(), state.clock.now());
    let wait = match state
        .store
        .run(move |c| throttle::reserve(c, &uk, &ak, now))
        .await
    {
        Ok(wait) => wait,
        Err(e) => return unavailable(&state, &e),
    };
    if wait > 0 {
        let errors = PasswordErrors {
            current: Some(format!(
                "Too many wrong passwords. Wait {wait} seconds, then try again."
            )),
            new: None,
        };
        return render(
            &state,
            &visitor,
            None,
            errors,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let change = PasswordChange {
        user_id: visitor.user.id.clone(),
        keep_sid: visitor.session.sid.clone(),
        current,
        new,
    };
    let changed = Manager::from_state(&state)
        .change_own_password(&visitor.actor(), change)
        .await;
    let current_was_right = !matches!(
        &changed,
        Err(ManageError::Invalid { field: Some(f), .. }) if f == "current_password"
    );
    if current_was_right {
        let settled = state
            .store
            .run(move |c| throttle::settle_success(c, &user_key, &addr_key))
            .await;
        if let Err(e) = settled {
            tracing::warn!(error = %e, "a right password's attempt could not be given back");
        }
    }
    match changed {
        Ok(done) => {
            notify_ended(&state, done.ended).await;
            back("password")
        }
        Err(ManageError::Invalid {
            field: Some(field),
            message,
            ..
        }) => {
            let mut errors = PasswordErrors::default();
            if field == "current_password" {
                errors.current = Some(message);
            } else {
                errors.new = Some(message);
            }
            render(&state, &visitor, None, errors, StatusCode::BAD_REQUEST).await
        }
        Err(ManageError::NotFound { .. }) => local_login::through_sign_in(super::ACCOUNT),
        Err(e) => unavailable(&state, &e),
    }
}
