//! `sigil resource …`: APIs (resource servers) that clients name in `resource` / `audience`.

use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;

use crate::config::Settings;
use crate::resources::{self, ResourceError};
use crate::store::StoreError;

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
            let store = super::store(settings).await?;
            let now = super::now();
            let result = store
                .run(move |c| match resources::register(c, &json, now, "cli") {
                    Ok(v) => Ok(Ok(v)),
                    Err(ResourceError::Metadata(e)) => Ok(Err(e)),
                    Err(ResourceError::Store(e)) => Err(e),
                })
                .await?;
            match result {
                Ok((resource, secret)) => super::print_json(&resource.to_json(secret.as_deref())),
                Err(e) => bail!("{e}"),
            }
        }
        ResourceCommand::List => {
            let store = super::store(settings).await?;
            let list = store.run(resources::list).await?;
            let out: Vec<_> = list.iter().map(|r| r.to_json(None)).collect();
            super::print_json(&out)
        }
        ResourceCommand::Delete { id } => {
            let store = super::store(settings).await?;
            let now = super::now();
            let target = id.clone();
            match store
                .run(move |c| resources::delete(c, &target, now, "cli"))
                .await
            {
                Err(StoreError::NotFound(_)) => bail!("no resource with id '{id}'"),
                other => other?,
            }
            super::print_json(&serde_json::json!({"deleted": id}))
        }
    }
}
