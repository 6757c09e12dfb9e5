//! JWS signing with the in-memory keys.

use josekit::jws::JwsHeader;
use serde::Serialize;

use super::{JoseError, SigningKey};

/// Signs `claims` as a compact JWS with header `typ`, `alg` and `kid` from `key`.
pub fn sign<T: Serialize>(claims: &T, typ: &str, key: &SigningKey) -> Result<String, JoseError> {
    let payload = serde_json::to_vec(claims).map_err(|e| JoseError(e.to_string()))?;
    sign_bytes(&payload, typ, key)
}

/// Signs raw payload bytes (already JSON) as a compact JWS.
pub fn sign_bytes(payload: &[u8], typ: &str, key: &SigningKey) -> Result<String, JoseError> {
    let mut header = JwsHeader::new();
    header.set_token_type(typ);
    header.set_key_id(&key.kid);
    Ok(josekit::jws::serialize_compact(
        payload,
        &header,
        key.signer.as_ref(),
    )?)
}
