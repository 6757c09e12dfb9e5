//! The one error of every management operation, and how the errors below map into it.

use std::fmt;

use crate::domain::metadata_error::{MetadataError, MetadataErrorCode};
use crate::domain::resource::ResourceMetadataError;
use crate::domain::trusted_issuer::TrustedIssuerMetadataError;
use crate::domain::user::UserFieldError;
use crate::federation::TrustedIssuerError;
use crate::jose::KeyError;
use crate::keyring::KeyringError;
use crate::password::PasswordError;
use crate::registry::RegisterError;
use crate::resources::ResourceError;
use crate::store::StoreError;

/// The `error` of a refused user field or password.
pub const INVALID_USER: &str = "invalid_user";
/// The `error` of refused resource metadata.
pub const INVALID_RESOURCE_METADATA: &str = "invalid_resource_metadata";
/// The `error` of refused trusted issuer metadata.
pub const INVALID_TRUSTED_ISSUER_METADATA: &str = "invalid_trusted_issuer_metadata";
/// The `error` of a refused parameter that is no metadata (a key algorithm).
pub const INVALID_REQUEST: &str = "invalid_request";

/// Why a management operation failed. `Display` is the line the CLI prints.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// The input is invalid.
    Invalid {
        /// The code: an RFC 7591 one (`invalid_client_metadata`, `invalid_redirect_uri`) or
        /// one of this module's constants.
        error: &'static str,
        /// The member or field at fault, when known.
        field: Option<String>,
        /// What is wrong, for the person who wrote the input.
        message: String,
    },
    /// What the operation names does not exist.
    NotFound {
        /// Its kind: `client`, `user`, `resource`, `trusted issuer`, `session`.
        what: &'static str,
        /// `no client with id '…'`.
        message: String,
    },
    /// The change clashes with what exists: a taken username, identifier or issuer, a secret
    /// to rotate on a client that has none.
    Conflict {
        /// The code, as for [`ManageError::Invalid`].
        error: &'static str,
        /// The member or field at fault.
        field: Option<String>,
        /// What clashes.
        message: String,
    },
    /// The item changed since the caller read it (a stale entity tag).
    PreconditionFailed,
    /// Storage failed.
    Store(#[from] StoreError),
    /// Something the caller cannot fix failed: keys under a wrong KEK, hashing, a task.
    Internal(String),
}

impl fmt::Display for ManageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Metadata errors read `code: description`, as RFC 7591 bodies and the CLI always
            // showed them; user fields and parameters read as their own sentence.
            Self::Invalid { error, message, .. } | Self::Conflict { error, message, .. } => {
                match *error {
                    INVALID_USER | INVALID_REQUEST => f.write_str(message),
                    code => write!(f, "{code}: {message}"),
                }
            }
            Self::NotFound { message, .. } | Self::Internal(message) => f.write_str(message),
            Self::PreconditionFailed => {
                f.write_str("the item changed since it was read; read it again")
            }
            Self::Store(e) => e.fmt(f),
        }
    }
}

impl ManageError {
    /// `no {what} with id '{id}'`.
    pub fn not_found(what: &'static str, id: &str) -> Self {
        Self::NotFound {
            what,
            message: format!("no {what} with id '{id}'"),
        }
    }

    /// A store error, with `NotFound` told as [`ManageError::not_found`] for `what` `id`.
    pub(super) fn missing(e: StoreError, what: &'static str, id: &str) -> Self {
        match e {
            StoreError::NotFound(_) => Self::not_found(what, id),
            other => Self::Store(other),
        }
    }

    /// An invalid parameter (`invalid_request`) of `field`.
    pub(super) fn invalid_request(field: &str, message: String) -> Self {
        Self::Invalid {
            error: INVALID_REQUEST,
            field: Some(field.to_owned()),
            message,
        }
    }
}

impl From<MetadataError> for ManageError {
    fn from(e: MetadataError) -> Self {
        let field = match e.code {
            MetadataErrorCode::InvalidRedirectUri => Some("redirect_uris".to_owned()),
            MetadataErrorCode::InvalidClientMetadata => None,
        };
        Self::Invalid {
            error: e.code.as_str(),
            field,
            message: e.description,
        }
    }
}

impl From<ResourceMetadataError> for ManageError {
    fn from(e: ResourceMetadataError) -> Self {
        Self::Invalid {
            error: INVALID_RESOURCE_METADATA,
            field: None,
            message: e.0,
        }
    }
}

impl From<TrustedIssuerMetadataError> for ManageError {
    fn from(e: TrustedIssuerMetadataError) -> Self {
        Self::Invalid {
            error: INVALID_TRUSTED_ISSUER_METADATA,
            field: None,
            message: e.0,
        }
    }
}

impl From<UserFieldError> for ManageError {
    fn from(e: UserFieldError) -> Self {
        Self::Invalid {
            error: INVALID_USER,
            field: Some(e.field.to_owned()),
            message: e.to_string(),
        }
    }
}

impl From<PasswordError> for ManageError {
    fn from(e: PasswordError) -> Self {
        match e {
            PasswordError::Length => Self::Invalid {
                error: INVALID_USER,
                field: Some("password".to_owned()),
                message: e.to_string(),
            },
            PasswordError::Hash => Self::Internal(e.to_string()),
        }
    }
}

impl From<KeyError> for ManageError {
    fn from(e: KeyError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<KeyringError> for ManageError {
    fn from(e: KeyringError) -> Self {
        match e {
            KeyringError::Store(e) => e.into(),
            KeyringError::Key(e) => e.into(),
        }
    }
}

impl From<RegisterError> for ManageError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::Metadata(e) => e.into(),
            RegisterError::Store(e) => e.into(),
        }
    }
}

impl From<ResourceError> for ManageError {
    fn from(e: ResourceError) -> Self {
        match e {
            ResourceError::Metadata(e) => e.into(),
            ResourceError::Store(e) => e.into(),
        }
    }
}

impl From<TrustedIssuerError> for ManageError {
    fn from(e: TrustedIssuerError) -> Self {
        match e {
            TrustedIssuerError::Metadata(e) => e.into(),
            TrustedIssuerError::Store(e) => e.into(),
        }
    }
}
