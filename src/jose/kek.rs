//! The key-encryption key: wraps private keys at rest (JWE, A256GCMKW + A256GCM).

use std::io::Write;
use std::path::Path;

use josekit::jwe::{A256GCMKW, JweHeader};
use rand::RngCore;

use super::JoseError;

/// A 256-bit key-encryption key.
#[derive(Clone)]
pub struct Kek([u8; 32]);

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(<redacted>)")
    }
}

/// Why the KEK could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KekError {
    /// The generated KEK file could not be read or written.
    #[error("key-encryption key file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

impl Kek {
    /// Wraps raw bytes.
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Reads the KEK file beside the SQLite database, generating it (mode 0600) when missing.
    /// Returns the key and whether it was just generated.
    pub fn load_or_generate(path: &Path) -> Result<(Self, bool), KekError> {
        let err = |reason: String| KekError::File {
            path: path.display().to_string(),
            reason,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes =
                    crate::config::decode_kek("SIGIL_KEK", &text).map_err(|e| err(e.problem))?;
                Ok((Self(bytes), false))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut bytes);
                let text = base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    bytes,
                );
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(|e| err(e.to_string()))?;
                file.write_all(text.as_bytes())
                    .and_then(|_| file.write_all(b"\n"))
                    .and_then(|_| file.sync_all())
                    .map_err(|e| err(e.to_string()))?;
                Ok((Self(bytes), true))
            }
            Err(e) => Err(err(e.to_string())),
        }
    }

    /// A 256-bit key for `purpose` derived from this KEK (HMAC-SHA256), so every process of
    /// one deployment derives the same key and none is stored.
    pub fn derive(&self, purpose: &str) -> Result<[u8; 32], JoseError> {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0)
            .map_err(|e| JoseError(e.to_string()))?;
        mac.update(b"sigil key derivation\0");
        mac.update(purpose.as_bytes());
        Ok(mac.finalize().into_bytes().into())
    }

    /// Encrypts `plaintext` into a compact JWE under this key.
    pub fn wrap(&self, plaintext: &[u8]) -> Result<String, JoseError> {
        let mut header = JweHeader::new();
        header.set_content_encryption("A256GCM");
        let encrypter = A256GCMKW.encrypter_from_bytes(self.0)?;
        Ok(josekit::jwe::serialize_compact(
            plaintext, &header, &encrypter,
        )?)
    }

    /// Decrypts a compact JWE made by [`Kek::wrap`]; fails under any other key.
    pub fn unwrap(&self, jwe: &str) -> Result<Vec<u8>, JoseError> {
        let decrypter = A256GCMKW.decrypter_from_bytes(self.0)?;
        let (plaintext, _) = josekit::jwe::deserialize_compact(jwe, &decrypter)?;
        Ok(plaintext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_unwraps_only_under_the_same_key() {
        let kek = Kek::new([1u8; 32]);
        let jwe = kek.wrap(b"private").unwrap();
        assert!(!jwe.contains("private"));
        assert_eq!(kek.unwrap(&jwe).unwrap(), b"private");
        assert!(Kek::new([2u8; 32]).unwrap(&jwe).is_err());
    }

    #[test]
    fn generated_file_is_private_and_reloads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sigil.kek");
        let (a, created) = Kek::load_or_generate(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (b, created) = Kek::load_or_generate(&path).unwrap();
        assert!(!created);
        assert_eq!(a.0, b.0);
    }
}
