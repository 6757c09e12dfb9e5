//! CSRF tokens: an HMAC of the browser cookie, so a form only works in the browser it was shown in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Derives and checks CSRF tokens under a server key.
#[derive(Clone)]
pub struct Csrf {
    key: [u8; 32],
}

impl std::fmt::Debug for Csrf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Csrf(<redacted>)")
    }
}

impl Csrf {
    /// A CSRF helper under `key`.
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    /// The token for forms shown to the browser holding `browser_id`.
    pub fn token(&self, browser_id: &str) -> String {
        match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(mut mac) => {
                mac.update(b"csrf\0");
                mac.update(browser_id.as_bytes());
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }

    /// Whether `presented` is the token for `browser_id` (constant time; empty never matches).
    pub fn verify(&self, browser_id: &str, presented: &str) -> bool {
        let expected = self.token(browser_id);
        !expected.is_empty()
            && !browser_id.is_empty()
            && expected.as_bytes().ct_eq(presented.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_the_browser_and_key() {
        let csrf = Csrf::new([1; 32]);
        let t = csrf.token("browser-a");
        assert!(csrf.verify("browser-a", &t));
        assert!(!csrf.verify("browser-b", &t));
        assert!(!csrf.verify("browser-a", ""));
        assert!(!csrf.verify("", &csrf.token("")));
        assert!(!Csrf::new([2; 32]).verify("browser-a", &t));
    }
}
