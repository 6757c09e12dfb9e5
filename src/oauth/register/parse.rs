//! Reading a registration request: who may make it (`SIGIL_REGISTRATION` and the bearer
//! token), and its metadata body.

use actix_web::HttpRequest;
use actix_web::http::header;
use serde_json::Value;

use crate::config::RegistrationMode;
use crate::domain::client_metadata::parse_document;
use crate::domain::metadata_error::{MetadataError, quoted};
use crate::manage::registration::Access;

/// Why a request may not go on before its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Registration is off: the endpoint does not exist.
    Off,
    /// A bearer token is needed and none came.
    NoToken,
}

/// The bearer token of the request, if it carries one.
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = crate::oauth::credentials(value, "Bearer")?;
    (!token.is_empty()).then(|| token.to_owned())
}

/// How a new registration is authorised under `mode`.
pub fn access(req: &HttpRequest, mode: RegistrationMode) -> Result<Access, Gate> {
    match mode {
        RegistrationMode::Off => Err(Gate::Off),
        RegistrationMode::Open => Ok(Access::Open),
        RegistrationMode::Token => bearer(req).map(Access::Initial).ok_or(Gate::NoToken),
    }
}

/// The body as metadata text (the metadata parser judges its JSON).
pub fn metadata(body: &[u8]) -> Result<String, MetadataError> {
    String::from_utf8(body.to_vec()).map_err(|_| {
        MetadataError::invalid_client_metadata("metadata is not valid JSON: not UTF-8")
    })
}

/// An RFC 7592 update body for `client_id`: its `client_id` must name the client, and a
/// `client_secret` it echoes is taken out to be checked. Answers the metadata left and that
/// secret.
pub fn update(body: &[u8], client_id: &str) -> Result<(String, Option<String>), MetadataError> {
    let invalid = |d: &str| MetadataError::invalid_client_metadata(d);
    let text = metadata(body)?;
    let Value::Object(mut members) = parse_document(&text).map_err(|e| invalid(&e))? else {
        return Err(invalid("metadata must be a JSON object"));
    };
    match members.remove("client_id") {
        Some(Value::String(id)) if id == client_id => {}
        Some(Value::String(id)) => {
            return Err(invalid(&format!(
                "client_id {} is not the client being updated",
                quoted(&id)
            )));
        }
        _ => {
            return Err(invalid(
                "an update must carry the client_id (RFC 7592 §2.2)",
            ));
        }
    }
    let secret = match members.remove("client_secret") {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(invalid("client_secret must be a string")),
    };
    Ok((Value::Object(members).to_string(), secret))
}
