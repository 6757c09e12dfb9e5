//! `sigil user …`.

use std::io::Read;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::audit::AuditEvent;
use crate::backchannel;
use crate::config::Settings;
use crate::domain::user::{UserView, Username, parse_email, parse_name, parse_role};
use crate::jose::KeySet;
use crate::outbound::{Notifier, Retry};
use crate::startup::load_kek;
use crate::store::users::{self, UserRow};
use crate::store::{Store, StoreError, keys, transaction};

/// User commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        /// Login name (stored lower-case).
        #[arg(long)]
        username: String,
        /// Email address.
        #[arg(long)]
        email: Option<String>,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// A role; repeat for several.
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// End every session and refresh token of a user; access tokens issued before turn inactive.
    Signout {
        /// The user's login name.
        username: String,
    },
}

/// Runs a user command.
pub async fn run(cmd: UserCommand, settings: Settings) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Signout { username } => signout(&username, settings).await,
        UserCommand::Create {
            username,
            email,
            name,
            roles,
            password_stdin: _,
        } => {
            let username = Username::parse(&username)?;
            let email = email.as_deref().map(parse_email).transpose()?;
            let name = name.as_deref().map(parse_name).transpose()?;
            let mut roles = roles
                .iter()
                .map(|r| parse_role(r))
                .collect::<Result<Vec<_>, _>>()?;
            roles.sort();
            roles.dedup();
            let password = read_password()?;
            let store = super::store(settings).await?;
            let hash = super::blocking(move || crate::password::hash(&password)).await??;
            let now = super::now();
            let row = UserRow {
                id: uuid::Uuid::new_v4().to_string(),
                username: username.as_str().to_owned(),
                email,
                name,
                password_hash: hash,
                created_at: now,
                updated_at: now,
                email_verified: false,
                claims: "{}".to_owned(),
                token_generation: 0,
            };
            let view = UserView {
                id: row.id.clone(),
                username: row.username.clone(),
                email: row.email.clone(),
                name: row.name.clone(),
                roles: roles.clone(),
                created_at: now,
            };
            let result = store
                .run(move |c| {
                    transaction(c, |c| {
                        users::create(c, &row, &roles)?;
                        AuditEvent::new("cli", "user.create", Some(row.id.clone()))
                            .detail(serde_json::json!({"username": row.username}))
                            .write(c, now)
                    })
                })
                .await;
            match result {
                Err(StoreError::Conflict(_)) => {
                    bail!("username '{}' is already taken", username.as_str())
                }
                other => other?,
            }
            super::print_json(&view)
        }
    }
}

/// `sigil user signout USERNAME`: one transaction, then back-channel logout, awaited.
async fn signout(username: &str, settings: Settings) -> anyhow::Result<()> {
    let name = Username::parse(username)
        .map(|u| u.as_str().to_owned())
        .unwrap_or_else(|_| username.to_owned());
    let store = super::store(settings.clone()).await?;
    let now = super::now();
    let lookup = name.clone();
    let Some(done) = store
        .run(move |c| crate::signout::sign_out_user(c, &lookup, "cli", now))
        .await?
    else {
        bail!("no user named '{name}'");
    };
    let wanted = done.ended.iter().any(|s| {
        s.clients
            .iter()
            .any(|c| c.metadata.backchannel_logout_uri.is_some())
    });
    let deliveries = if wanted {
        let keys = load_keys(&settings, &store, now).await?;
        let notices = backchannel::notices(&keys, &settings.issuer, &done.ended, now);
        Notifier::new(Retry::default())?.deliver_all(notices).await
    } else {
        Vec::new()
    };
    let delivered = deliveries.iter().filter(|d| d.delivered).count();
    super::print_json(&serde_json::json!({
        "user_id": done.user_id,
        "sessions_ended": done.sessions_ended,
        "refresh_families_revoked": done.refresh_families_revoked,
        "backchannel_logout": {
            "delivered": delivered,
            "failed": deliveries.len() - delivered,
        },
    }))
}

/// The signing keys, decrypted under the KEK.
async fn load_keys(settings: &Settings, store: &Store, now: i64) -> anyhow::Result<KeySet> {
    let settings = settings.clone();
    let store = store.clone();
    super::blocking(move || -> anyhow::Result<KeySet> {
        let kek = load_kek(&settings)?;
        let rows = keys::published(&mut *store.conn()?, now)?;
        Ok(KeySet::load(&rows, &kek)?)
    })
    .await?
}

/// Reads the password from standard input, without its final line break.
fn read_password() -> anyhow::Result<String> {
    let mut buf = String::new();
    std::io::stdin()
        .read_to_string(&mut buf)
        .context("cannot read the password from standard input")?;
    let password = buf
        .strip_suffix('\n')
        .map(|s| s.strip_suffix('\r').unwrap_or(s))
        .unwrap_or(&buf);
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password.to_owned())
}
