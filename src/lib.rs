//! sigil: an OAuth 2.1 / OpenID Connect identity provider.

pub mod audit;
pub mod backchannel;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod housekeeping;
pub mod issue;
pub mod jose;
pub mod keyring;
pub mod oauth;
pub mod ops;
pub mod outbound;
pub mod pages;
pub mod password;
pub mod registry;
pub mod resources;
pub mod secrets;
pub mod signout;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;

pub use startup::Application;

/// Builds and runs the server with `settings` until it is stopped.
pub async fn run(settings: config::Settings) -> Result<(), startup::StartupError> {
    let app = Application::build(settings).await?;
    app.run_until_stopped()
        .await
        .map_err(|e| startup::StartupError::Bind {
            addr: "listener".into(),
            reason: e.to_string(),
        })
}
