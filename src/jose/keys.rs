//! Signing keys: generation, KEK wrapping, the in-memory key set and its JWKS.

use std::collections::HashMap;
use std::sync::Arc;

use josekit::jwk::Jwk;
use josekit::jwk::alg::ed::EdCurve;
use josekit::jws::{ES256, EdDSA, JwsSigner, JwsVerifier, PS256, RS256};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{JoseError, Kek, SigningAlg};

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

/// Every published key, the active signer per algorithm, and the serialized JWKS.
#[derive(Debug)]
pub struct KeySet {
    active: HashMap<SigningAlg, Arc<SigningKey>>,
    verifiers: HashMap<String, VerifyingKey>,
    jwks: Arc<[u8]>,
    etag: String,
    fingerprint: Vec<String>,
}

/// A signing key as it is kept at rest: the public JWK, the private one wrapped under the
/// KEK, and its lifecycle timestamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// Key id, published as `kid`.
    pub kid: String,
    /// JWS algorithm the key is for.
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

/// Generates a key for `alg` and wraps its private half under `kek`.
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
    let kid = crate::secrets::random_token(12);
    for jwk in [&mut private, &mut public] {
        jwk.set_key_id(&kid);
        jwk.set_key_use("sig");
        jwk.set_algorithm(alg.as_str());
    }
    Ok(StoredKey {
        kid,
        alg: alg.as_str().to_owned(),
        public_jwk: public.to_string(),
        private_jwe: kek.wrap(private.to_string().as_bytes())?,
        created_at: now,
        retired_at: None,
        expires_at: None,
    })
}

fn parse_alg(row: &StoredKey) -> Result<SigningAlg, KeyError> {
    SigningAlg::parse(&row.alg).ok_or_else(|| KeyError::Corrupt {
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
        let mut published = Vec::with_capacity(rows.len());
        let mut fingerprint = Vec::with_capacity(rows.len());
        for row in rows {
            let alg = parse_alg(row)?;
            let public = parse_jwk(&row.kid, row.public_jwk.as_bytes())?;
            verifiers.insert(
                row.kid.clone(),
                VerifyingKey {
                    alg,
                    verifier: verifier(alg, &public)?,
                },
            );
            let public_json: Value =
                serde_json::from_str(&row.public_jwk).map_err(|e| KeyError::Corrupt {
                    kid: row.kid.clone(),
                    reason: e.to_string(),
                })?;
            published.push(public_json);
            fingerprint.push(format!("{}:{}", row.kid, row.retired_at.is_some()));
            if let (Some(kek), None) = (kek, row.retired_at) {
                let private = kek
                    .unwrap(&row.private_jwe)
                    .map_err(|_| KeyError::WrongKek)?;
                let jwk = parse_jwk(&row.kid, &private)?;
                active.insert(
                    alg,
                    Arc::new(SigningKey {
                        kid: row.kid.clone(),
                        alg,
                        signer: signer(alg, &jwk)?,
                    }),
                );
            }
        }
        fingerprint.sort();
        let jwks = serde_json::to_vec(&serde_json::json!({ "keys": published }))
            .map_err(|e| JoseError(e.to_string()))?;
        let etag = format!("\"{}\"", &crate::secrets::hex(&Sha256::digest(&jwks))[..32]);
        Ok(Self {
            active,
            verifiers,
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
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_generates_loads_and_publishes_no_private_member() {
        let kek = Kek::new([9u8; 32]);
        let rows: Vec<StoredKey> = SigningAlg::ALL
            .iter()
            .map(|&alg| generate(alg, &kek, 0).unwrap())
            .collect();
        let set = KeySet::load(&rows, &kek).unwrap();
        let jwks: Value = serde_json::from_slice(&set.jwks()).unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 4);
        for key in keys {
            for member in ["kid", "use", "alg"] {
                assert!(key.get(member).is_some(), "{member} missing in {key}");
            }
            for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
                assert!(key.get(private).is_none(), "{private} published");
            }
        }
        for alg in SigningAlg::ALL {
            assert_eq!(set.signing_key(alg).unwrap().alg, alg);
        }
    }

    #[test]
    fn stored_private_key_is_not_a_key_without_the_kek() {
        let kek = Kek::new([3u8; 32]);
        let row = generate(SigningAlg::ES256, &kek, 0).unwrap();
        assert!(Jwk::from_bytes(row.private_jwe.as_bytes()).is_err());
        assert!(!row.private_jwe.contains("\"d\""));
        let err = KeySet::load(&[row], &Kek::new([4u8; 32])).unwrap_err();
        assert!(matches!(err, KeyError::WrongKek));
    }
}
