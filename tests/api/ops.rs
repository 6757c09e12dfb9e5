//! Operations: health, readiness, metrics, start/stop of the real binary.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::process::{Server, free_port, start_binary, start_binary_logging_to};
use crate::helpers::{TestApp, TestDatabase, on_postgres};

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_with_routes_statuses_and_pool() {
    let app = TestApp::spawn().await;
    app.get("/jwks").await;
    app.get("/no-such-path").await;
    app.get("/readyz").await;
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text");
    let names: BTreeSet<&str> = scrape.samples.iter().map(|s| s.metric.as_str()).collect();
    for name in [
        "sigil_http_requests_total",
        "sigil_http_request_duration_seconds",
        "sigil_db_pool_connections",
    ] {
        assert!(names.contains(name), "{name} missing: {names:?}");
    }
    let histogram = scrape
        .samples
        .iter()
        .find(|s| s.metric == "sigil_http_request_duration_seconds")
        .unwrap();
    assert!(matches!(
        histogram.value,
        prometheus_parse::Value::Histogram(_)
    ));
    let jwks = scrape.samples.iter().find(|s| {
        s.metric == "sigil_http_requests_total"
            && s.labels.get("route") == Some("/jwks")
            && s.labels.get("status") == Some("200")
    });
    assert!(jwks.is_some(), "no /jwks 200 counter");
    let unmatched = scrape
        .samples
        .iter()
        .any(|s| s.metric == "sigil_http_requests_total" && s.labels.get("status") == Some("404"));
    assert!(unmatched);
    assert!(!text.contains("no-such-path"), "raw paths become labels");
}

async fn jwks_kids(port: u16) -> BTreeSet<String> {
    let doc: Value = reqwest::get(format!("http://127.0.0.1:{port}/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn terminate(server: &mut Server) -> std::process::ExitStatus {
    let pid = server.0.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    for _ in 0..200 {
        if let Some(exit) = server.0.try_wait().unwrap() {
            return exit;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("sigil did not stop on SIGTERM");
}

#[tokio::test]
async fn serve_with_no_configuration_keeps_its_keys_across_restarts_and_stops_on_sigterm() {
    let db = TestDatabase::new();
    let port = free_port();
    let mut first = start_binary(&db, port).await;
    let discovery: Value = reqwest::get(format!(
        "http://127.0.0.1:{port}/.well-known/openid-configuration"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(discovery["issuer"], format!("http://127.0.0.1:{port}"));
    let kids = jwks_kids(port).await;
    assert_eq!(kids.len(), 6);
    assert!(
        terminate(&mut first).success(),
        "exit after SIGTERM is clean"
    );
    if !on_postgres() {
        assert!(db.dir.path().join("sigil.db").exists());
        assert!(db.dir.path().join("sigil.kek").exists());
    }

    let port = free_port();
    let mut second = start_binary(&db, port).await;
    assert_eq!(jwks_kids(port).await, kids, "same keys after a restart");
    assert!(terminate(&mut second).success());
}

/// Forwards TCP to `target` until dropped; dropping it cuts every connection.
#[tokio::test]
async fn a_log_going_to_a_file_carries_no_colour_codes() {
    let db = TestDatabase::new();
    let port = free_port();
    let path = db.dir.path().join("serve.log");
    let file = std::fs::File::create(&path).unwrap();
    let mut server = start_binary_logging_to(&db, port, file.into()).await;
    let res = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/token"))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(terminate(&mut server).success());
    let log = std::fs::read_to_string(&path).unwrap();
    assert!(
        log.contains("WARN") && log.contains("UnsupportedGrantType"),
        "{log}"
    );
    assert!(!log.contains('\u{1b}'), "{log}");
}

async fn tcp_proxy(target: String) -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        while let Ok((mut inbound, _)) = listener.accept().await {
            let target = target.clone();
            conns.spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
                let _ = inbound.shutdown().await;
            });
        }
    });
    (port, handle)
}

#[tokio::test]
async fn readyz_turns_503_when_the_database_goes_away() {
    if !on_postgres() {
        // An embedded SQLite file cannot become unreachable; covered on the PostgreSQL run.
        return;
    }
    let db = TestDatabase::new();
    let url = url::Url::parse(&db.url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let (port, proxy) = tcp_proxy(target).await;
    let mut proxied = url.clone();
    proxied.set_host(Some("127.0.0.1")).unwrap();
    proxied.set_port(Some(port)).unwrap();
    let db = TestDatabase {
        url: proxied.to_string(),
        ..db
    };
    let app = TestApp::spawn_with(db, |_| {}, std::sync::Arc::new(sigil::clock::SystemClock)).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    let client = app.web_client("openid").await;

    proxy.abort();
    let _ = proxy.await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(
        app.get("/jwks").await.status(),
        200,
        "keys are served from memory"
    );
    assert_eq!(app.get("/healthz").await.status(), 200);

    let res = app
        .http
        .post(format!("{}/token", app.address))
        .basic_auth(&client.id, client.secret.as_deref())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "c"),
            ("redirect_uri", "x"),
            ("code_verifier", "v"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_server_error(), "{}", res.status());
    let body: Value = res.json().await.unwrap();
    assert!(
        matches!(
            body["error"].as_str(),
            Some("temporarily_unavailable" | "server_error")
        ),
        "{body}"
    );
    let res = app
        .http
        .get(format!("{}/authorize?client_id={}", app.address, client.id))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert!(res.text().await.unwrap().contains("Service unavailable"));
}
