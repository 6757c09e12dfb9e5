//! Settings: defaults < optional `sigil.toml` (path from `SIGIL_CONFIG`) < environment.

mod raw;
mod registration;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use url::Url;

pub use raw::{RawSettings, decode_kek, is_loopback};
pub use registration::{RegistrationMode, SelfService};

/// A configuration problem, phrased as one line naming the setting.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct ConfigError {
    /// The setting, as an operator writes it (`SIGIL_ISSUER`).
    pub setting: String,
    /// What is wrong with it.
    pub problem: String,
}

impl ConfigError {
    fn new(setting: &str, problem: impl Into<String>) -> Self {
        Self {
            setting: setting.to_owned(),
            problem: problem.into(),
        }
    }
}

/// Which database backend a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH` or `postgres://…` / `postgresql://…`.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        const SETTING: &str = "SIGIL_DATABASE_URL";
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(ConfigError::new(SETTING, "sqlite:// needs a file path"));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Url::parse(raw)
                .map_err(|e| ConfigError::new(SETTING, format!("not a valid URL ({e})")))?;
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let scheme = raw.split("://").next().unwrap_or(raw);
        Err(ConfigError::new(
            SETTING,
            format!("unknown database scheme '{scheme}' (use sqlite://PATH or postgres://…)"),
        ))
    }
}

/// Where the key-encryption key comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum KekSource {
    /// Given directly (decoded bytes).
    Value([u8; 32]),
    /// Kept in a file beside the SQLite database, generated on first start.
    Generated(PathBuf),
}

impl std::fmt::Debug for KekSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Value(_) => f.write_str("KekSource::Value(<redacted>)"),
            Self::Generated(p) => write!(f, "KekSource::Generated({p:?})"),
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Validated, typed settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Issuer identifier, exactly as configured.
    pub issuer: String,
    /// Listen address.
    pub bind: SocketAddr,
    /// Database.
    pub database: DatabaseUrl,
    /// Connections in the pool.
    pub database_pool_size: u32,
    /// Log filter.
    pub log: String,
    /// Log format.
    pub log_format: LogFormat,
    /// Key-encryption key source.
    pub kek: KekSource,
    /// How long a retired signing key stays published.
    pub key_retention: Duration,
    /// How often the server checks for rotated keys.
    pub key_reload_interval: Duration,
    /// Time in-flight requests get on shutdown.
    pub shutdown_timeout: Duration,
    /// Token and session lifetimes, in seconds.
    pub lifetimes: Lifetimes,
    /// How often expired rows are removed.
    pub housekeeping_interval: Duration,
    /// `aud` of access tokens when no resource is requested.
    pub default_audience: String,
    /// Page branding: product name, logo URL, accent colour.
    pub brand: (String, Option<String>, String),
    /// Dynamic registration and client ID metadata documents.
    pub self_service: SelfService,
}

/// Lifetimes in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// Browser session idle timeout.
    pub session_idle: i64,
    /// Browser session absolute lifetime.
    pub session: i64,
    /// Authorization code.
    pub code: i64,
    /// ID token.
    pub id_token: i64,
    /// Access token default.
    pub access_token: i64,
    /// A pending authorization request (login and consent pages).
    pub auth_request: i64,
    /// Refresh token, sliding: each rotation starts it again.
    pub refresh_token: i64,
    /// Refresh-token family, absolute: rotation never extends it.
    pub refresh_family: i64,
    /// An admin acting as a user in the browser, at most (`SIGIL_IMPERSONATION_MAX_LIFETIME`).
    pub impersonation: i64,
}

impl Settings {
    /// Loads settings from defaults, `SIGIL_CONFIG` (or `./sigil.toml` if present) and `SIGIL_*`.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var_os("SIGIL_CONFIG").map(PathBuf::from);
        if let Some(path) = &file
            && !path.is_file()
        {
            return Err(ConfigError::new(
                "SIGIL_CONFIG",
                format!("cannot read {}", path.display()),
            ));
        }
        let file = file.unwrap_or_else(|| PathBuf::from("sigil.toml"));
        let known = RawSettings::keys();
        let env = Env::prefixed("SIGIL_").filter(move |k| known.iter().any(|n| k == n.as_str()));
        let figment = Figment::from(Serialized::defaults(RawSettings::default()))
            .merge(Toml::file(&file))
            .merge(env);
        let raw: RawSettings = figment.extract().map_err(|e| {
            let setting = e
                .path
                .last()
                .map(|k| format!("SIGIL_{}", k.to_uppercase()))
                .unwrap_or_else(|| file.display().to_string());
            ConfigError::new(&setting, e.kind.to_string())
        })?;
        raw.validate()
    }
}

#[cfg(test)]
mod tests;
