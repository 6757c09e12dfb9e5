//! `sigil trusted-issuer …`: external issuers whose JWTs are accepted as subject tokens.

use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;

use crate::config::Settings;
use crate::domain::trusted_issuer::TrustedIssuerMetadata;
use crate::federation::{self, TrustedIssuerError};
use crate::outbound::jwks::KeySources;
use crate::store::StoreError;

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
            let checked = match TrustedIssuerMetadata::parse(&json) {
                Ok(metadata) => federation::check_remote_keys(&metadata, &KeySources::new()?).await,
                Err(e) => Err(e),
            };
            if let Err(e) = checked {
                bail!("{e}");
            }
            let own_issuer = settings.issuer.clone();
            let store = super::store(settings).await?;
            let now = super::now();
            let result = store
                .run(
                    move |c| match federation::register(c, &json, now, "cli", &own_issuer) {
                        Ok(v) => Ok(Ok(v)),
                        Err(TrustedIssuerError::Metadata(e)) => Ok(Err(e)),
                        Err(TrustedIssuerError::Store(e)) => Err(e),
                    },
                )
                .await?;
            match result {
                Ok(issuer) => super::print_json(&issuer.to_json()),
                Err(e) => bail!("{e}"),
            }
        }
        TrustedIssuerCommand::List => {
            let store = super::store(settings).await?;
            let list = store.run(federation::list).await?;
            let out: Vec<_> = list
                .iter()
                .map(federation::TrustedIssuer::to_json)
                .collect();
            super::print_json(&out)
        }
        TrustedIssuerCommand::Delete { id } => {
            let store = super::store(settings).await?;
            let now = super::now();
            let target = id.clone();
            match store
                .run(move |c| federation::delete(c, &target, now, "cli"))
                .await
            {
                Err(StoreError::NotFound(_)) => bail!("no trusted issuer with id '{id}'"),
                other => other?,
            }
            super::print_json(&serde_json::json!({"deleted": id}))
        }
    }
}
