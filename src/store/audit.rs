//! The audit log: append-only rows of who did what to whom.

use diesel::prelude::*;

use super::schema::audit_events::dsl as a;
use super::{DbConnection, StoreError};

/// A new audit row.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = super::schema::audit_events)]
pub struct NewAuditRow {
    /// When, UTC Unix seconds.
    pub at: i64,
    /// Who acted (`cli`, a user id, a client id).
    pub actor: String,
    /// What happened (`client.create`, `keys.rotate`, …).
    pub action: String,
    /// Whom or what it concerned.
    pub subject: Option<String>,
    /// Event details as JSON (never a secret).
    pub detail: String,
}

/// A stored audit row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::audit_events)]
pub struct AuditRow {
    /// Sequence number.
    pub id: i64,
    /// When, UTC Unix seconds.
    pub at: i64,
    /// Who acted.
    pub actor: String,
    /// What happened.
    pub action: String,
    /// Whom or what it concerned.
    pub subject: Option<String>,
    /// Event details as JSON.
    pub detail: String,
}

/// Filters for reading the log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only events at or after this time.
    pub since: Option<i64>,
    /// Only events by this actor.
    pub actor: Option<String>,
    /// Only events about this subject.
    pub subject: Option<String>,
    /// Only events of this action (`client.create`, …).
    pub action: Option<String>,
    /// Only events before this time.
    pub until: Option<i64>,
}

/// Appends one event.
pub fn append(conn: &mut DbConnection, row: &NewAuditRow) -> Result<(), StoreError> {
    diesel::insert_into(a::audit_events)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Events matching `filter`, oldest first.
pub fn list(conn: &mut DbConnection, filter: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
    page(conn, filter, Start::After(None), i64::MAX)
}

/// Where a page of events starts: after an event id, oldest first (the admin API, stable
/// while events are added), or before one, newest first (the admin pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Events with an id above this one (all when `None`), oldest first.
    After(Option<i64>),
    /// Events with an id below this one (all when `None`), newest first.
    Before(Option<i64>),
}

/// Up to `limit` events matching `filter`, from `start` on in its order.
pub fn page(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    start: Start,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut q = a::audit_events.into_boxed();
    if let Some(action) = &filter.action {
        q = q.filter(a::action.eq(action.clone()));
    }
    if let Some(until) = filter.until {
        q = q.filter(a::at.lt(until));
    }
    if let Some(since) = filter.since {
        q = q.filter(a::at.ge(since));
    }
    if let Some(actor) = &filter.actor {
        q = q.filter(a::actor.eq(actor.clone()));
    }
    if let Some(subject) = &filter.subject {
        q = q.filter(a::subject.eq(subject.clone()));
    }
    q = match start {
        Start::After(after) => {
            if let Some(after) = after {
                q = q.filter(a::id.gt(after));
            }
            q.order(a::id.asc())
        }
        Start::Before(before) => {
            if let Some(before) = before {
                q = q.filter(a::id.lt(before));
            }
            q.order(a::id.desc())
        }
    };
    Ok(q.limit(limit).select(AuditRow::as_select()).load(conn)?)
}

/// Number of events (also the readiness probe's query: it touches a real table).
pub fn count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(a::audit_events.count().get_result(conn)?)
}
