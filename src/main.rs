//! The `sigil` binary: parse the command line, load settings, dispatch.

use std::process::ExitCode;

use clap::Parser;
use sigil::cli::{Cli, Command, run};
use sigil::config::Settings;

#[actix_web::main]
async fn main() -> ExitCode {
    sigil::secrets::init_openssl();
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sigil: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let filter = match cli.command {
        Command::Serve => settings.log.clone(),
        _ if std::env::var_os("SIGIL_LOG").is_some() => settings.log.clone(),
        _ => "warn".to_owned(),
    };
    sigil::telemetry::init(&filter, settings.log_format);
    match run(cli, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sigil: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ").replace('\n', " ")
}
