//! Builds the application state and the actix server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::clock::{SharedClock, SystemClock};
use crate::config::{KekSource, Settings};
use crate::issue::refresh_token::RefreshTokens;
use crate::jose::{Kek, KeySet};
use crate::keyring::{self, Keyring, KeyringError};
use crate::oauth::discovery::Discovery;
use crate::outbound::{Notifier, Retry};
use crate::pages::Branding;
use crate::pages::csrf::Csrf;
use crate::state::AppState;
use crate::store::{Store, StoreError, keys};
use crate::telemetry::{Metrics, SafeRootSpan, track};
use crate::{oauth, ops};

/// Why sigil could not start; each reads as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// The KEK file could not be read or created.
    #[error("{0}")]
    Kek(#[from] crate::jose::kek::KekError),
    /// Signing keys could not be created or decrypted.
    #[error("signing keys: {0}")]
    Keys(#[from] KeyringError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        reason: String,
    },
    /// A setting is unusable.
    #[error("{0}")]
    Config(String),
    /// The back-channel logout HTTP client could not be built.
    #[error("back-channel logout client: {0}")]
    Backchannel(#[from] reqwest::Error),
    /// The metrics registry could not be set up.
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
}

/// Opens and migrates the store (blocking).
pub fn open_store(settings: &Settings) -> Result<Store, StartupError> {
    let store = Store::connect(&settings.database, settings.database_pool_size)?;
    store.migrate()?;
    Ok(store)
}

/// Resolves the key-encryption key, generating the embedded default's file when missing.
pub fn load_kek(settings: &Settings) -> Result<Kek, StartupError> {
    Ok(match &settings.kek {
        KekSource::Value(bytes) => Kek::new(*bytes),
        KekSource::Generated(path) => {
            let (kek, created) = Kek::load_or_generate(path)?;
            if created {
                tracing::warn!(
                    path = %path.display(),
                    "generated a key-encryption key beside the database; set SIGIL_KEK or SIGIL_KEK_FILE in production and back it up"
                );
            }
            kek
        }
    })
}

/// What start-up prepares before the server binds.
pub struct Prepared {
    store: Store,
    ring: Keyring,
    csrf: Csrf,
    dummy_hash: String,
    refresh_tokens: RefreshTokens,
}

/// Migrates, checks the KEK against stored keys, creates missing keys, loads them (blocking).
pub fn prepare(settings: &Settings, clock: SharedClock) -> Result<Prepared, StartupError> {
    let store = open_store(settings)?;
    let kek = load_kek(settings)?;
    let now = clock.now();
    let existing = keys::published(&mut *store.conn()?, now)?;
    if !existing.is_empty() {
        KeySet::load(&existing, &kek).map_err(KeyringError::from)?;
    }
    let created = keyring::ensure_keys(&store, &kek, now)?;
    if !created.is_empty() {
        tracing::info!(count = created.len(), "created signing keys");
    }
    let csrf = Csrf::new(
        kek.derive("csrf")
            .map_err(|e| StartupError::Keys(e.into()))?,
    );
    let refresh_tokens = RefreshTokens::new(
        kek.derive("refresh token successor")
            .map_err(|e| StartupError::Keys(e.into()))?,
    );
    let ring = Keyring::load(store.clone(), kek, clock)?;
    let dummy_hash = crate::password::hash(&crate::secrets::random_token(24))
        .map_err(|e| StartupError::Config(e.to_string()))?;
    Ok(Prepared {
        store,
        ring,
        csrf,
        dummy_hash,
        refresh_tokens,
    })
}

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Prepares storage and keys and binds the listener, with the system clock.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with an injected clock.
    pub async fn build_with_clock(
        settings: Settings,
        clock: SharedClock,
    ) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(settings.bind).map_err(|e| StartupError::Bind {
            addr: settings.bind.to_string(),
            reason: e.to_string(),
        })?;
        Self::build_on(listener, settings, clock).await
    }

    /// As [`Application::build`], on an already-bound listener (its address wins over `bind`).
    pub async fn build_on(
        listener: TcpListener,
        settings: Settings,
        clock: SharedClock,
    ) -> Result<Self, StartupError> {
        let prep_settings = settings.clone();
        let prep_clock = clock.clone();
        let branding = branding_from(&settings)?;
        let prepared = tokio::task::spawn_blocking(move || prepare(&prep_settings, prep_clock))
            .await
            .map_err(|_| StoreError::Task)??;
        let ring = Arc::new(prepared.ring);
        ring.clone().spawn_reloader(settings.key_reload_interval);
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let metrics = web::Data::new(Metrics::new()?);
        let counted = metrics.clone();
        let discovery = web::Data::new(Discovery::new(&settings.issuer, &settings.self_service));
        let limiter = web::Data::new(oauth::register::RegistrationLimiter::per_minute(
            settings.self_service.rate_limit,
        ));
        let state = web::Data::new(AppState {
            settings,
            store: prepared.store,
            keys: ring,
            clock,
            branding,
            csrf: prepared.csrf,
            dummy_hash: prepared.dummy_hash,
            refresh_tokens: prepared.refresh_tokens,
            backchannel: Notifier::new(Retry::default())?,
            key_sources: crate::outbound::jwks::KeySources::new()?,
            client_documents: crate::outbound::client_documents::ClientDocuments::new()?,
            passwords: crate::password::Checker::per_cpu(move || counted.password_checked()),
            clients: Default::default(),
            resources: Default::default(),
            trusted_issuers: Default::default(),
        });
        crate::housekeeping::spawn(state.clone(), state.settings.housekeeping_interval);
        let server = serve(listener, state.clone(), metrics, (discovery, limiter))?;
        Ok(Self {
            port,
            server,
            state,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests sign and reload through it).
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGTERM/SIGINT; in-flight requests finish first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn serve(
    listener: TcpListener,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
    (discovery, limiter): (
        web::Data<Discovery>,
        web::Data<oauth::register::RegistrationLimiter>,
    ),
) -> Result<Server, StartupError> {
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let shutdown = state.settings.shutdown_timeout.as_secs();
    let branding = web::Data::new(state.branding.clone());
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(crate::web::server_errors::pages_for_browsers))
            .wrap(from_fn(crate::web::acting::banner_for_acting))
            .wrap(from_fn(track))
            .wrap(TracingLogger::<SafeRootSpan>::new())
            .wrap(security_headers())
            .app_data(state.clone())
            .app_data(metrics.clone())
            .app_data(branding.clone())
            .app_data(discovery.clone())
            .app_data(limiter.clone())
            .configure(crate::admin::api::routes)
            .configure(oauth::routes)
            .configure(ops::routes)
            .configure(crate::web::routes)
            .configure(crate::web::browser_routes)
            .configure(crate::admin::pages::routes)
            .default_service(web::to(ops::not_found))
    })
    .shutdown_timeout(shutdown)
    .listen(listener)
    .map_err(|e| StartupError::Bind {
        addr,
        reason: e.to_string(),
    })?
    .run();
    Ok(server)
}

fn branding_from(settings: &Settings) -> Result<Branding, StartupError> {
    let (product_name, logo_url, accent_color) = settings.brand.clone();
    Branding {
        product_name,
        logo_url,
        accent_color,
    }
    .validate()
    .map_err(|e| StartupError::Config(format!("branding: {e}")))
}

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Content-Security-Policy", crate::pages::csp::policy(&[])))
}
