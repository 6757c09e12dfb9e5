//! The scenarios: what one operation is, and the per-user set-up some of them need first.
//! Sign-ins (cookies, redirects, forms) go through the general client; the repeated
//! single-request operations go through the lean keep-alive client of [`crate::wire`].

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::config::{Client, System};
use crate::flows::{self, Endpoints, Failure};
use crate::load::{self, Outcome, Waiting};
use crate::wire::{Conn, Response, Target};

/// Every scenario, in the order the table lists them.
pub const ALL: [&str; 10] = [
    "discovery",
    "jwks",
    "cc-rs256",
    "cc-es256",
    "cc-es256-jwe",
    "exchange",
    "refresh",
    "introspect",
    "login",
    "login-jwe",
];

/// Whether `scenario` is measured on `sys`: the encryption and exchange rows need what only
/// sigil has registered (a resource and a client with encryption keys, an exchanging client),
/// and are judged against sigil's own plain rows.
pub fn applies(scenario: &str, sys: &System) -> bool {
    match scenario {
        "cc-es256-jwe" => sys.resource_es256_jwe.is_some(),
        "exchange" => sys.exchanger.is_some(),
        "login-jwe" => sys.web_jwe.is_some(),
        _ => true,
    }
}

/// The scope of the measured sign-ins.
const LOGIN_SCOPE: &str = "openid email";

/// The token-exchange grant (RFC 8693).
const EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// The access-token type URI (RFC 8693 §3).
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

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
        "discovery" => get_loop(ep.discovery.clone(), "discovery", shape).await,
        "jwks" => get_loop(ep.jwks.clone(), "jwks", shape).await,
        "cc-rs256" => cc_loop(ep, sys, sys.resource_rs256.clone(), shape).await,
        "cc-es256" => cc_loop(ep, sys, sys.resource_es256.clone(), shape).await,
        "cc-es256-jwe" => match &sys.resource_es256_jwe {
            Some(resource) => cc_loop(ep, sys, resource.clone(), shape).await,
            None => Err("no encrypting resource".into()),
        },
        "exchange" => match &sys.exchanger {
            Some(exchanger) => exchange_loop(http, ep, sys, exchanger, shape).await,
            None => Err("no exchanging client".into()),
        },
        "refresh" => refresh_loop(http, ep, sys, shape).await,
        "introspect" => introspect_loop(http, ep, sys, shape).await,
        "login" => login_loop(http, ep, sys, shape).await,
        "login-jwe" => match &sys.web_jwe {
            Some(client) => {
                let sys = System {
                    web: client.clone(),
                    ..sys.clone()
                };
                login_loop(http, ep, &sys, shape).await
            }
            None => Err("no encrypting client".into()),
        },
        other => Err(format!("unknown scenario {other}")),
    };
    result.unwrap_or_else(|why| Outcome::failed(1, why))
}

async fn get_loop(url: String, step: &'static str, shape: Shape) -> Result<Outcome, String> {
    let (target, path) = Target::of(&url)?;
    let bytes = target.get(&path);
    fixed_loop(target, bytes, shape, move |res| {
        json::<serde::de::IgnoredAny>(res, step).map(drop)
    })
    .await
}

/// Repeats one prepared request on each user's connection; `check` judges each response.
async fn fixed_loop(
    target: Target,
    bytes: Vec<u8>,
    shape: Shape,
    check: impl Fn(Result<Response, Failure>) -> Result<(), Failure> + 'static,
) -> Result<Outcome, String> {
    let request = Rc::new((bytes, target, check));
    let conns = Conns::new(shape.concurrency);
    load::run(
        shape.concurrency,
        shape.warmup,
        shape.duration,
        Waiting::Poll,
        move |vu| {
            let (request, conns) = (Rc::clone(&request), Rc::clone(&conns));
            async move {
                let (bytes, target, check) = &*request;
                check(conns.send(vu, target, bytes).await)
            }
        },
    )
    .await
}

async fn cc_loop(
    ep: &Endpoints,
    sys: &System,
    resource: String,
    shape: Shape,
) -> Result<Outcome, String> {
    let (target, path) = Target::of(&ep.token)?;
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("resource", &resource),
        ("scope", &sys.service_scope),
    ]);
    let bytes = target.post_form(&path, &basic(&sys.service), &body);
    fixed_loop(target, bytes, shape, |res| {
        json::<AccessToken>(res, "client_credentials").map(drop)
    })
    .await
}

/// One sign-in yields the subject token: the user's access token (default audience) with the
/// service scope; the exchanging client then trades it for an ES256 token for the resource
/// `cc-es256` uses, each request a POST /token like that row's.
async fn exchange_loop(
    http: &reqwest::Client,
    ep: &Endpoints,
    sys: &System,
    exchanger: &Client,
    shape: Shape,
) -> Result<Outcome, String> {
    let scope = format!("openid {}", sys.service_scope);
    let tokens = flows::login(http, ep, sys, &scope, None)
        .await
        .map_err(|why| format!("set-up: {why}"))?;
    let subject = tokens.access_token;
    // The subject token must outlive the round, or the row would measure refusals.
    let ends = SystemTime::now() + shape.warmup + shape.duration + Duration::from_secs(30);
    let ends = ends.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    match flows::expiry(&subject) {
        Some(exp) if exp >= ends => {}
        Some(exp) => {
            return Err(format!(
                "set-up: the subject token expires {}s before the round ends",
                ends - exp
            ));
        }
        None => return Err("set-up: the subject token is not a JWT with exp".into()),
    }
    let (target, path) = Target::of(&ep.token)?;
    let body = form(&[
        ("grant_type", EXCHANGE_GRANT),
        ("subject_token", &subject),
        ("subject_token_type", ACCESS_TOKEN_TYPE),
        ("resource", &sys.resource_es256),
        ("scope", &sys.service_scope),
    ]);
    let bytes = target.post_form(&path, &basic(exchanger), &body);
    fixed_loop(target, bytes, shape, |res| {
        json::<AccessToken>(res, "token_exchange").map(drop)
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
    load::run(
        shape.concurrency,
        shape.warmup,
        shape.duration,
        Waiting::Sleep,
        move |_| {
            let ctx = Rc::clone(&ctx);
            async move {
                let (http, ep, sys) = &*ctx;
                flows::login(http, ep, sys, LOGIN_SCOPE, None)
                    .await
                    .map(drop)
            }
        },
    )
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
    let (target, path) = Target::of(&ep.token)?;
    let ctx = Rc::new((target, path, basic(&sys.web)));
    let conns = Conns::new(shape.concurrency);
    let mut outcome = load::run(
        shape.concurrency,
        shape.warmup,
        shape.duration,
        Waiting::Poll,
        move |vu| {
            let (ctx, chains, conns) = (Rc::clone(&ctx), Rc::clone(&chains), Rc::clone(&conns));
            async move {
                let (target, path, authorization) = &*ctx;
                let current = chains.borrow()[vu].clone();
                let Some(current) = current else {
                    return Err("set-up: this user's sign-in failed".into());
                };
                let body = form(&[("grant_type", "refresh_token"), ("refresh_token", &current)]);
                let bytes = target.post_form(path, authorization, &body);
                let res = conns.send(vu, target, &bytes).await;
                let next = json::<RefreshToken>(res, "refresh_token")?.refresh_token;
                chains.borrow_mut()[vu] = Some(next);
                Ok(())
            }
        },
    )
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
    let (target, path) = Target::of(&ep.introspect)?;
    let body = form(&[("token", &tokens.access_token)]);
    let bytes = target.post_form(&path, &basic(&sys.web), &body);
    fixed_loop(target, bytes, shape, |res| {
        match json::<Introspection>(res, "introspect")?.active {
            true => Ok(()),
            false => Err("introspect: token not active".into()),
        }
    })
    .await
}

/// Per-user connections: each virtual user takes its own out for a request and puts it back.
struct Conns(RefCell<Vec<Conn>>);

impl Conns {
    fn new(users: usize) -> Rc<Self> {
        Rc::new(Self(RefCell::new(
            (0..users).map(|_| Conn::default()).collect(),
        )))
    }

    async fn send(&self, vu: usize, target: &Target, request: &[u8]) -> Result<Response, Failure> {
        let mut conn = std::mem::take(&mut self.0.borrow_mut()[vu]);
        let res = conn.send(target, request).await;
        self.0.borrow_mut()[vu] = conn;
        res
    }
}

/// The JSON body of a 200 response, or a failure naming the step and status.
fn json<T: DeserializeOwned>(res: Result<Response, Failure>, step: &str) -> Result<T, Failure> {
    let res = res.map_err(|e| format!("{step}: {e}"))?;
    if res.status != 200 {
        let error = serde_json::from_slice::<serde_json::Value>(&res.body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
            .unwrap_or_default();
        return Err(format!("{step}: HTTP {} {error}", res.status)
            .trim_end()
            .to_owned());
    }
    serde_json::from_slice(&res.body).map_err(|_| format!("{step}: unexpected body"))
}

/// A form body.
fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// `client_secret_basic` credentials, as the general client sends them.
fn basic(client: &Client) -> String {
    let pair = format!("{}:{}", client.client_id, client.client_secret);
    format!("Basic {}", STANDARD.encode(pair))
}

#[derive(Deserialize)]
struct AccessToken {
    #[allow(dead_code)]
    access_token: String,
}

#[derive(Deserialize)]
struct RefreshToken {
    refresh_token: String,
}

#[derive(Deserialize)]
struct Introspection {
    active: bool,
}
