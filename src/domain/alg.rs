//! The JWS algorithms sigil signs and verifies with: a closed list, `none` never among them.

use std::fmt;

/// A JWS algorithm sigil signs with; anything else (and `none`) is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// Ed25519.
    EdDSA,
}

impl SigningAlg {
    /// Every supported algorithm, RS256 (the OIDC default) first.
    pub const ALL: [SigningAlg; 4] = [Self::RS256, Self::PS256, Self::ES256, Self::EdDSA];

    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::PS256 => "PS256",
            Self::ES256 => "ES256",
            Self::EdDSA => "EdDSA",
        }
    }

    /// Parses a JOSE name; `none` and unknown names are `None`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The JOSE names of every supported algorithm.
    pub const NAMES: [&'static str; 4] = ["RS256", "PS256", "ES256", "EdDSA"];

    /// The JOSE names of every supported algorithm, as a list.
    pub fn names() -> Vec<&'static str> {
        Self::NAMES.to_vec()
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_is_never_an_algorithm() {
        assert_eq!(SigningAlg::parse("none"), None);
        assert_eq!(SigningAlg::parse("HS256"), None);
        assert_eq!(SigningAlg::parse("es256"), None);
        for (alg, name) in SigningAlg::ALL.into_iter().zip(SigningAlg::NAMES) {
            assert_eq!(SigningAlg::parse(name), Some(alg));
        }
    }
}
