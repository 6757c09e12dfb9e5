//! The one table, sigil's peak memory, and the target checks.

use std::fmt::Write;

use crate::calibrate::Limits;
use crate::config::System;
use crate::load::Outcome;

/// One row: a scenario on a system.
pub struct Row {
    /// Scenario name.
    pub scenario: String,
    /// System label.
    pub system: String,
    /// Whether the system is the peer.
    pub peer: bool,
    /// What was measured.
    pub outcome: Outcome,
    /// For rows judged against a limit: the median, over the rounds, of the row's rate over
    /// the limit measured just before it.
    pub share: Option<f64>,
}

/// The whole report as text.
pub fn render(notes: &[String], rows: &[Row], systems: &[System], limits: &Limits) -> String {
    let mut out = String::new();
    for note in notes {
        let _ = writeln!(out, "{note}");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| scenario | system | req/s | p50 ms | p99 ms | errors | sigil / peer |"
    );
    let _ = writeln!(out, "| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for row in rows {
        let o = &row.outcome;
        let ratio = if row.peer {
            "—".to_owned()
        } else {
            match (peer_rate(rows, &row.scenario), plain_of(&row.scenario)) {
                (Some(p), _) if p > 0.0 && o.rate > 0.0 => format!("{:.2}×", o.rate / p),
                (None, Some(plain)) => match same_system_rate(rows, plain, &row.system) {
                    r if r > 0.0 => format!("{:.0} % of {plain}", o.rate / r * 100.0),
                    _ => "n/a".to_owned(),
                },
                _ => "n/a".to_owned(),
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {} |",
            row.scenario, row.system, o.rate, o.p50_ms, o.p99_ms, o.errors, ratio
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Peak RSS (VmHWM) after the run:");
    for sys in systems {
        let _ = writeln!(out, "  {:<13} {}", sys.name, peak_rss(sys.pid));
    }
    let failures: Vec<&Row> = rows.iter().filter(|r| r.outcome.errors > 0).collect();
    if !failures.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "First error per failing row:");
        for row in failures {
            let why = row.outcome.first_error.as_deref().unwrap_or("?");
            let _ = writeln!(out, "  {} / {}: {why}", row.scenario, row.system);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Targets (2-core machine, servers on one core):");
    targets(&mut out, rows, limits);
    out
}

/// The plain row a sigil-only row (encryption, token exchange) is compared with.
fn plain_of(scenario: &str) -> Option<&'static str> {
    match scenario {
        "cc-es256-jwe" | "exchange" => Some("cc-es256"),
        "login-jwe" => Some("login"),
        _ => None,
    }
}

fn peer_rate(rows: &[Row], scenario: &str) -> Option<f64> {
    rows.iter()
        .find(|r| r.peer && r.scenario == scenario)
        .map(|r| r.outcome.rate)
}

fn same_system_rate(rows: &[Row], scenario: &str, system: &str) -> f64 {
    rows.iter()
        .find(|r| r.scenario == scenario && r.system == system)
        .map(|r| r.outcome.rate)
        .unwrap_or(0.0)
}

/// The rate of `plain` on `row`'s system, and `row`'s rate as a share of it (0 without one).
fn share_of_plain(rows: &[Row], row: &Row, plain: &str) -> (f64, f64) {
    let rate = same_system_rate(rows, plain, &row.system);
    let share = if rate > 0.0 {
        row.outcome.rate / rate
    } else {
        0.0
    };
    (rate, share)
}

fn sigil_rows<'a>(rows: &'a [Row], scenario: &'a str) -> impl Iterator<Item = &'a Row> + 'a {
    rows.iter()
        .filter(move |r| !r.peer && r.scenario == scenario)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

fn targets(out: &mut String, rows: &[Row], limits: &Limits) {
    let peer_es = peer_rate(rows, "cc-es256").unwrap_or(0.0);
    for r in sigil_rows(rows, "cc-es256") {
        let ratio = if peer_es > 0.0 {
            r.outcome.rate / peer_es
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "  client_credentials ES256 >= 5x peer [{}]: {:.0} vs {:.0} req/s = {:.2}x — {}",
            r.system,
            r.outcome.rate,
            peer_es,
            ratio,
            verdict(ratio >= 5.0 && r.outcome.errors == 0)
        );
    }
    let l = limits;
    for r in sigil_rows(rows, "cc-rs256") {
        if l.rs256_per_s <= 0.0 {
            let _ = writeln!(out, "  RS256 limit: calibration failed, not judged");
            break;
        }
        let share = r.share.unwrap_or(0.0);
        let _ = writeln!(
            out,
            "  client_credentials RS256 >= 80 % of bare RS256 signing (median {:.0}/s, {} B claims) [{}]: {:.0} req/s, {:.0} % per round (median) — {}",
            l.rs256_per_s,
            l.claims_bytes,
            r.system,
            r.outcome.rate,
            share * 100.0,
            verdict(share >= 0.8 && r.outcome.errors == 0)
        );
    }
    for r in sigil_rows(rows, "login") {
        if l.argon2id_per_s <= 0.0 {
            let _ = writeln!(out, "  argon2id limit: calibration failed, not judged");
            break;
        }
        let share = r.share.unwrap_or(0.0);
        let _ = writeln!(
            out,
            "  logins >= 90 % of the argon2id limit (median {:.1}/s) [{}]: {:.1} logins/s, {:.0} % per round (median) — {}",
            l.argon2id_per_s,
            r.system,
            r.outcome.rate,
            share * 100.0,
            verdict(share >= 0.9 && r.outcome.errors == 0)
        );
    }
    for r in sigil_rows(rows, "cc-es256-jwe") {
        let (plain, share) = share_of_plain(rows, r, "cc-es256");
        let _ = writeln!(
            out,
            "  client_credentials ES256 + ECDH-ES+A256KW/A128GCM >= 60 % of plain ES256 [{}]: {:.0} vs {:.0} req/s = {:.0} % — {}",
            r.system,
            r.outcome.rate,
            plain,
            share * 100.0,
            verdict(share >= 0.6 && r.outcome.errors == 0)
        );
    }
    for r in sigil_rows(rows, "exchange") {
        let (plain, share) = share_of_plain(rows, r, "cc-es256");
        let _ = writeln!(
            out,
            "  token exchange for an ES256 resource >= 80 % of client_credentials ES256 [{}]: {:.0} vs {:.0} req/s = {:.0} % — {}",
            r.system,
            r.outcome.rate,
            plain,
            share * 100.0,
            verdict(share >= 0.8 && r.outcome.errors == 0)
        );
    }
    for r in sigil_rows(rows, "login-jwe") {
        let (plain, share) = share_of_plain(rows, r, "login");
        let _ = writeln!(
            out,
            "  sign-ins with encrypted ID tokens within 5 % of plain sign-ins [{}]: {:.1} vs {:.1} logins/s = {:.0} % — {}",
            r.system,
            r.outcome.rate,
            plain,
            share * 100.0,
            verdict(share >= 0.95 && r.outcome.errors == 0)
        );
    }
    let errors: u64 = rows
        .iter()
        .filter(|r| !r.peer)
        .map(|r| r.outcome.errors)
        .sum();
    let _ = writeln!(
        out,
        "  no errors (sigil): {errors} errors — {}",
        verdict(errors == 0)
    );
}

/// VmHWM of a process, as /proc shows it.
pub fn peak_rss(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| format!("{:.1} MB", kb / 1024.0))
        .unwrap_or_else(|| "unknown (process gone)".to_owned())
}
