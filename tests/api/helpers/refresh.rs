//! Helpers for the refresh-token tests: a client allowed to refresh, and refresh requests.

use serde_json::{Value, json};

use super::{TestApp, TestClient};

impl TestApp {
    /// A confidential client allowed the refresh grant, with `extra` metadata merged in.
    pub async fn refreshing_client(&self, extra: Value) -> TestClient {
        let mut metadata = json!({
            "client_name": "Refreshing App",
            "redirect_uris": ["http://127.0.0.1:9/callback"],
            "grant_types": ["authorization_code", "refresh_token"],
            "scope": "openid profile email offline_access",
        });
        if let (Some(base), Value::Object(more)) = (metadata.as_object_mut(), extra) {
            base.extend(more);
        }
        self.create_client(metadata).await
    }

    /// POSTs a refresh request for `client` (client_secret_basic, or client_id when public).
    pub async fn refresh(
        &self,
        client: &TestClient,
        refresh_token: &str,
        scope: Option<&str>,
    ) -> reqwest::Response {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let req = self.token_request();
        let req = match &client.secret {
            Some(secret) => req.basic_auth(&client.id, Some(secret)),
            None => {
                form.push(("client_id", client.id.as_str()));
                req
            }
        };
        req.form(&form).send().await.unwrap()
    }

    /// Refreshes and asserts 200; returns the response body.
    pub async fn refreshed(&self, client: &TestClient, refresh_token: &str) -> Value {
        let res = self.refresh(client, refresh_token, None).await;
        assert_eq!(res.status(), 200, "refresh should succeed");
        res.json().await.unwrap()
    }
}

/// The `refresh_token` member of a token response.
pub fn refresh_token_of(body: &Value) -> String {
    body["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no refresh_token in {body}"))
        .to_owned()
}
