//! Human passwords: argon2id with OWASP parameters — the only module that names argon2.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A job for a checker thread.
type Job = Box<dyn FnOnce() + Send>;

/// Password checks on a few dedicated threads, one per CPU. Each check needs 19 MiB; on the
/// shared blocking pool every thread kept its own copy in its allocator arena (hundreds of MB
/// under load), while here the same few threads reuse theirs, and a burst of sign-ins queues.
#[derive(Debug, Clone)]
pub struct Checker(std::sync::mpsc::Sender<Job>);

impl Checker {
    /// Starts one checker thread per CPU; they stop when the last handle is dropped.
    pub fn per_cpu() -> Self {
        let n = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..n {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("sigil-password-{i}"))
                .spawn(move || {
                    loop {
                        let next = match rx.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match next {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-check thread");
            }
        }
        Self(tx)
    }

    /// Verifies `password` against `phc` on a checker thread (false if none answers).
    pub async fn verify(&self, password: String, phc: String) -> bool {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(verify(&password, &phc));
        });
        self.0.send(job).is_ok() && rx.await.unwrap_or(false)
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

    #[tokio::test]
    async fn the_checker_threads_verify_and_refuse() {
        let phc = hash("correct horse").unwrap();
        let checker = Checker::per_cpu();
        assert!(checker.verify("correct horse".into(), phc.clone()).await);
        assert!(!checker.verify("wrong horse".into(), phc).await);
    }

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
