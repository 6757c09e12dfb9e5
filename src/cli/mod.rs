//! The command line: one file per command group.

pub mod audit;
pub mod client;
pub mod keys;
pub mod registration_token;
pub mod resource;
pub mod token;
pub mod trusted_issuer;
pub mod user;

use clap::{Parser, Subcommand};

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::manage::{KekSource, MAX_LIMIT, ManageError, Manager, Page, PageRequest};
use crate::outbound::jwks::KeySources;
use crate::startup::{Application, load_kek, open_store};
use crate::store::Store;

/// sigil — an OAuth 2.1 / OpenID Connect identity provider.
#[derive(Debug, Parser)]
#[command(name = "sigil", version, about)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the provider (applies pending migrations first).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage clients (relying parties).
    #[command(subcommand)]
    Client(client::ClientCommand),
    /// Manage resources (APIs) that clients request tokens for.
    #[command(subcommand)]
    Resource(resource::ResourceCommand),
    /// Manage trusted external issuers whose JWTs token exchange accepts.
    #[command(subcommand)]
    TrustedIssuer(trusted_issuer::TrustedIssuerCommand),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Make initial access tokens for dynamic registration (`SIGIL_REGISTRATION=token`).
    #[command(subcommand)]
    RegistrationToken(registration_token::RegistrationTokenCommand),
    /// Inspect tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Print the audit log as JSON lines.
    Audit(audit::AuditArgs),
}

/// Runs a parsed command with loaded settings.
pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            blocking(move || open_store(&settings)).await??;
            println!("{}", serde_json::json!({"migrations": "up to date"}));
            Ok(())
        }
        Command::User(cmd) => user::run(cmd, settings).await,
        Command::Client(cmd) => client::run(cmd, settings).await,
        Command::Resource(cmd) => resource::run(cmd, settings).await,
        Command::TrustedIssuer(cmd) => trusted_issuer::run(cmd, settings).await,
        Command::Keys(cmd) => keys::run(cmd, settings).await,
        Command::RegistrationToken(cmd) => registration_token::run(cmd, settings).await,
        Command::Token(cmd) => token::run(cmd, settings).await,
        Command::Audit(args) => audit::run(args, settings).await,
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings.clone()).await?;
    tracing::info!(
        issuer = %settings.issuer,
        addr = %settings.bind.ip(),
        port = app.port(),
        "sigil listening"
    );
    app.run_until_stopped().await?;
    tracing::info!("sigil stopped");
    Ok(())
}

/// Runs blocking work (database, hashing) off the async executor.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| anyhow::anyhow!("background task failed"))
}

/// Opens the (migrated) store for a one-shot command.
pub async fn store(settings: Settings) -> anyhow::Result<Store> {
    Ok(blocking(move || open_store(&settings)).await??)
}

/// The management core over the configured database, acting for `cli`.
pub async fn manager(settings: Settings) -> anyhow::Result<Manager> {
    let store = store(settings.clone()).await?;
    let kek = {
        let settings = settings.clone();
        KekSource::lazy(move || load_kek(&settings).map_err(|e| e.to_string()))
    };
    let clock = std::sync::Arc::new(SystemClock);
    Ok(Manager::new(
        store,
        kek,
        &settings,
        KeySources::new()?,
        clock,
    ))
}

/// Every item of a paginated list, page after page.
pub async fn every<T>(
    mut page: impl AsyncFnMut(PageRequest) -> Result<Page<T>, ManageError>,
) -> anyhow::Result<Vec<T>> {
    let mut request = PageRequest::first(MAX_LIMIT);
    let mut all = Vec::new();
    loop {
        let got = page(request.clone()).await?;
        let next = request.next_after(&got);
        all.extend(got.items);
        match next {
            Some(next) => request = next,
            None => return Ok(all),
        }
    }
}

/// Now, UTC Unix seconds.
pub fn now() -> i64 {
    SystemClock.now()
}

/// Prints a JSON value on one line.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Command, client::ClientCommand};

    #[test]
    fn generated_ids_that_begin_with_a_hyphen_are_values_not_flags() {
        let cli = Cli::try_parse_from(["sigil", "client", "delete", "-x9Qf"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Client(ClientCommand::Delete { ref id }) if id == "-x9Qf"
        ));
        let cli = Cli::try_parse_from(["sigil", "audit", "--subject", "-x9Qf", "--actor", "-a"]);
        assert!(cli.is_ok(), "{cli:?}");
    }
}
