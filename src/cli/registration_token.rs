//! `sigil registration-token …`: initial access tokens for `SIGIL_REGISTRATION=token`.

use clap::Subcommand;

use crate::config::Settings;
use crate::manage::Actor;

/// Initial access token commands.
#[derive(Debug, Subcommand)]
pub enum RegistrationTokenCommand {
    /// Make an initial access token; it is printed once and only its hash is kept.
    Create {
        /// Seconds until it expires (default: never).
        #[arg(long)]
        expires_in: Option<u64>,
        /// Registrations it allows (default: no limit).
        #[arg(long)]
        uses: Option<u32>,
    },
}

/// Runs a registration-token command.
pub async fn run(cmd: RegistrationTokenCommand, settings: Settings) -> anyhow::Result<()> {
    match cmd {
        RegistrationTokenCommand::Create { expires_in, uses } => {
            let manage = super::manager(settings).await?;
            let made = manage
                .create_registration_token(&Actor::cli(), uses, expires_in)
                .await?;
            super::print_json(&serde_json::json!({
                "id": made.id,
                "token": made.token,
                "uses": made.uses,
                "expires_at": made.expires_at,
            }))
        }
    }
}
