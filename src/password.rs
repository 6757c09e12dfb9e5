//! Human passwords: argon2id with OWASP parameters — the only module that names argon2.

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).unwrap_or_default()
}

/// The hasher new passwords are hashed with.
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
}

/// A job for a checker thread.
type Job = Box<dyn FnOnce() + Send>;

/// Password checks on a few dedicated threads, one per CPU. Each check needs 19 MiB; on the
/// shared blocking pool every thread kept its own copy in its allocator arena (hundreds of MB
/// under load), while here the same few threads reuse theirs, and a burst of sign-ins queues.
#[derive(Clone)]
pub struct Checker {
    jobs: std::sync::mpsc::Sender<Job>,
    on_check: std::sync::Arc<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Checker")
    }
}

impl Checker {
    /// Starts one checker thread per CPU, calling `on_check` as each check starts (to count
    /// them); the threads stop when the last handle is dropped.
    pub fn per_cpu(on_check: impl Fn() + Send + Sync + 'static) -> Self {
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
        Self {
            jobs: tx,
            on_check: std::sync::Arc::new(on_check),
        }
    }

    /// Verifies `password` against `phc` on a checker thread (false if none answers).
    pub async fn verify(&self, password: String, phc: String) -> bool {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let on_check = self.on_check.clone();
        let job: Job = Box::new(move || {
            on_check();
            let _ = tx.send(verify(&password, &phc));
        });
        self.jobs.send(job).is_ok() && rx.await.unwrap_or(false)
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
///
/// The argon2 working memory (19 MiB with sigil's parameters) is kept per thread and reused,
/// so a check neither allocates nor zeroes it; a hash with larger parameters gets its own.
pub fn verify(password: &str, phc: &str) -> bool {
    thread_local! {
        static BLOCKS: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let Some(needed) = Params::try_from(&parsed).ok().map(|p| p.block_count()) else {
        return false;
    };
    if needed > params().block_count() {
        return verify_in(password, &parsed, &mut vec![Block::default(); needed]);
    }
    BLOCKS.with(|blocks| {
        let Ok(mut blocks) = blocks.try_borrow_mut() else {
            return hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
        };
        if blocks.len() < needed {
            blocks.resize(needed, Block::default());
        }
        verify_in(password, &parsed, &mut blocks[..needed])
    })
}

/// [`verify`] in the given working memory (exactly the hash's block count).
fn verify_in(password: &str, parsed: &PasswordHash<'_>, blocks: &mut [Block]) -> bool {
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(parsed) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params);
    let computed = Output::init_with(expected.len(), |out| {
        argon
            .hash_password_into_with_memory(password.as_bytes(), salt, out, &mut *blocks)
            .map_err(|_| argon2::password_hash::Error::Password)
    });
    // `Output` compares in constant time.
    computed.is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_checker_threads_verify_and_refuse() {
        let phc = hash("correct horse").unwrap();
        let checker = Checker::per_cpu(|| {});
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
        // Other parameters and variants verify as the hash says, in memory of their own.
        let bigger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32 * 1024, 1, 1, None).unwrap(),
        );
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let phc = bigger
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong horse", &phc));
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x10, Params::default());
        let phc = argon2i
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong horse", &phc));
        // A truncated hash is refused, not matched on a prefix.
        let phc = hash("correct horse").unwrap();
        let cut = &phc[..phc.len() - 8];
        assert!(!verify("correct horse", cut));
        assert!(matches!(hash("short"), Err(PasswordError::Length)));
    }
}
