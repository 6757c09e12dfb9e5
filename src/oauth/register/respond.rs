//! Registration answers: the RFC 7591 / 7592 client information response, and errors as
//! RFC 7591 JSON (`error`, `error_description`) — never a token or secret in a log.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use serde_json::{Value, json};

use crate::manage::ManageError;
use crate::manage::clients::ClientView;
use crate::manage::registration::{Registered, RegistrationError};
use crate::oauth::discovery::endpoint;

/// What a path segment keeps as it is: the RFC 3986 unreserved characters.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `registration_client_uri` of `client_id`.
pub fn client_uri(issuer: &str, client_id: &str) -> String {
    let id = percent_encoding::utf8_percent_encode(client_id, SEGMENT);
    endpoint(issuer, &format!("/register/{id}"))
}

/// A client just registered (201) or updated (200), with its new registration access token.
pub fn registered(issuer: &str, reg: &Registered, status: StatusCode) -> HttpResponse {
    let mut body = serde_json::to_value(&reg.client).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut body {
        let uri = client_uri(issuer, reg.client.client.client_id());
        map.insert("registration_client_uri".into(), json!(uri));
        map.insert("registration_access_token".into(), json!(reg.access_token));
    }
    let mut res = HttpResponse::build(status);
    if status == StatusCode::CREATED {
        res.insert_header((
            header::LOCATION,
            client_uri(issuer, reg.client.client.client_id()),
        ));
    }
    no_store(&mut res).json(body)
}

/// A client read with its registration access token (200).
pub fn read(issuer: &str, client: &ClientView) -> HttpResponse {
    let mut body = serde_json::to_value(client).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut body {
        let uri = client_uri(issuer, client.client_id());
        map.insert("registration_client_uri".into(), json!(uri));
    }
    no_store(&mut HttpResponse::Ok()).json(body)
}

/// The JSON error `code` / `description` with `status`.
pub fn error_body(status: StatusCode, code: &str, description: &str) -> HttpResponse {
    no_store(&mut HttpResponse::build(status))
        .json(json!({"error": code, "error_description": description}))
}

/// A missing or refused bearer token (RFC 6750 §3): 401 with `WWW-Authenticate`.
pub fn unauthorized(description: &str, presented: bool) -> HttpResponse {
    let challenge = if presented {
        format!("Bearer error=\"invalid_token\", error_description=\"{description}\"")
    } else {
        "Bearer".to_owned()
    };
    let mut res = error_body(StatusCode::UNAUTHORIZED, "invalid_token", description);
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    res
}

/// The answer to a failed registration operation.
pub fn error(e: &RegistrationError) -> HttpResponse {
    match e {
        RegistrationError::Token(_) => unauthorized(&e.to_string(), true),
        RegistrationError::Manage(m) => match m {
            ManageError::Invalid { error, message, .. }
            | ManageError::Conflict { error, message, .. } => {
                error_body(StatusCode::BAD_REQUEST, error, message)
            }
            ManageError::NotFound { .. } => unauthorized("the access token is not valid", true),
            ManageError::Store(crate::store::StoreError::Unavailable(_)) => {
                tracing::error!(error = %m, "registration storage unavailable");
                error_body(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "temporarily_unavailable",
                    "the service is temporarily unavailable, try again later",
                )
            }
            ManageError::Store(_) | ManageError::Internal(_) => {
                tracing::error!(error = %m, "registration failed");
                error_body(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "the server could not complete the request",
                )
            }
        },
    }
}

fn no_store(res: &mut actix_web::HttpResponseBuilder) -> &mut actix_web::HttpResponseBuilder {
    res.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .insert_header((header::PRAGMA, HeaderValue::from_static("no-cache")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn registration_client_uris_keep_unreserved_characters() {
        assert_eq!(
            super::client_uri("https://id.example/", "a-b_c.d~e/f"),
            "https://id.example/register/a-b_c.d~e%2Ff"
        );
    }
}
