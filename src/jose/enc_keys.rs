//! sigil's own encryption keys (`use: "enc"`): generation and the parsed decrypters.

use josekit::jwe::{ECDH_ES_A256KW, JweDecrypter, RSA_OAEP_256};
use josekit::jwk::Jwk;
use josekit::jwk::alg::ec::EcCurve;
use openssl::nid::Nid;

use super::decrypt::DecryptionKey;
use super::keys::StoredKey;
use super::{JoseError, Kek};
use crate::domain::alg::SigningAlg;
use crate::domain::enc_alg::KeyAlg;

/// What a stored key is for, read from its algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyPurpose {
    /// A signing key.
    Sign(SigningAlg),
    /// An encryption key clients encrypt to.
    Encrypt(KeyAlg),
}

impl KeyPurpose {
    /// Every kind of key sigil keeps one active key of: each signing algorithm, then each of
    /// its own encryption algorithms.
    pub fn all() -> Vec<KeyPurpose> {
        SigningAlg::ALL
            .into_iter()
            .map(Self::Sign)
            .chain(KeyAlg::OWN.into_iter().map(Self::Encrypt))
            .collect()
    }

    /// Reads a stored algorithm name.
    pub fn parse(name: &str) -> Option<Self> {
        SigningAlg::parse(name).map(Self::Sign).or_else(|| {
            KeyAlg::parse(name)
                .filter(|a| KeyAlg::OWN.contains(a))
                .map(Self::Encrypt)
        })
    }

    /// The algorithm's JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sign(alg) => alg.as_str(),
            Self::Encrypt(alg) => alg.as_str(),
        }
    }

    /// The JOSE names [`parse`](Self::parse) accepts.
    pub fn names() -> Vec<&'static str> {
        Self::all().into_iter().map(Self::as_str).collect()
    }
}

/// Generates an encryption key for `alg` and wraps its private half under `kek`.
pub(super) fn generate(alg: KeyAlg, kek: &Kek, now: i64) -> Result<StoredKey, JoseError> {
    let (mut private, mut public) = match alg {
        KeyAlg::RsaOaep256 => {
            let kp = RSA_OAEP_256.generate_key_pair(2048)?;
            (kp.to_jwk_private_key(), kp.to_jwk_public_key())
        }
        KeyAlg::EcdhEsA256kw => {
            let kp = ECDH_ES_A256KW.generate_ec_key_pair(EcCurve::P256)?;
            (kp.to_jwk_private_key(), kp.to_jwk_public_key())
        }
        other => return Err(JoseError(format!("sigil keeps no {other} key"))),
    };
    super::keys::stored(alg.as_str(), "enc", &mut private, &mut public, kek, now)
}

/// A parsed decrypter for one of sigil's private encryption keys.
pub(super) fn decryption_key(
    kid: &str,
    alg: KeyAlg,
    private: &Jwk,
) -> Result<DecryptionKey, JoseError> {
    let (decrypter, curve): (Box<dyn JweDecrypter>, _) = match alg {
        KeyAlg::RsaOaep256 => (Box::new(RSA_OAEP_256.decrypter_from_jwk(private)?), None),
        KeyAlg::EcdhEsA256kw => (
            Box::new(ECDH_ES_A256KW.decrypter_from_jwk(private)?),
            Some(curve_of(private)?),
        ),
        other => return Err(JoseError(format!("sigil keeps no {other} key"))),
    };
    Ok(DecryptionKey {
        kid: kid.to_owned(),
        alg,
        curve,
        decrypter,
    })
}

fn curve_of(jwk: &Jwk) -> Result<Nid, JoseError> {
    match jwk.curve() {
        Some("P-256") => Ok(Nid::X9_62_PRIME256V1),
        Some("P-384") => Ok(Nid::SECP384R1),
        Some("P-521") => Ok(Nid::SECP521R1),
        other => Err(JoseError(format!("unsupported curve {other:?}"))),
    }
}
