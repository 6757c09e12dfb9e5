//! Failed sign-in counters, per account and per client address (keys stored hashed).
//!
//! An attempt is counted before its password is checked: [`reserve_pair`] takes it against
//! both keys in one transaction that locks both rows first, so concurrent attempts, across
//! processes, are counted one after another and a burst gets no more checks than a sequence.

use diesel::prelude::*;

use super::pool::native;
use super::schema::login_attempts::dsl as a;
use super::{DbConnection, StoreError};

/// Takes one attempt against both keys unless `wait(key, failures, last_failure)` asks either
/// to wait first; returns the longest wait in seconds, 0 when the attempt was taken (counted
/// as a failure until [`settle_success`] gives it back).
pub fn reserve_pair(
    conn: &mut DbConnection,
    first: &str,
    second: &str,
    now: i64,
    wait: impl Fn(&str, i32, i64) -> i64,
) -> Result<i64, StoreError> {
    super::transaction(conn, |conn| {
        // The upsert locks both rows (creating them at zero) and reads them under the lock.
        let rows = [first, second].map(|key| {
            (
                a::key_hash.eq(key),
                a::failures.eq(0),
                a::last_failure.eq(0i64),
            )
        });
        let counters: Vec<(String, i32, i64)> =
            native!(conn, |conn| diesel::insert_into(a::login_attempts)
                .values(&rows[..])
                .on_conflict(a::key_hash)
                .do_update()
                .set(a::failures.eq(a::failures))
                .returning((a::key_hash, a::failures, a::last_failure))
                .get_results(conn))?;
        let longest = counters
            .iter()
            .map(|(key, failures, last)| wait(key, *failures, *last))
            .max()
            .unwrap_or(0);
        if longest > 0 {
            return Ok(longest);
        }
        native!(conn, |conn| diesel::update(
            a::login_attempts.filter(a::key_hash.eq(first).or(a::key_hash.eq(second)))
        )
        .set((a::failures.eq(a::failures + 1), a::last_failure.eq(now)))
        .execute(conn))?;
        Ok(0)
    })
}

/// Gives back the attempt a successful sign-in took: the account's failures are forgotten,
/// the address's lowered by the one this attempt added.
pub fn settle_success(
    conn: &mut DbConnection,
    account: &str,
    address: &str,
) -> Result<(), StoreError> {
    native!(conn, |conn| diesel::delete(a::login_attempts.find(account))
        .execute(conn))?;
    native!(conn, |conn| diesel::update(
        a::login_attempts.filter(a::key_hash.eq(address).and(a::failures.gt(0)))
    )
    .set(a::failures.eq(a::failures - 1))
    .execute(conn))?;
    Ok(())
}

/// Forgets counters whose last failure is older than `before`.
pub fn purge(conn: &mut DbConnection, before: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(a::login_attempts.filter(a::last_failure.le(before))).execute(conn)?)
}
