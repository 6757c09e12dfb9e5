//! `sigil audit`.

use anyhow::Context;
use clap::Args;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::Settings;
use crate::store::audit::{AuditFilter, list};

/// Filters for the audit log.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only events at or after this time (RFC 3339, or Unix seconds).
    #[arg(long)]
    since: Option<String>,
    /// Only events by this actor.
    #[arg(long, allow_hyphen_values = true)]
    actor: Option<String>,
    /// Only events about this subject.
    #[arg(long, allow_hyphen_values = true)]
    subject: Option<String>,
}

/// Prints matching audit events, one JSON object per line.
pub async fn run(args: AuditArgs, settings: Settings) -> anyhow::Result<()> {
    let since = args.since.as_deref().map(parse_time).transpose()?;
    let filter = AuditFilter {
        since,
        actor: args.actor,
        subject: args.subject,
        ..AuditFilter::default()
    };
    let store = super::store(settings).await?;
    let rows = store.run(move |c| list(c, &filter)).await?;
    for row in rows {
        let at = OffsetDateTime::from_unix_timestamp(row.at)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_else(|| row.at.to_string());
        let detail: serde_json::Value =
            serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null);
        super::print_json(&serde_json::json!({
            "id": row.id,
            "at": at,
            "actor": row.actor,
            "action": row.action,
            "subject": row.subject,
            "detail": detail,
        }))?;
    }
    Ok(())
}

fn parse_time(raw: &str) -> anyhow::Result<i64> {
    if let Ok(secs) = raw.parse::<i64>() {
        return Ok(secs);
    }
    OffsetDateTime::parse(raw, &Rfc3339)
        .map(|t| t.unix_timestamp())
        .with_context(|| format!("--since: '{raw}' is not an RFC 3339 time or Unix seconds"))
}
