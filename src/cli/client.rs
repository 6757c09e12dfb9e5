//! `sigil client …`.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::config::Settings;
use crate::domain::client_metadata::ClientMetadata;
use crate::outbound::jwks::KeySources;
use crate::registry::{self, RegisterError};
use crate::startup::load_kek;
use crate::store::StoreError;

/// Client commands.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a client from RFC 7591 metadata JSON.
    Create {
        /// The metadata file (`-` for standard input).
        #[arg(long)]
        metadata_file: PathBuf,
    },
    /// List clients as JSON.
    List,
    /// Delete a client.
    Delete {
        /// The client_id (generated ids may begin with `-`).
        #[arg(allow_hyphen_values = true)]
        id: String,
    },
}

/// Runs a client command.
pub async fn run(cmd: ClientCommand, settings: Settings) -> anyhow::Result<()> {
    match cmd {
        ClientCommand::Create { metadata_file } => {
            let json = read_metadata(&metadata_file)?;
            let checked = match ClientMetadata::parse(&json, &registry::metadata_policy()) {
                Ok(metadata) => registry::check_remote_keys(&metadata, &KeySources::new()?).await,
                Err(e) => Err(e),
            };
            if let Err(e) = checked {
                bail!("{}: {}", e.code.as_str(), e.description);
            }
            let kek = load_kek(&settings)?;
            let store = super::store(settings).await?;
            let now = super::now();
            let result = store
                .run(
                    move |c| match registry::register(c, &json, now, "cli", &kek) {
                        Ok(v) => Ok(Ok(v)),
                        Err(RegisterError::Metadata(e)) => Ok(Err(e)),
                        Err(RegisterError::Store(e)) => Err(e),
                    },
                )
                .await?;
            match result {
                Ok((client, secret)) => {
                    super::print_json(&client.registration_response(secret.as_deref()))
                }
                Err(e) => bail!("{}: {}", e.code.as_str(), e.description),
            }
        }
        ClientCommand::List => {
            let store = super::store(settings).await?;
            let clients = store.run(registry::list).await?;
            let out: Vec<_> = clients
                .iter()
                .map(|c| c.registration_response(None))
                .collect();
            super::print_json(&out)
        }
        ClientCommand::Delete { id } => {
            let store = super::store(settings).await?;
            let now = super::now();
            let target = id.clone();
            match store
                .run(move |c| registry::delete(c, &target, now, "cli"))
                .await
            {
                Err(StoreError::NotFound(_)) => bail!("no client with id '{id}'"),
                other => other?,
            }
            super::print_json(&serde_json::json!({"deleted": id}))
        }
    }
}

/// Reads a metadata document from `path`, or standard input for `-`.
pub(super) fn read_metadata(path: &PathBuf) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut buf = String::new();
        std::io::stdin()
            .read_to_string(&mut buf)
            .context("cannot read metadata from standard input")?;
        return Ok(buf);
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
