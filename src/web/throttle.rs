//! Failed sign-in throttling: per account and per client address, with growing delays.
//! Unknown usernames are counted like known ones, so the answers do not reveal which exist.
//! Each attempt takes its place in the count before its password is checked.

use crate::audit::AuditEvent;
use actix_web::{HttpRequest, HttpResponse, http::header};

use crate::domain::user::Username;
use crate::secrets;
use crate::state::AppState;
use crate::store::{DbConnection, StoreError, login_attempts};

/// Failures allowed per account before delays start.
pub const ACCOUNT_FREE_FAILURES: i32 = 4;
/// Failures allowed per address before delays start (addresses may be shared).
pub const ADDRESS_FREE_FAILURES: i32 = 19;
/// Longest delay, in seconds.
pub const MAX_DELAY: i64 = 900;

/// Seconds to wait after `failures` failures, with `free` allowed before delays start:
/// 2 s, 4 s, 8 s, … up to [`MAX_DELAY`].
pub fn delay(failures: i32, free: i32) -> i64 {
    if failures <= free {
        return 0;
    }
    let exponent = u32::try_from(failures - free - 1).unwrap_or(0).min(10);
    (2i64 << exponent).min(MAX_DELAY)
}

/// The counter keys for a username and an address (hashed: no username is stored in clear).
pub fn keys(username: &str, address: &str) -> (String, String) {
    (
        secrets::digest(&format!("user:{username}")),
        secrets::digest(&format!("addr:{address}")),
    )
}

/// Whom a sign-in attempt is counted against.
#[derive(Debug, Clone)]
pub struct Counted {
    /// The typed username as stored (lower-case); empty when it cannot be a username.
    pub username: String,
    /// The account's counter key (an unusable username counts as typed, trimmed, lower-case).
    pub user_key: String,
    /// The client address's counter key.
    pub addr_key: String,
}

/// The counters an attempt from `req` with the username `typed` is counted against.
pub fn counted(req: &HttpRequest, typed: &str) -> Counted {
    let username = Username::parse(typed)
        .map(|u| u.as_str().to_owned())
        .unwrap_or_default();
    let address = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let counted_as = if username.is_empty() {
        typed.trim().to_lowercase()
    } else {
        username.clone()
    };
    let (user_key, addr_key) = keys(&counted_as, &address);
    Counted {
        username,
        user_key,
        addr_key,
    }
}

/// Adds `Retry-After: wait` to a refused attempt's page.
pub fn retry_after(mut res: HttpResponse, wait: i64) -> HttpResponse {
    if let Ok(value) = header::HeaderValue::from_str(&wait.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, value);
    }
    res
}

/// Takes one sign-in attempt against the account's and the address's counters before the
/// password is checked, or says how many seconds to wait first (then no password is checked).
/// The attempt counts as a failure until [`settle_success`] gives it back.
pub fn reserve(
    conn: &mut DbConnection,
    user_key: &str,
    addr_key: &str,
    now: i64,
) -> Result<i64, StoreError> {
    login_attempts::reserve_pair(conn, user_key, addr_key, now, |key, failures, last| {
        let free = if key == user_key {
            ACCOUNT_FREE_FAILURES
        } else {
            ADDRESS_FREE_FAILURES
        };
        (last + delay(failures, free) - now).max(0)
    })
}

/// Gives back the attempt of a sign-in whose password was right.
pub fn settle_success(
    conn: &mut DbConnection,
    user_key: &str,
    addr_key: &str,
) -> Result<(), StoreError> {
    login_attempts::settle_success(conn, user_key, addr_key)
}

/// The audit row of a sign-in of `user_id` (`login.success`; the dashboard counts them).
pub fn success_event(user_id: &str) -> AuditEvent {
    AuditEvent::new(user_id, "login.success", Some(user_id.to_owned()))
}

/// Records a refused sign-in (`login.failure`), naming the account only when it exists (the
/// typed name may be anything, even a password); a storage failure is logged, not shown.
pub async fn record_failure(state: &AppState, user_id: Option<String>) {
    let now = state.clock.now();
    let actor = user_id.clone().unwrap_or_else(|| "unknown".to_owned());
    let event = AuditEvent::new(actor, "login.failure", user_id);
    if let Err(error) = state.store.run(move |c| event.write(c, now)).await {
        tracing::warn!(%error, "could not record a failed sign-in");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_and_grow() {
        assert_eq!(delay(4, ACCOUNT_FREE_FAILURES), 0);
        assert_eq!(delay(5, ACCOUNT_FREE_FAILURES), 2);
        assert_eq!(delay(6, ACCOUNT_FREE_FAILURES), 4);
        assert_eq!(delay(9, ACCOUNT_FREE_FAILURES), 32);
        assert_eq!(delay(100, ACCOUNT_FREE_FAILURES), MAX_DELAY);
    }
}
