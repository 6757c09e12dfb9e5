//! The settings as read (every value optional or a plain default), and their validation into
//! typed [`Settings`].

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use super::{ConfigError, DatabaseUrl, KekSource, Lifetimes, LogFormat, SelfService, Settings};

/// The raw settings as read from file and environment, before validation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawSettings {
    /// Issuer identifier.
    pub issuer: String,
    /// Listen address.
    pub bind: String,
    /// Database URL.
    pub database_url: String,
    /// File holding the database URL.
    pub database_url_file: Option<PathBuf>,
    /// Database password, inserted into a PostgreSQL URL that has none.
    #[serde(deserialize_with = "lenient_string")]
    pub database_password: Option<String>,
    /// File holding the database password.
    pub database_password_file: Option<PathBuf>,
    /// Connections in the pool.
    pub database_pool_size: u32,
    /// Log filter.
    pub log: String,
    /// Log format: `text` or `json`.
    pub log_format: String,
    /// Key-encryption key, base64 of 32 bytes.
    #[serde(deserialize_with = "lenient_string")]
    pub kek: Option<String>,
    /// File holding the key-encryption key.
    pub kek_file: Option<PathBuf>,
    /// Seconds a retired signing key stays published.
    pub key_retention: u64,
    /// Seconds between checks for rotated keys.
    pub key_reload_interval: u64,
    /// Seconds in-flight requests get on shutdown.
    pub shutdown_timeout: u64,
    /// Seconds between clean-ups of expired rows.
    pub housekeeping_interval: u64,
    /// Seconds a browser session lives without a request.
    pub session_idle_timeout: u64,
    /// Seconds a browser session lives at most.
    pub session_lifetime: u64,
    /// Seconds an authorization code is valid.
    pub code_lifetime: u64,
    /// Seconds an ID token is valid.
    pub id_token_lifetime: u64,
    /// Seconds an access token is valid unless the client or resource says otherwise.
    pub access_token_lifetime: u64,
    /// Seconds a refresh token lives unused (sliding) unless the client says otherwise.
    pub refresh_token_lifetime: u64,
    /// Seconds a refresh-token family lives at most unless the client says otherwise.
    pub refresh_token_absolute_lifetime: u64,
    /// Seconds an admin may act as a user in the browser before it ends by itself.
    pub impersonation_max_lifetime: u64,
    /// `aud` of access tokens when no resource is requested (default: the issuer).
    pub default_audience: Option<String>,
    /// Product name on every page.
    pub brand_name: String,
    /// Logo URL on every page.
    pub brand_logo_url: Option<String>,
    /// Accent colour on every page (`#rrggbb`).
    pub brand_accent_color: String,
    /// Dynamic client registration: `off`, `token` or `open`.
    #[serde(deserialize_with = "lenient_text")]
    pub registration: String,
    /// Whether `/register` may grant `client_credentials`: `on` or `off`.
    #[serde(deserialize_with = "lenient_text")]
    pub registration_client_credentials: String,
    /// `/register` requests per minute per client address.
    pub registration_rate_limit: u32,
    /// Whether an https URL may be a `client_id` (client ID metadata documents): `on` or `off`.
    #[serde(deserialize_with = "lenient_text")]
    pub client_id_metadata_documents: String,
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            issuer: "http://127.0.0.1:8080".into(),
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://sigil.db".into(),
            database_url_file: None,
            database_password: None,
            database_password_file: None,
            database_pool_size: 10,
            log: "info".into(),
            log_format: "text".into(),
            kek: None,
            kek_file: None,
            key_retention: 86_400,
            key_reload_interval: 10,
            shutdown_timeout: 30,
            housekeeping_interval: 300,
            session_idle_timeout: 1800,
            session_lifetime: 36_000,
            code_lifetime: 60,
            id_token_lifetime: 3600,
            access_token_lifetime: 600,
            refresh_token_lifetime: 1_209_600,
            refresh_token_absolute_lifetime: 7_776_000,
            impersonation_max_lifetime: 1800,
            default_audience: None,
            brand_name: "sigil".into(),
            brand_logo_url: None,
            brand_accent_color: "#2f5bd3".into(),
            registration: "off".into(),
            registration_client_credentials: "off".into(),
            registration_rate_limit: 10,
            client_id_metadata_documents: "off".into(),
        }
    }
}

impl RawSettings {
    /// The names of every setting, lower case, as the environment provider sees them.
    pub(super) fn keys() -> Vec<String> {
        match serde_json::to_value(RawSettings::default()) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Checks every value and turns it into typed settings.
    pub fn validate(self) -> Result<Settings, ConfigError> {
        let issuer = validate_issuer(&self.issuer)?;
        let bind: SocketAddr = self.bind.parse().map_err(|_| {
            ConfigError::new(
                "SIGIL_BIND",
                format!("'{}' is not an address like 127.0.0.1:8080", self.bind),
            )
        })?;
        let url = match &self.database_url_file {
            Some(path) => read_secret_file("SIGIL_DATABASE_URL_FILE", path)?,
            None => self.database_url.clone(),
        };
        let password = match (&self.database_password_file, &self.database_password) {
            (Some(path), _) => Some(read_secret_file("SIGIL_DATABASE_PASSWORD_FILE", path)?),
            (None, p) => p.clone(),
        };
        let database = with_password(DatabaseUrl::parse(&url)?, password)?;
        if self.database_pool_size == 0 {
            return Err(ConfigError::new(
                "SIGIL_DATABASE_POOL_SIZE",
                "must be at least 1",
            ));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log)
            .map_err(|e| ConfigError::new("SIGIL_LOG", format!("invalid filter ({e})")))?;
        let log_format = match self.log_format.as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError::new(
                    "SIGIL_LOG_FORMAT",
                    format!("'{other}' is not text or json"),
                ));
            }
        };
        let kek = match (&self.kek_file, &self.kek) {
            (Some(path), _) => KekSource::Value(decode_kek(
                "SIGIL_KEK_FILE",
                &read_secret_file("SIGIL_KEK_FILE", path)?,
            )?),
            (None, Some(value)) => KekSource::Value(decode_kek("SIGIL_KEK", value)?),
            (None, None) => match &database {
                DatabaseUrl::Sqlite(path) => KekSource::Generated(kek_path_beside(path)),
                DatabaseUrl::Postgres(_) => {
                    return Err(ConfigError::new(
                        "SIGIL_KEK",
                        "required with PostgreSQL (base64 of 32 random bytes, or SIGIL_KEK_FILE)",
                    ));
                }
            },
        };
        if self.key_reload_interval == 0 {
            return Err(ConfigError::new(
                "SIGIL_KEY_RELOAD_INTERVAL",
                "must be at least 1 second",
            ));
        }
        let lifetimes = Lifetimes {
            session_idle: seconds("SIGIL_SESSION_IDLE_TIMEOUT", self.session_idle_timeout, 60)?,
            session: seconds("SIGIL_SESSION_LIFETIME", self.session_lifetime, 60)?,
            code: seconds("SIGIL_CODE_LIFETIME", self.code_lifetime, 1)?,
            id_token: seconds("SIGIL_ID_TOKEN_LIFETIME", self.id_token_lifetime, 1)?,
            access_token: seconds("SIGIL_ACCESS_TOKEN_LIFETIME", self.access_token_lifetime, 1)?,
            auth_request: 900,
            refresh_token: seconds(
                "SIGIL_REFRESH_TOKEN_LIFETIME",
                self.refresh_token_lifetime,
                60,
            )?,
            refresh_family: seconds(
                "SIGIL_REFRESH_TOKEN_ABSOLUTE_LIFETIME",
                self.refresh_token_absolute_lifetime,
                60,
            )?,
            impersonation: seconds(
                "SIGIL_IMPERSONATION_MAX_LIFETIME",
                self.impersonation_max_lifetime,
                1,
            )?,
        };
        if lifetimes.refresh_token > lifetimes.refresh_family {
            return Err(ConfigError::new(
                "SIGIL_REFRESH_TOKEN_LIFETIME",
                "must not exceed SIGIL_REFRESH_TOKEN_ABSOLUTE_LIFETIME",
            ));
        }
        if lifetimes.code > 600 {
            return Err(ConfigError::new(
                "SIGIL_CODE_LIFETIME",
                "must be at most 600 seconds (RFC 6749 §4.1.2)",
            ));
        }
        let longest = lifetimes.id_token.max(lifetimes.access_token);
        if self.key_retention < longest as u64 {
            return Err(ConfigError::new(
                "SIGIL_KEY_RETENTION",
                "must be at least the longest token lifetime, or rotated keys vanish before their tokens expire",
            ));
        }
        let default_audience = match self.default_audience {
            Some(aud) if Url::parse(&aud).is_err() => {
                return Err(ConfigError::new(
                    "SIGIL_DEFAULT_AUDIENCE",
                    format!("'{aud}' is not an absolute URI"),
                ));
            }
            Some(aud) => aud,
            None => issuer.clone(),
        };
        if self.housekeeping_interval == 0 {
            return Err(ConfigError::new(
                "SIGIL_HOUSEKEEPING_INTERVAL",
                "must be at least 1 second",
            ));
        }
        let self_service = SelfService::parse(
            &self.registration,
            &self.registration_client_credentials,
            self.registration_rate_limit,
            &self.client_id_metadata_documents,
        )?;
        Ok(Settings {
            self_service,
            lifetimes,
            housekeeping_interval: Duration::from_secs(self.housekeeping_interval),
            default_audience,
            brand: (
                self.brand_name,
                self.brand_logo_url,
                self.brand_accent_color,
            ),
            issuer,
            bind,
            database,
            database_pool_size: self.database_pool_size,
            log: self.log,
            log_format,
            kek,
            key_retention: Duration::from_secs(self.key_retention),
            key_reload_interval: Duration::from_secs(self.key_reload_interval),
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout),
        })
    }
}

/// A lifetime in seconds, at least `min`, at most ten years.
fn seconds(setting: &str, value: u64, min: u64) -> Result<i64, ConfigError> {
    if value < min || value > 315_360_000 {
        return Err(ConfigError::new(
            setting,
            format!("must be between {min} and 315360000 seconds"),
        ));
    }
    i64::try_from(value).map_err(|_| ConfigError::new(setting, "is too large"))
}

/// The issuer must be an absolute https URL (http only on a loopback host), without query or fragment.
pub(super) fn validate_issuer(raw: &str) -> Result<String, ConfigError> {
    const SETTING: &str = "SIGIL_ISSUER";
    let url = Url::parse(raw)
        .map_err(|_| ConfigError::new(SETTING, format!("'{raw}' is not an absolute URL")))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::new(
            SETTING,
            "must not have a query or fragment",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::new(SETTING, "must not contain credentials"));
    }
    match url.scheme() {
        "https" => Ok(raw.to_owned()),
        "http" if is_loopback(&url) => Ok(raw.to_owned()),
        "http" => Err(ConfigError::new(
            SETTING,
            "must use https (http is allowed on a loopback host only)",
        )),
        other => Err(ConfigError::new(
            SETTING,
            format!("scheme '{other}' is not https"),
        )),
    }
}

/// Accepts a string, or a number or boolean the environment provider parsed, as text.
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// [`lenient_string`] for a setting that is always there: so `true` is read as the text
/// `true` and refused by the setting's own check, in its own words.
fn lenient_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient_string(d)?.unwrap_or_default())
}

/// True when the URL's host is `localhost` or a loopback address.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn read_secret_file(setting: &str, path: &Path) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(setting, format!("cannot read {} ({e})", path.display())))?;
    Ok(text.trim().to_owned())
}

/// Decodes a key-encryption key: base64 (standard or URL-safe, padding optional) of 32 bytes.
pub fn decode_kek(setting: &str, text: &str) -> Result<[u8; 32], ConfigError> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let trimmed = text.trim().trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| STANDARD_NO_PAD.decode(trimmed))
        .map_err(|_| ConfigError::new(setting, "is not base64"))?;
    bytes.try_into().map_err(|_| {
        ConfigError::new(
            setting,
            "must be 32 bytes (generate one with: openssl rand -base64 32)",
        )
    })
}

fn with_password(db: DatabaseUrl, password: Option<String>) -> Result<DatabaseUrl, ConfigError> {
    let (DatabaseUrl::Postgres(raw), Some(password)) = (&db, password) else {
        return Ok(db);
    };
    let mut url = Url::parse(raw)
        .map_err(|e| ConfigError::new("SIGIL_DATABASE_URL", format!("not a valid URL ({e})")))?;
    if url.password().is_none() {
        url.set_password(Some(&password)).map_err(|_| {
            ConfigError::new("SIGIL_DATABASE_PASSWORD", "the URL cannot hold a password")
        })?;
    }
    Ok(DatabaseUrl::Postgres(url.to_string()))
}

/// `data/sigil.db` → `data/sigil.kek`.
fn kek_path_beside(db: &Path) -> PathBuf {
    db.with_extension("kek")
}
