//! The one decryption path for every JWE sigil receives. It is hostile input: the size is
//! capped before parsing; `zip` and any `crit` are refused and `alg`/`enc` checked against
//! allowlists from the header before any key work; an ECDH-ES ephemeral key must lie on our
//! key's curve; and every failure after that is one and the same refusal (a content key that
//! does not unwrap is replaced by a random one, so it fails at the constant-time tag check
//! like any other forgery, RFC 7516 §11.5).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwe::{JweDecrypter, JweHeader};
use openssl::bn::BigNumContext;
use openssl::ec::{EcGroup, EcPoint};
use openssl::nid::Nid;
use serde_json::{Map, Value};

use super::content::{self, OWN_COPY_MEMBER, OwnCopy};
use super::keys::KeySet;
use crate::domain::enc_alg::{ContentAlg, KeyAlg, KeyKind};

/// The largest JWE accepted, in bytes, checked before anything is parsed.
pub const MAX_INBOUND_JWE: usize = 64 * 1024;

/// The largest protected header accepted, base64url, in bytes.
const MAX_HEADER: usize = 4 * 1024;

/// What an inbound JWE may use.
#[derive(Debug, Clone, Copy)]
pub struct Accept<'a> {
    /// Key-management algorithms.
    pub algs: &'a [KeyAlg],
    /// Content-encryption algorithms.
    pub encs: &'a [ContentAlg],
}

impl Accept<'static> {
    /// Anything encrypted to sigil's own keys.
    pub const OWN_KEYS: Accept<'static> = Accept {
        algs: &KeyAlg::OWN,
        encs: &ContentAlg::ALL,
    };
}

/// The one refusal of an inbound JWE. Its text is the same whatever failed; `reason` is
/// for operators' logs and never separates one cryptographic failure from another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the encrypted token could not be decrypted")]
pub struct DecryptError {
    reason: &'static str,
}

impl DecryptError {
    /// What was refused, for the log: a header problem, or `decryption failed`.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

fn refuse(reason: &'static str) -> DecryptError {
    DecryptError { reason }
}

/// A decrypted JWE: its protected header and its plaintext.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// The protected header.
    pub header: Map<String, Value>,
    /// The plaintext (for a nested JWT, the signed JWT).
    pub plaintext: Vec<u8>,
}

/// One of sigil's private encryption keys, parsed once.
#[derive(Debug)]
pub struct DecryptionKey {
    /// Key id.
    pub kid: String,
    /// The algorithm it decrypts.
    pub alg: KeyAlg,
    pub(super) curve: Option<Nid>,
    pub(super) decrypter: Box<dyn JweDecrypter>,
}

/// Whether `token` has the five parts of a compact JWE (a JWS has three).
pub fn is_jwe(token: &str) -> bool {
    token.bytes().filter(|&b| b == b'.').count() == 4
}

struct Parts<'a> {
    header_b64: &'a str,
    header: Map<String, Value>,
    encrypted_key: Vec<u8>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

impl Parts<'_> {
    /// The content under `cek`, the protected header as additional data; `None` on any failure.
    fn open(self, enc: ContentAlg, cek: &[u8]) -> Option<Opened> {
        let plaintext = content::open(
            enc,
            cek,
            &self.iv,
            &self.ciphertext,
            self.header_b64.as_bytes(),
            &self.tag,
        )?;
        Some(Opened {
            header: self.header,
            plaintext,
        })
    }
}

fn split(token: &str) -> Result<Parts<'_>, DecryptError> {
    if token.len() > MAX_INBOUND_JWE {
        return Err(refuse("too large"));
    }
    let mut it = token.split('.');
    let (Some(h), Some(k), Some(iv), Some(c), Some(t), None) = (
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
    ) else {
        return Err(refuse("not five parts"));
    };
    if h.len() > MAX_HEADER {
        return Err(refuse("header too large"));
    }
    let b64 = |s: &str| {
        URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| refuse("not base64url"))
    };
    let header: Map<String, Value> =
        serde_json::from_slice(&b64(h)?).map_err(|_| refuse("header is not a JSON object"))?;
    Ok(Parts {
        header_b64: h,
        header,
        encrypted_key: b64(k)?,
        iv: b64(iv)?,
        ciphertext: b64(c)?,
        tag: b64(t)?,
    })
}

/// The header checks made before any key work.
fn check_header(
    header: &Map<String, Value>,
    accept: &Accept<'_>,
) -> Result<(KeyAlg, ContentAlg), DecryptError> {
    if header.contains_key("zip") {
        return Err(refuse("compressed (zip) content is refused"));
    }
    if header.contains_key("crit") {
        return Err(refuse("crit names an extension sigil does not understand"));
    }
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(KeyAlg::parse)
        .filter(|a| accept.algs.contains(a))
        .ok_or_else(|| refuse("alg not accepted"))?;
    let enc = header
        .get("enc")
        .and_then(Value::as_str)
        .and_then(ContentAlg::parse)
        .filter(|e| accept.encs.contains(e))
        .ok_or_else(|| refuse("enc not accepted"))?;
    Ok((alg, enc))
}

/// The ECDH-ES ephemeral key must be an uncompressed point on `curve`, the curve of our key.
fn check_epk(header: &Map<String, Value>, curve: Option<Nid>) -> Result<(), DecryptError> {
    let bad = || refuse("epk is not a point on the key's curve");
    let curve = curve.ok_or_else(bad)?;
    let (crv, len) = match curve {
        Nid::X9_62_PRIME256V1 => ("P-256", 32),
        Nid::SECP384R1 => ("P-384", 48),
        Nid::SECP521R1 => ("P-521", 66),
        _ => return Err(bad()),
    };
    let epk = header
        .get("epk")
        .and_then(Value::as_object)
        .ok_or_else(bad)?;
    if epk.get("kty").and_then(Value::as_str) != Some("EC")
        || epk.get("crv").and_then(Value::as_str) != Some(crv)
    {
        return Err(bad());
    }
    let coordinate = |name: &str| {
        epk.get(name)
            .and_then(Value::as_str)
            .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
            .filter(|b| b.len() == len)
            .ok_or_else(bad)
    };
    let mut point = vec![0x04];
    point.extend(coordinate("x")?);
    point.extend(coordinate("y")?);
    let group = EcGroup::from_curve_name(curve).map_err(|_| bad())?;
    let mut ctx = BigNumContext::new().map_err(|_| bad())?;
    let point = EcPoint::from_bytes(&group, &point, &mut ctx).map_err(|_| bad())?;
    if !point.is_on_curve(&group, &mut ctx).map_err(|_| bad())? {
        return Err(bad());
    }
    Ok(())
}

/// Decrypts `token` with one of sigil's encryption keys in `keys`, under `accept`.
pub fn decrypt(token: &str, keys: &KeySet, accept: &Accept<'_>) -> Result<Opened, DecryptError> {
    let parts = split(token)?;
    let (alg, enc) = check_header(&parts.header, accept)?;
    let kid = parts.header.get("kid").map(Value::as_str);
    let key = match kid {
        Some(None) => return Err(refuse("kid is not a string")),
        Some(Some(kid)) => keys.decryption_key(kid).filter(|k| k.alg == alg),
        None => keys.active_decryption_key(alg),
    }
    .ok_or_else(|| refuse("no such encryption key"))?;
    if alg.key_kind() == KeyKind::Ecdh {
        check_epk(&parts.header, key.curve)?;
    }
    let header = JweHeader::from_map(parts.header.clone())
        .map_err(|_| refuse("header is not a JWE header"))?;
    let encrypted_key = (!parts.encrypted_key.is_empty()).then_some(parts.encrypted_key.as_slice());
    let cek = key
        .decrypter
        .decrypt(encrypted_key, content::cipher(enc), &header)
        .ok()
        .map(|k| k.into_owned())
        .filter(|k| k.len() == enc.key_len())
        .unwrap_or_else(|| crate::secrets::random_bytes(enc.key_len()));
    parts
        .open(enc, &cek)
        .ok_or_else(|| refuse("decryption failed"))
}

/// Opens a token sigil encrypted to a resource, through the content key it kept for itself;
/// `None` for anything else.
pub fn open_own(token: &str, own: &OwnCopy) -> Option<Opened> {
    let parts = split(token).ok()?;
    let all = Accept {
        algs: &KeyAlg::ALL,
        encs: &ContentAlg::ALL,
    };
    let (_, enc) = check_header(&parts.header, &all).ok()?;
    let wrapped = parts.header.get(OWN_COPY_MEMBER)?.as_str()?;
    let cek = own.unwrap(wrapped)?;
    parts.open(enc, &cek)
}

#[cfg(test)]
mod tests;
