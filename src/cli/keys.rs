//! `sigil keys …`.

use anyhow::bail;
use clap::Subcommand;

use crate::audit::AuditEvent;
use crate::config::Settings;
use crate::jose::KeyPurpose;
use crate::keyring;
use crate::startup::{load_kek, open_store};

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
            let algs = match alg.as_deref() {
                None => KeyPurpose::all(),
                Some(name) => match KeyPurpose::parse(name) {
                    Some(a) => vec![a],
                    None => bail!(
                        "unknown algorithm '{name}' (use one of {})",
                        KeyPurpose::names().join(", ")
                    ),
                },
            };
            let retention = settings.key_retention;
            let now = super::now();
            let rotated = super::blocking(move || -> anyhow::Result<_> {
                let store = open_store(&settings)?;
                let kek = load_kek(&settings)?;
                keyring::ensure_keys(&store, &kek, now)?;
                let rotated = keyring::rotate(&store, &kek, &algs, now, retention)?;
                let mut conn = store.conn()?;
                for (alg, old, new) in &rotated {
                    AuditEvent::new("cli", "keys.rotate", Some(new.clone()))
                        .detail(serde_json::json!({"alg": alg.as_str(), "retired": old}))
                        .write(&mut conn, now)?;
                }
                Ok(rotated)
            })
            .await??;
            for (alg, old, new) in rotated {
                super::print_json(&serde_json::json!({
                    "alg": alg.as_str(),
                    "kid": new,
                    "retired_kid": old,
                    "retired_published_until": now + i64::try_from(retention.as_secs()).unwrap_or(0),
                }))?;
            }
            Ok(())
        }
    }
}
