//! What administration reads rather than changes: the dashboard's counts and last day of
//! activity, and the audit log page by page, newest first.

use serde::Serialize;
use serde_json::Value;

use super::{ManageError, Manager};
use crate::store::DbConnection;
use crate::store::audit::AuditRow;
use crate::store::lookup::{self, AuditQuery, Counts};

/// The audit actions the dashboard charts: sign-ins, failed sign-ins, tokens issued.
pub const CHARTED: [&str; 3] = ["login.success", "login.failure", "token.issue"];
/// Hours the dashboard charts.
pub const HOURS: usize = 24;

/// An audit event as administration shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditView {
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
    /// Details (never a secret).
    pub detail: Value,
}

impl From<AuditRow> for AuditView {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            at: row.at,
            actor: row.actor,
            action: row.action,
            subject: row.subject,
            detail: serde_json::from_str(&row.detail).unwrap_or(Value::Null),
        }
    }
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditPage {
    /// The events.
    pub items: Vec<AuditView>,
    /// The id to ask the next (older) page before; `None` on the last page.
    pub next_before: Option<i64>,
}

/// The last day in hours, oldest first: per hour, the count of each [`CHARTED`] action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activity {
    /// The start of the first hour, UTC Unix seconds.
    pub from: i64,
    /// Per hour: sign-ins, failed sign-ins, tokens issued.
    pub hours: Vec<[u32; 3]>,
}

impl Activity {
    /// Buckets `events` (action, time) into the [`HOURS`] hours ending at `now`.
    pub fn of(events: &[(String, i64)], now: i64) -> Self {
        let from = now - (HOURS as i64) * 3600;
        let mut hours = vec![[0u32; 3]; HOURS];
        for (action, at) in events {
            let Some(kind) = CHARTED.iter().position(|a| a == action) else {
                continue;
            };
            let Ok(hour) = usize::try_from((at - from) / 3600) else {
                continue;
            };
            if let Some(slot) = hours.get_mut(hour.min(HOURS - 1)) {
                slot[kind] = slot[kind].saturating_add(1);
            }
        }
        Self { from, hours }
    }

    /// The total of series `kind` (an index into [`CHARTED`]).
    pub fn total(&self, kind: usize) -> u32 {
        self.hours
            .iter()
            .map(|h| h.get(kind).copied().unwrap_or(0))
            .sum()
    }
}

/// What the dashboard shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// Row counts.
    #[serde(skip)]
    pub counts: Counts,
    /// The last day of sign-ins, failures and tokens issued.
    pub activity: Activity,
    /// The latest audit events.
    pub recent: Vec<AuditView>,
}

/// Up to `limit` events matching `q`, newest first, with where the next page starts.
pub fn audit(
    conn: &mut DbConnection,
    q: &AuditQuery,
    limit: u32,
) -> Result<AuditPage, ManageError> {
    let limit = limit.clamp(1, super::MAX_LIMIT) as usize;
    let mut rows = lookup::audit_page(conn, q, limit as i64 + 1)?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_before = rows.last().filter(|_| more).map(|r| r.id);
    Ok(AuditPage {
        items: rows.into_iter().map(AuditView::from).collect(),
        next_before,
    })
}

/// The dashboard at `now`.
pub fn overview(conn: &mut DbConnection, now: i64) -> Result<Overview, ManageError> {
    let counts = lookup::counts(conn, now)?;
    let events = lookup::actions_since(conn, &CHARTED, now - (HOURS as i64) * 3600)?;
    let recent = lookup::audit_page(conn, &AuditQuery::default(), 10)?
        .into_iter()
        .map(AuditView::from)
        .collect();
    Ok(Overview {
        counts,
        activity: Activity::of(&events, now),
        recent,
    })
}

impl Manager {
    /// A page of the audit log (see [`audit`]).
    pub async fn list_audit(&self, q: AuditQuery, limit: u32) -> Result<AuditPage, ManageError> {
        self.run(move |c| audit(c, &q, limit)).await
    }

    /// The dashboard (see [`overview`]).
    pub async fn overview(&self) -> Result<Overview, ManageError> {
        let now = self.now();
        self.run(move |c| overview(c, now)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_fall_into_their_hour_and_series() {
        let now = 100_000;
        let events = vec![
            ("login.success".to_owned(), now - 10),
            ("login.success".to_owned(), now - 3 * 3600 - 5),
            ("login.failure".to_owned(), now - 3 * 3600 - 5),
            ("token.issue".to_owned(), now),
            ("client.create".to_owned(), now),
            ("token.issue".to_owned(), now - 30 * 3600),
        ];
        let a = Activity::of(&events, now);
        assert_eq!(a.hours.len(), HOURS);
        assert_eq!(a.hours[23], [1, 0, 1]);
        assert_eq!(a.hours[20], [1, 1, 0]);
        assert_eq!((a.total(0), a.total(1), a.total(2)), (2, 1, 1));
    }
}
