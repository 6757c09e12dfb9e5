//! Self-service clients: dynamic registration (`SIGIL_REGISTRATION*`) and client ID metadata
//! documents (`SIGIL_CLIENT_ID_METADATA_DOCUMENTS`), validated into [`SelfService`].

use std::num::NonZeroU32;

use super::ConfigError;

/// Who may call `/register`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationMode {
    /// Nobody: `/register` answers 404 (the default).
    Off,
    /// Callers presenting an initial access token made by `sigil registration-token create`.
    Token,
    /// Anyone.
    Open,
}

/// What self-service clients may do, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfService {
    /// `SIGIL_REGISTRATION`.
    pub registration: RegistrationMode,
    /// `SIGIL_REGISTRATION_CLIENT_CREDENTIALS`: whether `/register` may grant `client_credentials`.
    pub client_credentials: bool,
    /// `SIGIL_REGISTRATION_RATE_LIMIT`: `/register` requests per minute per client address.
    pub rate_limit: NonZeroU32,
    /// `SIGIL_CLIENT_ID_METADATA_DOCUMENTS`: whether an https URL may be a `client_id`.
    pub client_id_metadata_documents: bool,
}

impl SelfService {
    /// Validates the raw values of the four settings.
    pub fn parse(
        registration: &str,
        client_credentials: &str,
        rate_limit: u32,
        documents: &str,
    ) -> Result<Self, ConfigError> {
        let registration = match registration {
            "off" => RegistrationMode::Off,
            "token" => RegistrationMode::Token,
            "open" => RegistrationMode::Open,
            other => {
                return Err(ConfigError::new(
                    "SIGIL_REGISTRATION",
                    format!("'{other}' is not off, token or open"),
                ));
            }
        };
        let rate_limit = NonZeroU32::new(rate_limit).ok_or_else(|| {
            ConfigError::new(
                "SIGIL_REGISTRATION_RATE_LIMIT",
                "must be at least 1 request per minute",
            )
        })?;
        Ok(Self {
            registration,
            client_credentials: on_off(
                "SIGIL_REGISTRATION_CLIENT_CREDENTIALS",
                client_credentials,
            )?,
            rate_limit,
            client_id_metadata_documents: on_off("SIGIL_CLIENT_ID_METADATA_DOCUMENTS", documents)?,
        })
    }
}

/// `on` or `off`.
fn on_off(setting: &str, value: &str) -> Result<bool, ConfigError> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(ConfigError::new(
            setting,
            format!("'{other}' is not on or off"),
        )),
    }
}
