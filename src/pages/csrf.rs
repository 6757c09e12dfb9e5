//! CSRF tokens: an HMAC of the browser cookie, so a form only works in the browser it was shown
//! in; and the browser ids themselves, which carry a MAC so only ids this server issued count.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::secrets;

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

    fn mac(&self, purpose: &[u8], value: &str) -> String {
        match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(mut mac) => {
                mac.update(purpose);
                mac.update(value.as_bytes());
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }

    /// The token for forms shown to the browser holding `browser_id`.
    pub fn token(&self, browser_id: &str) -> String {
        self.mac(b"csrf\0", browser_id)
    }

    /// Whether `presented` is the token for `browser_id` (constant time; empty never matches).
    pub fn verify(&self, browser_id: &str, presented: &str) -> bool {
        let expected = self.token(browser_id);
        !expected.is_empty()
            && !browser_id.is_empty()
            && expected.as_bytes().ct_eq(presented.as_bytes()).into()
    }

    /// A new browser id: 256 random bits and their MAC, `RANDOM.MAC`.
    pub fn new_browser_id(&self) -> String {
        let random = secrets::random_token(32);
        let mac = self.mac(b"browser\0", &random);
        format!("{random}.{mac}")
    }

    /// Whether `value` is a browser id this server issued (its MAC verifies, in constant time).
    pub fn issued_browser_id(&self, value: &str) -> bool {
        let Some((random, mac)) = value.split_once('.') else {
            return false;
        };
        let expected = self.mac(b"browser\0", random);
        random.len() >= 32
            && !expected.is_empty()
            && expected.as_bytes().ct_eq(mac.as_bytes()).into()
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

    #[test]
    fn only_issued_browser_ids_are_accepted() {
        let csrf = Csrf::new([1; 32]);
        let id = csrf.new_browser_id();
        assert!(csrf.issued_browser_id(&id));
        assert!(!Csrf::new([2; 32]).issued_browser_id(&id));
        let (random, _) = id.split_once('.').unwrap();
        assert!(!csrf.issued_browser_id(random));
        assert!(!csrf.issued_browser_id(&format!("{random}.x")));
        assert!(!csrf.issued_browser_id(&"a".repeat(64)));
        assert!(!csrf.issued_browser_id(&format!("x{id}")));
        assert!(!csrf.issued_browser_id(""));
    }
}
