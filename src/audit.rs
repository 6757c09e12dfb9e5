//! The audit event type and its writer.

use serde_json::Value;

use crate::store::audit::{NewAuditRow, append};
use crate::store::{DbConnection, StoreError};

/// One thing that happened, by someone, to something.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// Who acted (`cli`, a user id, a client id).
    pub actor: String,
    /// What happened, dotted (`client.create`).
    pub action: &'static str,
    /// Whom or what it concerned.
    pub subject: Option<String>,
    /// Details; never a secret.
    pub detail: Value,
}

impl AuditEvent {
    /// An event with empty details.
    pub fn new(actor: impl Into<String>, action: &'static str, subject: Option<String>) -> Self {
        Self {
            actor: actor.into(),
            action,
            subject,
            detail: Value::Object(Default::default()),
        }
    }

    /// Sets the details.
    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }

    /// Writes the event (inside the caller's transaction when there is one).
    pub fn write(&self, conn: &mut DbConnection, now: i64) -> Result<(), StoreError> {
        append(
            conn,
            &NewAuditRow {
                at: now,
                actor: self.actor.clone(),
                action: self.action.to_owned(),
                subject: self.subject.clone(),
                detail: self.detail.to_string(),
            },
        )
    }
}
