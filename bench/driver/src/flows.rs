//! The protocol steps each scenario repeats, written once for both systems: they differ only in
//! the endpoints their discovery documents name and in their own sign-in pages.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::Value;
use sha2::Digest;
use url::Url;

use crate::config::{Client, System};
use crate::html;

/// A failed step, in words for the report (never a token or secret).
pub type Failure = String;

/// Endpoints from the discovery document.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// The discovery document's URL.
    pub discovery: String,
    /// authorization_endpoint.
    pub authorize: String,
    /// token_endpoint.
    pub token: String,
    /// jwks_uri.
    pub jwks: String,
    /// introspection_endpoint (or the issuer's `/introspect` when not advertised yet).
    pub introspect: String,
}

/// Reads the system's discovery document.
pub async fn discover(http: &reqwest::Client, issuer: &str) -> Result<Endpoints, Failure> {
    let discovery = format!("{issuer}/.well-known/openid-configuration");
    let doc: Value = json(http.get(&discovery).send().await, "discovery").await?;
    let field = |name: &str| doc.get(name).and_then(Value::as_str).map(str::to_owned);
    let need = |name: &str| field(name).ok_or_else(|| format!("discovery lacks {name}"));
    Ok(Endpoints {
        authorize: need("authorization_endpoint")?,
        token: need("token_endpoint")?,
        jwks: need("jwks_uri")?,
        introspect: field("introspection_endpoint")
            .unwrap_or_else(|| format!("{issuer}/introspect")),
        discovery,
    })
}

/// The JSON body of a 200 response, or a failure naming the step and status.
async fn json(res: reqwest::Result<reqwest::Response>, step: &str) -> Result<Value, Failure> {
    let res = res.map_err(|e| format!("{step}: {}", transport(&e)))?;
    let status = res.status();
    let body = res
        .text()
        .await
        .map_err(|e| format!("{step}: {}", transport(&e)))?;
    if status != 200 {
        let error = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        return Err(format!("{step}: HTTP {} {error}", status.as_u16())
            .trim_end()
            .to_owned());
    }
    serde_json::from_str(&body).map_err(|_| format!("{step}: body is not JSON"))
}

fn transport(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection refused"
    } else {
        "transport error"
    }
}

/// POSTs a form to the token endpoint with client_secret_basic; returns the JSON.
pub async fn token(
    http: &reqwest::Client,
    ep: &Endpoints,
    client: &Client,
    form: &[(&str, &str)],
    step: &str,
) -> Result<Value, Failure> {
    let res = http
        .post(&ep.token)
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .form(form)
        .send()
        .await;
    json(res, step).await
}

/// A string field of a JSON response.
pub fn field(v: &Value, name: &str, step: &str) -> Result<String, Failure> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{step}: response lacks {name}"))
}

/// One client_credentials token for `resource`; returns the access token.
pub async fn client_credentials(
    http: &reqwest::Client,
    ep: &Endpoints,
    sys: &System,
    resource: &str,
) -> Result<String, Failure> {
    let form = [
        ("grant_type", "client_credentials"),
        ("resource", resource),
        ("scope", sys.service_scope.as_str()),
    ];
    let v = token(http, ep, &sys.service, &form, "client_credentials").await?;
    field(&v, "access_token", "client_credentials")
}

/// The `exp` of a JWT, read without verifying it (the driver only plans with it).
pub fn expiry(jwt: &str) -> Option<u64> {
    let payload = URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1)?).ok()?;
    serde_json::from_slice::<Value>(&payload)
        .ok()?
        .get("exp")?
        .as_u64()
}

/// A browser's cookies for one origin: name → value, as the server last set them.
#[derive(Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn take(&mut self, res: &reqwest::Response) {
        for value in res.headers().get_all(SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let mut parts = value.split(';');
            let Some((name, val)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let expired = parts.any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == "max-age=0" || a.starts_with("expires=thu, 01 jan 1970")
            });
            if expired || val.is_empty() {
                self.0.remove(name.trim());
            } else {
                self.0.insert(name.trim().to_owned(), val.trim().to_owned());
            }
        }
    }

    fn header(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.join("; ")
    }
}

/// What a whole sign-in yields.
pub struct Tokens {
    /// The access token.
    pub access_token: String,
    /// The refresh token, when one was issued.
    pub refresh_token: Option<String>,
}

/// A full authorization-code sign-in with PKCE by a new browser (fresh cookie jar): authorize,
/// the system's sign-in form (and consent form when shown), the code, the token request.
pub async fn login(
    http: &reqwest::Client,
    ep: &Endpoints,
    sys: &System,
    scope: &str,
    prompt: Option<&str>,
) -> Result<Tokens, Failure> {
    let verifier = random(32);
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let state = random(12);
    let mut url = Url::parse(&ep.authorize).map_err(|_| "authorize: bad endpoint URL")?;
    url.query_pairs_mut()
        .append_pair("client_id", &sys.web.client_id)
        .append_pair("redirect_uri", &sys.web.redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", scope)
        .append_pair("state", &state)
        .append_pair("nonce", &random(12))
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    if let Some(prompt) = prompt {
        url.query_pairs_mut().append_pair("prompt", prompt);
    }
    let mut jar = Jar::default();
    let mut res = send(http.get(url.as_str()), &mut jar, "authorize").await?;
    let mut password_sent = false;
    let code = 'steps: {
        for _ in 0..12 {
            let here = res.url().clone();
            if res.status().is_redirection() {
                let location = res
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or("redirect without Location")?;
                let next = here.join(location).map_err(|_| "bad Location")?;
                if next.as_str().starts_with(&sys.web.redirect_uri) {
                    break 'steps code_from(&next, &state)?;
                }
                res = send(http.get(next.as_str()), &mut jar, path(&next)).await?;
                continue;
            }
            let status = res.status().as_u16();
            let page = res.text().await.map_err(|e| transport(&e).to_owned())?;
            if status != 200 {
                return Err(format!("{}: HTTP {status}", path(&here)));
            }
            let form = html::pick_form(&page).ok_or_else(|| format!("{}: no form", path(&here)))?;
            let action = here.join(&form.action).map_err(|_| "bad form action")?;
            let mut fields = form.fields;
            if form.password {
                if password_sent {
                    return Err("sign-in rejected".into());
                }
                password_sent = true;
                fields.push(("username".into(), sys.username.clone()));
                fields.push(("password".into(), sys.password.clone()));
            } else {
                fields.push(("decision".into(), "allow".into()));
            }
            res = send(
                http.post(action.as_str()).form(&fields),
                &mut jar,
                path(&action),
            )
            .await?;
        }
        return Err("too many steps before the redirect".into());
    };
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", sys.web.redirect_uri.as_str()),
        ("code_verifier", verifier.as_str()),
    ];
    let v = token(http, ep, &sys.web, &form, "authorization_code").await?;
    Ok(Tokens {
        access_token: field(&v, "access_token", "authorization_code")?,
        refresh_token: v
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

async fn send(
    req: reqwest::RequestBuilder,
    jar: &mut Jar,
    step: &str,
) -> Result<reqwest::Response, Failure> {
    let req = if jar.0.is_empty() {
        req
    } else {
        req.header(COOKIE, jar.header())
    };
    let res = req
        .send()
        .await
        .map_err(|e| format!("{step}: {}", transport(&e)))?;
    jar.take(&res);
    Ok(res)
}

fn path(url: &Url) -> &str {
    url.path()
}

fn code_from(redirect: &Url, state: &str) -> Result<String, Failure> {
    let mut code = None;
    let mut got_state = None;
    for (k, v) in redirect.query_pairs() {
        match &*k {
            "code" => code = Some(v.into_owned()),
            "state" => got_state = Some(v.into_owned()),
            "error" => return Err(format!("authorize: error={v}")),
            _ => {}
        }
    }
    if got_state.as_deref() != Some(state) {
        return Err("authorize: state mismatch".into());
    }
    code.ok_or_else(|| "authorize: no code".into())
}

/// `n` random bytes, base64url.
pub fn random(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}
