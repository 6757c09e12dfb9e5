//! Request bodies of the OAuth endpoints: read up to a limit, parse as [`params`] says.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, web};

use crate::error::{ErrorCode, OAuthError};
use crate::oauth::params::{self, ParamsError, RawParams, Repeat};

/// Largest form body the OAuth endpoints accept, in bytes.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

fn too_large() -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidRequest,
        format!("the request body is larger than {MAX_FORM_BYTES} bytes"),
    )
    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
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
    params::from_form(req, body, Repeat::Only(repeatable)).map_err(invalid)
}

/// The RFC 6749 answer to parameters that could not be read.
pub fn invalid(e: ParamsError) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidRequest, e.to_string())
}
