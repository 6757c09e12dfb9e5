//! The admin API's lists over 10 000 clients and 10 000 users: one page (the first, and one
//! deep in the list through its cursor) answered over loopback HTTP with an admin token.
//! Besides criterion's estimates it prints the p99 of 500 requests per list.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;
use sigil::clock::{Clock, SystemClock};
use sigil::config::RawSettings;
use sigil::startup::Application;
use sigil::store::users::UserRow;

/// Items of each kind.
const ITEMS: usize = 10_000;

struct Fixture {
    base: String,
    token: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn start() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let base = format!("http://127.0.0.1:{port}");
    let raw = RawSettings {
        issuer: base.clone(),
        bind: format!("127.0.0.1:{port}"),
        database_url: format!("sqlite://{}", dir.path().join("sigil.db").display()),
        ..RawSettings::default()
    };
    let settings = raw.validate().expect("settings");
    let app = Application::build_on(listener, settings, Arc::new(SystemClock))
        .await
        .expect("app");
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let now = SystemClock.now();
    let kek = state.keys.kek().clone();
    let phc = sigil::password::hash("bench password").expect("hash");
    let admin = state
        .store
        .run(move |c| {
            sigil::store::transaction(c, |c| {
                let actor = sigil::manage::Actor::new("bench");
                let meta = r#"{"client_name": "App", "redirect_uris": ["https://app.example/cb"], "scope": "openid profile"}"#;
                for _ in 0..ITEMS {
                    let new = sigil::registry::prepare(meta, now, &kek)
                        .map_err(|e| sigil::store::StoreError::Corrupt(e.to_string()))?;
                    sigil::store::clients::create(c, &new.row)?;
                }
                for n in 0..ITEMS {
                    let row = UserRow {
                        id: uuid::Uuid::new_v4().to_string(),
                        username: format!("user{n}"),
                        email: Some(format!("user{n}@example.com")),
                        name: None,
                        password_hash: phc.clone(),
                        created_at: now,
                        updated_at: now,
                        email_verified: true,
                        claims: "{}".into(),
                        token_generation: 0,
                        disabled: false,
                    };
                    sigil::store::users::create(c, &row, &["dev".to_owned()])?;
                }
                let meta = r#"{"grant_types": ["client_credentials"], "redirect_uris": [], "response_types": [], "scope": "sigil:admin"}"#;
                sigil::manage::clients::register(c, &actor, now, meta, &kek)
                    .map_err(|e| sigil::store::StoreError::Corrupt(e.to_string()))
            })
        })
        .await
        .expect("fixtures");
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{base}/token"))
        .basic_auth(admin.client.client_id(), admin.secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token");
    let body: Value = res.json().await.expect("token body");
    let token = body["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();
    Fixture {
        base,
        token,
        http,
        _dir: dir,
    }
}

async fn page(f: &Fixture, path: &str) -> Value {
    let res = f
        .http
        .get(format!("{}/admin/api/v1{path}", f.base))
        .bearer_auth(&f.token)
        .send()
        .await
        .expect("page");
    assert_eq!(res.status(), 200);
    res.json().await.expect("page body")
}

/// A cursor about halfway through the list at `path`.
async fn deep_cursor(f: &Fixture, path: &str) -> String {
    let mut cursor = String::new();
    for _ in 0..ITEMS / 400 {
        let url = format!("{path}?limit=200&cursor={cursor}");
        let url = if cursor.is_empty() {
            format!("{path}?limit=200")
        } else {
            url
        };
        cursor = page(f, &url).await["next_cursor"]
            .as_str()
            .expect("a next page")
            .to_owned();
    }
    cursor
}

/// The 99th percentile of 500 sequential requests for `path`.
async fn p99(f: &Fixture, path: &str) -> Duration {
    let mut times = Vec::with_capacity(500);
    for _ in 0..500 {
        let start = Instant::now();
        page(f, path).await;
        times.push(start.elapsed());
    }
    times.sort();
    times[times.len() * 99 / 100]
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let fixture = rt.block_on(start());
    let mut group = c.benchmark_group("admin_api_page");
    group.sample_size(50);
    for list in ["clients", "users"] {
        let first = format!("/{list}");
        let cursor = rt.block_on(deep_cursor(&fixture, &first));
        let deep = format!("/{list}?cursor={cursor}");
        let items = rt.block_on(page(&fixture, &deep))["items"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(items, 50);
        for (name, path) in [("first", &first), ("deep", &deep)] {
            let p = rt.block_on(p99(&fixture, path));
            println!(
                "admin_api_page/{list}_{name}: p99 of 500 = {:.2} ms (of {ITEMS})",
                p.as_secs_f64() * 1e3
            );
            group.bench_function(format!("{list}_{name}"), |b| {
                b.iter(|| rt.block_on(page(&fixture, path)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
