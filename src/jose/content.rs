//! JWE content encryption: sealing, and opening with the tag checked first and in constant
//! time, so a bad tag and bad padding cannot be told apart. Also the copy of a content key
//! sigil keeps for itself in the tokens it encrypts to resources.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use josekit::jwe::JweContentEncryption;
use josekit::jwe::enc::{A128CBC_HS256, A128GCM, A256CBC_HS512, A256GCM};
use openssl::symm::{Cipher, decrypt_aead, encrypt_aead};
use sha2::{Sha256, Sha512};
use subtle::ConstantTimeEq;

use super::JoseError;
use crate::domain::enc_alg::ContentAlg;

/// The protected-header member that carries sigil's own wrap of the content key.
pub const OWN_COPY_MEMBER: &str = "sigil_cek";

/// josekit's implementation of `enc`.
pub(super) fn cipher(enc: ContentAlg) -> &'static dyn JweContentEncryption {
    match enc {
        ContentAlg::A128CbcHs256 => &A128CBC_HS256,
        ContentAlg::A256CbcHs512 => &A256CBC_HS512,
        ContentAlg::A128Gcm => &A128GCM,
        ContentAlg::A256Gcm => &A256GCM,
    }
}

/// A sealed message: IV, ciphertext and tag.
pub(super) type Sealed = (Vec<u8>, Vec<u8>, Vec<u8>);

/// Encrypts `message` under `cek` with a fresh IV.
pub(super) fn seal(
    enc: ContentAlg,
    cek: &[u8],
    message: &[u8],
    aad: &[u8],
) -> Result<Sealed, JoseError> {
    let cipher = cipher(enc);
    let iv = crate::secrets::random_bytes(cipher.iv_len());
    let (ciphertext, tag) = cipher.encrypt(cek, Some(&iv), message, aad)?;
    let tag = tag.ok_or_else(|| JoseError("content encryption produced no tag".into()))?;
    Ok((iv, ciphertext, tag))
}

/// Decrypts after checking the tag. Every failure is the same `None`.
pub(super) fn open(
    enc: ContentAlg,
    cek: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    aad: &[u8],
    tag: &[u8],
) -> Option<Vec<u8>> {
    if cek.len() != enc.key_len() {
        return None;
    }
    match enc {
        ContentAlg::A128CbcHs256 | ContentAlg::A256CbcHs512 => {
            if !cbc_tag_matches(enc, cek, iv, ciphertext, aad, tag) {
                return None;
            }
        }
        ContentAlg::A128Gcm | ContentAlg::A256Gcm => {
            if tag.len() != 16 || iv.len() != 12 {
                return None;
            }
        }
    }
    cipher(enc)
        .decrypt(cek, Some(iv), ciphertext, aad, Some(tag))
        .ok()
}

/// RFC 7518 §5.2.2.1: HMAC over AAD ‖ IV ‖ ciphertext ‖ AL under the first half of the key,
/// truncated to half its length, compared in constant time.
fn cbc_tag_matches(
    enc: ContentAlg,
    cek: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    aad: &[u8],
    tag: &[u8],
) -> bool {
    let mac_key = &cek[..cek.len() / 2];
    let al = u64::try_from(aad.len())
        .unwrap_or(u64::MAX / 8)
        .saturating_mul(8)
        .to_be_bytes();
    let parts: [&[u8]; 4] = [aad, iv, ciphertext, &al];
    let full = match enc {
        ContentAlg::A128CbcHs256 => {
            let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(mac_key) else {
                return false;
            };
            parts.iter().for_each(|p| mac.update(p));
            mac.finalize().into_bytes().to_vec()
        }
        _ => {
            let Ok(mut mac) = <Hmac<Sha512> as Mac>::new_from_slice(mac_key) else {
                return false;
            };
            parts.iter().for_each(|p| mac.update(p));
            mac.finalize().into_bytes().to_vec()
        }
    };
    let expected = &full[..full.len() / 2];
    tag.len() == expected.len() && bool::from(expected.ct_eq(tag))
}

/// sigil's own AES-256-GCM key for the content keys of the tokens it encrypts to resources.
#[derive(Clone)]
pub struct OwnCopy([u8; 32]);

impl std::fmt::Debug for OwnCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnCopy(<redacted>)")
    }
}

impl OwnCopy {
    /// The key, derived from the KEK so every process of a deployment has the same one.
    pub fn from_kek(kek: &super::Kek) -> Result<Self, JoseError> {
        Ok(Self(kek.derive("sigil access-token content key copy")?))
    }

    /// base64url(nonce ‖ ciphertext ‖ tag) of `cek`.
    pub(super) fn wrap(&self, cek: &[u8]) -> Result<String, JoseError> {
        let nonce = crate::secrets::random_bytes(12);
        let mut tag = [0u8; 16];
        let sealed = encrypt_aead(
            Cipher::aes_256_gcm(),
            &self.0,
            Some(&nonce),
            OWN_COPY_MEMBER.as_bytes(),
            cek,
            &mut tag,
        )
        .map_err(|e| JoseError(e.to_string()))?;
        let mut out = nonce;
        out.extend_from_slice(&sealed);
        out.extend_from_slice(&tag);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// The content key from a [`wrap`](Self::wrap) output; `None` when it is not sigil's.
    pub(super) fn unwrap(&self, wrapped: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(wrapped).ok()?;
        if bytes.len() < 12 + 16 + 16 || bytes.len() > 12 + 64 + 16 {
            return None;
        }
        let (nonce, rest) = bytes.split_at(12);
        let (sealed, tag) = rest.split_at(rest.len() - 16);
        decrypt_aead(
            Cipher::aes_256_gcm(),
            &self.0,
            Some(nonce),
            OWN_COPY_MEMBER.as_bytes(),
            sealed,
            tag,
        )
        .ok()
    }
}
