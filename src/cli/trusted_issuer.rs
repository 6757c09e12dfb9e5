//! `sigil trusted-issuer …`: external issuers whose JWTs are accepted as subject tokens.

use std::path::PathBuf;

use clap::Subcommand;

use crate::config::Settings;
use crate::manage::Actor;

/// Trusted issuer commands.
#[derive(Debug, Subcommand)]
pub enum TrustedIssuerCommand {
    /// Register a trusted issuer from metadata JSON.
    Create {
        /// The metadata file (`-` for standard input).
        #[arg(long)]
        metadata_file: PathBuf,
    },
    /// List trusted issuers as JSON.
    List,
    /// Delete a trusted issuer.
    Delete {
        /// The trusted issuer id (generated ids may begin with `-`).
        #[arg(allow_hyphen_values = true)]
        id: String,
    },
}

/// Runs a trusted issuer command.
pub async fn run(cmd: TrustedIssuerCommand, settings: Settings) -> anyhow::Result<()> {
    match cmd {
        TrustedIssuerCommand::Create { metadata_file } => {
            let json = super::client::read_metadata(&metadata_file)?;
            let manage = super::manager(settings).await?;
            super::print_json(&manage.create_trusted_issuer(&Actor::cli(), json).await?)
        }
        TrustedIssuerCommand::List => {
            let manage = super::manager(settings).await?;
            let all = super::every(async |page| manage.list_trusted_issuers(page).await).await?;
            super::print_json(&all)
        }
        TrustedIssuerCommand::Delete { id } => {
            let manage = super::manager(settings).await?;
            manage.delete_trusted_issuer(&Actor::cli(), &id).await?;
            super::print_json(&serde_json::json!({"deleted": id}))
        }
    }
}
