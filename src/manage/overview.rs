//! The dashboard: counts, and the last day of activity from the audit log.

use serde::Serialize;

use super::audit::AuditView;
use super::{ManageError, Manager};
use crate::store::DbConnection;
use crate::store::audit::AuditFilter;
use crate::store::lookup::{self, Counts};

/// The audit actions the dashboard charts: sign-ins, failed sign-ins, tokens issued.
pub const CHARTED: [&str; 3] = ["login.success", "login.failure", "token.issue"];
/// Hours the dashboard charts.
pub const HOURS: usize = 24;

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

/// The dashboard at `now`.
pub fn overview(conn: &mut DbConnection, now: i64) -> Result<Overview, ManageError> {
    let counts = lookup::counts(conn, now)?;
    let events = lookup::actions_since(conn, &CHARTED, now - (HOURS as i64) * 3600)?;
    let recent = super::audit::newest(conn, &AuditFilter::default(), None, 10)?.items;
    Ok(Overview {
        counts,
        activity: Activity::of(&events, now),
        recent,
    })
}

impl Manager {
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
