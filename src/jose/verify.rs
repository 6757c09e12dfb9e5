//! JWS verification: the algorithm comes from our key and policy, never from the token alone.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::JwsVerifier;
use serde_json::{Map, Value};

use super::policy::{CLOCK_SKEW_LEEWAY, Policy};
use super::{KeySet, SigningAlg};

/// Why a token was refused; the text is safe to show an operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Not three base64url parts with JSON header and payload.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// Header `alg` missing, `none`, or outside the policy.
    #[error("algorithm not accepted: {0}")]
    Algorithm(String),
    /// No published key matches the header.
    #[error("no matching key (kid {0})")]
    UnknownKey(String),
    /// The signature does not verify.
    #[error("signature does not verify")]
    Signature,
    /// A registered claim is wrong.
    #[error("claim {claim}: {problem}")]
    Claim {
        /// The claim.
        claim: &'static str,
        /// What is wrong.
        problem: String,
    },
}

/// A token's header and claims, without any check.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
}

/// Decodes a compact JWS's header and payload without verifying anything.
pub fn decode_unverified(token: &str) -> Result<Decoded, VerifyError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VerifyError::Malformed(
            "expected three dot-separated parts".into(),
        ));
    };
    Ok(Decoded {
        header: json_part("header", h)?,
        claims: json_part("payload", p)?,
    })
}

fn json_part(name: &str, part: &str) -> Result<Map<String, Value>, VerifyError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| VerifyError::Malformed(format!("{name} is not base64url")))?;
    // A NUL in a claim has no use, and would reach lookups PostgreSQL cannot make.
    if bytes.windows(6).any(|w| w == b"\\u0000") {
        return Err(VerifyError::Malformed(format!("{name} holds a NUL")));
    }
    serde_json::from_slice(&bytes)
        .map_err(|_| VerifyError::Malformed(format!("{name} is not a JSON object")))
}

/// The header's `alg`, when `policy` accepts it (never `none`).
pub(super) fn header_alg(decoded: &Decoded, policy: &Policy) -> Result<SigningAlg, VerifyError> {
    let name = decoded
        .header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or_else(|| VerifyError::Algorithm("missing".into()))?;
    SigningAlg::parse(name)
        .filter(|a| policy.algs.contains(a))
        .ok_or_else(|| VerifyError::Algorithm(name.to_owned()))
}

/// Verifies the signature of `token` against `keys` under `policy`; returns header and claims.
pub fn verify(token: &str, keys: &KeySet, policy: &Policy) -> Result<Decoded, VerifyError> {
    let decoded = decode_unverified(token)?;
    let alg = header_alg(&decoded, policy)?;
    let verifier: &dyn JwsVerifier = match decoded.header.get("kid").and_then(Value::as_str) {
        Some(kid) => {
            let key = keys
                .verifying_key(kid)
                .filter(|k| k.alg == alg)
                .ok_or_else(|| VerifyError::UnknownKey(kid.to_owned()))?;
            key.verifier.as_ref()
        }
        None => {
            let mut candidates = keys.verifying_keys_for(alg);
            match (candidates.next(), candidates.next()) {
                (Some(only), None) => only.verifier.as_ref(),
                _ => return Err(VerifyError::UnknownKey("absent".into())),
            }
        }
    };
    josekit::jws::deserialize_compact(token, verifier).map_err(|_| VerifyError::Signature)?;
    Ok(decoded)
}

/// What registered claims must hold.
#[derive(Debug, Clone)]
pub struct Expect<'a> {
    /// Required `iss`.
    pub issuer: &'a str,
    /// Required member of `aud`, when given.
    pub audience: Option<&'a str>,
    /// Current time, UTC Unix seconds.
    pub now: i64,
}

/// Checks `iss`, `aud`, `exp`, `nbf` and `iat` with the clock-skew leeway.
pub fn check_claims(claims: &Map<String, Value>, expect: &Expect<'_>) -> Result<(), VerifyError> {
    let bad = |claim, problem: &str| VerifyError::Claim {
        claim,
        problem: problem.to_owned(),
    };
    match claims.get("iss").and_then(Value::as_str) {
        Some(iss) if iss == expect.issuer => {}
        Some(_) => return Err(bad("iss", "is not this issuer")),
        None => return Err(bad("iss", "missing")),
    }
    if let Some(aud) = expect.audience {
        let ok = match claims.get("aud") {
            Some(Value::String(s)) => s == aud,
            Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(aud)),
            _ => false,
        };
        if !ok {
            return Err(bad("aud", "does not name the expected audience"));
        }
    }
    let time = |name: &'static str| -> Result<Option<i64>, VerifyError> {
        match claims.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| bad(name, "is not a number")),
        }
    };
    match time("exp")? {
        Some(exp) if exp + CLOCK_SKEW_LEEWAY <= expect.now => return Err(bad("exp", "expired")),
        Some(_) => {}
        None => return Err(bad("exp", "missing")),
    }
    if let Some(nbf) = time("nbf")?
        && nbf - CLOCK_SKEW_LEEWAY > expect.now
    {
        return Err(bad("nbf", "not yet valid"));
    }
    if let Some(iat) = time("iat")?
        && iat - CLOCK_SKEW_LEEWAY > expect.now
    {
        return Err(bad("iat", "issued in the future"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::keys::generate;
    use crate::jose::{Kek, sign::sign};
    use serde_json::json;

    #[test]
    fn a_nul_in_a_claim_or_header_is_malformed() {
        let part = |v: &str| URL_SAFE_NO_PAD.encode(v);
        let with = |h: &str, p: &str| format!("{}.{}.sig", part(h), part(p));
        assert!(decode_unverified(&with(r#"{"alg":"ES256"}"#, r#"{"sub":"a"}"#)).is_ok());
        for token in [
            with(r#"{"alg":"ES256"}"#, r#"{"sub":"a\u0000"}"#),
            with(r#"{"alg":"ES256","kid":"\u0000"}"#, r#"{"sub":"a"}"#),
        ] {
            assert!(matches!(
                decode_unverified(&token),
                Err(VerifyError::Malformed(_))
            ));
        }
    }

    fn set() -> KeySet {
        let kek = Kek::new([5u8; 32]);
        let rows: Vec<_> = SigningAlg::ALL
            .iter()
            .map(|&a| generate(a, &kek, 0).unwrap())
            .collect();
        KeySet::load(&rows, &kek).unwrap()
    }

    fn b64(v: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    }

    #[test]
    fn round_trip_every_algorithm() {
        let keys = set();
        for alg in SigningAlg::ALL {
            let key = keys.signing_key(alg).unwrap();
            let token = sign(&json!({"iss": "x", "exp": 10}), "JWT", &key).unwrap();
            let d = verify(&token, &keys, &Policy::default()).unwrap();
            assert_eq!(d.header["alg"], alg.as_str());
            assert_eq!(d.header["kid"], key.kid.as_str());
        }
    }

    #[test]
    fn refuses_none_policy_and_swapped_algorithms() {
        let keys = set();
        let es = keys.signing_key(SigningAlg::ES256).unwrap();
        let token = sign(&json!({"a": 1}), "JWT", &es).unwrap();
        let only_rs = Policy {
            algs: vec![SigningAlg::RS256],
        };
        assert!(matches!(
            verify(&token, &keys, &only_rs),
            Err(VerifyError::Algorithm(_))
        ));
        let parts: Vec<&str> = token.split('.').collect();
        let none = format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "kid": es.kid})),
            parts[1]
        );
        assert!(matches!(
            verify(&none, &keys, &Policy::default()),
            Err(VerifyError::Algorithm(_))
        ));
        let swapped = format!(
            "{}.{}.{}",
            b64(&json!({"alg": "RS256", "kid": es.kid})),
            parts[1],
            parts[2]
        );
        assert!(matches!(
            verify(&swapped, &keys, &Policy::default()),
            Err(VerifyError::UnknownKey(_))
        ));
        let tampered = format!("{}.{}.{}", parts[0], b64(&json!({"a": 2})), parts[2]);
        assert_eq!(
            verify(&tampered, &keys, &Policy::default()),
            Err(VerifyError::Signature)
        );
        let embedded = format!(
            "{}.{}.{}",
            b64(&json!({"alg": "ES256", "kid": "evil", "jwk": {"kty": "EC"}})),
            parts[1],
            parts[2]
        );
        assert!(matches!(
            verify(&embedded, &keys, &Policy::default()),
            Err(VerifyError::UnknownKey(_))
        ));
        assert!(matches!(
            verify("a.b", &keys, &Policy::default()),
            Err(VerifyError::Malformed(_))
        ));
    }

    #[test]
    fn registered_claims() {
        let e = Expect {
            issuer: "https://id.example",
            audience: Some("app"),
            now: 1000,
        };
        let ok = json!({"iss": "https://id.example", "aud": ["app", "b"], "exp": 1001, "iat": 990});
        assert!(check_claims(ok.as_object().unwrap(), &e).is_ok());
        let cases = [
            (json!({"iss": "other", "aud": "app", "exp": 2000}), "iss"),
            (
                json!({"iss": "https://id.example", "aud": "b", "exp": 2000}),
                "aud",
            ),
            (
                json!({"iss": "https://id.example", "aud": "app", "exp": 900}),
                "exp",
            ),
            (json!({"iss": "https://id.example", "aud": "app"}), "exp"),
            (
                json!({"iss": "https://id.example", "aud": "app", "exp": 2000, "nbf": 1100}),
                "nbf",
            ),
        ];
        for (claims, which) in cases {
            match check_claims(claims.as_object().unwrap(), &e) {
                Err(VerifyError::Claim { claim, .. }) => assert_eq!(claim, which),
                other => panic!("{which}: {other:?}"),
            }
        }
        let skewed = json!({"iss": "https://id.example", "aud": "app", "exp": 950});
        assert!(check_claims(skewed.as_object().unwrap(), &e).is_ok());
    }
}
