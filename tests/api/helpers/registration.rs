//! Helpers for the dynamic registration tests: an app with `SIGIL_REGISTRATION` set, POSTs
//! to `/register`, initial access tokens from the CLI, and the audit rows they leave.

use std::sync::Arc;

use serde_json::Value;
use sigil::clock::{SharedClock, SystemClock};
use sigil::config::RawSettings;

use super::{TestApp, TestDatabase};

/// Metadata every registration test can start from: a native app on loopback.
pub fn native_metadata() -> Value {
    serde_json::json!({
        "client_name": "Notes Desktop",
        "application_type": "native",
        "redirect_uris": ["http://127.0.0.1:9/callback"],
        "token_endpoint_auth_method": "none",
        "scope": "openid profile",
    })
}

impl TestApp {
    /// Spawns sigil with `SIGIL_REGISTRATION=mode` (a generous rate limit), then `adjust`.
    pub async fn with_registration(mode: &str, adjust: impl FnOnce(&mut RawSettings)) -> Self {
        Self::with_registration_clock(mode, adjust, Arc::new(SystemClock)).await
    }

    /// [`TestApp::with_registration`] with `clock`.
    pub async fn with_registration_clock(
        mode: &str,
        adjust: impl FnOnce(&mut RawSettings),
        clock: SharedClock,
    ) -> Self {
        let mode = mode.to_owned();
        let set = move |raw: &mut RawSettings| {
            raw.registration = mode;
            raw.registration_rate_limit = 1000;
            adjust(raw);
        };
        Self::spawn_with(TestDatabase::new(), set, clock).await
    }

    /// POSTs `body` (raw bytes) to `/register`, with `token` as bearer when given.
    pub async fn register_raw(&self, body: &str, token: Option<&str>) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}/register", self.address))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send().await.unwrap()
    }

    /// POSTs `metadata` to `/register`.
    pub async fn register(&self, metadata: &Value, token: Option<&str>) -> reqwest::Response {
        self.register_raw(&metadata.to_string(), token).await
    }

    /// POSTs `metadata` to `/register` and checks it is 201; returns the answer.
    pub async fn registered(&self, metadata: &Value, token: Option<&str>) -> Value {
        let res = self.register(metadata, token).await;
        assert_eq!(res.status(), 201, "registration");
        res.json().await.unwrap()
    }

    /// `sigil registration-token create ARGS…`: (id, token).
    pub fn initial_token(&self, args: &[&str]) -> (String, String) {
        let mut all = vec!["registration-token", "create"];
        all.extend_from_slice(args);
        let out = self.run_cli(&all, "");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            printed["id"].as_str().unwrap().to_owned(),
            printed["token"].as_str().unwrap().to_owned(),
        )
    }

    /// A request with `method` to the registration client URI `uri`, with `token` as bearer.
    pub fn manage_registration(
        &self,
        method: reqwest::Method,
        uri: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let req = self.http.request(method, uri);
        match token {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }

    /// The client `id` as the management core shows it (what `client list` prints).
    pub async fn get_client(&self, id: &str) -> Value {
        let client = sigil::manage::Manager::from_state(&self.state)
            .get_client(id)
            .await
            .unwrap();
        serde_json::to_value(client).unwrap()
    }

    /// Every audit row, oldest first, as (actor, action, subject).
    pub async fn audit_rows(&self) -> Vec<(String, String, Option<String>)> {
        self.state
            .store
            .run(|c| sigil::store::audit::list(c, &Default::default()))
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.actor, r.action, r.subject))
            .collect()
    }
}

/// Asserts an RFC 7591 error body with `status` and `code`; returns its description.
pub async fn assert_registration_error(res: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(res.status(), status, "status");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], code, "{body}");
    body["error_description"].as_str().unwrap().to_owned()
}
