//! `sigil client …`.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use crate::config::Settings;
use crate::manage::Actor;

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
            let manage = super::manager(settings).await?;
            super::print_json(&manage.create_client(&Actor::cli(), json).await?)
        }
        ClientCommand::List => {
            let manage = super::manager(settings).await?;
            super::print_json(&super::every(async |page| manage.list_clients(page).await).await?)
        }
        ClientCommand::Delete { id } => {
            let manage = super::manager(settings).await?;
            manage.delete_client(&Actor::cli(), &id).await?;
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
