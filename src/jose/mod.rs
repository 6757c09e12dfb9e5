//! All JOSE work (JWS, JWE, JWK) — the only module that names josekit.

pub mod client_keys;
pub mod content;
pub mod decrypt;
pub mod ecdh;
pub mod enc_keys;
pub mod encrypt;
pub mod kek;
pub mod keys;
pub mod policy;
pub mod purpose;
pub mod request_object;
pub mod sign;
pub mod verify;

pub use enc_keys::KeyPurpose;
pub use kek::Kek;
pub use keys::{KeyError, KeySet, SigningKey};
pub use policy::SigningAlg;

/// A JOSE failure whose text is safe for logs (it never contains key material).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct JoseError(pub String);

impl From<josekit::JoseError> for JoseError {
    fn from(e: josekit::JoseError) -> Self {
        Self(e.to_string())
    }
}
