//! Signing and encryption keys: generation, KEK wrapping, the in-memory key set and its JWKS.

use std::collections::HashMap;
use std::sync::Arc;

use josekit::jwk::Jwk;
use josekit::jwk::alg::ed::EdCurve;
use josekit::jws::{ES256, EdDSA, JwsSigner, JwsVerifier, PS256, RS256};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::content::OwnCopy;
use super::decrypt::DecryptionKey;
use super::enc_keys::{self, KeyPurpose};
use super::{JoseError, Kek, SigningAlg};
use crate::domain::enc_alg::KeyAlg;

/// Why the key set could not be built.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A private key did not decrypt: the KEK is not the one the keys were stored under.
    #[error(
        "the key-encryption key does not decrypt the stored signing keys (is SIGIL_KEK the one they were created with?)"
    )]
    WrongKek,
    /// A stored key is unreadable.
    #[error("stored signing key {kid} is unusable: {reason}")]
    Corrupt {
        /// The key.
        kid: String,
        /// What is wrong.
        reason: String,
    },
    /// A JOSE operation failed.
    #[error(transparent)]
    Jose(#[from] JoseError),
}

/// A private key ready to sign, parsed once.
#[derive(Debug)]
pub struct SigningKey {
    /// Key id.
    pub kid: String,
    /// Algorithm.
    pub alg: SigningAlg,
    pub(super) signer: Box<dyn JwsSigner>,
}

/// A public key ready to verify, parsed once.
#[derive(Debug)]
pub struct VerifyingKey {
    /// Algorithm the key is for.
    pub alg: SigningAlg,
    pub(super) verifier: Box<dyn JwsVerifier>,
}

/// Every published key, the active signer per algorithm, every published decrypter, and the
/// serialized JWKS.
#[derive(Debug)]
pub struct KeySet {
    active: HashMap<SigningAlg, Arc<SigningKey>>,
    verifiers: HashMap<String, VerifyingKey>,
    decrypters: HashMap<String, DecryptionKey>,
    active_decrypters: HashMap<KeyAlg, String>,
    own_copy: Option<OwnCopy>,
    jwks: Arc<[u8]>,
    etag: String,
    fingerprint: Vec<String>,
}

/// A key as it is kept at rest: the public JWK, the private one wrapped under the
/// KEK, and its lifecycle timestamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// Key id, published as `kid`.
    pub kid: String,
    /// JWS or JWE algorithm the key is for.
    pub alg: String,
    /// Public JWK as JSON.
    pub public_jwk: String,
    /// Private JWK, encrypted as a compact JWE under the KEK.
    pub private_jwe: String,
    /// When it was made.
    pub created_at: i64,
    /// When a newer key replaced it; `None` while active.
    pub retired_at: Option<i64>,
    /// When it leaves the JWKS; `None` while active.
    pub expires_at: Option<i64>,
}

/// Generates a key for `purpose` and wraps its private half under `kek`.
pub fn generate_for(purpose: KeyPurpose, kek: &Kek, now: i64) -> Result<StoredKey, JoseError> {
    match purpose {
        KeyPurpose::Sign(alg) => generate(alg, kek, now),
        KeyPurpose::Encrypt(alg) => enc_keys::generate(alg, kek, now),
    }
}

/// Generates a signing key for `alg` and wraps its private half under `kek`.
pub fn generate(alg: SigningAlg, kek: &Kek, now: i64) -> Result<StoredKey, JoseError> {
    let (mut private, mut public) = match alg {
        SigningAlg::RS256 => {
            let kp = RS256.generate_key_pair(2048)?;
            (kp.to_jwk_private_key(), kp.to_jwk_public_key())
        }
        SigningAlg::PS256 => {
            let kp = PS256.generate_key_pair(2048)?;
            (kp.to_jwk_private_key(), kp.to_jwk_public_key())
        }
        SigningAlg::ES256 => {
            let kp = ES256.generate_key_pair()?;
            (kp.to_jwk_private_key(), kp.to_jwk_public_key())
        }
        SigningAlg::EdDSA => {
            let kp = EdDSA.generate_key_pair(EdCurve::Ed25519)?;
            (kp.to_jwk_private_key(), kp.to_jwk_public_key())
        }
    };
    stored(alg.as_str(), "sig", &mut private, &mut public, kek, now)
}

/// A new key pair as it is kept: a fresh `kid`, `use` and `alg` on both halves, the
/// private one wrapped under `kek`.
pub(super) fn stored(
    alg: &str,
    usage: &str,
    private: &mut Jwk,
    public: &mut Jwk,
    kek: &Kek,
    now: i64,
) -> Result<StoredKey, JoseError> {
    let kid = crate::secrets::random_token(12);
    for jwk in [&mut *private, &mut *public] {
        jwk.set_key_id(&kid);
        jwk.set_key_use(usage);
        jwk.set_algorithm(alg);
    }
    Ok(StoredKey {
        kid,
        alg: alg.to_owned(),
        public_jwk: public.to_string(),
        private_jwe: kek.wrap(private.to_string().as_bytes())?,
        created_at: now,
        retired_at: None,
        expires_at: None,
    })
}

fn parse_alg(row: &StoredKey) -> Result<KeyPurpose, KeyError> {
    KeyPurpose::parse(&row.alg).ok_or_else(|| KeyError::Corrupt {
        kid: row.kid.clone(),
        reason: format!("unknown algorithm {}", row.alg),
    })
}

fn parse_jwk(kid: &str, bytes: &[u8]) -> Result<Jwk, KeyError> {
    Jwk::from_bytes(bytes).map_err(|e| KeyError::Corrupt {
        kid: kid.to_owned(),
        reason: e.to_string(),
    })
}

fn signer(alg: SigningAlg, jwk: &Jwk) -> Result<Box<dyn JwsSigner>, JoseError> {
    Ok(match alg {
        SigningAlg::RS256 => Box::new(RS256.signer_from_jwk(jwk)?),
        SigningAlg::PS256 => Box::new(PS256.signer_from_jwk(jwk)?),
        SigningAlg::ES256 => Box::new(ES256.signer_from_jwk(jwk)?),
        SigningAlg::EdDSA => Box::new(EdDSA.signer_from_jwk(jwk)?),
    })
}

/// A verifier for a public JWK, for exactly `alg`.
pub(super) fn verifier(alg: SigningAlg, jwk: &Jwk) -> Result<Box<dyn JwsVerifier>, JoseError> {
    Ok(match alg {
        SigningAlg::RS256 => Box::new(RS256.verifier_from_jwk(jwk)?),
        SigningAlg::PS256 => Box::new(PS256.verifier_from_jwk(jwk)?),
        SigningAlg::ES256 => Box::new(ES256.verifier_from_jwk(jwk)?),
        SigningAlg::EdDSA => Box::new(EdDSA.verifier_from_jwk(jwk)?),
    })
}

impl KeySet {
    /// Builds the set from published rows, decrypting the active private keys with `kek`.
    pub fn load(rows: &[StoredKey], kek: &Kek) -> Result<Self, KeyError> {
        Self::build(rows, Some(kek))
    }

    /// Builds a verify-only set (no KEK needed): for `sigil token decode --verify`.
    pub fn public_only(rows: &[StoredKey]) -> Result<Self, KeyError> {
        Self::build(rows, None)
    }

    fn build(rows: &[StoredKey], kek: Option<&Kek>) -> Result<Self, KeyError> {
        let mut active = HashMap::new();
        let mut verifiers = HashMap::new();
        let mut decrypters = HashMap::new();
        let mut active_decrypters = HashMap::new();
        let mut published = Vec::with_capacity(rows.len());
        let mut fingerprint = Vec::with_capacity(rows.len());
        for row in rows {
            let purpose = parse_alg(row)?;
            let public = parse_jwk(&row.kid, row.public_jwk.as_bytes())?;
            let public_json: Value =
                serde_json::from_str(&row.public_jwk).map_err(|e| KeyError::Corrupt {
                    kid: row.kid.clone(),
                    reason: e.to_string(),
                })?;
            published.push(public_json);
            fingerprint.push(format!("{}:{}", row.kid, row.retired_at.is_some()));
            let needs_private = match purpose {
                KeyPurpose::Sign(_) => row.retired_at.is_none(),
                KeyPurpose::Encrypt(_) => true,
            };
            let private = match kek.filter(|_| needs_private) {
                Some(kek) => {
                    let bytes = kek
                        .unwrap(&row.private_jwe)
                        .map_err(|_| KeyError::WrongKek)?;
                    Some(parse_jwk(&row.kid, &bytes)?)
                }
                None => None,
            };
            match purpose {
                KeyPurpose::Sign(alg) => {
                    verifiers.insert(
                        row.kid.clone(),
                        VerifyingKey {
                            alg,
                            verifier: verifier(alg, &public)?,
                        },
                    );
                    if let (Some(jwk), None) = (&private, row.retired_at) {
                        active.insert(
                            alg,
                            Arc::new(SigningKey {
                                kid: row.kid.clone(),
                                alg,
                                signer: signer(alg, jwk)?,
                            }),
                        );
                    }
                }
                KeyPurpose::Encrypt(alg) => {
                    // Retired keys still decrypt: clients may hold the JWKS they fetched.
                    if let Some(jwk) = &private {
                        decrypters.insert(
                            row.kid.clone(),
                            enc_keys::decryption_key(&row.kid, alg, jwk)?,
                        );
                        if row.retired_at.is_none() {
                            active_decrypters.insert(alg, row.kid.clone());
                        }
                    }
                }
            }
        }
        fingerprint.sort();
        let jwks = serde_json::to_vec(&serde_json::json!({ "keys": published }))
            .map_err(|e| JoseError(e.to_string()))?;
        let etag = format!("\"{}\"", &crate::secrets::hex(&Sha256::digest(&jwks))[..32]);
        let own_copy = kek.map(OwnCopy::from_kek).transpose()?;
        Ok(Self {
            active,
            verifiers,
            decrypters,
            active_decrypters,
            own_copy,
            jwks: jwks.into(),
            etag,
            fingerprint,
        })
    }

    /// The active key for `alg`, if the set has private keys.
    pub fn signing_key(&self, alg: SigningAlg) -> Option<Arc<SigningKey>> {
        self.active.get(&alg).cloned()
    }

    /// The published key with this `kid`.
    pub fn verifying_key(&self, kid: &str) -> Option<&VerifyingKey> {
        self.verifiers.get(kid)
    }

    /// Published keys of one algorithm.
    pub fn verifying_keys_for(&self, alg: SigningAlg) -> impl Iterator<Item = &VerifyingKey> {
        self.verifiers.values().filter(move |k| k.alg == alg)
    }

    /// The published encryption key with this `kid`, retired ones included (needs the KEK).
    pub fn decryption_key(&self, kid: &str) -> Option<&DecryptionKey> {
        self.decrypters.get(kid)
    }

    /// The active encryption key for `alg` (needs the KEK).
    pub fn active_decryption_key(&self, alg: KeyAlg) -> Option<&DecryptionKey> {
        self.active_decrypters
            .get(&alg)
            .and_then(|kid| self.decrypters.get(kid))
    }

    /// The key sigil keeps its copy of the content keys of its resource tokens under
    /// (needs the KEK).
    pub fn own_copy(&self) -> Option<&OwnCopy> {
        self.own_copy.as_ref()
    }

    /// The JWKS document, serialized once.
    pub fn jwks(&self) -> Arc<[u8]> {
        self.jwks.clone()
    }

    /// A strong validator for the JWKS document.
    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// Sorted `kid:retired` pairs, to tell whether a reload changed anything.
    pub fn fingerprint(&self) -> &[String] {
        &self.fingerprint
    }
}

#[cfg(test)]
mod tests;

/// A signing key from a private JWK, for tests that play a client.
#[cfg(test)]
pub(crate) fn signer_for_tests(alg: SigningAlg, jwk: &Jwk) -> SigningKey {
    SigningKey {
        kid: jwk.key_id().unwrap_or_default().to_owned(),
        alg,
        signer: signer(alg, jwk).unwrap(),
    }
}
