//! `sigil token …`.

use clap::Subcommand;

use crate::config::Settings;
use crate::jose::KeySet;
use crate::jose::content::OwnCopy;
use crate::jose::decrypt::{Accept, Opened, decrypt, is_jwe, open_own};
use crate::jose::policy::Policy;
use crate::jose::verify::{Expect, check_claims, decode_unverified, verify};
use crate::startup::load_kek;
use crate::store::keys;

/// Token commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Show a token's header and claims; with --verify, check it against this provider's keys.
    /// An encrypted token (JWE) made for this provider's keys, or encrypted by this provider
    /// to a resource, is decrypted first and both layers are shown.
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
    let mut token = token.trim().to_owned();
    let mut outer = None;
    if is_jwe(&token) {
        let opened = open_jwe(&token, &settings).await?;
        token = String::from_utf8(opened.plaintext)
            .map_err(|_| anyhow::anyhow!("the decrypted content is not a signed token"))?;
        outer = Some(opened.header);
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
    let mut out = serde_json::json!({
        "header": decoded.header,
        "claims": decoded.claims,
        "verified": check,
    });
    if let Some(outer) = outer {
        out["encryption_header"] = serde_json::Value::Object(outer);
    }
    super::print_json(&out)
}

/// Decrypts a JWE with this provider's keys: one it encrypted to a resource, or one a client
/// encrypted to its `use: enc` keys.
async fn open_jwe(token: &str, settings: &Settings) -> anyhow::Result<Opened> {
    let kek = load_kek(settings)?;
    if let Some(opened) = open_own(token, &OwnCopy::from_kek(&kek)?) {
        return Ok(opened);
    }
    let store = super::store(settings.clone()).await?;
    let now = super::now();
    let rows = store.run(move |c| keys::published(c, now)).await?;
    let token = token.to_owned();
    super::blocking(move || -> anyhow::Result<Opened> {
        let set = KeySet::load(&rows, &kek)?;
        decrypt(&token, &set, &Accept::OWN_KEYS).map_err(|e| {
            anyhow::anyhow!("cannot decrypt: {e} (it is not encrypted to this provider's keys)")
        })
    })
    .await?
}
