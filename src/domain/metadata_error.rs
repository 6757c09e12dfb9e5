//! The error returned when client registration metadata is rejected (RFC 7591 §3.2.2).

use std::fmt;

use serde::Serialize;

/// The RFC 7591 error code of a rejected registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetadataErrorCode {
    /// The value of one of the client metadata fields is invalid.
    InvalidClientMetadata,
    /// The value of one or more `redirect_uris` is invalid.
    InvalidRedirectUri,
}

impl MetadataErrorCode {
    /// The wire name of the code, as used in the `error` member.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
        }
    }
}

impl fmt::Display for MetadataErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why client metadata was rejected: an RFC 7591 code and a human-readable description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct MetadataError {
    /// The RFC 7591 error code.
    pub code: MetadataErrorCode,
    /// A description meant for the human who wrote the metadata.
    pub description: String,
}

impl MetadataError {
    /// An `invalid_client_metadata` error with the given description.
    pub fn invalid_client_metadata(description: impl Into<String>) -> Self {
        Self {
            code: MetadataErrorCode::InvalidClientMetadata,
            description: description.into(),
        }
    }

    /// An `invalid_redirect_uri` error with the given description.
    pub fn invalid_redirect_uri(description: impl Into<String>) -> Self {
        Self {
            code: MetadataErrorCode::InvalidRedirectUri,
            description: description.into(),
        }
    }

    /// The RFC 7591 error response body: `{"error": …, "error_description": …}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": self.code.as_str(),
            "error_description": self.description,
        })
    }
}

/// Longest excerpt of a caller-supplied value that is echoed back in an error description.
const MAX_QUOTED_CHARS: usize = 100;

/// Quotes a caller-supplied value for an error description: escaped, and shortened when long.
pub(crate) fn quoted(value: &str) -> String {
    if value.chars().count() <= MAX_QUOTED_CHARS {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(MAX_QUOTED_CHARS).collect();
        format!("{head:?}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_rfc_7591_names() {
        assert_eq!(
            MetadataErrorCode::InvalidClientMetadata.as_str(),
            "invalid_client_metadata"
        );
        assert_eq!(
            MetadataErrorCode::InvalidRedirectUri.to_string(),
            "invalid_redirect_uri"
        );
        assert_eq!(
            serde_json::to_value(MetadataErrorCode::InvalidRedirectUri).unwrap(),
            "invalid_redirect_uri"
        );
    }

    #[test]
    fn display_is_code_colon_description() {
        let err = MetadataError::invalid_redirect_uri("redirect URI must use https");
        assert_eq!(
            err.to_string(),
            "invalid_redirect_uri: redirect URI must use https"
        );
    }

    #[test]
    fn to_json_is_the_rfc_7591_error_body() {
        let err = MetadataError::invalid_client_metadata("client_name must be a string");
        assert_eq!(
            err.to_json(),
            serde_json::json!({
                "error": "invalid_client_metadata",
                "error_description": "client_name must be a string",
            })
        );
    }

    #[test]
    fn quoted_escapes_and_truncates() {
        assert_eq!(quoted("a\"b\n"), r#""a\"b\n""#);
        let long = "x".repeat(300);
        let q = quoted(&long);
        assert!(q.ends_with('…'));
        assert_eq!(q.chars().count(), MAX_QUOTED_CHARS + 3);
    }
}
