//! `sigil token …`.

use anyhow::bail;
use clap::Subcommand;

use crate::config::Settings;
use crate::jose::KeySet;
use crate::jose::policy::Policy;
use crate::jose::verify::{Expect, check_claims, decode_unverified, verify};
use crate::store::keys;

/// Token commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Show a token's header and claims; with --verify, check it against this provider's keys.
    Decode {
        /// Check the signature and the registered claims (iss, exp, nbf, iat).
        #[arg(long)]
        verify: bool,
        /// The token.
        token: String,
    },
}

/// Runs a token command.
pub async fn run(cmd: TokenCommand, settings: Settings) -> anyhow::Result<()> {
    let TokenCommand::Decode {
        verify: check,
        token,
    } = cmd;
    let token = token.trim().to_owned();
    if token.split('.').count() == 5 {
        bail!("this is an encrypted token (JWE); this build cannot decrypt tokens");
    }
    let decoded = decode_unverified(&token).map_err(|e| anyhow::anyhow!("cannot decode: {e}"))?;
    if check {
        let issuer = settings.issuer.clone();
        let store = super::store(settings).await?;
        let now = super::now();
        let rows = store.run(move |c| keys::published(c, now)).await?;
        let set = KeySet::public_only(&rows)?;
        verify(&token, &set, &Policy::default())
            .map_err(|e| anyhow::anyhow!("token does not verify: {e}"))?;
        check_claims(
            &decoded.claims,
            &Expect {
                issuer: &issuer,
                audience: None,
                now,
            },
        )
        .map_err(|e| anyhow::anyhow!("token does not verify: {e}"))?;
    }
    super::print_json(&serde_json::json!({
        "header": decoded.header,
        "claims": decoded.claims,
        "verified": check,
    }))
}
