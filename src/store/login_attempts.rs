//! Failed sign-in counters, per account and per client address (keys stored hashed).

use diesel::prelude::*;

use super::pool::native;
use super::schema::login_attempts::dsl as a;
use super::{DbConnection, StoreError};

/// Failures so far and the time of the last one, for each of the two keys that has any.
///
/// Two `=` terms rather than `IN (…)`: a statement of fixed shape stays in the connection's
/// prepared-statement cache, where a list of binds is prepared again on every call.
pub fn get_pair(
    conn: &mut DbConnection,
    first: &str,
    second: &str,
) -> Result<Vec<(String, i32, i64)>, StoreError> {
    Ok(native!(conn, |conn| a::login_attempts
        .filter(a::key_hash.eq(first).or(a::key_hash.eq(second)))
        .select((a::key_hash, a::failures, a::last_failure))
        .load(conn))?)
}

/// Counts one more failure.
pub fn record_failure(conn: &mut DbConnection, key_hash: &str, now: i64) -> Result<(), StoreError> {
    let update = |conn: &mut DbConnection| {
        diesel::update(a::login_attempts.find(key_hash))
            .set((a::failures.eq(a::failures + 1), a::last_failure.eq(now)))
            .execute(conn)
    };
    if update(conn)? > 0 {
        return Ok(());
    }
    let inserted = super::savepoint(conn, |conn| {
        diesel::insert_into(a::login_attempts)
            .values((
                a::key_hash.eq(key_hash),
                a::failures.eq(1),
                a::last_failure.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if StoreError::is_unique_violation(&e) => {
            update(conn).map(|_| ()).map_err(Into::into)
        }
        Err(e) => Err(e.into()),
    }
}

/// Forgets the failures of a key (after a successful sign-in).
pub fn clear(conn: &mut DbConnection, key_hash: &str) -> Result<(), StoreError> {
    native!(conn, |conn| diesel::delete(
        a::login_attempts.find(key_hash)
    )
    .execute(conn))?;
    Ok(())
}

/// Forgets counters whose last failure is older than `before`.
pub fn purge(conn: &mut DbConnection, before: i64) -> Result<usize, StoreError> {
    Ok(diesel::delete(a::login_attempts.filter(a::last_failure.le(before))).execute(conn)?)
}
