//! The two limits the targets are stated against, measured on the servers' core with nothing
//! else running: bare RS256 signing (josekit, 2048-bit key, the claims of a real access token)
//! and one argon2id verification with sigil's parameters.

use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use josekit::jws::{JwsHeader, RS256};
use serde::{Deserialize, Serialize};

/// Single-core rates.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Limits {
    /// RS256 signatures per second.
    pub rs256_per_s: f64,
    /// argon2id verifications per second (m=19456 KiB, t=2, p=1).
    pub argon2id_per_s: f64,
    /// Bytes of the claims signed.
    pub claims_bytes: usize,
}

/// Measures both rates for about `seconds` each; `claims` is the JSON payload to sign.
pub fn measure(claims: &[u8], seconds: f64) -> Result<Limits, String> {
    Ok(Limits {
        rs256_per_s: rs256(claims, seconds)?,
        argon2id_per_s: argon2id(seconds)?,
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
    let params = Params::new(19456, 2, 1, None).map_err(|e| e.to_string())?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::encode_b64(b"bench-salt-16-by").map_err(|e| e.to_string())?;
    let phc = argon
        .hash_password(b"correct horse battery staple", &salt)
        .map_err(|e| e.to_string())?
        .to_string();
    let parsed = PasswordHash::new(&phc).map_err(|e| e.to_string())?;
    repeat(seconds, || {
        argon
            .verify_password(b"correct horse battery staple", &parsed)
            .map_err(|e| e.to_string())
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
