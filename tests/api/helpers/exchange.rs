//! Helpers for the token-exchange tests: a user's token for the gateway, and the clients that
//! exchange it.

use serde_json::{Value, json};

use super::oauth::{assert_error, jwt_parts};
use super::resources::TestResource;
use super::{TestApp, TestClient};

/// The token-exchange grant type.
pub const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// The access-token type URI.
pub const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";
/// The ID-token type URI.
pub const ID: &str = "urn:ietf:params:oauth:token-type:id_token";
/// The JWT type URI.
pub const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
/// The resource the user's browser app calls.
pub const GATEWAY: &str = "https://gateway.example/";
/// The resource behind it.
pub const ORDERS: &str = "https://orders.example/";
/// What the user grants the browser app.
pub const USER_SCOPE: &str = "openid gateway orders:read orders:write";

/// A signed-in user, their token for the gateway, and the gateway's exchanging client.
pub struct Exchange {
    /// The app.
    pub app: TestApp,
    /// The user's id.
    pub user_id: String,
    /// The browser app the user signed in to.
    pub web: TestClient,
    /// The user's access token for [`GATEWAY`] (issued to `web`), with the scopes the gateway
    /// may pass on.
    pub user_token: String,
    /// The user's ID token from the same sign-in (issued to `web`).
    pub id_token: String,
    /// The orders resource, with introspection credentials.
    pub orders: TestResource,
    /// The gateway's client, allowed to exchange tokens addressed to [`GATEWAY`].
    pub gateway: TestClient,
}

impl TestApp {
    /// A confidential client with the token-exchange grant (and client_credentials, to get
    /// actor tokens of its own), `scope`, and `policy` as its `sigil_token_exchange`.
    pub async fn exchange_client(&self, scope: &str, policy: Option<Value>) -> TestClient {
        let mut metadata = json!({
            "client_name": "Exchanger",
            "grant_types": [GRANT, "client_credentials"],
            "redirect_uris": [],
            "response_types": [],
            "scope": scope,
        });
        if let Some(policy) = policy {
            metadata["sigil_token_exchange"] = policy;
        }
        self.create_client(metadata).await
    }

    /// POSTs a token-exchange request with `form` (the grant type is added) as `client`.
    pub async fn exchange_as(
        &self,
        client: &TestClient,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut full = vec![("grant_type", GRANT)];
        full.extend_from_slice(form);
        self.token_as(client, &full).await
    }

    /// Exchanges `subject` (an access token) as `client` with `extra` parameters, checked 200.
    pub async fn exchanged(
        &self,
        client: &TestClient,
        subject: &str,
        extra: &[(&str, &str)],
    ) -> Value {
        let mut form = vec![("subject_token", subject), ("subject_token_type", ACCESS)];
        form.extend_from_slice(extra);
        succeeded(self.exchange_as(client, &form).await).await
    }

    /// Asks as `client` for a token for `username` (impersonation, `requested_subject`) with
    /// `extra` parameters, checked 200.
    pub async fn impersonated(
        &self,
        client: &TestClient,
        username: &str,
        extra: &[(&str, &str)],
    ) -> Value {
        let mut form = vec![("requested_subject", username)];
        form.extend_from_slice(extra);
        succeeded(self.exchange_as(client, &form).await).await
    }

    /// Exchanges `subject` as `client` with `extra` parameters, checked to be refused with
    /// `status` and `code` and a non-empty description; returns the error body.
    pub async fn refused(
        &self,
        client: &TestClient,
        subject: &str,
        extra: &[(&str, &str)],
        (status, code): (u16, &str),
    ) -> Value {
        let mut form = vec![("subject_token", subject), ("subject_token_type", ACCESS)];
        form.extend_from_slice(extra);
        refusal(self.exchange_as(client, &form).await, status, code).await
    }

    /// A client allowed to delegate: it exchanges tokens addressed to `subject_audiences`,
    /// with its own client_credentials token as the actor's.
    pub async fn delegating_client(&self, subject_audiences: &[&str]) -> TestClient {
        let policy = json!({"subject_audiences": subject_audiences, "delegation": true});
        self.exchange_client("orders:read orders:write", Some(policy))
            .await
    }

    /// `client`'s own client_credentials access token: what it presents as `actor_token`.
    pub async fn actor_token(&self, client: &TestClient) -> String {
        let body = self.service_token(client, &[]).await;
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Exchanges `subject` as `client` with its own actor token and `extra` parameters,
    /// checked 200.
    pub async fn delegated(
        &self,
        client: &TestClient,
        subject: &str,
        extra: &[(&str, &str)],
    ) -> Value {
        let actor = self.actor_token(client).await;
        let mut form = vec![
            ("actor_token", actor.as_str()),
            ("actor_token_type", ACCESS),
        ];
        form.extend_from_slice(extra);
        self.exchanged(client, subject, &form).await
    }

    /// The `/introspect` answer for `token`, asked with `id:secret`, checked 200.
    pub async fn introspection(&self, (id, secret): (&str, &str), token: &str) -> Value {
        let res = self.introspect_as(id, secret, &[("token", token)]).await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// Whether `token` is active at `/introspect` for `client`, the client it was issued to.
    pub async fn active_for(&self, client: &TestClient, token: &str) -> bool {
        let body = self.introspection(credentials(client), token).await;
        body["active"].as_bool().unwrap()
    }

    /// Revokes `token` at `/revoke` as `client`, checked 200.
    pub async fn revoke_as(&self, client: &TestClient, token: &str) {
        let res = self
            .http
            .post(format!("{}/revoke", self.address))
            .basic_auth(&client.id, client.secret.as_deref())
            .form(&[("token", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    /// The audit rows `sigil audit --actor ACTOR` prints, and its raw output.
    pub fn audit_by(&self, actor: &str) -> (Vec<Value>, String) {
        let out = self.run_cli(&["audit", "--actor", actor], "");
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        let rows = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (rows, text)
    }
}

/// The JSON body of an answer, checked to be 200.
pub async fn succeeded(res: reqwest::Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

/// Checks an exchange refusal: `status`, `code` and a non-empty `error_description`.
pub async fn refusal(res: reqwest::Response, status: u16, code: &str) -> Value {
    let body = assert_error(res, status, code).await;
    let description = body["error_description"].as_str().unwrap();
    assert!(!description.is_empty(), "{body}");
    // RFC 6749 §5.2: printable ASCII, never a character replaced on the way out.
    assert!(
        description
            .chars()
            .all(|c| (' '..='~').contains(&c) && c != '?'),
        "{description}"
    );
    body
}

/// A client's HTTP Basic credentials.
pub fn credentials(client: &TestClient) -> (&str, &str) {
    (client.id.as_str(), client.secret.as_deref().unwrap())
}

/// The claims of the access token in a token response, unverified.
pub fn issued(body: &Value) -> Value {
    jwt_parts(body["access_token"].as_str().unwrap()).1
}

/// The access token of a token response.
pub fn token_of(body: &Value) -> &str {
    body["access_token"].as_str().unwrap()
}

/// The gateway and orders resources, a user signed in to a web app with a token for the
/// gateway, and the gateway's client with `policy` (merged over the gateway's subject audience).
pub async fn setup(policy: Value) -> Exchange {
    setup_on(TestApp::spawn().await, policy).await
}

/// [`setup`] on a given app.
pub async fn setup_on(app: TestApp, policy: Value) -> Exchange {
    let user_id = app.create_ada(&[]).await;
    app.create_resource(
        json!({"identifier": GATEWAY, "scope": "gateway orders:read orders:write"}),
    )
    .await;
    let orders = app
        .create_resource(json!({
            "identifier": ORDERS,
            "scope": "orders:read orders:write",
            "introspection": true,
        }))
        .await;
    let web = app.web_client(USER_SCOPE).await;
    let tokens = app
        .tokens_for(&web, USER_SCOPE, &[("resource", GATEWAY)])
        .await;
    let user_token = tokens["access_token"].as_str().unwrap().to_owned();
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let mut full = json!({"subject_audiences": [GATEWAY]});
    if let (Some(full), Value::Object(extra)) = (full.as_object_mut(), policy) {
        full.extend(extra);
    }
    let gateway = app
        .exchange_client("orders:read orders:write", Some(full))
        .await;
    Exchange {
        app,
        user_id,
        web,
        user_token,
        id_token,
        orders,
        gateway,
    }
}
