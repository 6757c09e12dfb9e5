//! The admin API from a script's side: an admin token through client credentials, requests
//! with it, and the checks every answer must pass (problem details, no secret anywhere).

use reqwest::{Method, Response};
use serde_json::{Value, json};

use super::TestApp;

/// The private members of a JWK, which no answer may hold.
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];

/// Members that would hold a secret or a hash of one.
const SECRET_MEMBERS: [&str; 5] = [
    "client_secret",
    "password",
    "password_hash",
    "secret_hash",
    "secret_sealed",
];

/// A client's own access token for `scope`, by client credentials.
pub async fn client_token(app: &TestApp, scope: &str) -> (String, String) {
    let client = app
        .create_client(json!({
            "client_name": "automation",
            "grant_types": ["client_credentials"],
            "redirect_uris": [],
            "response_types": [],
            "scope": scope,
        }))
        .await;
    let res = app
        .token_request()
        .basic_auth(&client.id, client.secret.as_deref())
        .form(&[("grant_type", "client_credentials"), ("scope", scope)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "client credentials for {scope}");
    let body: Value = res.json().await.unwrap();
    (body["access_token"].as_str().unwrap().to_owned(), client.id)
}

/// The admin API as one admin client sees it.
pub struct AdminApi<'a> {
    /// The app.
    pub app: &'a TestApp,
    /// The admin's bearer token.
    pub token: String,
    /// The admin client's id (the actor in audit rows).
    pub actor: String,
}

impl<'a> AdminApi<'a> {
    /// An admin client registered with `sigil:admin`, and its token.
    pub async fn new(app: &'a TestApp) -> Self {
        let (token, actor) = client_token(app, "sigil:admin").await;
        Self { app, token, actor }
    }

    /// The full URL of `path` under `/admin/api/v1`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/admin/api/v1{path}", self.app.address)
    }

    /// A request to `path` with the admin token.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.app
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.unwrap()
    }

    /// `method` `path` with a JSON body.
    pub async fn send(&self, method: Method, path: &str, body: &Value) -> Response {
        self.request(method, path).json(body).send().await.unwrap()
    }

    /// `method` `path` with a JSON body and `If-Match: etag`.
    pub async fn send_if(&self, method: Method, path: &str, etag: &str, body: &Value) -> Response {
        self.request(method, path)
            .header("If-Match", etag)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// GET `path`, asserting 200: its ETag (empty for a list) and body.
    pub async fn read(&self, path: &str) -> (String, Value) {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        let etag = match res.headers().get("etag") {
            Some(_) => etag(&res),
            None => String::new(),
        };
        (etag, body(res).await)
    }

    /// Every item of the list at `path`, read `limit` at a time; `between` runs after each
    /// page (to add items while paging).
    pub async fn every(
        &self,
        path: &str,
        limit: u32,
        mut between: impl AsyncFnMut(usize),
    ) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{sep}limit={limit}");
        let mut items = Vec::new();
        for n in 0.. {
            let (_, page) = self.read(&url).await;
            let got = page["items"].as_array().unwrap();
            assert!(got.len() <= limit as usize);
            items.extend(got.iter().cloned());
            between(n).await;
            match page["next_cursor"].as_str() {
                Some(cursor) => url = format!("{path}{sep}limit={limit}&cursor={cursor}"),
                None => break,
            }
        }
        items
    }

    /// The audit rows naming `subject`, as (actor, action).
    pub async fn audit_of(&self, subject: &str) -> Vec<(String, String)> {
        let (_, page) = self
            .read(&format!("/audit?subject={subject}&limit=200"))
            .await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["actor"].as_str().unwrap().to_owned(),
                    e["action"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

/// The strong ETag of `res`.
pub fn etag(res: &Response) -> String {
    res.headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_owned()
}

/// The JSON body of `res`, checked to hold no secret, hash or private key member.
pub async fn body(res: Response) -> Value {
    let value: Value = res.json().await.unwrap();
    assert_no_secrets(&value, &[]);
    value
}

/// Asserts that `value` holds none of the secret or private key members (but `allowed`).
pub fn assert_no_secrets(value: &Value, allowed: &[&str]) {
    match value {
        Value::Object(map) => {
            for (name, inner) in map {
                let bad = SECRET_MEMBERS.contains(&name.as_str())
                    || (PRIVATE_MEMBERS.contains(&name.as_str()) && inner.is_string());
                assert!(
                    !bad || allowed.contains(&name.as_str()),
                    "the answer holds {name}"
                );
                assert_no_secrets(inner, allowed);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| assert_no_secrets(v, allowed)),
        _ => {}
    }
}

/// Asserts `res` is an RFC 9457 problem with `status`, and returns it.
pub async fn problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("application/problem+json"), "{kind}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    for member in ["type", "title", "detail"] {
        assert!(body[member].is_string(), "problem without {member}: {body}");
    }
    assert_no_secrets(&body, &[]);
    body
}

/// Asserts `res` is a 422 problem with `error` naming `field` in `invalid_params`.
pub async fn invalid(res: Response, error: &str, field: &str) -> Value {
    let body = problem(res, 422).await;
    assert_eq!(body["error"], error, "{body}");
    let names: Vec<&str> = body["invalid_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&field), "{field} not in {names:?}");
    body
}
