//! Settings: defaults < optional `sigil.toml` (path from `SIGIL_CONFIG`) < environment.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use url::Url;

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
    /// `aud` of access tokens when no resource is requested (default: the issuer).
    pub default_audience: Option<String>,
    /// Product name on every page.
    pub brand_name: String,
    /// Logo URL on every page.
    pub brand_logo_url: Option<String>,
    /// Accent colour on every page (`#rrggbb`).
    pub brand_accent_color: String,
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
            default_audience: None,
            brand_name: "sigil".into(),
            brand_logo_url: None,
            brand_accent_color: "#2f5bd3".into(),
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

impl RawSettings {
    /// The names of every setting, lower case, as the environment provider sees them.
    fn keys() -> Vec<String> {
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
        Ok(Settings {
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
fn validate_issuer(raw: &str) -> Result<String, ConfigError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawSettings {
        RawSettings::default()
    }

    #[test]
    fn defaults_validate() {
        let s = raw().validate().unwrap();
        assert_eq!(s.issuer, "http://127.0.0.1:8080");
        assert_eq!(s.database, DatabaseUrl::Sqlite("sigil.db".into()));
        assert_eq!(s.kek, KekSource::Generated("sigil.kek".into()));
    }

    #[test]
    fn issuer_rules() {
        for bad in [
            "not a url",
            "http://example.com",
            "ftp://127.0.0.1",
            "https://a.example/?x=1",
            "https://a.example/#f",
        ] {
            let err = validate_issuer(bad).unwrap_err();
            assert_eq!(err.setting, "SIGIL_ISSUER", "{bad}");
        }
        for good in [
            "https://id.example",
            "https://id.example/tenant",
            "http://localhost:8080",
            "http://127.0.0.2",
            "http://[::1]:9000",
        ] {
            assert_eq!(validate_issuer(good).unwrap(), good);
        }
    }

    #[test]
    fn database_schemes() {
        assert!(matches!(
            DatabaseUrl::parse("postgres://u:p@h/db"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        let err = DatabaseUrl::parse("mysql://h/db").unwrap_err();
        assert!(err.to_string().contains("unknown database scheme 'mysql'"));
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn postgres_needs_a_kek() {
        let mut r = raw();
        r.database_url = "postgres://u@h/db".into();
        assert_eq!(r.clone().validate().unwrap_err().setting, "SIGIL_KEK");
        r.kek = Some("short".into());
        assert!(r.clone().validate().is_err());
        r.kek = Some(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            [7u8; 32],
        ));
        assert_eq!(r.validate().unwrap().kek, KekSource::Value([7u8; 32]));
    }

    #[test]
    fn password_is_inserted_into_postgres_url() {
        let mut r = raw();
        r.database_url = "postgres://sigil@db.example/sigil".into();
        r.database_password = Some("s3cret".into());
        r.kek = Some(URL_SAFE.to_owned());
        let s = r.validate().unwrap();
        assert_eq!(
            s.database,
            DatabaseUrl::Postgres("postgres://sigil:s3cret@db.example/sigil".into())
        );
    }

    const URL_SAFE: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    #[test]
    fn unreadable_kek_file_names_the_setting() {
        let mut r = raw();
        r.kek_file = Some("/nonexistent/kek".into());
        let err = r.validate().unwrap_err();
        assert_eq!(err.setting, "SIGIL_KEK_FILE");
        assert!(err.problem.contains("cannot read"));
    }
}
