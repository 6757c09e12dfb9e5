//! `sigil keys …`.

use clap::Subcommand;

use crate::config::Settings;
use crate::manage::{Actor, keys};

/// Key commands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a new signing and encryption key of each algorithm and make it active; the old one stays published until its tokens expire.
    Rotate {
        /// Only this algorithm (RS256, PS256, ES256, EdDSA, RSA-OAEP-256, ECDH-ES+A256KW); default: every algorithm.
        #[arg(long)]
        alg: Option<String>,
    },
}

/// Runs a key command.
pub async fn run(cmd: KeysCommand, settings: Settings) -> anyhow::Result<()> {
    match cmd {
        KeysCommand::Rotate { alg } => {
            let algs = keys::purposes(alg.as_deref())?;
            let manage = super::manager(settings).await?;
            for rotated in manage.rotate_keys(&Actor::cli(), algs).await? {
                super::print_json(&rotated)?;
            }
            Ok(())
        }
    }
}
