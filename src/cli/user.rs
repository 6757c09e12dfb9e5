//! `sigil user …`.

use std::io::Read;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::config::Settings;
use crate::manage::Actor;
use crate::manage::users::NewUser;
use crate::outbound::{Notifier, Retry};

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
            let password = read_password()?;
            let manage = super::manager(settings).await?;
            let user = NewUser {
                username,
                password,
                email,
                name,
                roles,
            };
            super::print_json(&manage.create_user(&Actor::cli(), user).await?)
        }
    }
}

/// `sigil user signout USERNAME`: one transaction, then back-channel logout, awaited.
async fn signout(username: &str, settings: Settings) -> anyhow::Result<()> {
    let manage = super::manager(settings).await?;
    let user = manage.find_user(username).await?;
    let done = manage.sign_out_user(&Actor::cli(), &user.id).await?;
    let notices = manage.logout_notices(done.ended).await?;
    let deliveries = if notices.is_empty() {
        Vec::new()
    } else {
        Notifier::new(Retry::default())?.deliver_all(notices).await
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
