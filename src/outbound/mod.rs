//! Outbound HTTP: one shared client per purpose, with timeouts, no redirects followed, and
//! bounded retries. Back-channel logout tokens are delivered here, off the request path, and
//! client and resource key sets are fetched and cached in [`jwks`].

use std::time::Duration;

pub mod client_documents;
pub mod fetch;
pub mod guard;
pub mod jwks;

/// How deliveries are attempted.
#[derive(Debug, Clone)]
pub struct Retry {
    /// Attempts in all (at least one).
    pub attempts: u32,
    /// Connect and total timeout of each attempt.
    pub timeout: Duration,
    /// Waits before the second, third, … attempt (the last repeats).
    pub backoff: Vec<Duration>,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 3,
            timeout: Duration::from_secs(5),
            backoff: vec![Duration::from_secs(1), Duration::from_secs(2)],
        }
    }
}

/// One logout token to deliver.
#[derive(Clone)]
pub struct Notice {
    /// The client told.
    pub client_id: String,
    /// Its `backchannel_logout_uri`.
    pub uri: String,
    /// The signed logout token.
    pub logout_token: String,
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notice")
            .field("client_id", &self.client_id)
            .field("uri", &self.uri)
            .finish_non_exhaustive()
    }
}

/// What became of one notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The client.
    pub client_id: String,
    /// Attempts made.
    pub attempts: u32,
    /// The last HTTP status, when one came back.
    pub status: Option<u16>,
    /// Whether the client answered 200 or 204.
    pub delivered: bool,
}

/// Sends logout tokens with one shared HTTP client (no redirects followed).
#[derive(Debug, Clone)]
pub struct Notifier {
    http: reqwest::Client,
    retry: Retry,
}

/// Whether `uri` names, as an IP literal, an address [`guard`] refuses.
fn refused_literal(uri: &str) -> bool {
    match url::Url::parse(uri).ok().as_ref().and_then(url::Url::host) {
        Some(url::Host::Ipv4(ip)) => !guard::is_allowed(ip.into()),
        Some(url::Host::Ipv6(ip)) => !guard::is_allowed(ip.into()),
        _ => false,
    }
}

impl Notifier {
    /// A notifier attempting deliveries as `retry` says.
    pub fn new(retry: Retry) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(retry.timeout)
            .timeout(retry.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(std::sync::Arc::new(guard::PublicOnly))
            .pool_max_idle_per_host(0)
            .user_agent(concat!("sigil/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, retry })
    }

    /// Delivers one notice: retried on network errors and 5xx, done on 200/204.
    pub async fn deliver(&self, notice: &Notice) -> Delivery {
        let attempts = self.retry.attempts.max(1);
        let mut outcome = Delivery {
            client_id: notice.client_id.clone(),
            attempts: 0,
            status: None,
            delivered: false,
        };
        if refused_literal(&notice.uri) {
            tracing::warn!(client_id = %outcome.client_id, "back-channel logout URI names an address sigil may not reach");
            return outcome;
        }
        for attempt in 1..=attempts {
            outcome.attempts = attempt;
            let sent = self
                .http
                .post(&notice.uri)
                .form(&[("logout_token", notice.logout_token.as_str())])
                .send()
                .await;
            let retryable = match sent {
                Ok(res) => {
                    let status = res.status();
                    outcome.status = Some(status.as_u16());
                    outcome.delivered = matches!(status.as_u16(), 200 | 204);
                    status.is_server_error()
                }
                Err(_) => {
                    outcome.status = None;
                    true
                }
            };
            if outcome.delivered || !retryable || attempt == attempts {
                break;
            }
            let index = usize::try_from(attempt - 1).unwrap_or(usize::MAX);
            let wait = self
                .retry
                .backoff
                .get(index)
                .or(self.retry.backoff.last())
                .copied()
                .unwrap_or_default();
            tokio::time::sleep(wait).await;
        }
        if outcome.delivered {
            tracing::info!(client_id = %outcome.client_id, status = ?outcome.status, attempts = outcome.attempts, "back-channel logout delivered");
        } else {
            tracing::warn!(client_id = %outcome.client_id, status = ?outcome.status, attempts = outcome.attempts, "back-channel logout not delivered");
        }
        outcome
    }

    /// Delivers every notice concurrently and waits for all of them.
    pub async fn deliver_all(&self, notices: Vec<Notice>) -> Vec<Delivery> {
        let mut tasks = tokio::task::JoinSet::new();
        for notice in notices {
            let this = self.clone();
            tasks.spawn(async move { this.deliver(&notice).await });
        }
        let mut out = Vec::new();
        while let Some(done) = tasks.join_next().await {
            if let Ok(delivery) = done {
                out.push(delivery);
            }
        }
        out
    }

    /// Delivers in the background: the caller does not wait.
    pub fn spawn(&self, notices: Vec<Notice>) {
        if notices.is_empty() {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            this.deliver_all(notices).await;
        });
    }
}
