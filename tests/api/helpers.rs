//! Spawns the real application on 127.0.0.1:0 with a fresh database per test.

use std::net::TcpListener;
use std::process::Output;
use std::sync::Arc;

use base64::Engine;
use sigil::clock::{ManualClock, SharedClock, SystemClock};
use sigil::config::{RawSettings, Settings};
use sigil::startup::Application;
use sigil::state::AppState;

pub mod account;
pub mod admin;
pub mod admin_pages;
pub mod assertions;
pub mod database;
pub mod exchange;
pub mod html;
pub mod jwe;
pub mod logout;
pub mod oauth;
pub mod process;
pub mod refresh;
pub mod registration;
pub mod resources;

pub use database::{TestDatabase, on_postgres};
pub use html::{expect_page, hidden_value, login_error};

/// A running sigil and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The issuer (same as the address).
    pub issuer: String,
    /// A cookie-keeping HTTP client that does not follow redirects.
    pub http: reqwest::Client,
    /// The application's state.
    pub state: actix_web::web::Data<AppState>,
    /// The database (kept alive for the app's lifetime).
    pub db: TestDatabase,
}

impl TestApp {
    /// Spawns sigil with default test settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(TestDatabase::new(), |_| {}, Arc::new(SystemClock)).await
    }

    /// Spawns sigil on `db`, letting the test adjust settings and the clock.
    pub async fn spawn_with(
        db: TestDatabase,
        adjust: impl FnOnce(&mut RawSettings),
        clock: SharedClock,
    ) -> Self {
        sigil::secrets::init_openssl();
        init_test_log();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let address = format!("http://127.0.0.1:{port}");
        let mut raw = db.raw_settings(&address, &format!("127.0.0.1:{port}"));
        adjust(&mut raw);
        let issuer = raw.issuer.clone();
        let settings: Settings = raw.validate().expect("valid test settings");
        let app = Application::build_on(listener, settings, clock)
            .await
            .expect("build app");
        let state = app.state();
        tokio::spawn(app.run_until_stopped());
        let http = browser();
        Self {
            address,
            issuer,
            http,
            state,
            db,
        }
    }

    /// Runs `sigil args…` against this app's database and issuer.
    pub fn run_cli(&self, args: &[&str], stdin: &str) -> Output {
        self.db
            .run_cli_env(args, stdin, &[("SIGIL_ISSUER", self.issuer.as_str())])
    }

    /// GET `path` on the app.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request")
    }
}

/// A fresh browser: a cookie-keeping HTTP client that does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("http client")
}

/// A manual clock at a fixed, realistic time.
pub fn manual_clock() -> Arc<ManualClock> {
    ManualClock::at(1_800_000_000)
}

fn init_test_log() {
    if std::env::var_os("TEST_LOG").is_some() {
        sigil::telemetry::init("debug", sigil::config::LogFormat::Text);
    }
}

/// A registered test client.
#[derive(Debug, Clone)]
pub struct TestClient {
    /// client_id.
    pub id: String,
    /// client_secret, when issued.
    pub secret: Option<String>,
    /// Its first redirect URI.
    pub redirect_uri: String,
}

/// A PKCE pair for tests: (verifier, S256 challenge).
pub fn pkce_pair() -> (String, String) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use sha2::Digest;
    let verifier = sigil::secrets::random_token(32);
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// The query parameters of a redirect `Location`.
pub fn location_params(res: &reqwest::Response) -> std::collections::HashMap<String, String> {
    let location = res.headers()["location"].to_str().unwrap();
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().into_owned().collect()
}

impl TestApp {
    /// Creates a user with `password` and returns its id.
    pub async fn create_user(&self, username: &str, password: &str, roles: &[&str]) -> String {
        let hash = sigil::password::hash(password).unwrap();
        let now = sigil::clock::Clock::now(self.state.clock.as_ref());
        let row = sigil::store::users::UserRow {
            id: uuid::Uuid::new_v4().to_string(),
            username: username.to_owned(),
            email: Some(format!("{username}@example.com")),
            name: Some(format!("{username} Example")),
            password_hash: hash,
            created_at: now,
            updated_at: now,
            email_verified: true,
            claims: r#"{"given_name": "Test", "phone_number": "+1 555 0100"}"#.into(),
            token_generation: 0,
            disabled: false,
        };
        let id = row.id.clone();
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        self.state
            .store
            .run(move |c| sigil::store::users::create(c, &row, &roles))
            .await
            .unwrap();
        id
    }

    /// Registers a client from metadata JSON.
    pub async fn create_client(&self, metadata: serde_json::Value) -> TestClient {
        let json = metadata.to_string();
        let kek = self.state.keys.kek().clone();
        let issued = self
            .state
            .store
            .run(move |c| {
                let actor = sigil::manage::Actor::new("test");
                sigil::manage::clients::register(c, &actor, 0, &json, &kek)
                    .map_err(|e| sigil::store::StoreError::Corrupt(e.to_string()))
            })
            .await
            .unwrap();
        let (client, secret) = (issued.client, issued.secret);
        let redirect_uri = client
            .metadata()
            .redirect_uris
            .first()
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default();
        TestClient {
            id: client.client_id().to_owned(),
            secret,
            redirect_uri,
        }
    }

    /// A confidential web client with a loopback redirect URI.
    pub async fn web_client(&self, scope: &str) -> TestClient {
        self.create_client(serde_json::json!({
            "client_name": "Test App",
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "scope": scope,
        }))
        .await
    }

    /// GET `/authorize` with `params` (no redirect following).
    pub async fn authorize(&self, params: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .get(format!("{}/authorize", self.address))
            .query(params)
            .send()
            .await
            .unwrap()
    }

    /// POST `/authorize` with `params` as a form body (OIDC Core §3.1.2.1).
    pub async fn authorize_post(&self, params: &[(&str, &str)]) -> reqwest::Response {
        self.post_form("/authorize", params).await
    }

    /// GET `/userinfo` with `access_token` as the bearer token.
    pub async fn userinfo(&self, access_token: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/userinfo", self.address))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
    }

    /// Follows a same-server `Location` with GET.
    pub async fn follow(&self, res: &reqwest::Response) -> reqwest::Response {
        let location = res.headers()["location"].to_str().unwrap();
        let url = if location.starts_with('/') {
            format!("{}{location}", self.address)
        } else {
            location.to_owned()
        };
        self.http.get(url).send().await.unwrap()
    }

    /// POSTs a form to a path on the app.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.address))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Submits the login page `page` (the response showing it) with credentials.
    pub async fn submit_login(
        &self,
        page: reqwest::Response,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let html = page.text().await.unwrap();
        let csrf = hidden_value(&html, "csrf_token").expect("csrf_token on the login page");
        let request = hidden_value(&html, "request").expect("request on the login page");
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf_token", &csrf),
                ("request", &request),
            ],
        )
        .await
    }

    /// Submits the consent page `page` with `decision`.
    pub async fn submit_consent(
        &self,
        page: reqwest::Response,
        decision: &str,
    ) -> reqwest::Response {
        let html = page.text().await.unwrap();
        let csrf = hidden_value(&html, "csrf_token").expect("csrf_token on the consent page");
        let request = hidden_value(&html, "request").expect("request on the consent page");
        self.post_form(
            "/consent",
            &[
                ("decision", decision),
                ("csrf_token", &csrf),
                ("request", &request),
            ],
        )
        .await
    }

    /// Runs authorize → login → consent for `client` and returns the final redirect response.
    pub async fn browser_flow(
        &self,
        client: &TestClient,
        scope: &str,
        challenge: &str,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        self.browser_flow_with(client, scope, challenge, &[], (username, password))
            .await
    }

    /// [`Self::browser_flow`] with `extra` authorization request parameters.
    pub async fn browser_flow_with(
        &self,
        client: &TestClient,
        scope: &str,
        challenge: &str,
        extra: &[(&str, &str)],
        (username, password): (&str, &str),
    ) -> reqwest::Response {
        let mut params = vec![
            ("client_id", client.id.as_str()),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", scope),
            ("state", "xyz"),
            ("nonce", "n-1"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ];
        params.extend_from_slice(extra);
        let mut res = self.authorize(&params).await;
        if res.status() == 200 {
            // A new request that needs the password shows the login form at once.
            res = self.submit_login(res, username, password).await;
        }
        loop {
            assert!(res.status().is_redirection(), "unexpected {}", res.status());
            let location = res.headers()["location"].to_str().unwrap().to_owned();
            if location.starts_with("/login") {
                let page = self.follow(&res).await;
                res = self.submit_login(page, username, password).await;
            } else if location.starts_with("/consent") {
                let page = self.follow(&res).await;
                res = self.submit_consent(page, "allow").await;
            } else {
                return res;
            }
        }
    }

    /// Redeems a code at `/token` with client_secret_basic.
    pub async fn redeem(
        &self,
        client: &TestClient,
        code: &str,
        verifier: &str,
    ) -> reqwest::Response {
        let mut req = self.http.post(format!("{}/token", self.address)).form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", client.redirect_uri.as_str()),
            ("code_verifier", verifier),
        ]);
        req = match &client.secret {
            Some(secret) => req.basic_auth(&client.id, Some(secret)),
            None => req.form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", client.redirect_uri.as_str()),
                ("code_verifier", verifier),
                ("client_id", client.id.as_str()),
            ]),
        };
        req.send().await.unwrap()
    }
}
