//! Helpers for the revocation, logout and sign-out tests: a back-channel receiver, seeded
//! refresh families, and checks on sessions.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use sigil::store::refresh_tokens::{self, FamilyRow, TokenRow};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::oauth::{jwt_parts, verifies_against};
use super::{TestApp, TestClient};

/// One request a [`Receiver`] got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Its `Content-Type`.
    pub content_type: String,
    /// Its form fields.
    pub form: Vec<(String, String)>,
}

impl Received {
    /// The `logout_token` field.
    pub fn logout_token(&self) -> String {
        let tokens: Vec<&String> = self
            .form
            .iter()
            .filter(|(k, _)| k == "logout_token")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(tokens.len(), 1, "{:?}", self.form);
        tokens[0].clone()
    }
}

/// A back-channel logout endpoint on 127.0.0.1 that records what it gets.
#[derive(Clone)]
pub struct Receiver {
    /// Its URL.
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Answers the n-th request with `statuses[n]` (the last repeats); `None` never answers.
    pub async fn start(statuses: Option<Vec<u16>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/backchannel", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let recorded = got.clone();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                let Some(received) = read_request(&mut stream).await else {
                    continue;
                };
                let n = {
                    let mut list = recorded.lock().unwrap();
                    list.push(received);
                    list.len()
                };
                match &statuses {
                    None => held.push(stream),
                    Some(list) => {
                        let status = list.get(n - 1).or(list.last()).copied().unwrap_or(200);
                        let reply = format!(
                            "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        );
                        let _ = stream.write_all(reply.as_bytes()).await;
                        let _ = stream.shutdown().await;
                    }
                }
            }
        });
        Self { url, got }
    }

    /// What it got so far.
    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until it got `n` requests (at most 30 s), then returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..1500 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "expected {n} back-channel requests, got {:?}",
            self.received()
        );
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
    };
    let length: usize = header("content-length")?.parse().ok()?;
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        content_type: header("content-type").unwrap_or_default(),
        form: serde_urlencoded::from_bytes(&buf[head_end..head_end + length]).ok()?,
    })
}

/// Checks a logout token against the app's `/jwks` and OIDC Back-Channel Logout 1.0 §2.4;
/// returns its claims.
pub async fn check_logout_token(app: &TestApp, token: &str, client_id: &str) -> Value {
    let jwks: Value = app.get("/jwks").await.json().await.unwrap();
    assert!(verifies_against(&jwks, token), "signature of {token}");
    let (header, claims) = jwt_parts(token);
    assert_eq!(header["typ"], "logout+jwt");
    assert_eq!(claims["iss"], app.issuer.as_str());
    assert_eq!(claims["aud"], client_id);
    assert_eq!(
        claims["events"],
        serde_json::json!({"http://schemas.openid.net/event/backchannel-logout": {}})
    );
    assert!(claims.get("nonce").is_none(), "{claims}");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap(), iat + 120);
    claims
}

impl TestApp {
    /// A confidential client with a registered post-logout URI and, if given, a back-channel URI.
    pub async fn logout_client(&self, backchannel: Option<&str>) -> TestClient {
        let mut metadata = serde_json::json!({
            "client_name": "Logout App",
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "post_logout_redirect_uris": ["http://127.0.0.1:9/bye"],
            "scope": "openid profile",
        });
        if let Some(uri) = backchannel {
            metadata["backchannel_logout_uri"] = Value::String(uri.to_owned());
        }
        self.create_client(metadata).await
    }

    /// Stores a live refresh family of `client_id` for `user_id` (bound to `sid` if given);
    /// returns its token.
    pub async fn seed_refresh(&self, client_id: &str, user_id: &str, sid: Option<&str>) -> String {
        let now = sigil::clock::Clock::now(self.state.clock.as_ref());
        let token = sigil::secrets::random_token(32);
        let family = FamilyRow {
            id: sigil::secrets::random_token(12),
            client_id: client_id.to_owned(),
            user_id: user_id.to_owned(),
            sid: sid.map(str::to_owned),
            grant_data: grant_json(user_id, client_id, "openid"),
            generation: 0,
            created_at: now,
            expires_at: now + 86_400,
            revoked_at: None,
        };
        let row = TokenRow {
            token_hash: sigil::secrets::digest(&token),
            family_id: family.id.clone(),
            created_at: now,
            expires_at: now + 3600,
            used_at: None,
        };
        self.state
            .store
            .run(move |c| {
                let jti = sigil::secrets::random_token(16);
                let access = refresh_tokens::AccessRecord {
                    jti: &jti,
                    exp: now + 600,
                };
                sigil::store::transaction(c, |c| refresh_tokens::create(c, &family, &row, access))
            })
            .await
            .unwrap();
        token
    }

    /// Whether the family of refresh `token` is revoked.
    pub async fn refresh_revoked(&self, token: &str) -> bool {
        let hash = sigil::secrets::digest(token);
        let family = self
            .state
            .store
            .run(move |c| refresh_tokens::family_of(c, &hash))
            .await
            .unwrap()
            .expect("family");
        family.revoked_at.is_some()
    }

    /// Whether `/authorize` for `client` asks this browser for its password (no session).
    pub async fn asks_for_password(&self, client: &TestClient) -> bool {
        let (_, challenge) = super::pkce_pair();
        let res = self
            .authorize(&[
                ("client_id", client.id.as_str()),
                ("redirect_uri", client.redirect_uri.as_str()),
                ("response_type", "code"),
                ("scope", "openid"),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
            ])
            .await;
        if res.status() != 200 {
            assert!(res.status().is_redirection(), "{}", res.status());
            return false;
        }
        let page = res.text().await.unwrap();
        page.contains("name=\"password\"")
    }

    /// The audit actions recorded so far, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        let out = self.run_cli(&["audit"], "");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["action"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }
}

/// A stored grant of `user_id` to `client_id` for `scope`, as a code or family carries it.
pub fn grant_json(user_id: &str, client_id: &str, scope: &str) -> String {
    serde_json::json!({
        "user_id": user_id,
        "client_id": client_id,
        "scope": scope,
        "redirect_uri": "http://127.0.0.1:9/callback",
        "nonce": null,
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "auth_time": 0,
        "amr": ["pwd"],
        "sid": "seeded",
        "claims": null,
    })
    .to_string()
}
