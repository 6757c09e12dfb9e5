//! Reading the audit log: events filtered by actor, subject, action and time, a page at a time.

use serde::Serialize;
use serde_json::Value;

use super::{ManageError, Manager, Page, PageRequest};
use crate::store::DbConnection;
use crate::store::audit::{self, AuditFilter, AuditRow, Start};

/// One audit event as management shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditView {
    /// Sequence number.
    pub id: i64,
    /// When, UTC Unix seconds.
    pub at: i64,
    /// Who acted.
    pub actor: String,
    /// What happened (`client.create`, …).
    pub action: String,
    /// Whom or what it concerned.
    pub subject: Option<String>,
    /// Details (never a secret).
    pub detail: Value,
}

impl From<AuditRow> for AuditView {
    fn from(row: AuditRow) -> Self {
        Self {
            detail: serde_json::from_str(&row.detail).unwrap_or(Value::Null),
            id: row.id,
            at: row.at,
            actor: row.actor,
            action: row.action,
            subject: row.subject,
        }
    }
}

/// One page of the events matching `filter`, oldest first; the page's `after` is an event id.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    page: &PageRequest,
) -> Result<Page<AuditView>, ManageError> {
    let after = match page.after.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| ManageError::invalid_request("cursor", "unknown cursor".to_owned()))?,
        ),
    };
    let rows = audit::page(conn, filter, Start::After(after), page.rows())?;
    let rows: Vec<(String, AuditRow)> = rows.into_iter().map(|r| (r.id.to_string(), r)).collect();
    Page::from_rows(
        page,
        rows,
        |(id, _)| id,
        |(_, row)| Ok(AuditView::from(row)),
    )
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditPage {
    /// The events.
    pub items: Vec<AuditView>,
    /// The id to ask the next (older) page before; `None` on the last page.
    pub next_before: Option<i64>,
}

/// Up to `limit` events matching `filter` older than the event `before` (the newest when
/// `None`), newest first.
pub fn newest(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> Result<AuditPage, ManageError> {
    let limit = limit.clamp(1, super::MAX_LIMIT) as usize;
    let mut rows = audit::page(conn, filter, Start::Before(before), limit as i64 + 1)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_before = rows.last().filter(|_| more).map(|r| r.id);
    Ok(AuditPage {
        items: rows.into_iter().map(AuditView::from).collect(),
        next_before,
    })
}

impl Manager {
    /// A page of the audit log, newest first (see [`newest`]).
    pub async fn newest_audit(
        &self,
        filter: AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditPage, ManageError> {
        self.run(move |c| newest(c, &filter, before, limit)).await
    }

    /// One page of the audit log (see [`list`]).
    pub async fn list_audit(
        &self,
        filter: AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditView>, ManageError> {
        self.run(move |c| list(c, &filter, &page)).await
    }
}
