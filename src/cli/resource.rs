//! `sigil resource …`: APIs (resource servers) that clients name in `resource` / `audience`.

use std::path::PathBuf;

use clap::Subcommand;

use crate::config::Settings;
use crate::manage::Actor;

/// Resource commands.
#[derive(Debug, Subcommand)]
pub enum ResourceCommand {
    /// Register a resource from metadata JSON.
    Create {
        /// The metadata file (`-` for standard input).
        #[arg(long)]
        metadata_file: PathBuf,
    },
    /// List resources as JSON.
    List,
    /// Delete a resource.
    Delete {
        /// The resource id (generated ids may begin with `-`).
        #[arg(allow_hyphen_values = true)]
        id: String,
    },
}

/// Runs a resource command.
pub async fn run(cmd: ResourceCommand, settings: Settings) -> anyhow::Result<()> {
    match cmd {
        ResourceCommand::Create { metadata_file } => {
            let json = super::client::read_metadata(&metadata_file)?;
            let manage = super::manager(settings).await?;
            super::print_json(&manage.create_resource(&Actor::cli(), json).await?)
        }
        ResourceCommand::List => {
            let manage = super::manager(settings).await?;
            super::print_json(&super::every(async |page| manage.list_resources(page).await).await?)
        }
        ResourceCommand::Delete { id } => {
            let manage = super::manager(settings).await?;
            manage.delete_resource(&Actor::cli(), &id).await?;
            super::print_json(&serde_json::json!({"deleted": id}))
        }
    }
}
