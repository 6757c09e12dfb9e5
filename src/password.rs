//! Human passwords: argon2id with OWASP parameters — the only module that names argon2.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Bounds how many password checks run at once: one per CPU. Each check holds 19 MiB, so
/// a burst of sign-ins queues here instead of growing memory with the blocking pool.
#[derive(Debug, Clone)]
pub struct Gate(std::sync::Arc<tokio::sync::Semaphore>);

impl Gate {
    /// A gate as wide as the machine's parallelism.
    pub fn per_cpu() -> Self {
        let n = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self(std::sync::Arc::new(tokio::sync::Semaphore::new(n)))
    }

    /// Verifies `password` against `phc` on the blocking pool once a slot is free.
    pub async fn verify(&self, password: String, phc: String) -> bool {
        let Ok(_slot) = self.0.acquire().await else {
            return false;
        };
        tokio::task::spawn_blocking(move || verify(&password, &phc))
            .await
            .unwrap_or(false)
    }
}

/// Why a password was refused before hashing.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Too short or too long.
    #[error("password must be 8 to 1024 characters")]
    Length,
    /// Hashing failed.
    #[error("password hashing failed")]
    Hash,
}

/// Hashes a password into a PHC string (CPU-heavy: call off the async executor).
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let chars = password.chars().count();
    if !(8..=1024).contains(&chars) {
        return Err(PasswordError::Length);
    }
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| PasswordError::Hash)
}

/// Checks a password against a PHC string (CPU-heavy: call off the async executor).
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_argon2id_and_verifies() {
        let phc = hash("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong horse", &phc));
        assert!(!verify("correct horse", "garbage"));
        assert!(matches!(hash("short"), Err(PasswordError::Length)));
    }
}
