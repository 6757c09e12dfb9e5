//! The two limits the targets are stated against, measured on the servers' core while the
//! servers are idle: bare RS256 signing (josekit, 2048-bit key, the claims of a real access
//! token) and one argon2id verification with sigil's parameters.

use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Block, Params, Version};
use josekit::jws::{JwsHeader, RS256};
use serde::{Deserialize, Serialize};

/// Single-core rates (0 for a rate not measured).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Limits {
    /// RS256 signatures per second.
    pub rs256_per_s: f64,
    /// argon2id verifications per second (m=19456 KiB, t=2, p=1).
    pub argon2id_per_s: f64,
    /// Bytes of the claims signed.
    pub claims_bytes: usize,
}

/// Which rates to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Bare RS256 signing.
    Rs256,
    /// argon2id verification.
    Argon2id,
    /// Both.
    Both,
}

impl Which {
    /// The command-line word.
    pub fn word(self) -> &'static str {
        match self {
            Self::Rs256 => "rs256",
            Self::Argon2id => "argon2id",
            Self::Both => "both",
        }
    }

    /// Parses the command-line word.
    pub fn parse(word: &str) -> Option<Self> {
        [Self::Rs256, Self::Argon2id, Self::Both]
            .into_iter()
            .find(|w| w.word() == word)
    }
}

/// Measures the chosen rates for about `seconds` each; `claims` is the JSON payload to sign.
pub fn measure(claims: &[u8], seconds: f64, which: Which) -> Result<Limits, String> {
    Ok(Limits {
        rs256_per_s: if which == Which::Argon2id {
            0.0
        } else {
            rs256(claims, seconds)?
        },
        argon2id_per_s: if which == Which::Rs256 {
            0.0
        } else {
            argon2id(seconds)?
        },
        claims_bytes: claims.len(),
    })
}

fn rs256(claims: &[u8], seconds: f64) -> Result<f64, String> {
    let pair = RS256.generate_key_pair(2048).map_err(|e| e.to_string())?;
    let signer = RS256
        .signer_from_der(pair.to_der_private_key())
        .map_err(|e| e.to_string())?;
    let mut header = JwsHeader::new();
    header.set_token_type("at+jwt");
    header.set_key_id("k1");
    repeat(seconds, || {
        josekit::jws::serialize_compact(claims, &header, &signer)
            .map(drop)
            .map_err(|e| e.to_string())
    })
}

fn argon2id(seconds: f64) -> Result<f64, String> {
    // The fastest bare verification the crate offers: parameters parsed once, working memory
    // allocated once and reused (as sigil's checker threads do), output compared.
    let params = Params::new(19456, 2, 1, None).map_err(|e| e.to_string())?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = b"bench-salt-16-by";
    let password = b"correct horse battery staple";
    let mut expected = [0u8; 32];
    argon
        .hash_password_into(password, salt, &mut expected)
        .map_err(|e| e.to_string())?;
    let mut blocks = vec![Block::default(); params.block_count()];
    repeat(seconds, || {
        let mut out = [0u8; 32];
        argon
            .hash_password_into_with_memory(password, salt, &mut out, &mut blocks)
            .map_err(|e| e.to_string())?;
        if out == expected {
            Ok(())
        } else {
            Err("argon2id verification mismatch".into())
        }
    })
}

/// Calls `f` until `seconds` have passed (after one untimed call); returns calls per second.
fn repeat(seconds: f64, mut f: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    f()?;
    let start = Instant::now();
    let budget = Duration::from_secs_f64(seconds);
    let mut n = 0u64;
    while start.elapsed() < budget {
        f()?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}
