//! Checks of individual members: algorithms, keys, URLs and human-readable text.

use serde_json::Value;

use super::fields::{Fields, invalid, kind};
use super::{DEFAULT_ENCRYPTED_RESPONSE_ENC, MetadataPolicy};
use crate::domain::enc_alg::KeyAlg;
use crate::domain::metadata_error::{MetadataError, quoted};
use crate::domain::redirect_uri::{is_loopback, parse_absolute};

/// JWK members that only private or symmetric keys have.
const PRIVATE_JWK_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A `*_signed_response_alg`-style member: one of the policy's algorithms, never `none`.
pub(super) fn signing_alg(
    f: &mut Fields,
    name: &str,
    policy: &MetadataPolicy<'_>,
) -> Result<Option<String>, MetadataError> {
    let Some(alg) = f.string(name)? else {
        return Ok(None);
    };
    if alg.eq_ignore_ascii_case("none") {
        return Err(invalid(format!(
            "{name} must not be \"none\": unsigned tokens are not allowed"
        )));
    }
    one_of(name, &alg, policy.signing_algs)?;
    Ok(Some(alg))
}

/// Which kinds of key a client has for responses encrypted to it.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeysAt {
    /// `jwks` or `jwks_uri`.
    pub public: bool,
    /// A client secret, for `A128KW`, `A256KW` and `dir`.
    pub secret: bool,
}

/// The `{prefix}_encrypted_response_alg` / `_enc` pair, with `enc` defaulted.
pub(super) fn encryption(
    f: &mut Fields,
    prefix: &str,
    policy: &MetadataPolicy<'_>,
    keys: KeysAt,
) -> Result<(Option<String>, Option<String>), MetadataError> {
    let alg_name = format!("{prefix}_encrypted_response_alg");
    let enc_name = format!("{prefix}_encrypted_response_enc");
    let (alg, enc) = alg_enc_pair(f, &alg_name, &enc_name, policy.encryption_algs, policy)?;
    let Some(alg) = alg else {
        return Ok((None, None));
    };
    if KeyAlg::parse(&alg).is_some_and(KeyAlg::is_symmetric) {
        if !keys.secret {
            return Err(invalid(format!(
                "{alg_name} {} derives its key from the client secret, so it requires \
                 token_endpoint_auth_method client_secret_basic or client_secret_post",
                quoted(&alg)
            )));
        }
    } else if !keys.public {
        return Err(invalid(format!(
            "{alg_name} requires jwks or jwks_uri (the client's encryption key)"
        )));
    }
    Ok((Some(alg), enc))
}

/// `request_object_encryption_alg` / `_enc`: to the server's own keys, so no client key.
pub(super) fn request_object_encryption(
    f: &mut Fields,
    policy: &MetadataPolicy<'_>,
) -> Result<(Option<String>, Option<String>), MetadataError> {
    alg_enc_pair(
        f,
        "request_object_encryption_alg",
        "request_object_encryption_enc",
        policy.request_encryption_algs,
        policy,
    )
}

/// `request_object_signing_alg`: a supported signature, which needs the client's keys, or
/// `none`.
pub(super) fn request_object_signing_alg(
    f: &mut Fields,
    policy: &MetadataPolicy<'_>,
    has_keys: bool,
) -> Result<Option<String>, MetadataError> {
    let name = "request_object_signing_alg";
    let Some(alg) = f.string(name)? else {
        return Ok(None);
    };
    if alg == "none" {
        return Ok(Some(alg));
    }
    one_of(name, &alg, policy.signing_algs)?;
    if !has_keys {
        return Err(invalid(format!(
            "{name} {} requires jwks or jwks_uri (the key the client signs with)",
            quoted(&alg)
        )));
    }
    Ok(Some(alg))
}

/// An `_alg` / `_enc` pair: `_enc` needs `_alg` and defaults to A128CBC-HS256.
fn alg_enc_pair(
    f: &mut Fields,
    alg_name: &str,
    enc_name: &str,
    algs: &[&str],
    policy: &MetadataPolicy<'_>,
) -> Result<(Option<String>, Option<String>), MetadataError> {
    let alg = f.string(alg_name)?;
    let enc = f.string(enc_name)?;
    if alg.is_none() && enc.is_none() {
        return Ok((None, None));
    }
    if algs.is_empty() {
        let name = if alg.is_some() { alg_name } else { enc_name };
        return Err(invalid(format!(
            "{name} is not supported: this server does not encrypt responses"
        )));
    }
    let Some(alg) = alg else {
        return Err(invalid(format!("{enc_name} requires {alg_name}")));
    };
    one_of(alg_name, &alg, algs)?;
    let enc = match enc {
        Some(enc) => {
            one_of(enc_name, &enc, policy.encryption_encs)?;
            enc
        }
        None if policy
            .encryption_encs
            .contains(&DEFAULT_ENCRYPTED_RESPONSE_ENC) =>
        {
            DEFAULT_ENCRYPTED_RESPONSE_ENC.to_owned()
        }
        None => {
            return Err(invalid(format!(
                "{enc_name} defaults to {DEFAULT_ENCRYPTED_RESPONSE_ENC:?}, which this server \
                 does not support; set it explicitly ({})",
                supported(policy.encryption_encs)
            )));
        }
    };
    Ok((Some(alg), Some(enc)))
}

/// Refuses `value` unless it is one of `allowed`, listing them.
fn one_of(name: &str, value: &str, allowed: &[&str]) -> Result<(), MetadataError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(invalid(format!(
        "{name} {} is not supported ({})",
        quoted(value),
        supported(allowed)
    )))
}

/// "supported values: a, b", for error descriptions.
fn supported(allowed: &[&str]) -> String {
    if allowed.is_empty() {
        "this server supports none".to_owned()
    } else {
        format!("supported values: {}", allowed.join(", "))
    }
}

/// A JWK set by value: `{"keys": [{"kty": …}, …]}` with public keys only.
pub(crate) fn check_jwks(jwks: Value) -> Result<Value, MetadataError> {
    let keys = match jwks.as_object().map(|o| o.get("keys")) {
        None => {
            return Err(invalid(format!(
                "jwks must be a JSON object with a \"keys\" array, not {}",
                kind(&jwks)
            )));
        }
        Some(None) => return Err(invalid("jwks must have a \"keys\" array")),
        Some(Some(Value::Array(keys))) => keys,
        Some(Some(other)) => {
            return Err(invalid(format!(
                "jwks.keys must be an array, not {}",
                kind(other)
            )));
        }
    };
    if keys.is_empty() {
        return Err(invalid("jwks.keys must contain at least one key"));
    }
    for (i, key) in keys.iter().enumerate() {
        let Some(key) = key.as_object() else {
            return Err(invalid(format!(
                "jwks.keys[{i}] must be an object, not {}",
                kind(key)
            )));
        };
        if !key.get("kty").is_some_and(Value::is_string) {
            return Err(invalid(format!(
                "jwks.keys[{i}] must have a \"kty\" string member"
            )));
        }
        if let Some(member) = PRIVATE_JWK_MEMBERS.iter().find(|m| key.contains_key(**m)) {
            return Err(invalid(format!(
                "jwks.keys[{i}] contains the private key member {member:?}; \
                 register public keys only"
            )));
        }
    }
    Ok(jwks)
}

/// An https URL (or loopback http) with no fragment; error completes "… "<url>" …".
pub(crate) fn secure_url(s: &str) -> Result<(), String> {
    let url = parse_absolute(s)?;
    if url.fragment().is_some() {
        return Err("must not contain a fragment ('#')".to_owned());
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        _ => Err("must use https (plain http is allowed only for loopback hosts)".to_owned()),
    }
}

/// An absolute http or https URL; error completes "… "<url>" …".
pub(super) fn web_url(s: &str) -> Result<(), String> {
    match parse_absolute(s)?.scheme() {
        "http" | "https" => Ok(()),
        _ => Err("must be an http or https URL".to_owned()),
    }
}

/// Human text: non-empty, bounded, no control or invisible formatting characters.
pub(super) fn text(name: &str, value: String, max_chars: usize) -> Result<String, MetadataError> {
    if value.trim().is_empty() {
        return Err(invalid(format!("{name} must not be empty")));
    }
    if value.chars().count() > max_chars {
        return Err(invalid(format!(
            "{name} must be at most {max_chars} characters long"
        )));
    }
    if let Some(c) = value
        .chars()
        .find(|&c| c.is_control() || is_invisible_format(c))
    {
        return Err(invalid(format!(
            "{name} must not contain control or invisible formatting characters (found {c:?})"
        )));
    }
    if value.trim() != value {
        return Err(invalid(format!(
            "{name} must not begin or end with whitespace"
        )));
    }
    Ok(value)
}

/// Zero-width and bidirectional-override characters, which can disguise a name.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
    )
}
