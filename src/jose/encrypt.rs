//! JWE encryption of nested JWTs: sign first, then encrypt to a recipient, `cty: "JWT"`,
//! never compressed. A recipient is parsed once and kept.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwe::{A128KW, A256KW, Dir, JweEncrypter, JweHeader, RSA_OAEP, RSA_OAEP_256};
use josekit::jwk::Jwk;
use sha2::{Digest, Sha256, Sha512};

use super::JoseError;
use super::content::{self, OwnCopy};
use super::ecdh::EcdhRecipient;
use crate::domain::enc_alg::{ContentAlg, KeyAlg, KeyKind};

/// Someone tokens are encrypted to: a key-management algorithm and its parsed key.
#[derive(Debug, Clone)]
pub struct Recipient {
    alg: KeyAlg,
    kid: Option<String>,
    key: Key,
}

#[derive(Debug, Clone)]
enum Key {
    /// RSA-OAEP and the secret-derived algorithms: josekit's encrypter.
    Jose(Box<dyn JweEncrypter>),
    /// ECDH-ES: sigil's own agreement over a key checked once.
    Ecdh(EcdhRecipient),
}

/// josekit's rules for a JWK used with `alg`: its `alg` and `use` members, when present,
/// must allow it.
fn allows(jwk: &Jwk, alg: KeyAlg) -> Result<(), JoseError> {
    if jwk.algorithm().is_some_and(|a| a != alg.as_str()) {
        return Err(JoseError(format!(
            "the key is for another algorithm than {alg}"
        )));
    }
    if jwk.key_use().is_some_and(|u| u != "enc") {
        return Err(JoseError("the key is not for encryption".into()));
    }
    if !jwk.is_for_key_operation("deriveKey") {
        return Err(JoseError(
            "the key's key_ops do not include deriveKey".into(),
        ));
    }
    Ok(())
}

impl Recipient {
    /// A recipient for a public JWK (RSA for RSA-OAEP*, EC or X25519 for ECDH-ES*).
    pub fn from_jwk(alg: KeyAlg, jwk: &Jwk) -> Result<Self, JoseError> {
        let key = match alg {
            KeyAlg::RsaOaep => Key::Jose(Box::new(RSA_OAEP.encrypter_from_jwk(jwk)?)),
            KeyAlg::RsaOaep256 => Key::Jose(Box::new(RSA_OAEP_256.encrypter_from_jwk(jwk)?)),
            KeyAlg::EcdhEs | KeyAlg::EcdhEsA128kw | KeyAlg::EcdhEsA256kw => {
                allows(jwk, alg)?;
                Key::Ecdh(EcdhRecipient::from_jwk(jwk.as_ref())?)
            }
            KeyAlg::A128kw | KeyAlg::A256kw | KeyAlg::Dir => {
                return Err(JoseError(format!(
                    "{alg} takes a key from the client secret, not a public key"
                )));
            }
        };
        Ok(Self {
            alg,
            kid: jwk.key_id().map(str::to_owned),
            key,
        })
    }

    /// A recipient whose key is derived from a client secret as OIDC Core §10.2 says: the
    /// left-truncated SHA-256 (keys up to 256 bits) or SHA-512 hash of the secret's octets.
    pub fn from_secret(alg: KeyAlg, enc: ContentAlg, secret: &[u8]) -> Result<Self, JoseError> {
        let key = secret_key(alg, enc, secret)?;
        let encrypter: Box<dyn JweEncrypter> = match alg {
            KeyAlg::A128kw => Box::new(A128KW.encrypter_from_bytes(&key)?),
            KeyAlg::A256kw => Box::new(A256KW.encrypter_from_bytes(&key)?),
            KeyAlg::Dir => Box::new(Dir.encrypter_from_bytes(&key)?),
            other => {
                return Err(JoseError(format!("{other} does not use the client secret")));
            }
        };
        Ok(Self {
            alg,
            kid: None,
            key: Key::Jose(encrypter),
        })
    }

    /// The key-management algorithm.
    pub fn alg(&self) -> KeyAlg {
        self.alg
    }

    /// The recipient key's `kid`, if it has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }
}

/// The symmetric key OIDC Core §10.2 derives from a client secret for `alg` (and `enc` for `dir`).
pub fn secret_key(alg: KeyAlg, enc: ContentAlg, secret: &[u8]) -> Result<Vec<u8>, JoseError> {
    let len = match alg {
        KeyAlg::A128kw => 16,
        KeyAlg::A256kw => 32,
        KeyAlg::Dir => enc.key_len(),
        other if other.key_kind() != KeyKind::Secret => {
            return Err(JoseError(format!("{other} does not use the client secret")));
        }
        other => return Err(JoseError(format!("no key length for {other}"))),
    };
    let hash: Vec<u8> = if len <= 32 {
        Sha256::digest(secret).to_vec()
    } else {
        Sha512::digest(secret).to_vec()
    };
    Ok(hash[..len].to_vec())
}

/// Encrypts the signed JWT `jws` to `to` with `enc`: a nested JWT with `cty: "JWT"`.
/// With `own`, the content key is also kept, wrapped under sigil's key, in the protected
/// header member [`content::OWN_COPY_MEMBER`], so sigil can read its own token back.
pub fn encrypt_nested(
    jws: &str,
    enc: ContentAlg,
    to: &Recipient,
    own: Option<&OwnCopy>,
) -> Result<String, JoseError> {
    let cipher = content::cipher(enc);
    let mut header = JweHeader::new();
    header.set_content_encryption(enc.as_str());
    header.set_content_type("JWT");
    if let Some(kid) = &to.kid {
        header.set_key_id(kid);
    }
    let mut out = header.clone();
    let (cek, wrapped): (Cow<'_, [u8]>, Option<Vec<u8>>) = match &to.key {
        Key::Jose(encrypter) => {
            let cek = match encrypter.compute_content_encryption_key(cipher, &header, &mut out)? {
                Some(cek) => cek,
                None => Cow::Owned(crate::secrets::random_bytes(enc.key_len())),
            };
            let wrapped = encrypter.encrypt(&cek, &header, &mut out)?;
            (cek, wrapped)
        }
        Key::Ecdh(recipient) => {
            let fresh = crate::secrets::random_bytes(enc.key_len());
            let (cek, wrapped, epk) = recipient.agree(to.alg, enc, &fresh)?;
            out.set_claim("epk", Some(epk))?;
            (Cow::Owned(cek), Some(wrapped).filter(|w| !w.is_empty()))
        }
    };
    out.set_algorithm(to.alg.as_str());
    if let Some(own) = own {
        out.set_claim(
            content::OWN_COPY_MEMBER,
            Some(serde_json::Value::String(own.wrap(&cek)?)),
        )?;
    }
    let header_json = serde_json::to_vec(out.claims_set()).map_err(|e| JoseError(e.to_string()))?;
    let header_b64 = URL_SAFE_NO_PAD.encode(header_json);
    let (iv, ciphertext, tag) = content::seal(enc, &cek, jws.as_bytes(), header_b64.as_bytes())?;
    let part = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    Ok(format!(
        "{header_b64}.{}.{}.{}.{}",
        wrapped.as_deref().map(part).unwrap_or_default(),
        part(&iv),
        part(&ciphertext),
        part(&tag),
    ))
}

#[cfg(test)]
mod tests;
