//! The scenarios: what one operation is, and the per-user set-up some of them need first.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use crate::config::System;
use crate::flows::{self, Endpoints};
use crate::load::{self, Outcome};

/// Every scenario, in the order the table lists them.
pub const ALL: [&str; 7] = [
    "discovery",
    "jwks",
    "cc-rs256",
    "cc-es256",
    "refresh",
    "introspect",
    "login",
];

/// The scope of the measured sign-ins.
const LOGIN_SCOPE: &str = "openid email";

/// The load shape, the same for every system.
#[derive(Clone, Copy)]
pub struct Shape {
    /// Virtual users.
    pub concurrency: usize,
    /// Warm-up before measuring.
    pub warmup: Duration,
    /// Measured time.
    pub duration: Duration,
}

/// Runs `scenario` against one system.
pub async fn run(
    scenario: &str,
    http: &reqwest::Client,
    ep: &Endpoints,
    sys: &System,
    shape: Shape,
) -> Outcome {
    let result = match scenario {
        "discovery" => get_loop(http, ep.discovery.clone(), "discovery", shape).await,
        "jwks" => get_loop(http, ep.jwks.clone(), "jwks", shape).await,
        "cc-rs256" => cc_loop(http, ep, sys, sys.resource_rs256.clone(), shape).await,
        "cc-es256" => cc_loop(http, ep, sys, sys.resource_es256.clone(), shape).await,
        "refresh" => refresh_loop(http, ep, sys, shape).await,
        "introspect" => introspect_loop(http, ep, sys, shape).await,
        "login" => login_loop(http, ep, sys, shape).await,
        other => Err(format!("unknown scenario {other}")),
    };
    result.unwrap_or_else(|why| Outcome::failed(1, why))
}

async fn get_loop(
    http: &reqwest::Client,
    url: String,
    step: &'static str,
    shape: Shape,
) -> Result<Outcome, String> {
    let http = http.clone();
    let url = Rc::new(url);
    load::run(shape.concurrency, shape.warmup, shape.duration, move |_| {
        let (http, url) = (http.clone(), Rc::clone(&url));
        async move { flows::get(&http, &url, step).await }
    })
    .await
}

async fn cc_loop(
    http: &reqwest::Client,
    ep: &Endpoints,
    sys: &System,
    resource: String,
    shape: Shape,
) -> Result<Outcome, String> {
    let ctx = Rc::new((http.clone(), ep.clone(), sys.clone(), resource));
    load::run(shape.concurrency, shape.warmup, shape.duration, move |_| {
        let ctx = Rc::clone(&ctx);
        async move {
            let (http, ep, sys, resource) = &*ctx;
            flows::client_credentials(http, ep, sys, resource)
                .await
                .map(drop)
        }
    })
    .await
}

async fn login_loop(
    http: &reqwest::Client,
    ep: &Endpoints,
    sys: &System,
    shape: Shape,
) -> Result<Outcome, String> {
    let ctx = Rc::new((http.clone(), ep.clone(), sys.clone()));
    load::run(shape.concurrency, shape.warmup, shape.duration, move |_| {
        let ctx = Rc::clone(&ctx);
        async move {
            let (http, ep, sys) = &*ctx;
            flows::login(http, ep, sys, LOGIN_SCOPE, None)
                .await
                .map(drop)
        }
    })
    .await
}

/// Each virtual user signs in once (asking for offline access, which needs consent), then
/// rotates its refresh token in a loop, always presenting the newest one.
async fn refresh_loop(
    http: &reqwest::Client,
    ep: &Endpoints,
    sys: &System,
    shape: Shape,
) -> Result<Outcome, String> {
    let mut chains = Vec::with_capacity(shape.concurrency);
    let mut setup_errors = 0;
    let mut first_error = None;
    for _ in 0..shape.concurrency {
        let signed_in = flows::login(
            http,
            ep,
            sys,
            "openid email offline_access",
            Some("consent"),
        )
        .await
        .and_then(|t| {
            t.refresh_token
                .ok_or_else(|| "sign-in issued no refresh token".into())
        });
        match signed_in {
            Ok(token) => chains.push(Some(token)),
            Err(why) => {
                setup_errors += 1;
                first_error.get_or_insert(why);
                chains.push(None);
            }
        }
    }
    if setup_errors == shape.concurrency {
        let why = first_error.unwrap_or_default();
        return Ok(Outcome::failed(
            setup_errors as u64,
            format!("set-up: {why}"),
        ));
    }
    let chains = Rc::new(RefCell::new(chains));
    let ctx = Rc::new((http.clone(), ep.clone(), sys.clone()));
    let mut outcome = load::run(shape.concurrency, shape.warmup, shape.duration, move |vu| {
        let (ctx, chains) = (Rc::clone(&ctx), Rc::clone(&chains));
        async move {
            let (http, ep, sys) = &*ctx;
            let current = chains.borrow()[vu].clone();
            let Some(current) = current else {
                return Err("set-up: this user's sign-in failed".into());
            };
            let next = flows::refresh(http, ep, sys, &current).await?;
            chains.borrow_mut()[vu] = Some(next);
            Ok(())
        }
    })
    .await?;
    outcome.errors += setup_errors as u64;
    if outcome.first_error.is_none() {
        outcome.first_error = first_error.map(|why| format!("set-up: {why}"));
    }
    Ok(outcome)
}

/// One sign-in yields an access token; the web client then introspects it in a loop.
async fn introspect_loop(
    http: &reqwest::Client,
    ep: &Endpoints,
    sys: &System,
    shape: Shape,
) -> Result<Outcome, String> {
    let tokens = flows::login(http, ep, sys, LOGIN_SCOPE, None)
        .await
        .map_err(|why| format!("set-up: {why}"))?;
    let ctx = Rc::new((http.clone(), ep.clone(), sys.clone(), tokens.access_token));
    load::run(shape.concurrency, shape.warmup, shape.duration, move |_| {
        let ctx = Rc::clone(&ctx);
        async move {
            let (http, ep, sys, token) = &*ctx;
            flows::introspect(http, ep, sys, token).await
        }
    })
    .await
}
