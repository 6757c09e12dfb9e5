//! Failed sign-in throttling: per account and per client address, with growing delays.
//! Unknown usernames are counted like known ones, so the answers do not reveal which exist.

use crate::secrets;
use crate::startup::AppState;
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

/// The counters a sign-in attempt is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Seconds until another attempt is allowed (0 when allowed now).
    pub wait: i64,
    /// Whether the account's key has failures on record (to clear after a success).
    pub account_counted: bool,
}

/// Reads both counters.
pub fn standing(
    conn: &mut DbConnection,
    user_key: &str,
    addr_key: &str,
    now: i64,
) -> Result<Standing, StoreError> {
    let wait = |entry: Option<(i32, i64)>, free| match entry {
        Some((failures, last)) => (last + delay(failures, free) - now).max(0),
        None => 0,
    };
    let counters = login_attempts::get_pair(conn, user_key, addr_key)?;
    let of = |key: &str| {
        counters
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, failures, last)| (*failures, *last))
    };
    let (account, address) = (of(user_key), of(addr_key));
    Ok(Standing {
        account_counted: account.is_some(),
        wait: wait(account, ACCOUNT_FREE_FAILURES).max(wait(address, ADDRESS_FREE_FAILURES)),
    })
}

/// Counts a failure against both keys.
pub async fn record_failure(
    state: &AppState,
    user_key: String,
    addr_key: String,
) -> Result<(), StoreError> {
    let now = state.clock.now();
    state
        .store
        .run(move |c| {
            login_attempts::record_failure(c, &user_key, now)?;
            login_attempts::record_failure(c, &addr_key, now)
        })
        .await
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
