//! A client's (or a resource's) public JWK set, parsed once: verifiers for its signatures
//! (`use: sig` or no `use`) and recipients for what is encrypted to it (`use: enc` or no
//! `use`), each only for the algorithms its key type and its `alg` member allow.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwk::Jwk;
use josekit::jws::JwsVerifier;
use serde_json::Value;

use super::encrypt::Recipient;
use super::policy::Policy;
use super::verify::{Decoded, VerifyError, decode_unverified, header_alg};
use crate::domain::alg::SigningAlg;
use crate::domain::enc_alg::{KeyAlg, KeyKind};

/// The smallest RSA modulus accepted, in bytes (2048 bits).
const MIN_RSA_MODULUS: usize = 256;

/// Why a JWK set is unusable; the text names the key and is safe to show its owner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeySetError(pub String);

struct Verifier {
    kid: Option<String>,
    alg: SigningAlg,
    verifier: Box<dyn JwsVerifier>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// The parsed public keys of one JWK set.
#[derive(Debug, Default)]
pub struct ClientKeys {
    verifiers: Vec<Verifier>,
    recipients: Vec<Recipient>,
    kids: Vec<String>,
}

fn signing_algs(kty: &str, crv: Option<&str>) -> &'static [SigningAlg] {
    match (kty, crv) {
        ("RSA", _) => &[SigningAlg::RS256, SigningAlg::PS256],
        ("EC", Some("P-256")) => &[SigningAlg::ES256],
        ("OKP", Some("Ed25519")) => &[SigningAlg::EdDSA],
        _ => &[],
    }
}

fn ecdh_curve(kty: &str, crv: Option<&str>) -> bool {
    matches!(
        (kty, crv),
        ("EC", Some("P-256" | "P-384" | "P-521")) | ("OKP", Some("X25519"))
    )
}

fn key_algs(kty: &str, crv: Option<&str>) -> Vec<KeyAlg> {
    KeyAlg::ALL
        .into_iter()
        .filter(|a| match a.key_kind() {
            KeyKind::Rsa => kty == "RSA",
            KeyKind::Ecdh => ecdh_curve(kty, crv),
            KeyKind::Secret => false,
        })
        .collect()
}

impl ClientKeys {
    /// Parses `{"keys": [...]}`. A key that is not a valid public JWK, an RSA key under 2048
    /// bits, or an unknown `use` is an error; a key for an algorithm sigil does not support
    /// is kept out of use.
    pub fn parse(jwks: &Value) -> Result<Self, KeySetError> {
        let keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| KeySetError("the JWK set has no \"keys\" array".into()))?;
        let mut out = Self::default();
        for (i, key) in keys.iter().enumerate() {
            let bad = |why: String| KeySetError(format!("jwks.keys[{i}] {why}"));
            let map = key
                .as_object()
                .cloned()
                .ok_or_else(|| bad("is not an object".into()))?;
            let jwk = Jwk::from_map(map).map_err(|e| bad(format!("is not a valid JWK: {e}")))?;
            let kty = jwk.key_type().to_owned();
            let crv = jwk.curve().map(str::to_owned);
            if kty == "RSA" {
                let n = jwk
                    .parameter("n")
                    .and_then(Value::as_str)
                    .and_then(|n| URL_SAFE_NO_PAD.decode(n).ok())
                    .ok_or_else(|| bad("has no valid RSA modulus \"n\"".into()))?;
                let n = n.iter().skip_while(|b| **b == 0).count();
                if n < MIN_RSA_MODULUS {
                    return Err(bad("is an RSA key shorter than 2048 bits".into()));
                }
            }
            let (sig, enc) = match jwk.key_use() {
                None => (true, true),
                Some("sig") => (true, false),
                Some("enc") => (false, true),
                Some(other) => return Err(bad(format!("has an unknown \"use\" {other:?}"))),
            };
            let named = jwk.algorithm().map(str::to_owned);
            let allowed = |name: &str| named.as_deref().is_none_or(|a| a == name);
            if let Some(kid) = jwk.key_id() {
                out.kids.push(kid.to_owned());
            }
            if sig {
                for &alg in signing_algs(&kty, crv.as_deref()) {
                    if !allowed(alg.as_str()) {
                        continue;
                    }
                    let verifier = super::keys::verifier(alg, &jwk)
                        .map_err(|e| bad(format!("is not a valid {alg} key: {e}")))?;
                    out.verifiers.push(Verifier {
                        kid: jwk.key_id().map(str::to_owned),
                        alg,
                        verifier,
                    });
                }
            }
            if enc {
                for alg in key_algs(&kty, crv.as_deref()) {
                    if !allowed(alg.as_str()) {
                        continue;
                    }
                    let recipient = Recipient::from_jwk(alg, &jwk)
                        .map_err(|e| bad(format!("is not a valid {alg} key: {e}")))?;
                    out.recipients.push(recipient);
                }
            }
        }
        Ok(out)
    }

    /// The first key that can receive `alg`.
    pub fn recipient(&self, alg: KeyAlg) -> Option<&Recipient> {
        self.recipients.iter().find(|r| r.alg() == alg)
    }

    /// Whether some key can verify `alg` signatures.
    pub fn can_verify(&self, alg: SigningAlg) -> bool {
        self.verifiers.iter().any(|v| v.alg == alg)
    }

    /// Whether the set has a key with this `kid`.
    pub fn has_kid(&self, kid: &str) -> bool {
        self.kids.iter().any(|k| k == kid)
    }

    /// Verifies a JWS signed by one of these keys under `policy`: the algorithm comes from the
    /// policy and the key, keys are matched by `kid` (or, without one, tried by algorithm),
    /// and keys embedded in the header are ignored.
    pub fn verify(&self, token: &str, policy: &Policy) -> Result<Decoded, VerifyError> {
        let decoded = decode_unverified(token)?;
        let alg = header_alg(&decoded, policy)?;
        let kid = decoded.header.get("kid").and_then(Value::as_str);
        let mut candidates = self
            .verifiers
            .iter()
            .filter(|v| v.alg == alg && kid.is_none_or(|kid| v.kid.as_deref() == Some(kid)))
            .peekable();
        if candidates.peek().is_none() {
            return Err(VerifyError::UnknownKey(kid.unwrap_or("absent").to_owned()));
        }
        for key in candidates {
            if josekit::jws::deserialize_compact(token, key.verifier.as_ref()).is_ok() {
                return Ok(decoded);
            }
        }
        Err(VerifyError::Signature)
    }
}

#[cfg(test)]
mod tests;
