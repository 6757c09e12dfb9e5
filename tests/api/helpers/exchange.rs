//! Helpers for the token-exchange tests: a user's token for the gateway, and the clients that
//! exchange it.

use serde_json::{Value, json};

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
        let res = self.exchange_as(client, &form).await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, 200, "{body}");
        body
    }
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
    app.create_resource(json!({"identifier": ORDERS, "scope": "orders:read orders:write"}))
        .await;
    let web = app.web_client(USER_SCOPE).await;
    let tokens = app
        .tokens_for(&web, USER_SCOPE, &[("resource", GATEWAY)])
        .await;
    let user_token = tokens["access_token"].as_str().unwrap().to_owned();
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
        gateway,
    }
}
