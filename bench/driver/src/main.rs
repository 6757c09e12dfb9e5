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
mod wire;

use std::process::{Command, ExitCode};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::calibrate::{Limits, Which};
use crate::config::{RunConfig, System};
use crate::flows::Endpoints;
use crate::load::Outcome;
use crate::report::Row;
use crate::scenarios::Shape;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") if args.len() == 2 => run(&args[1]),
        Some("calibrate") if args.len() == 3 => calibrate_here(&args[1], &args[2], "both"),
        Some("calibrate") if args.len() == 4 => calibrate_here(&args[1], &args[2], &args[3]),
        _ => Err("usage: sigil-bench-driver run CONFIG.json | \
                  calibrate CLAIMS.json SECONDS [rs256|argon2id|both]"
            .into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("sigil-bench-driver: {why}");
            ExitCode::FAILURE
        }
    }
}

fn calibrate_here(claims_file: &str, seconds: &str, which: &str) -> Result<(), String> {
    let claims = std::fs::read(claims_file).map_err(|e| format!("{claims_file}: {e}"))?;
    let seconds: f64 = seconds.parse().map_err(|_| "SECONDS must be a number")?;
    let which = Which::parse(which).ok_or("the limit must be rs256, argon2id or both")?;
    let limits = calibrate::measure(&claims, seconds, which)?;
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
    let claims = sample_claims(&http, &config.systems, &endpoints).await;
    let rounds = config.rounds.max(1);
    let shape = Shape {
        concurrency: config.concurrency,
        warmup: Duration::from_secs_f64(config.warmup_s),
        duration: Duration::from_secs_f64(config.duration_s / rounds as f64),
    };
    let chosen: Vec<&str> = if config.scenarios.is_empty() {
        scenarios::ALL.to_vec()
    } else {
        config.scenarios.iter().map(String::as_str).collect()
    };
    let mut rows = Vec::new();
    let mut limits = Limits {
        claims_bytes: claims.len(),
        ..Limits::default()
    };
    for (i, scenario) in chosen.iter().enumerate() {
        // The limit a scenario is judged against is measured on the servers' core right
        // before and right after each sigil row of each round, and each row is judged against
        // the mean of the two, so drift on this machine moves both alike.
        let which = match *scenario {
            "cc-rs256" => Some(Which::Rs256),
            "login" => Some(Which::Argon2id),
            _ => None,
        };
        let mut calibrated = Vec::new();
        let mut measured: Vec<Vec<Outcome>> = config.systems.iter().map(|_| Vec::new()).collect();
        let mut shares: Vec<Vec<f64>> = config.systems.iter().map(|_| Vec::new()).collect();
        for round in 0..rounds {
            // Alternate the order so slow drift (heat, other load) does not favour one system.
            let mut order: Vec<usize> = (0..config.systems.len())
                .filter(|&at| scenarios::applies(scenario, &config.systems[at]))
                .collect();
            if (i + round) % 2 == 1 {
                order.reverse();
            }
            let round_shape = Shape {
                warmup: if round == 0 {
                    shape.warmup
                } else {
                    shape.warmup.min(Duration::from_millis(500))
                },
                ..shape
            };
            for at in order {
                let sys = &config.systems[at];
                let limit_now = || match which {
                    Some(which) if !sys.peer => calibrate_on_server_core(config, &claims, which)
                        .map(|l| match which {
                            Which::Rs256 => l.rs256_per_s,
                            _ => l.argon2id_per_s,
                        })
                        .filter(|l| *l > 0.0),
                    _ => None,
                };
                let before = limit_now();
                let outcome =
                    scenarios::run(scenario, &http, &endpoints[at], sys, round_shape).await;
                let after = limit_now();
                let limit = match (before, after) {
                    (Some(b), Some(a)) => Some((b + a) / 2.0),
                    (one, other) => one.or(other),
                };
                if let Some(limit) = limit {
                    calibrated.push(limit);
                    if outcome.errors == 0 {
                        shares[at].push(outcome.rate / limit);
                    }
                }
                eprintln!(
                    "  {scenario:<10} {:<13} round {} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
                    sys.name,
                    round + 1,
                    outcome.rate,
                    outcome.p50_ms,
                    outcome.p99_ms,
                    outcome.errors
                );
                measured[at].push(outcome);
            }
        }
        let limit = median(calibrated);
        match which {
            Some(Which::Rs256) => limits.rs256_per_s = limit,
            Some(_) => limits.argon2id_per_s = limit,
            None => {}
        }
        for (at, (outcomes, shares)) in measured.into_iter().zip(shares).enumerate() {
            if outcomes.is_empty() {
                continue;
            }
            rows.push(Row {
                scenario: (*scenario).to_owned(),
                system: config.systems[at].name.clone(),
                peer: config.systems[at].peer,
                outcome: Outcome::median_of(outcomes),
                share: (!shares.is_empty()).then(|| median(shares)),
            });
        }
    }
    Ok(report::render(
        &config.notes,
        &rows,
        &config.systems,
        &limits,
    ))
}

/// The median of some rates (0 when there are none).
fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates.get(rates.len() / 2).copied().unwrap_or(0.0)
}

/// Runs the calibration pinned to the servers' core (they are idle meanwhile) for one second.
fn calibrate_on_server_core(config: &RunConfig, claims: &[u8], which: Which) -> Option<Limits> {
    let file = std::env::temp_dir().join(format!("sigil-bench-claims-{}.json", std::process::id()));
    let result = (|| {
        std::fs::write(&file, claims).map_err(|e| e.to_string())?;
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        // The driver runs at idle priority; the calibration runs at normal priority.
        let out = Command::new("chrt")
            .args(["--other", "0", "taskset", "-c", &config.server_cpu])
            .arg(exe)
            .arg("calibrate")
            .arg(&file)
            .arg("1")
            .arg(which.word())
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
                "  calibration ({}): RS256 {:.0} signatures/s, argon2id {:.1} verifications/s (cpu {})",
                which.word(),
                limits.rs256_per_s,
                limits.argon2id_per_s,
                config.server_cpu
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
