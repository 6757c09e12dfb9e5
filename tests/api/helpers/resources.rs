//! Helpers for resources, client_credentials and introspection.

use serde_json::{Value, json};

use super::{TestApp, TestClient};

/// A registered test resource.
pub struct TestResource {
    /// Its id (the introspection client id).
    pub id: String,
    /// Its introspection secret, when it asked for one.
    pub secret: Option<String>,
    /// Its identifier URI.
    pub identifier: String,
}

impl TestApp {
    /// Registers a resource from metadata JSON through the management core (no subprocess).
    pub async fn create_resource(&self, metadata: Value) -> TestResource {
        let json = metadata.to_string();
        let created = self
            .state
            .store
            .run(move |c| {
                let actor = sigil::manage::Actor::new("test");
                sigil::manage::resources::register(c, &actor, 0, &json)
                    .map_err(|e| sigil::store::StoreError::Corrupt(e.to_string()))
            })
            .await
            .unwrap();
        TestResource {
            id: created.resource.id().to_owned(),
            secret: created.secret,
            identifier: created.resource.identifier().to_owned(),
        }
    }

    /// A confidential client allowed the client_credentials grant for `scope`.
    pub async fn service_client(&self, scope: &str) -> TestClient {
        self.create_client(json!({
            "client_name": "Service",
            "grant_types": ["client_credentials"],
            "redirect_uris": [],
            "response_types": [],
            "scope": scope,
        }))
        .await
    }

    /// POSTs `form` to `/token` as `client` with client_secret_basic.
    pub async fn token_as(&self, client: &TestClient, form: &[(&str, &str)]) -> reqwest::Response {
        self.token_request()
            .basic_auth(&client.id, client.secret.as_deref())
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// A client_credentials access token for `client` with `extra` parameters, checked to be 200.
    pub async fn service_token(&self, client: &TestClient, extra: &[(&str, &str)]) -> Value {
        let mut form = vec![("grant_type", "client_credentials")];
        form.extend_from_slice(extra);
        let res = self.token_as(client, &form).await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// POSTs `form` to `/introspect` with HTTP Basic `id:secret`.
    pub async fn introspect_as(
        &self,
        id: &str,
        secret: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.http
            .post(format!("{}/introspect", self.address))
            .basic_auth(id, Some(secret))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// The JWKS the app publishes.
    pub async fn jwks(&self) -> Value {
        self.get("/jwks").await.json().await.unwrap()
    }
}
