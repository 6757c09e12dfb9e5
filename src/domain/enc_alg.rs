//! The JWE algorithms sigil encrypts and decrypts with: closed lists. `RSA1_5`, `PBES2-*` and
//! the 192-bit variants are not among them, so no parse of a header can name them.

use serde::Serialize;

/// The key type a key-management algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// An RSA public key (`kty: RSA`).
    Rsa,
    /// An elliptic-curve key for ECDH (`kty: EC` on P-256/384/521, or `kty: OKP` X25519).
    Ecdh,
    /// A key derived from the client secret (OIDC Core §10.2).
    Secret,
}

/// A JWE key-management algorithm (`alg` of a JWE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum KeyAlg {
    /// RSAES-OAEP with SHA-1.
    #[serde(rename = "RSA-OAEP")]
    RsaOaep,
    /// RSAES-OAEP with SHA-256.
    #[serde(rename = "RSA-OAEP-256")]
    RsaOaep256,
    /// ECDH-ES direct key agreement.
    #[serde(rename = "ECDH-ES")]
    EcdhEs,
    /// ECDH-ES with A128KW key wrap.
    #[serde(rename = "ECDH-ES+A128KW")]
    EcdhEsA128kw,
    /// ECDH-ES with A256KW key wrap.
    #[serde(rename = "ECDH-ES+A256KW")]
    EcdhEsA256kw,
    /// AES-128 key wrap under a key from the client secret.
    #[serde(rename = "A128KW")]
    A128kw,
    /// AES-256 key wrap under a key from the client secret.
    #[serde(rename = "A256KW")]
    A256kw,
    /// Direct encryption with a key from the client secret.
    #[serde(rename = "dir")]
    Dir,
}

impl KeyAlg {
    /// Every supported algorithm.
    pub const ALL: [KeyAlg; 8] = [
        Self::RsaOaep,
        Self::RsaOaep256,
        Self::EcdhEs,
        Self::EcdhEsA128kw,
        Self::EcdhEsA256kw,
        Self::A128kw,
        Self::A256kw,
        Self::Dir,
    ];

    /// The JOSE names of every supported algorithm.
    pub const NAMES: [&'static str; 8] = [
        "RSA-OAEP",
        "RSA-OAEP-256",
        "ECDH-ES",
        "ECDH-ES+A128KW",
        "ECDH-ES+A256KW",
        "A128KW",
        "A256KW",
        "dir",
    ];

    /// The algorithms of sigil's own encryption keys, which clients encrypt to.
    pub const OWN: [KeyAlg; 2] = [Self::RsaOaep256, Self::EcdhEsA256kw];

    /// The JOSE names of [`OWN`](Self::OWN).
    pub const OWN_NAMES: [&'static str; 2] = [Self::OWN[0].as_str(), Self::OWN[1].as_str()];

    /// The JOSE name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RsaOaep => "RSA-OAEP",
            Self::RsaOaep256 => "RSA-OAEP-256",
            Self::EcdhEs => "ECDH-ES",
            Self::EcdhEsA128kw => "ECDH-ES+A128KW",
            Self::EcdhEsA256kw => "ECDH-ES+A256KW",
            Self::A128kw => "A128KW",
            Self::A256kw => "A256KW",
            Self::Dir => "dir",
        }
    }

    /// Parses a JOSE name; refused and unknown names are `None`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The key type the algorithm needs.
    pub fn key_kind(self) -> KeyKind {
        match self {
            Self::RsaOaep | Self::RsaOaep256 => KeyKind::Rsa,
            Self::EcdhEs | Self::EcdhEsA128kw | Self::EcdhEsA256kw => KeyKind::Ecdh,
            Self::A128kw | Self::A256kw | Self::Dir => KeyKind::Secret,
        }
    }

    /// Whether the key comes from the client secret rather than a public key.
    pub fn is_symmetric(self) -> bool {
        self.key_kind() == KeyKind::Secret
    }
}

/// A JWE content-encryption algorithm (`enc` of a JWE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ContentAlg {
    /// AES-128-CBC with HMAC-SHA-256 (the registration default).
    #[serde(rename = "A128CBC-HS256")]
    A128CbcHs256,
    /// AES-256-CBC with HMAC-SHA-512.
    #[serde(rename = "A256CBC-HS512")]
    A256CbcHs512,
    /// AES-128-GCM.
    #[serde(rename = "A128GCM")]
    A128Gcm,
    /// AES-256-GCM.
    #[serde(rename = "A256GCM")]
    A256Gcm,
}

impl ContentAlg {
    /// Every supported algorithm, the default first.
    pub const ALL: [ContentAlg; 4] = [
        Self::A128CbcHs256,
        Self::A256CbcHs512,
        Self::A128Gcm,
        Self::A256Gcm,
    ];

    /// The JOSE names of every supported algorithm.
    pub const NAMES: [&'static str; 4] = ["A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"];

    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A128CbcHs256 => "A128CBC-HS256",
            Self::A256CbcHs512 => "A256CBC-HS512",
            Self::A128Gcm => "A128GCM",
            Self::A256Gcm => "A256GCM",
        }
    }

    /// Parses a JOSE name; unknown names are `None`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The content-encryption key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::A128CbcHs256 => 32,
            Self::A256CbcHs512 => 64,
            Self::A128Gcm => 16,
            Self::A256Gcm => 32,
        }
    }
}

display_as_str!(KeyAlg, ContentAlg);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_algorithms_never_parse() {
        for name in [
            "RSA1_5",
            "PBES2-HS256+A128KW",
            "PBES2-HS512+A256KW",
            "A192KW",
            "ECDH-ES+A192KW",
            "A128GCMKW",
            "none",
            "rsa-oaep",
        ] {
            assert_eq!(KeyAlg::parse(name), None, "{name}");
        }
        for name in ["A192GCM", "A192CBC-HS384", "a128gcm", ""] {
            assert_eq!(ContentAlg::parse(name), None, "{name}");
        }
    }

    #[test]
    fn names_round_trip() {
        for (alg, name) in KeyAlg::ALL.into_iter().zip(KeyAlg::NAMES) {
            assert_eq!(KeyAlg::parse(name), Some(alg));
            assert_eq!(alg.as_str(), name);
        }
        for (enc, name) in ContentAlg::ALL.into_iter().zip(ContentAlg::NAMES) {
            assert_eq!(ContentAlg::parse(name), Some(enc));
        }
    }
}
