//! Refresh tokens: opaque and 256-bit. A token's successor is derived from it under a server
//! key, so a grace-window retry can be handed the same successor without storing it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secrets;

/// Random bytes in a first refresh token.
const TOKEN_BYTES: usize = 32;

/// Makes refresh tokens and their successors.
#[derive(Clone)]
pub struct RefreshTokens {
    key: [u8; 32],
}

impl std::fmt::Debug for RefreshTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshTokens(<redacted>)")
    }
}

impl RefreshTokens {
    /// Successors are derived under `key` (derived from the KEK, so every process agrees).
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    /// A new family's first token.
    pub fn first() -> String {
        secrets::random_token(TOKEN_BYTES)
    }

    /// The token `token` rotates to: HMAC-SHA-256 under the server key, base64url.
    pub fn successor(&self, token: &str) -> String {
        match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(mut mac) => {
                mac.update(b"refresh successor\0");
                mac.update(token.as_bytes());
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            }
            Err(_) => Self::first(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_256_bits_and_successors_are_stable_per_key() {
        let a = RefreshTokens::new([1; 32]);
        let b = RefreshTokens::new([2; 32]);
        let t = RefreshTokens::first();
        assert_eq!(t.len(), 43);
        assert_ne!(t, RefreshTokens::first());
        assert_eq!(a.successor(&t), a.successor(&t));
        assert_eq!(a.successor(&t).len(), 43);
        assert_ne!(a.successor(&t), b.successor(&t));
        assert_ne!(a.successor(&t), a.successor(&a.successor(&t)));
    }
}
