//! The run's description, written by `bench/run`: which systems run where, and with which
//! clients, user and resources.

use serde::Deserialize;

/// The whole run.
#[derive(Debug, Deserialize)]
pub struct RunConfig {
    /// Seconds of load before measuring starts.
    pub warmup_s: f64,
    /// Seconds measured per scenario and system.
    pub duration_s: f64,
    /// Virtual users (concurrent loops), the same for every system.
    pub concurrency: usize,
    /// Rounds per scenario: the systems take turns this many times, each round measuring
    /// `duration_s / rounds`; a row is the median round.
    #[serde(default = "default_rounds")]
    pub rounds: usize,
    /// The CPU the servers are pinned to (the calibration runs there too).
    pub server_cpu: String,
    /// The scenarios to run, in order; empty means all.
    #[serde(default)]
    pub scenarios: Vec<String>,
    /// The systems under test.
    pub systems: Vec<System>,
    /// Where the report goes besides stdout.
    pub report_file: String,
    /// Lines printed above the table (versions, stores, hashing, load shape).
    #[serde(default)]
    pub notes: Vec<String>,
}

fn default_rounds() -> usize {
    5
}

/// One system under test.
#[derive(Debug, Clone, Deserialize)]
pub struct System {
    /// Label in the table (`sigil-sqlite`, `sigil-pg`, `peer`).
    pub name: String,
    /// Whether this is the comparison peer (node-oidc-provider).
    pub peer: bool,
    /// The issuer; endpoints come from its discovery document.
    pub issuer: String,
    /// The server's process id (for peak RSS).
    pub pid: u32,
    /// The user who signs in.
    pub username: String,
    /// That user's password.
    pub password: String,
    /// The confidential web client (authorization code + refresh token).
    pub web: Client,
    /// The client_credentials client.
    pub service: Client,
    /// A resource whose access tokens are RS256.
    pub resource_rs256: String,
    /// A resource whose access tokens are ES256.
    pub resource_es256: String,
    /// A resource whose access tokens are ES256, encrypted with ECDH-ES+A256KW / A128GCM
    /// (sigil only).
    #[serde(default)]
    pub resource_es256_jwe: Option<String>,
    /// A web client whose ID tokens are encrypted with ECDH-ES+A256KW / A128GCM (sigil only).
    #[serde(default)]
    pub web_jwe: Option<Client>,
    /// A confidential client that exchanges the web client's access tokens (RFC 8693) for
    /// tokens for `resource_es256`: its policy's subject audiences name their `aud` (sigil only).
    #[serde(default)]
    pub exchanger: Option<Client>,
    /// The scope the service client asks for.
    pub service_scope: String,
}

/// A registered client.
#[derive(Debug, Clone, Deserialize)]
pub struct Client {
    /// client_id.
    pub client_id: String,
    /// client_secret (client_secret_basic).
    pub client_secret: String,
    /// The redirect URI, for the web client.
    #[serde(default)]
    pub redirect_uri: String,
}
