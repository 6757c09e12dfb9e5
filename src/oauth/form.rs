//! Request bodies of the OAuth endpoints: read up to a limit, parse strictly as a form.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, web};

use crate::error::{ErrorCode, OAuthError};
use crate::oauth::authorize::request::RawParams;

/// Largest form body the OAuth endpoints accept, in bytes.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

fn too_large() -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidRequest,
        format!("the request body is larger than {MAX_FORM_BYTES} bytes"),
    )
    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
}

fn not_a_form() -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequest, "the body is not a valid form")
}

/// Collects the body up to [`MAX_FORM_BYTES`]; more is 413 `invalid_request`.
pub async fn read(req: &HttpRequest, payload: web::Payload) -> Result<web::Bytes, OAuthError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_FORM_BYTES as u64) {
        return Err(too_large());
    }
    match payload.to_bytes_limited(MAX_FORM_BYTES).await {
        Err(_) => Err(too_large()),
        Ok(Err(_)) => Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            "the request body could not be read",
        )),
        Ok(Ok(bytes)) => Ok(bytes),
    }
}

/// Parses an `application/x-www-form-urlencoded` body; anything else, or a repeated
/// parameter, is `invalid_request`.
pub fn parse(req: &HttpRequest, body: &[u8]) -> Result<RawParams, OAuthError> {
    parse_repeatable(req, body, &[])
}

/// [`parse`], except that the parameters named in `repeatable` may be given more than once
/// (read them with [`RawParams::all`]).
pub fn parse_repeatable(
    req: &HttpRequest,
    body: &[u8],
    repeatable: &[&str],
) -> Result<RawParams, OAuthError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let params = RawParams::new(decode(body).ok_or_else(not_a_form)?);
    if let Some(dup) = params.first_duplicate_except(repeatable) {
        return Err(OAuthError::new(
            ErrorCode::InvalidRequest,
            format!("parameter {dup} is given more than once"),
        ));
    }
    Ok(params)
}

/// Decodes form pairs; `None` when the body or a decoded name or value is not UTF-8, or
/// a percent escape is malformed (no lossy replacement characters slip through).
fn decode(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((unescape(name)?, unescape(value)?))
        })
        .collect()
}

fn unescape(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        out.push(match b {
            b'+' => b' ',
            b'%' => {
                let hi = char::from(bytes.next()?).to_digit(16)?;
                let lo = char::from(bytes.next()?).to_digit(16)?;
                u8::try_from(hi * 16 + lo).ok()?
            }
            other => other,
        });
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms_strictly() {
        assert_eq!(
            decode(b"a=1+2&b=%C3%A9&&c&d="),
            Some(vec![
                ("a".into(), "1 2".into()),
                ("b".into(), "é".into()),
                ("c".into(), String::new()),
                ("d".into(), String::new()),
            ])
        );
        assert_eq!(decode(b"a=\xff"), None, "raw bytes not UTF-8");
        assert_eq!(decode(b"a=%FF"), None, "escaped bytes not UTF-8");
        assert_eq!(decode(b"a=%G1"), None, "bad escape");
        assert_eq!(decode(b"a=%4"), None, "truncated escape");
    }

    #[test]
    fn repeatable_parameters_keep_every_value() {
        let pairs = decode(b"resource=a&scope=x&resource=b&audience=c&resource=a").unwrap();
        let params = RawParams::new(pairs);
        assert_eq!(params.all("resource"), vec!["a", "b", "a"]);
        assert_eq!(params.all("audience"), vec!["c"]);
        assert!(params.all("missing").is_empty());
        assert_eq!(params.first_duplicate(), Some("resource"));
        assert_eq!(params.first_duplicate_except(&["resource"]), None);
        let dup = RawParams::new(decode(b"resource=a&resource=b&code=1&code=2").unwrap());
        assert_eq!(dup.first_duplicate_except(&["resource"]), Some("code"));
    }
}
