//! The load generator behind `bench/run`.
//!
//! `sigil-bench-driver run CONFIG.json` measures every scenario on every system (alternating
//! their order scenario by scenario), runs the calibration on the servers' core, and prints the
//! report. `sigil-bench-driver calibrate CLAIMS.json SECONDS` is that calibration on its own.

mod calibrate;
mod config;
mod flows;
mod html;
mod load;
mod report;
mod scenarios;

use std::process::{Command, ExitCode};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::calibrate::Limits;
use crate::config::{RunConfig, System};
use crate::flows::Endpoints;
use crate::report::Row;
use crate::scenarios::Shape;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") if args.len() == 2 => run(&args[1]),
        Some("calibrate") if args.len() == 3 => calibrate_here(&args[1], &args[2]),
        _ => {
            Err("usage: sigil-bench-driver run CONFIG.json | calibrate CLAIMS.json SECONDS".into())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("sigil-bench-driver: {why}");
            ExitCode::FAILURE
        }
    }
}

fn calibrate_here(claims_file: &str, seconds: &str) -> Result<(), String> {
    let claims = std::fs::read(claims_file).map_err(|e| format!("{claims_file}: {e}"))?;
    let seconds: f64 = seconds.parse().map_err(|_| "SECONDS must be a number")?;
    let limits = calibrate::measure(&claims, seconds)?;
    println!(
        "{}",
        serde_json::to_string(&limits).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn run(config_file: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(config_file).map_err(|e| format!("{config_file}: {e}"))?;
    let config: RunConfig =
        serde_json::from_str(&text).map_err(|e| format!("{config_file}: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let local = tokio::task::LocalSet::new();
    let report = local.block_on(&runtime, measure_all(&config))?;
    print!("{report}");
    std::fs::write(&config.report_file, &report)
        .map_err(|e| format!("{}: {e}", config.report_file))?;
    Ok(())
}

async fn measure_all(config: &RunConfig) -> Result<String, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(config.concurrency * 2)
        .build()
        .map_err(|e| e.to_string())?;
    let mut endpoints = Vec::new();
    for sys in &config.systems {
        let ep = flows::discover(&http, &sys.issuer)
            .await
            .map_err(|e| format!("{}: {e}", sys.name))?;
        endpoints.push(ep);
    }
    let before = limits(&http, config, &endpoints).await;
    let shape = Shape {
        concurrency: config.concurrency,
        warmup: Duration::from_secs_f64(config.warmup_s),
        duration: Duration::from_secs_f64(config.duration_s),
    };
    let chosen: Vec<&str> = if config.scenarios.is_empty() {
        scenarios::ALL.to_vec()
    } else {
        config.scenarios.iter().map(String::as_str).collect()
    };
    let mut rows = Vec::new();
    for (i, scenario) in chosen.iter().enumerate() {
        // Alternate the order so slow drift (heat, other load) does not favour one system.
        let mut order: Vec<usize> = (0..config.systems.len()).collect();
        if i % 2 == 1 {
            order.reverse();
        }
        let mut measured = Vec::new();
        for at in order {
            let sys = &config.systems[at];
            let outcome = scenarios::run(scenario, &http, &endpoints[at], sys, shape).await;
            eprintln!(
                "  {scenario:<10} {:<13} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
                sys.name, outcome.rate, outcome.p50_ms, outcome.p99_ms, outcome.errors
            );
            measured.push((at, outcome));
        }
        measured.sort_by_key(|(at, _)| *at);
        rows.extend(measured.into_iter().map(|(at, outcome)| Row {
            scenario: (*scenario).to_owned(),
            system: config.systems[at].name.clone(),
            peer: config.systems[at].peer,
            outcome,
        }));
    }
    // Other work on the machine slows the calibration as it slows the servers: measure it again
    // at the end and state the targets against the better (higher) of the two.
    let after = limits(&http, config, &endpoints).await;
    let best = match (before, after) {
        (Some(a), Some(b)) => Some(Limits {
            rs256_per_s: a.rs256_per_s.max(b.rs256_per_s),
            argon2id_per_s: a.argon2id_per_s.max(b.argon2id_per_s),
            claims_bytes: a.claims_bytes,
        }),
        (a, b) => a.or(b),
    };
    Ok(report::render(
        &config.notes,
        &rows,
        &config.systems,
        best.as_ref(),
    ))
}

/// Runs the calibration pinned to the servers' core (they are idle meanwhile), signing the
/// claims of a real sigil RS256 access token when one can be had.
async fn limits(
    http: &reqwest::Client,
    config: &RunConfig,
    endpoints: &[Endpoints],
) -> Option<Limits> {
    let claims = sample_claims(http, &config.systems, endpoints).await;
    let file = std::env::temp_dir().join(format!("sigil-bench-claims-{}.json", std::process::id()));
    let result = (|| {
        std::fs::write(&file, &claims).map_err(|e| e.to_string())?;
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let out = Command::new("taskset")
            .args(["-c", &config.server_cpu])
            .arg(exe)
            .arg("calibrate")
            .arg(&file)
            .arg("2")
            .output()
            .map_err(|e| format!("taskset: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        serde_json::from_slice::<Limits>(&out.stdout).map_err(|e| e.to_string())
    })();
    let _ = std::fs::remove_file(&file);
    match result {
        Ok(limits) => {
            eprintln!(
                "  calibration: RS256 {:.0} signatures/s, argon2id {:.1} verifications/s (cpu {})",
                limits.rs256_per_s, limits.argon2id_per_s, config.server_cpu
            );
            Some(limits)
        }
        Err(why) => {
            eprintln!("  calibration failed: {why}");
            None
        }
    }
}

async fn sample_claims(
    http: &reqwest::Client,
    systems: &[System],
    endpoints: &[Endpoints],
) -> Vec<u8> {
    for (sys, ep) in systems.iter().zip(endpoints).filter(|(s, _)| !s.peer) {
        let token = flows::client_credentials(http, ep, sys, &sys.resource_rs256).await;
        let payload = token
            .ok()
            .and_then(|t| t.split('.').nth(1).map(str::to_owned))
            .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok());
        if let Some(payload) = payload {
            return payload;
        }
    }
    // Until sigil issues client_credentials tokens: an RFC 9068 access token of the same shape.
    serde_json::json!({
        "iss": "http://127.0.0.1:40000",
        "sub": "0d9f6c3e-3f5b-4a9e-8c51-0c8e2f6b9a11",
        "aud": "https://rs256.bench.example/",
        "exp": 1_800_000_600u64,
        "iat": 1_800_000_000u64,
        "nbf": 1_800_000_000u64,
        "jti": "3f1e0a52-6f7c-4a0e-9d5b-2b7c1d9e8f40",
        "client_id": "0d9f6c3e-3f5b-4a9e-8c51-0c8e2f6b9a11",
        "scope": "api:read",
    })
    .to_string()
    .into_bytes()
}
