//! High-entropy secrets sigil generates, their SHA-256 digests and constant-time comparison,
//! and the process-wide OpenSSL set-up that every use of it depends on.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `bytes` random bytes from a CSPRNG seeded by the OS, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // ThreadRng is a CSPRNG (ChaCha12) seeded from the OS and reseeded as it goes; unlike
    // OsRng it costs no system call per token.
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// `len` random bytes from the same CSPRNG, for keys and nonces.
pub fn random_bytes(len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut buf);
    buf
}

/// Hex SHA-256 of a secret, for storage.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Whether `secret` hashes to `stored_digest`, compared in constant time.
pub fn matches(secret: &str, stored_digest: &str) -> bool {
    digest(secret)
        .as_bytes()
        .ct_eq(stored_digest.as_bytes())
        .into()
}

/// Initialises OpenSSL without its exit handler; every process calls this first.
///
/// libpq and josekit share the system OpenSSL, and OpenSSL 3 frees its global state from an
/// `atexit` handler. A thread still signing or connecting while the process exits would then
/// use freed memory (a "double free" abort at exit). The first initialisation decides, so it
/// must come before any other use of OpenSSL in the process.
pub fn init_openssl() {
    openssl::init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32));
    }

    #[test]
    fn digest_matches_only_its_secret() {
        let d = digest("s3cret");
        assert_eq!(d.len(), 64);
        assert!(matches("s3cret", &d));
        assert!(!matches("s3creT", &d));
        assert!(!matches("s3cret", &d[..63]));
    }
}
