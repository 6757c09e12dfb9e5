//! While an admin acts as a user, every page shows the banner: this middleware resolves the
//! browser's acting cookie once per request, scopes the banner for the pages rendered while
//! answering it, and clears a cookie whose impersonation is over (ending an expired one).

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::oauth::session::{self, Browser};
use crate::pages::banner::{self, Banner};
use crate::pages::cookies::CookiePolicy;
use crate::state::AppState;

/// Middleware: the impersonation banner for this request's pages.
pub async fn banner_for_acting(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return banner::scope(None, next.call(req)).await;
    };
    let policy = CookiePolicy::for_issuer(&state.settings.issuer);
    if req.cookie(policy.acting()).is_none() {
        return banner::scope(None, next.call(req)).await;
    }
    // The request is borrowed only until routing needs it back unshared.
    let (shown, stale) = {
        let http = req.request().clone();
        match session::resolve(&http, &state).await {
            Ok(resolved) => {
                let shown = resolved.acting.map(|(_, username)| Banner {
                    username,
                    csrf_token: state.csrf.token(&Browser::of(&http, &state).id),
                });
                (shown, resolved.stale_acting)
            }
            Err(error) => {
                tracing::error!(%error, "could not read the impersonation");
                (None, false)
            }
        }
    };
    let mut res = banner::scope(shown, next.call(req)).await?;
    if stale
        && res
            .response_mut()
            .add_cookie(&policy.removal(policy.acting()))
            .is_err()
    {
        tracing::warn!("could not clear the acting cookie");
    }
    Ok(res)
}
