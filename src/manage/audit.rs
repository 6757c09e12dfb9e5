//! Reading the audit log: events filtered by actor, subject, action and time, a page at a time.

use serde::Serialize;
use serde_json::Value;

use super::{ManageError, Manager, Page, PageRequest};
use crate::store::DbConnection;
use crate::store::audit::{self, AuditFilter, AuditRow};

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
    let rows = audit::page(conn, filter, after, page.rows())?;
    let rows: Vec<(String, AuditRow)> = rows.into_iter().map(|r| (r.id.to_string(), r)).collect();
    Page::from_rows(
        page,
        rows,
        |(id, _)| id,
        |(_, row)| Ok(AuditView::from(row)),
    )
}

impl Manager {
    /// One page of the audit log (see [`list`]).
    pub async fn list_audit(
        &self,
        filter: AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditView>, ManageError> {
        self.run(move |c| list(c, &filter, &page)).await
    }
}
